"""The /arxiv command grammar (bot/commands.py): every subcommand and every error message."""

from datetime import time

import pytest
from pydantic import ValidationError

from bot.commands import (
    MAX_PAPERS,
    SUBCOMMANDS,
    CommandError,
    Help,
    ListSubs,
    Now,
    PaperCmd,
    Subscribe,
    Unsubscribe,
    help_text,
    parse,
)
from config.settings import LANGUAGES, DefaultsSettings

HOW_TOPIC = (
    'Write free text (synthetic data), a "quoted phrase", or arXiv fields such as cat:cs.CL AND abs:"diffusion model".'
)
OPTIONS_TAIL = (
    "The options are day=, time=, tz=, lang=, max= and terms=, e.g. day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 "
    'terms="synthetic data".'
)
PAPER_FORMS = "2404.14361, 2404.14361v2, arXiv:2404.14361, math/0211159 or https://arxiv.org/abs/2404.14361"


def error(text):
    with pytest.raises(CommandError) as raised:
        parse(text)
    return str(raised.value)


# -- help, list, unsubscribe, now ------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "help subscribe"])
def test_empty_text_and_help_are_help(text):
    assert parse(text) == Help()


def test_list():
    assert parse("list") == ListSubs()
    assert parse("  List ") == ListSubs()
    assert error("list all") == "list takes nothing after it; remove `all`."


def test_unsubscribe():
    assert parse("unsubscribe 3") == Unsubscribe(3)
    assert parse("unsubscribe #12") == Unsubscribe(12)
    assert (
        error("unsubscribe")
        == "unsubscribe needs a subscription id, e.g. /arxiv unsubscribe 3 (/arxiv list shows the ids)."
    )
    assert error("unsubscribe three") == (
        "`three` is not a subscription id; ids are numbers, e.g. /arxiv unsubscribe 3 (/arxiv list shows them)."
    )
    assert error("unsubscribe 0").startswith("`0` is not a subscription id")
    assert error("unsubscribe 3 4") == "unsubscribe takes one subscription id; remove `4`."


def test_now():
    assert parse("now") == Now(None)
    assert parse("now 7") == Now(7)
    assert (
        error("now x") == "`x` is not a subscription id; ids are numbers, e.g. /arxiv now 3 (/arxiv list shows them)."
    )
    assert error("now 1 2 3") == "now takes one subscription id; remove `2 3`."


def test_unknown_subcommand_suggests_the_closest():
    assert error("subscibe synthetic data") == (
        "`subscibe` is not an /arxiv subcommand. Did you mean `subscribe`? Write one of: "
        f"{', '.join(SUBCOMMANDS)} (/arxiv help explains them)."
    )
    assert "Did you mean `unsubscribe`?" in error("unsub 3")
    assert "Did you mean `list`?" in error("lst")
    assert error("frobnicate") == (
        "`frobnicate` is not an /arxiv subcommand. Write one of: "
        f"{', '.join(SUBCOMMANDS)} (/arxiv help explains them)."
    )


# -- subscribe ---------------------------------------------------------------------------


def test_subscribe_with_only_a_topic_leaves_options_to_the_defaults():
    assert parse("subscribe synthetic data") == Subscribe("synthetic data", None, None, None, None, None)


def test_subscribe_with_every_option():
    assert parse("subscribe synthetic data day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10") == Subscribe(
        topic="synthetic data", weekday=0, time=time(9, 0), tz="Asia/Tokyo", language="ja", max_papers=10
    )


def test_options_go_anywhere_and_are_forgiving_about_case():
    assert parse("Subscribe max=5 LLM DAY=Sunday agents tz=europe/berlin time=7:30 lang=EN") == Subscribe(
        topic="LLM agents", weekday=6, time=time(7, 30), tz="Europe/Berlin", language="en", max_papers=5
    )


def test_full_width_equals_and_ideographic_spaces_from_japanese_keyboards():
    assert parse("subscribe\u3000合成データ\u3000day＝fri") == Subscribe("合成データ", weekday=4)


def test_arxiv_query_syntax_topics_are_kept_as_written():
    cmd = parse('subscribe cat:cs.CL AND abs:"diffusion model" max=3')
    assert cmd == Subscribe('cat:cs.CL AND abs:"diffusion model"', max_papers=3)


@pytest.mark.parametrize(
    "day, index", [("mon", 0), ("tue", 1), ("wed", 2), ("thu", 3), ("fri", 4), ("sat", 5), ("sun", 6), ("Wednesday", 2)]
)
def test_every_day(day, index):
    assert parse(f"subscribe x day={day}").weekday == index


def test_missing_topic():
    expected = (
        "subscribe needs a topic, e.g. /arxiv subscribe synthetic data day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10"
    )
    assert error("subscribe") == expected
    assert error("subscribe day=mon time=09:00") == expected


