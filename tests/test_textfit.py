"""Limit-aware shortening (digest/text/textfit.py): word boundaries, CJK, escaping, authors."""

import html

import pytest

from digest.text.textfit import ELLIPSIS, fit, no_escape, shorten, shorten_authors


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_text_that_fits_is_returned_unchanged():
    assert shorten("Better synthetic data", 21) == "Better synthetic data"
    assert shorten("", 5) == ""


def test_cut_falls_on_a_word_boundary():
    assert shorten("Better synthetic data by retrieval", 20) == "Better synthetic…"


def test_trailing_punctuation_is_dropped_before_the_ellipsis():
    assert shorten("Retrieval, transformation, and more", 13) == "Retrieval…"


def test_one_long_word_is_cut_mid_word():
    assert shorten("x" * 100, 30) == "x" * 29 + ELLIPSIS
    assert shorten("Supercalifragilistic", 10) == "Supercali…"


def test_japanese_without_spaces_is_cut_between_characters():
    text = "既存データセットを変換して合成データの質を上げる"
    assert shorten(text, 10) == "既存データセットを…"
    assert len(shorten(text, 10)) == 10


def test_cjk_punctuation_before_the_cut_is_dropped():
    assert shorten("合成データ、検索、変換", 7) == "合成データ…"


def test_a_slash_or_hyphen_is_a_boundary():
    assert shorten("https://example.org/" + "a" * 100, 30) == "https://example.org…"
    assert shorten("state-of-the-artness", 12) == "state-of…"


def test_an_accent_is_never_separated_from_its_letter():
    assert shorten("Cafe\u0301 au lait and more", 7) == "Cafe\u0301…"
    # A mid-word cut backs off rather than leave the accent without its letter.
    assert shorten("e\u0301" * 20, 8) == "e\u0301" * 3 + ELLIPSIS


@pytest.mark.parametrize("limit", [0, 1, 2, 5, 17, 100])
def test_never_longer_than_the_limit(limit):
    text = "word " * 50 + "日本語" * 30
    assert len(shorten(text, limit)) <= limit


def test_limits_smaller_than_the_ellipsis():
    assert shorten("abcdef", 0) == ""
    assert shorten("abcdef", 1) == "a"
    assert shorten("abcdef", 3, ellipsis="...") == "abc"
    assert shorten("abcdef ghi", 6, ellipsis="...") == "abc..."


def test_no_escape_escapes_nothing():
    assert no_escape("<!channel> & co") == "<!channel> & co"


def test_fit_measures_the_escaped_text_and_never_cuts_an_entity():
    text = "A & B & C & D & E"
    out = fit(text, 14, escape=slack_escape)
    assert len(out) <= 14
    assert html.unescape(out.removesuffix(ELLIPSIS)) in text  # whole entities only
    assert out == "A &amp; B…"
    assert fit("<<<<<<<<<<", 9, escape=slack_escape) == "&lt;&lt;…"


def test_fit_returns_the_escaped_text_when_it_fits():
    assert fit("a < b", 10, escape=slack_escape) == "a &lt; b"
    assert fit("plain", 10) == "plain"


AUTHORS = [f"Author Number{i}" for i in range(1, 301)]


def test_all_authors_when_they_fit():
    assert shorten_authors(["Ann Lee", "Bo Chen"], 100) == "Ann Lee, Bo Chen"


def test_three_hundred_authors_are_listed_with_a_count():
    out = shorten_authors(AUTHORS, 80)
    assert out == "Author Number1, Author Number2, Author Number3, Author Number4, et al. (+296)"
    assert len(out) <= 80


def test_the_et_al_label_is_the_callers():
    assert shorten_authors(AUTHORS, 41, et_al="ほか") == "Author Number1, Author Number2, ほか (+298)"


def test_a_tight_limit_shortens_the_first_name():
    out = shorten_authors(["Maximilian Alexander Featherstonehaugh", "B"], 30)
    assert out == "Maximilian…, et al. (+1)"
    assert len(out) <= 30


@pytest.mark.parametrize("limit", [0, 3, 10, 25, 200, 5000])
def test_authors_never_exceed_the_limit(limit):
    assert len(shorten_authors(AUTHORS, limit)) <= limit


def test_authors_are_escaped_and_measured_escaped():
    out = shorten_authors(["A <b>", "C & D", "E"], 24, escape=slack_escape)
    assert out == "A &lt;b&gt;, et al. (+2)"
    assert shorten_authors(["A <b>", "C & D", "E"], 23, escape=slack_escape) == "A…, et al. (+2)"


def test_blank_author_names_are_skipped_and_spaces_collapsed():
    assert shorten_authors(["  Ann   Lee ", "", " "], 50) == "Ann Lee"
    assert shorten_authors([], 50) == ""
