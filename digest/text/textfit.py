"""Limit-aware shortening shared by every renderer (pure, platform-free).

Chat platforms cap the length of each text field (Slack's section text at 3000
characters, Discord's embed title at 256). Over-long text is shortened, never
rejected: a card with a clipped comment beats a card that failed to post.

Escaping is the renderer's business (Slack writes ``&amp;``, Discord escapes
Markdown), but it changes lengths, so ``fit`` and ``shorten_authors`` take the
renderer's escape function and measure its *output* against the limit. The default,
``no_escape``, escapes nothing.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

ELLIPSIS = "…"
# A word-boundary cut may give back at most this share of the room; past that (one
# enormous "word", a URL) a hard cut keeps more of the text.
_MAX_GIVE_BACK = 0.5
# Punctuation that reads badly right before the ellipsis ("foo,…").
_TRAILING = " \t\r\n,;:、，；：-–—(/[{"

Escape = Callable[[str], str]
_GLUE = "\u200d\ufe0f"  # zero-width joiner, emoji presentation selector


def no_escape(text: str) -> str:
    """The identity: for plain text fields and for tests."""
    return text


def _unspaced(ch: str) -> bool:
    """True for scripts written without spaces between words (CJK, kana, Thai...).

    Between two such characters any position is a word boundary.
    """
    if not ch:
        return False
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # CJK extensions B..
        or 0x0E00 <= code <= 0x0EFF  # Thai, Lao
    )


def _joins(before: str, after: str) -> bool:
    """True when ``after`` belongs to the same grapheme as ``before`` (accent, emoji ZWJ)."""
    return bool(unicodedata.combining(after)) or after in _GLUE or before == "\u200d" or (
        0x1F3FB <= ord(after) <= 0x1F3FF  # emoji skin tone modifiers
    )


def _boundary(before: str, after: str) -> bool:
    """May the text be cut between ``before`` and ``after`` without splitting a word?"""
    if before.isspace() or after.isspace():
        return True
    if _joins(before, after):
        return False
    return before in "-/" or _unspaced(before) or _unspaced(after)


def shorten(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits in ``limit`` characters, else a prefix ending in ``ellipsis``.

    The cut falls on a word boundary when one lies in the last half of the room (any
    character boundary between CJK characters is one), otherwise mid-word. The result
    never exceeds ``limit``; when even the ellipsis does not fit, the bare prefix is
    returned.
    """
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return text[:limit]
    room = limit - len(ellipsis)
    cut = room
    if not _boundary(text[cut - 1], text[cut]):
        back = cut - 1
        floor = int(room * (1 - _MAX_GIVE_BACK))
        while back > floor and not _boundary(text[back - 1], text[back]):
            back -= 1
        if back > floor:
            cut = back
        else:
            # No boundary close enough: cut mid-word, but never inside a grapheme.
            while cut > 1 and _joins(text[cut - 1], text[cut]):
                cut -= 1
    head = text[:cut].rstrip(_TRAILING)
    if not head:
        head = text[:cut]
    return head + ellipsis


def fit(text: str, limit: int, *, escape: Escape = no_escape, ellipsis: str = ELLIPSIS) -> str:
    """``escape(text)``, shortened (before escaping) so that it fits in ``limit``.

    Shortening the escaped text could cut an entity in half (``&am…``); shortening the
    raw text and measuring its escaped form cannot. Returns the *escaped* text.
    """
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    # Escaping only lengthens, so the answer keeps at most ``limit`` raw characters.
    # Binary search for the longest raw prefix whose escaped form fits.
    lo, hi = 0, min(len(text), limit)
    best = escape(shorten(text, 0, ellipsis=ellipsis))
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = escape(shorten(text, mid, ellipsis=ellipsis))
        if len(candidate) <= limit:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def shorten_authors(
    authors: Sequence[str],
    limit_chars: int,
    *,
    et_al: str = "et al.",
    escape: Escape = no_escape,
) -> str:
    """``"A, B, C, et al. (+297)"``: as many leading authors as fit in ``limit_chars``.

    All authors when they fit. The first author is always named (shortened if need be)
    so that the paper stays recognisable; the count says how many were left out. The
    result is ``escape``-d and its escaped length never exceeds ``limit_chars``.
    """
    names = [" ".join(a.split()) for a in authors if a.strip()]
    if not names or limit_chars <= 0:
        return ""
    everyone = escape(", ".join(names))
    if len(everyone) <= limit_chars:
        return everyone
    total = len(names)

    def listed(k: int) -> str:
        return escape(", ".join(names[:k]) + f", {et_al} (+{total - k})")

    # Longer prefixes are longer strings, so the lengths are monotonic: binary search.
    lo, hi, best = 1, total - 1, 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if len(listed(mid)) <= limit_chars:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    if best:
        return listed(best)
    # Not even one whole name fits beside the suffix: shorten the first name.
    suffix = escape(f", {et_al} (+{total - 1})")
    room = limit_chars - len(suffix)
    if room >= 2:
        head = fit(names[0], room, escape=escape)
        if head:
            return head + suffix
    return fit(", ".join(names), limit_chars, escape=escape)


_SENTENCE_ENDS = "。．！？!?."
_CLAUSE_ENDS = "、，；：,;:)）」』"


def clip(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to ``limit`` characters at a sentence, else a clause, else a word boundary.

    For fields a model wrote too long (a 260-character headline): the reader gets the
    first whole sentences, marked with ``ellipsis``, rather than no card. A boundary
    counts only in the last half of the room, as in ``shorten``.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    floor = room // 2
    for ends in (_SENTENCE_ENDS, _CLAUSE_ENDS):
        for at in range(room, floor, -1):
            # "3.8B" is no sentence end: a period counts only before a space or the end.
            if text[at - 1] in ends and (text[at - 1] != "." or at == len(text) or text[at].isspace()):
                return text[:at].rstrip(_TRAILING.replace(")", "")) + ellipsis
    return shorten(text, limit, ellipsis=ellipsis)