def test_a_topic_arxiv_cannot_search_is_refused_with_the_topic_checkers_reason():
    assert error("subscribe cs.CL*") == (
        "That topic cannot be searched on arXiv: the topic contains *, which arXiv's query "
        f"language would read as syntax; remove it. {HOW_TOPIC}"
    )
    assert error("subscribe cat:cs") == (
        "That topic cannot be searched on arXiv: cat:cs is not an arXiv category; write one like "
        "cat:cs.CL, cat:math.AP, cat:q-bio.QM, cat:hep-th or cat:stat.ML."
    )
    assert error("subscribe the of and").startswith("That topic cannot be searched on arXiv: 'the of and' has no word")


@pytest.mark.parametrize("day", ["funday", "mo", "1", ""])
def test_bad_day(day):
    assert error(f"subscribe x day={day}") == (
        f"`day={day}` is not a day of the week; write day=mon, tue, wed, thu, fri, sat or sun."
    )


@pytest.mark.parametrize("value", ["9am", "24:00", "09:60", "0900", "9:5", ""])
def test_bad_time(value):
    assert error(f"subscribe x time={value}") == (
        f"`time={value}` is not a time; write time=HH:MM in 24-hour form, e.g. time=09:00 or time=18:30."
    )


def test_time_bounds():
    assert parse("subscribe x time=00:00").time == time(0, 0)
    assert parse("subscribe x time=23:59").time == time(23, 59)


def test_unknown_time_zone_suggests_a_close_one():
    tail = "Write an IANA name such as tz=Asia/Tokyo, tz=Europe/Berlin or tz=UTC."
    assert (
        error("subscribe x tz=Asia/Tokio")
        == f"`tz=Asia/Tokio` is not a time zone I know. Did you mean tz=Asia/Tokyo? {tail}"
    )
    assert error("subscribe x tz=JST") == f"`tz=JST` is not a time zone I know. {tail}"
    assert error("subscribe x tz=../../etc/passwd") == f"`tz=../../etc/passwd` is not a time zone I know. {tail}"
    assert parse("subscribe x tz=utc").tz == "UTC"


def test_unsupported_language():
    assert error("subscribe x lang=xx") == (
        f"`lang=xx` is not a supported language; write one of: {', '.join(LANGUAGES)}."
    )
    for language in LANGUAGES:
        assert parse(f"subscribe x lang={language}").language == language


@pytest.mark.parametrize("value", ["0", "101", "1000"])
def test_max_out_of_range(value):
    assert error(f"subscribe x max={value}") == (
        f"`max={value}` is out of range; write a number from 1 to 100, e.g. max=10."
    )


@pytest.mark.parametrize("value", ["ten", "-1", "2.5", ""])
def test_max_not_a_number(value):
    assert error(f"subscribe x max={value}") == (
        f"`max={value}` is not a whole number; write a number from 1 to 100, e.g. max=10."
    )


def test_max_bounds_match_the_settings():
    low, high = MAX_PAPERS
    assert parse(f"subscribe x max={low}").max_papers == low
    assert parse(f"subscribe x max={high}").max_papers == high
    DefaultsSettings(max_papers=low)
    DefaultsSettings(max_papers=high)
    for outside in (low - 1, high + 1):
        with pytest.raises(ValidationError):
            DefaultsSettings(max_papers=outside)


def test_unknown_option_key_suggests_the_real_one():
    assert (
        error("subscribe x tme=09:00") == f"`tme=` is not an option of subscribe. Did you mean `time=`? {OPTIONS_TAIL}"
    )
    assert (
        error("subscribe x timezone=UTC")
        == f"`timezone=` is not an option of subscribe. Did you mean `tz=`? {OPTIONS_TAIL}"
    )
    assert error("subscribe x language=ja").startswith(
        "`language=` is not an option of subscribe. Did you mean `lang=`?"
    )
    assert error("subscribe x colour=blue") == f"`colour=` is not an option of subscribe. {OPTIONS_TAIL}"


def test_an_option_given_twice():
    assert error("subscribe x day=mon day=tue") == "`day=` is given twice; keep one."


def test_options_are_checked_before_the_topic():
    assert error("subscribe cs.CL* day=funday").startswith("`day=funday` is not a day")


