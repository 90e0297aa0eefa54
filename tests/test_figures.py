"""Figures in cards must come from the source: parsing, each equivalence rule, the labelled set."""

import json
from pathlib import Path

import pytest

from digest.llm.faithfulness import supports, unsupported_figures
from digest.llm.figures import Figure, Reading, figures

LABELLED = Path(__file__).parent / "fixtures" / "figures" / "labelled.jsonl"


def one(text: str) -> Figure:
    found = figures(text)
    assert len(found) == 1, found
    return found[0]


def check(text: str, source: str) -> list[str]:
    return unsupported_figures(text, source)


# --- what figures() reads -------------------------------------------------------------

@pytest.mark.parametrize(("text", "written", "value", "kind"), [
    ("accuracy of 97.3%", "97.3%", 97.3, "percent"),
    ("精度は９７．３％", "９７．３％", 97.3, "percent"),
    ("34 percent fewer", "34 percent", 34.0, "percent"),
    ("97,3 % Genauigkeit", "97,3 %", 97.3, "percent"),
    ("97,3\u202f% de précision", "97,3\u202f%", 97.3, "percent"),
    ("2.1x faster", "2.1x", 2.1, "multiplier"),
    ("x3 faster", "x3", 3.0, "multiplier"),
    ("3× faster", "3×", 3.0, "multiplier"),
    ("２倍高速", "２倍", 2.0, "multiplier"),
    ("2.1배 빠름", "2.1배", 2.1, "multiplier"),
    ("a 4-fold gain", "4-fold", 4.0, "multiplier"),
    ("3,5 veces más rápido", "3,5 veces", 3.5, "multiplier"),
    ("a 3.8B model", "3.8B", 3.8e9, "plain"),
    ("3.8 billion parameters", "3.8 billion", 3.8e9, "plain"),
    ("38億パラメータ", "38億", 3.8e9, "plain"),
    ("3.8億パラメータ", "3.8億", 3.8e8, "plain"),
    ("38亿参数", "38亿", 3.8e9, "plain"),
    ("38억 개", "38억", 3.8e9, "plain"),
    ("1万時間", "1万", 1e4, "plain"),
    ("1.5M steps", "1.5M", 1.5e6, "plain"),
    ("10k hours", "10k", 1e4, "plain"),
    ("6,2 Mio. Parameter", "6,2 Mio.", 6.2e6, "plain"),
    ("1,2 Mrd. Schritte", "1,2 Mrd.", 1.2e9, "plain"),
    ("7 milliards de paramètres", "7 milliards", 7e9, "plain"),
    ("175.000 millones de parámetros", "175.000 millones", 1.75e11, "plain"),
    ("3,3 billones de tokens", "3,3 billones", 3.3e12, "plain"),
    ("10,000 hours", "10,000", 1e4, "plain"),
    ("10.000 Stunden", "10.000", 1e4, "plain"),
    ("10 000 heures", "10 000", 1e4, "plain"),
    ("1,234.5 and", "1,234.5", 1234.5, "plain"),
    ("1.234,5 und", "1.234,5", 1234.5, "plain"),
    ("0,125 de", "0,125", 0.125, "plain"),
    ("error of 1e-4", "1e-4", 1e-4, "plain"),
    ("lr 2 × 10^5", "2 × 10^5", 2e5, "plain"),
    ("error of $10^{-3}$", "10^{-3}", 1e-3, "plain"),
    ("誤差10⁻³", "10⁻³", 1e-3, "plain"),
    ("$\\sim$40\\% faster", "40\\%", 40.0, "percent"),
    ("4.1个百分点", "4.1个百分点", 4.1, "plain"),
    ("+3.2 pp", "3.2 pp", 3.2, "plain"),
    ("−0.5 BLEU", "0.5", 0.5, "plain"),
])
def test_figures_reads_text_value_and_kind(text, written, value, kind):
    figure = one(text)
    assert (figure.text, figure.kind) == (written, kind)
    assert figure.value == pytest.approx(value)
    assert text[figure.start:figure.end].strip() == written


def test_figure_units_record_the_last_written_digit():
    assert [f.unit for f in figures("97.3% and 3.8B and 38億 and 10k and 2x")] == pytest.approx(
        [0.1, 1e8, 1e8, 1e3, 1.0])


