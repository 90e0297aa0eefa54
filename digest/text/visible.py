"""Text as a reader sees it: invisible and direction-changing characters removed (pure).

A topic is stored, searched and echoed in channels, so what was typed (or pasted) must
be what everyone sees: a zero-width space inside "synthetic data" makes a topic that
looks like another but searches differently, and U+202E (right-to-left override) makes
the echo read backwards. Letters are left as typed (full-width Japanese stays
full-width: no NFKC); only characters that show nothing are removed, and whitespace
(tabs, line breaks, the ideographic space) is collapsed to single spaces.
"""

from __future__ import annotations

import unicodedata

# Cc: controls (NUL, ESC...); Cf: format characters (zero-width spaces and joiners U+200B-U+200D,
# word joiner U+2060, BOM U+FEFF, LRM/RLM U+200E/U+200F, bidi embeddings, overrides and isolates
# U+202A-U+202E and U+2066-U+2069, soft hyphen, tags); Cs: lone surrogates, which JSON's \ud800
# escapes produce and no UTF-8 store accepts.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Default-ignorable characters outside those categories (Unicode's DerivedCoreProperties):
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other
# variation selectors. They render as nothing, so a topic of them alone would look empty.
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)


def invisible(ch: str) -> bool:
    """True for one character that shows nothing and is not whitespace."""
    return not ch.isspace() and (unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ord(ch) in _IGNORABLE)


def visible(text: str) -> str:
    """``text`` without invisible characters, its whitespace runs collapsed to one space
    and stripped; ``""`` when nothing visible is left.

    ``visible("synthetic\\u200b data") == "synthetic data"``;
    ``visible("\\u202eatad") == "atad"``; ``visible("\\ufeff\\u200b") == ""``.
    """
    return " ".join("".join(ch for ch in text if not invisible(ch)).split())  # split(): every Unicode space
