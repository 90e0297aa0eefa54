"""digest.llm.language on the labelled set and on the hard cases it exists for.

Measured on tests/fixtures/language/labelled.jsonl (py3langid 0.4.0): detect() accuracy
ja/en/zh/ko 1.00, fr/es 0.96, de 0.93 (the misses are abstentions on four-word
headlines such as "RLHF ohne Reward-Modell", never a wrong language); no text or card
flagged in its own language. The threshold below leaves room for one more abstention.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.llm.language import LANGUAGES, detect, written_in, wrong_language

LABELLED = Path(__file__).parent / "fixtures" / "language" / "labelled.jsonl"
ACCURACY = 0.90

ROWS = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
SHORT = [r["text"] for r in ROWS if r["lang"] is None]

GERMAN_CARD = [
    "Quantisierte LoRA-Adapter erreichen Full Fine-Tuning mit einem Viertel des Speichers",
    "Die Autoren fine-tunen LLaMA-3-8B mit DPO auf 60k Präferenzpaaren und berichten einen Gewinn "
    "von 7 Punkten auf MT-Bench gegenüber der SFT-Baseline.",
    "Auf MMLU und GSM8K behält das destillierte 1,3B-Student-Modell 92 % der Genauigkeit des Teachers "
    "und läuft dabei fünfmal schneller.",
    "Einschränkung: Die Evaluation verwendet GPT-4 als Judge, was längere Antworten bevorzugen könnte.",
    "Lesenswert für alle, die Retrieval-Augmented Generation mit knappen Latenzbudgets produktiv einsetzen.",
]
ENGLISH_CARD = [
    "Quantized LoRA adapters match full fine-tuning at a quarter of the memory",
    "The authors fine-tune LLaMA-3-8B with DPO on 60k preference pairs and report a 7-point gain on "
    "MT-Bench over the SFT baseline.",
    "On MMLU and GSM8K the distilled 1.3B student keeps 92% of the teacher's accuracy while running 5x faster.",
    "A limitation is that the evaluation relies on GPT-4 as a judge, which may favour longer answers.",
    "Worth reading for anyone deploying retrieval-augmented generation with tight latency budgets.",
]
JAPANESE_CARD = [
    "量子化LoRAアダプタがフルファインチューニングに匹敵、メモリは4分の1",
    "LLaMA-3-8BをDPOで6万件の選好ペアを用いてファインチューニングし、MT-BenchでSFTベースラインより7ポイント向上した。",
    "MMLUとGSM8Kで、蒸留した1.3Bの生徒モデルは教師モデルの精度の92%を保ちつつ5倍高速に動作する。",
    "GPT-4をジャッジとして評価しているため、長い回答が有利になる可能性がある点は限界。",
    "レイテンシ制約の厳しい環境でRAGをデプロイするエンジニアには一読の価値あり。",
]
CHINESE_CARD = [
    "量化LoRA适配器以四分之一显存达到全量微调效果",
    "作者使用DPO在6万条偏好数据上对LLaMA-3-8B进行微调，在MT-Bench上比SFT基线高出7分。",
    "在MMLU和GSM8K上，蒸馏得到的1.3B学生模型保留了教师模型92%的准确率，推理速度快5倍。",
    "局限在于评测依赖GPT-4作为评判者，可能偏向更长的回答。",
    "对于在严格延迟预算下部署RAG的工程师来说值得一读。",
]


def test_the_labelled_set_has_twenty_texts_per_language_and_hard_ones():
    for lang in LANGUAGES:
        texts = [r for r in ROWS if r["lang"] == lang]
        assert len(texts) >= 20, lang
        assert {r["kind"] for r in texts} == {"headline", "bullet"}, lang
        assert any(r["hard"] for r in texts), lang
    assert len(SHORT) >= 10


@pytest.mark.parametrize("lang", LANGUAGES)
def test_accuracy_per_language_on_the_labelled_set(lang):
    texts = [r["text"] for r in ROWS if r["lang"] == lang]
    found = [detect(t) for t in texts]
    accuracy = sum(f == lang for f in found) / len(texts)
    assert accuracy >= ACCURACY, [(t, f) for t, f in zip(texts, found) if f != lang]
    # A miss may only be an abstention, never another language: that would re-ask a good card.
    assert not [(t, f) for t, f in zip(texts, found) if f not in (lang, None)]
    assert wrong_language(texts, lang) == []


def test_english_instead_of_german_is_caught_and_named():
    assert not written_in(ENGLISH_CARD, "de")
    assert wrong_language(ENGLISH_CARD, "de") == [0, 1, 2, 3, 4]
    assert written_in(GERMAN_CARD, "de")
    assert wrong_language(GERMAN_CARD, "de") == []


def test_one_english_bullet_in_a_german_card_is_named():
    card = [*GERMAN_CARD[:3], ENGLISH_CARD[3], GERMAN_CARD[4]]
    assert wrong_language(card, "de") == [3]
    assert not written_in(card, "de")


@pytest.mark.parametrize("lang", ["fr", "es", "ja", "zh", "ko"])
def test_an_english_card_fails_every_other_language(lang):
    assert not written_in(ENGLISH_CARD, lang)
    assert wrong_language(ENGLISH_CARD, lang) == [0, 1, 2, 3, 4]
    assert written_in(ENGLISH_CARD, "en")


def test_a_german_card_fails_english():
    assert not written_in(GERMAN_CARD, "en")
    assert wrong_language(GERMAN_CARD, "en") == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("headline", ["LLaMA-3-8B", "GPT-4o vs. Claude 3.5", "Mamba-2", "MoE-LLaVA", "SWE-bench"])
def test_a_model_name_headline_is_too_short_to_flag(headline):
    assert detect(headline) is None
    for lang in LANGUAGES:
        assert wrong_language([headline], lang) == []
    assert written_in([headline, *GERMAN_CARD[1:]], "de")
    assert written_in([headline, *JAPANESE_CARD[1:]], "ja")
    assert wrong_language([headline, *GERMAN_CARD[1:]], "de") == []


def test_short_language_less_texts_are_never_flagged():
    flagged = [(t, lang) for t in SHORT for lang in LANGUAGES if wrong_language([t], lang)]
    assert flagged == []


def test_latex_and_numbers_alone_are_unsure():
    assert detect(r"$O(\sqrt{T \log T})$") is None
    assert detect("") is None
    assert detect("   ") is None


def test_german_bullet_full_of_english_terms_is_german():
    bullet = ("Das Multi-Head Latent Attention Layer reduziert den KV-Cache, ohne die Perplexity "
              "auf WikiText-103 zu verschlechtern.")
    assert detect(bullet) == "de"
    assert detect("Zero-Shot-Transfer auf Out-of-Distribution-Daten wie ImageNet-R wurde nicht getestet.") == "de"


def test_romance_headlines_with_english_terms():
    assert detect("Le reward hacking en RLHF se prédit à partir de la calibration du reward model") == "fr"
    assert detect("Graph neural networks equivariantes para la unión proteína-ligando") == "es"


def test_katakana_and_acronym_heavy_japanese_is_japanese():
    assert detect("Chain-of-Thoughtプロンプトは小規模モデルにはあまり効かない") == "ja"
    assert detect("マルチヘッド・レイテント・アテンションによりKVキャッシュを4分の1に削減し、"
                  "WikiText-103のパープレキシティも維持。") == "ja"
    assert detect("GitHub Issueを使ったLLMエージェント評価：SWE-bench再検討") == "ja"


def test_chinese_and_kanji_heavy_japanese_are_told_apart():
    assert detect("大规模语言模型推理加速方法研究") == "zh"
    assert detect("大規模言語模型推論の高速化手法を提案") == "ja"
    assert detect("本研究は長文脈推論時の主記憶使用量を大幅に削減する手法を提案し、複数の評価基準で有効性を確認した。") == "ja"
    # Kanji only, Japanese forms: the identifier is not sure, so a Japanese card keeps it.
    assert wrong_language(["大規模言語模型推論高速化"], "ja") == []
    assert wrong_language(["評価"], "ja") == [] and wrong_language(["评估"], "zh") == []


def test_chinese_card_when_japanese_was_asked_and_back():
    assert written_in(JAPANESE_CARD, "ja") and written_in(CHINESE_CARD, "zh")
    assert not written_in(CHINESE_CARD, "ja")
    assert wrong_language(CHINESE_CARD, "ja") == [0, 1, 2, 3, 4]
    assert not written_in(JAPANESE_CARD, "zh")
    assert wrong_language(JAPANESE_CARD, "zh") == [0, 1, 2, 3, 4]


def test_korean_with_english_terms_is_korean():
    assert detect("Multi-head latent attention으로 KV cache를 4분의 1로 줄이면서 WikiText-103 perplexity를 유지한다.") == "ko"
    assert wrong_language(["GitHub 이슈 기반 LLM 에이전트 평가: SWE-bench 재검토"], "ja") == [0]


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="unknown language"):
        written_in(GERMAN_CARD, "it")
    with pytest.raises(ValueError, match="unknown language"):
        wrong_language(GERMAN_CARD, "pt")