# -- paper -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, arxiv_id, version",
    [
        ("2404.14361", "2404.14361", None),
        ("2404.14361v2", "2404.14361", 2),
        ("arXiv:2404.14361", "2404.14361", None),
        ("ARXIV:2404.14361v3", "2404.14361", 3),
        ("https://arxiv.org/abs/2404.14361v1", "2404.14361", 1),
        ("https://arxiv.org/pdf/2404.14361", "2404.14361", None),
        ("https://arxiv.org/pdf/2404.14361v2.pdf", "2404.14361", 2),
        ("http://export.arxiv.org/abs/2404.14361/", "2404.14361", None),
        ("https://www.arxiv.org/abs/2404.14361?context=cs", "2404.14361", None),
        ("arxiv.org/html/2404.14361v1", "2404.14361", 1),
        ("<https://arxiv.org/abs/2404.14361|arxiv.org/abs/2404.14361>", "2404.14361", None),
        ("0704.0001", "0704.0001", None),
        ("math/0211159", "math/0211159", None),
        ("math/0211159v2", "math/0211159", 2),
        ("math.GT/0309136", "math/0309136", None),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001", 1),
    ],
)
def test_paper_ids_and_links(text, arxiv_id, version):
    assert parse(f"paper {text}") == PaperCmd(arxiv_id, version)


@pytest.mark.parametrize(
    "text",
    [
        "2404",
        "2404.143",
        "2413.12345",
        "1412.12345",
        "1501.0001",
        "2404.14361v0",
        "2404.14361v",
        "https://example.org/abs/2404.14361",
        "math/02111",
        "attention is all you need",
    ],
)
def test_bad_paper_ids(text):
    word = text.split()[0]
    assert error(f"paper {word}") == f"`{word}` is not an arXiv id or link; write one like {PAPER_FORMS}."


def test_paper_needs_exactly_one_id():
    assert error("paper") == (
        "paper needs an arXiv id or link, e.g. /arxiv paper 2404.14361 or /arxiv paper https://arxiv.org/abs/2404.14361."
    )
    assert error("paper 2404.14361 2404.14219") == "paper takes one arXiv id or link; remove `2404.14219`."


# -- help text ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_describes_every_subcommand_with_examples(language):
    text = help_text(language)
    for sub in SUBCOMMANDS:
        assert f"/arxiv {sub}" in text
    for option in ("day=", "time=", "tz=", "lang=", "max="):
        assert option in text
    assert ", ".join(LANGUAGES) in text and "100" in text
    assert "/arxiv paper 2404.14361" in text and "/arxiv unsubscribe 3" in text
    # Every example in the help parses.
    for line in text.splitlines():
        for example in line.split("`")[1::2]:
            if "<" not in example and example.startswith("/arxiv "):
                parse(example.removeprefix("/arxiv "))


def test_help_is_written_in_every_language_and_english_stands_in_for_others():
    assert len({help_text(language) for language in LANGUAGES}) == len(LANGUAGES)
    assert help_text("pt") == help_text("en") == help_text()  # not a reader language


# -- terms= (English search terms for a topic in another language) --------------------------


@pytest.mark.parametrize(
    "text, topic, terms",
    [
        ('subscribe 合成データ terms="synthetic data"', "合成データ", "synthetic data"),
        ('subscribe 合成データ terms="synthetic data" day=mon', "合成データ", "synthetic data"),
        ('subscribe terms="synthetic data" 合成データ', "合成データ", "synthetic data"),
        ("subscribe 合成データ terms=synthetic data max=3", "合成データ", "synthetic data"),
        ("subscribe 合成データ terms='\"synthetic data\" OR augmentation'", "合成データ", '"synthetic data" OR augmentation'),
        ("subscribe 合成データ terms＝“synthetic data”", "合成データ", "synthetic data"),
        ("subscribe 合成データ terms=「synthetic data」", "合成データ", "synthetic data"),
        ("subscribe 合成データ terms=RLHF", "合成データ", "RLHF"),
    ],
)
def test_terms_take_quoted_or_bare_values(text, topic, terms):
    cmd = parse(text)
    assert (cmd.topic, cmd.terms) == (topic, terms)


def test_terms_are_checked_like_a_topic():
    assert error("subscribe 合成データ terms=") == (
        'terms= needs English search terms, e.g. /arxiv subscribe 合成データ terms="synthetic data".'
    )
    assert error('subscribe 合成データ terms="cat:cs.cl"') == (
        "Those terms cannot be searched on arXiv: cat:cs.cl is not an arXiv category; did you mean cat:cs.CL?"
    )
    assert error("subscribe x query=diffusion").startswith("`query=` is not an option of subscribe. Did you mean `terms=`?")


def test_categories_are_checked_against_arxiv_s_taxonomy():
    assert error("subscribe cat:cs.cl") == (
        "That topic cannot be searched on arXiv: cat:cs.cl is not an arXiv category; did you mean cat:cs.CL?"
    )
    assert "cat:cs.XY is not an arXiv category; cs has cs.AI" in error("subscribe cat:cs.XY")
    assert parse("subscribe cat:cs.CL").topic == "cat:cs.CL"