def test_ambiguous_separators_keep_both_readings():
    assert [r.value for r in one("3,125 images").readings] == pytest.approx([3125, 3.125])
    assert [r.value for r in one("a ratio of 3.125").readings] == pytest.approx([3.125, 3125])


def test_list_markers_are_not_figures():
    text = "1. 3.8B parameters\n2) 69.4% on MMLU\n- (3) 42 tokens/s; (4) and 5 GPUs"
    assert [f.text for f in figures(text)] == ["3.8B", "69.4%", "42", "5"]
    assert [f.text for f in figures("要点1：3.8Bのモデル\nPoint 2: 42 tokens/s\nポイント３：７２％削減")] == ["3.8B", "42", "７２％"]
    assert [f.text for f in figures("第4に、「Point 5 of X」は8ポイント改善")] == ["8ポイント"]
    assert [f.text for f in figures("We list 2. Then 3.8B")] == ["2", "3.8B"]  # only a line's opening is a marker


def test_ranges_give_two_figures_and_the_first_takes_the_unit():
    three, five = figures("a 3-5x speedup")
    assert (three.text, three.kind, five.text, five.kind) == ("3", "multiplier", "5x", "multiplier")
    low, high = figures("10–20% fewer")
    assert (low.value, low.kind, high.value) == (10, "percent", 20)
    one_, two = figures("1-2B parameters")
    assert (one_.value, two.value) == (1e9, 2e9)
    assert check("a 3-5x speedup", "speedups of 3x to 5x") == []
    assert check("3〜5倍の高速化", "speedups between 3x and 5x") == []
    assert check("a 3-6x speedup", "speedups of 3x to 5x") == ["6x"]


def test_comma_lists_without_spaces_are_lists():
    assert [f.value for f in figures("batch sizes 256,512,1024")] == [256, 512, 1024]
    assert [f.value for f in figures("1,234,567 tokens and 1,234,567B")] == [1234567, 1234567e9]
    assert check("バッチサイズ256,512,2048", "batch sizes 256, 512 and 1024") == ["2048"]


def test_model_names_are_read_the_same_way_on_both_sides():
    assert check("Qwen2.5-7B beats Llama-2-7B and GPT-4", "We compare Qwen2.5-7B, Llama-2-7B and GPT-4.") == []
    assert check("Qwen2.5 (7B) is compared", "We evaluate Qwen2.5-7B.") == []
    assert check("CIFAR-100 accuracy", "accuracy on CIFAR-10") == ["100"]


# --- equivalence rules, one test each --------------------------------------------------

def test_magnitudes_in_words_letters_and_cjk_are_one_value():
    for text in ("3.8B", "3.8 billion", "3,800M", "3 800 million", "38億", "38亿", "38억", "3.8 Mrd.", "3,8 milliards"):
        assert check(f"{text} parameters", "a 3.8B-parameter model") == [], text
        assert check("a 3.8B model", f"with {text} parameters") == [], text
    assert check("3.8億パラメータ", "a 3.8B-parameter model") == ["3.8億"]
    assert check("70億パラメータ、20万問", "a 7-billion-parameter model tuned on 200K problems") == []
    assert check("数値は3.8と3.3", "a 3.8 billion model on 3.3 trillion tokens") == []  # the digits as written
    assert check("3.8% and 3.8x", "a 3.8 billion model") == ["3.8%", "3.8x"]


def test_thousands_are_one_value_in_every_convention():
    for text in ("10k", "10K", "10,000", "10.000", "10 000", "10\u00a0000", "1万", "１万", "1만", "10 mil", "10 thousand"):
        assert check(f"{text} hours", "a corpus of 10,000 hours") == [], text
    assert check("1.5万", "15,000 images") == [] and check("150万", "1.5M recordings") == []
    assert check("12.8万トークン", "contexts of up to 128k tokens") == []
    assert check("1億2000万ステップ", "120 million steps") == [] and one("1億2000万").value == 1.2e8
    assert check("1億3000万ステップ", "120 million steps") == ["1億3000万"]


