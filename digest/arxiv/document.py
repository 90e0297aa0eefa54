"""A paper's text as its words: sections, normalised characters, and the check that it reads.

Text is normalised to read as the paper's words: TeX ligature glyphs ("eﬃcient") folded,
invisible characters dropped. Text that does not read as language (a broken font
encoding, a scan without text) is refused as ``Unreadable`` so the caller can fall back
to the abstract instead of answering from noise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from digest.text.stopwords import FUNCTION_WORDS as ENGLISH_FUNCTION_WORDS

MIN_TEXT_WORDS = 80  # less than this is not a paper's full text (a scan, an error page)


class Unreadable(Exception):
    """The document has no usable text (garbled encoding, no text layer, not a PDF).

    ``final``: reading the same bytes again would fail the same way.
    """

    final = True


class MissingDependency(Unreadable):
    """This installation lacks a library the document needs (pypdf, or its AES support).

    Not the document's fault: once the library is installed the same bytes read, so a
    fallback caused by this must not be kept for good.
    """

    final = False


SHY = "\u00ad"  # soft hyphen: kept only at a line's end, where it marks a word broken in two
_INVISIBLE = frozenset(
    "\u200b\u2060\ufeff\u180e\u034f\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u2061\u2062\u2063\u2064"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# TeX's OT1 fonts put ff, fi, fl, ffi, ffl at codes 11-15; without a Unicode map pypdf
# returns the bare control characters (which str.splitlines would even take for line breaks).
_OT1_LIGATURES = {"\x0b": "ff", "\x0c": "fi", "\x0d": "fl", "\x0e": "ffi", "\x0f": "ffl"}
# Code 13 ("fl") is also CR: never when a line feed follows (a CR LF line end).
_OT1 = re.compile(r"(?<=[^\W\d_])[\x0b-\x0f](?!\n)|[\x0b-\x0f](?=[^\W\d_])")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_INNER_SHY = re.compile(r"\u00ad+(?![ \t]*(?:\r?\n|$))")
_KEPT_FORMS = ("<super>", "<sub>", "<fraction>")  # "10⁶" folded would read "106"


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    if ch == SHY:
        return ch
    if ch in _INVISIBLE or unicodedata.category(ch) == "Cc":
        return ""
    if ch in "\u2010\u2011":
        return "-"  # Unicode hyphens: "-" so a line-end hyphenation is seen as one
    if unicodedata.decomposition(ch).startswith(_KEPT_FORMS):
        return ch
    return unicodedata.normalize("NFKC", ch)


def normalize_text(text: str) -> str:
    """``text`` as the paper's words: compatibility forms folded (NFKC: "ﬃ" → "ffi",
    math italic "𝑥" → "x", full-width letters, no-break spaces) except superscripts,
    subscripts and fractions; invisible and control characters dropped; soft hyphens
    dropped, except one ending a line (``pdf_layout`` rejoins the word there). Lines stay.
    """
    text = _CONTROL.sub("", _OT1.sub(lambda m: _OT1_LIGATURES[m.group()], text))
    text = text.replace("\x0b", " ").replace("\x0c", " ")  # whitespace, not line breaks
    text = _INNER_SHY.sub("", text)
    text = _NON_ASCII.sub(lambda m: _fold(m.group()), text)
    return unicodedata.normalize("NFC", text)  # composes "e" + U+0301 into "é"


@dataclass
class Section:
    """A titled part of a paper: ``name`` as the paper writes it ("4.2 Results"), its paragraphs."""

    name: str  # "" before the first heading
    paragraphs: list[str] = field(default_factory=list)


# Function words of the languages papers are written in: prose is full of them
# (``check_readable``), and a heading does not end in one (``pdf_layout``).
# English's (with a paper's "we", "our"), and the commonest of French, German, Spanish.
FUNCTION_WORDS = ENGLISH_FUNCTION_WORDS | frozenset("we our de la le et les des der die und das el en los que".split())


def check_readable(text: str) -> None:
    """Refuse text that is too short, or that is not language (wrong glyph mapping)."""
    words = text.split()
    if len(words) < MIN_TEXT_WORDS:
        raise Unreadable(f"only {len(words)} words of text (a scan, or an empty text layer)")
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    if letters < 0.6 * visible or text.count("(cid:") > len(words) // 20:
        raise Unreadable("the text layer is not letters (a font without a Unicode map)")
    latin = [w.lower().strip(".,;:()") for w in words if w.isascii()]
    # Real prose in a Latin script is ~20% function words; shifted or scrambled glyphs ~0%.
    if len(latin) > len(words) / 2 and sum(w in FUNCTION_WORDS for w in latin) < 0.03 * len(latin):
        raise Unreadable("the text does not read as language (garbled font encoding)")