def test_percent_spellings_are_one_value():
    for text in ("34%", "34 %", "34％", "３４％", "34 percent", "34 per cent", "34 Prozent", "34 pour cent",
                 "34 por ciento", "34パーセント", "34퍼센트", "34\u202f%"):
        assert check(f"{text} fewer FLOPs", "while using 34% fewer FLOPs") == [], text
    assert check("35% fewer FLOPs", "while using 34% fewer FLOPs") == ["35%"]


def test_percent_and_fraction_are_one_value():
    assert check("感度89%、AUC 94%", "a sensitivity of 0.89 and an AUC of 0.94") == []
    assert check("sensitivity of 0.89", "a sensitivity of 89%") == []
    assert check("AUC 96%", "an AUC of 0.94") == ["96%"]
    assert check("a gain of 0.5", "a gain of 50 points") == ["0.5"]  # only a percent is a fraction


def test_multiplier_spellings_and_words():
    for text in ("2.1x", "2.1X", "2.1×", "x2.1", "×2,1", "2.1倍", "2.1배", "2.1-fold", "2,1-fach", "2,1 fois", "2,1 veces"):
        assert check(f"{text} faster", "runs 2.1× faster") == [], text
    assert check("2倍高速", "runs twice as fast") == []
    assert check("3倍の性能", "a threefold improvement") == []
    assert check("遅延を2倍改善", "halves query latency") == []
    assert check("10x faster", "by an order of magnitude") == []
    assert check("3x faster", "runs twice as fast") == ["3x"]


def test_percent_and_multiplier_never_stand_for_each_other():
    assert check("2.1% faster", "runs 2.1x faster") == ["2.1%"]
    assert check("34x fewer FLOPs", "34% fewer FLOPs") == ["34x"]
    assert check("a 2.1 speedup", "runs 2.1x faster") == []  # a plain number matches any kind
    assert check("97.3% mIoU", "reaches 97.3 mIoU") == []


def test_decimal_comma_and_point_are_one_value():
    assert check("97,3 % Präzision", "97.3% precision") == []
    assert check("97.3% precision", "97,3 % Präzision") == []
    assert check("97,8 % Präzision", "97.3% precision") == ["97,8 %"]


def test_coarser_rounding_of_a_source_figure_is_allowed():
    source = "reaches 97.3% precision, runs 2.1x faster with a 3.8B model and 6.7B baseline on 12,000 images"
    assert check("97% precision, 2x faster, 4B model vs 7B, 1万 images, 1.2万 images", source) == []
    assert check("97.30% precision", source) == []  # the same value, written longer


def test_a_more_precise_or_different_figure_is_flagged():
    source = "reaches 97.3% precision and runs 2.1x faster"
    assert check("97.31% precision", source) == ["97.31%"]
    assert check("98% precision", source) == ["98%"]
    assert check("3x faster", source) == ["3x"]
    assert check("improves 96.1% to 97.3%", "improves accuracy to 96.1%") == ["97.3%"]
    assert check("0% loss", "a loss of 0.3%") == ["0%"]  # never a rounding to zero


def test_hedged_figures_follow_their_hedge():
    assert check("約70%", "69.4% on MMLU") == [] and check("約80%", "reduces memory by 72%") == ["80%"]
    assert check("over 100 languages", "covering 107 languages") == []
    assert check("over 200 languages", "covering 107 languages") == ["200"]
    assert check("100以上の言語", "covering 107 languages") == []
    assert check("nearly 100 languages", "covering 97 languages") == []
    assert check("nearly 100 languages", "covering 107 languages") == ["100"]
    assert check("100 languages", "covering 97 languages") == ["100"]  # unhedged zeros are digits
    assert check("10~20% fewer", "15% fewer") == ["10", "20%"]  # a range's "~" is no hedge
    assert check("最近10年で", "in the last 3 years") == ["10"]


def test_latex_source_figures_are_read():
    source = ("a test error of $10^{-3}$, from $\\mathcal{O}(n^2)$ to $\\mathcal{O}(n \\log n)$, "
              "$\\sim$40\\% less time, 96.1\\% accuracy, $1{,}000$ steps, $10\\,000$ images, $2\\times$ faster")
    assert check("誤差10^-3、O(n²)、約40%短縮、精度96.1%、1000ステップ、1万枚、2倍高速", source) == []
    assert check("error of 0.001 in 1,000 steps", source) == []
    assert check("O(n³)", source) == ["³"]
    assert check("error of 10^-4", source) == ["10^-4"]


def test_signs_are_wording_not_figures():
    assert check("+4.1 points on GSM8K", "improves GSM8K by 4.1 points") == []
    assert check("−18.5% WER", "reduces WER by 18.5%") == []


def test_percentage_points_are_plain_numbers():
    assert check("8ポイント上回る", "outperforming radiologists by 8 percentage points") == []
    assert check("提升4.1个百分点", "an absolute gain of 4.1%") == []
    assert check("+3.2 pp", "by 3.2 points absolute") == []


def test_section_references_need_the_same_label_in_a_source():
    passage = "4.2 Ablations. Removing the memory bank costs 2.3 points. Table 3 lists batch sizes."
    assert check("2.3ポイント低下（§4.2）、表3参照", passage) == []
    assert check("see Section 4.2 and Table 3", passage) == []
    assert check("4.2節を参照", "Results are discussed in Section 4.2.") == []
    assert check("付録B.2参照", "proofs in Appendix B.2") == [] and one("付録B.2").kind == "ref"
    assert check("see §4.3 and Tabelle 4", passage) == ["§4.3", "Tabelle 4"]
    assert check("4.2% better", "see Section 4.2") == ["4.2%"]  # a section number is no percent


def test_years_and_versions_are_supported_when_the_source_has_them():
    source = "CodeBench-2024, collected between 2019 and 2023, released as version 1.0.3."
    assert check("CodeBench-2024: 2019–2023, v1.0.3", source) == []
    assert check("collected 2018-2023, version 1.0.4", source) == ["2018", "1.0.4"]


def test_extra_sources_such_as_the_arxiv_comment_count():
    abstract, comment = "We train a 7B model 3.5x faster.", "Accepted at ICML 2025. 14 pages."
    assert unsupported_figures("ICML 2025: 7B model, 3.5x faster", abstract) == ["2025"]
    assert unsupported_figures("ICML 2025: 7B model, 3.5x faster", abstract, comment) == []


def test_spelled_numbers_in_sources_support_digits():
    assert check("3 datasets, 25 tasks, 2 million images", "on three datasets, twenty-five tasks and two million images") == []
    assert check("ranks 1st", "ranks first on the leaderboard") == []
    assert check("4 datasets", "on three datasets") == ["4"]


def test_spelled_numbers_in_the_checked_text_are_not_figures():
    assert figures("three datasets and twice as fast") == []
    assert unsupported_figures("three datasets", "on 3 datasets") == []


def test_results_are_in_order_deduplicated_and_as_written():
    assert check("９９％ then 5x, again ９９％ and 5x", "nothing here") == ["９９％", "5x"]
    assert check("no figures at all", "12 datasets") == []
    assert unsupported_figures("12 datasets") == ["12"]  # no source supports anything


def test_supports_is_exposed_for_single_readings():
    assert supports(Reading(97.3, "percent", 0.1), Reading(97.0, "percent", 1.0))
    assert not supports(Reading(97.3, "percent", 0.1), Reading(97.31, "percent", 0.01))
    assert not supports(Reading(2.1, "multiplier", 0.1), Reading(2.1, "percent", 0.1))


# --- the labelled set -------------------------------------------------------------------

def labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labelled_set_is_big_and_mixed_enough():
    items = labelled()
    assert len(items) >= 60
    assert {i["lang"] for i in items} == {"ja", "en", "de", "fr", "es", "zh", "ko"}
    assert sum(bool(i["invented"]) for i in items) >= 40 and sum(not i["invented"] for i in items) >= 40
    assert len({i["id"] for i in items}) == len(items)


@pytest.mark.parametrize("item", labelled(), ids=lambda i: i["id"])
def test_labelled_text_flags_exactly_its_invented_figures(item):
    written = [f.text for f in figures(item["text"])]
    assert set(item["invented"]) <= set(written), "a label must name a figure as written"
    assert unsupported_figures(item["text"], *item["sources"]) == item["invented"]
