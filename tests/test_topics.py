"""Topics -> arXiv queries: free text, query syntax, mixed, every refusal, date windows."""

from datetime import date

import pytest

from digest.models import Window
from digest.arxiv.topic_parser import TopicError
from digest.arxiv.topics import to_query, topic_terms, window_query


# -- free text ------------------------------------------------------------------------


def test_one_word_searches_title_or_abstract():
    assert to_query("diffusion") == "(ti:diffusion OR abs:diffusion)"


def test_multi_word_topic_needs_every_word_and_ranks_the_exact_phrase_first():
    assert to_query("synthetic data") == (
        '(ti:"synthetic data" OR abs:"synthetic data" OR '
        "((ti:synthetic OR abs:synthetic) AND (ti:data OR abs:data)))"
    )


def test_stopwords_are_not_required_but_stay_in_the_phrase():
    assert to_query("LLM agents for code") == (
        '(ti:"LLM agents for code" OR abs:"LLM agents for code" OR '
        "((ti:LLM OR abs:LLM) AND (ti:agents OR abs:agents) AND (ti:code OR abs:code)))"
    )


def test_quoted_phrase_is_kept_whole():
    assert to_query('"synthetic data" generation') == (
        '(ti:"synthetic data" OR abs:"synthetic data") AND (ti:generation OR abs:generation)'
    )


def test_words_with_punctuation_are_quoted():
    assert to_query("GPT-4") == '(ti:"GPT-4" OR abs:"GPT-4")'


def test_extra_whitespace_and_commas_are_separators():
    assert to_query("  diffusion ,\n") == "(ti:diffusion OR abs:diffusion)"


# -- arXiv syntax and mixed -----------------------------------------------------------


@pytest.mark.parametrize(
    "topic, query",
    [
        ('cat:cs.CL AND abs:"diffusion"', 'cat:cs.CL AND abs:"diffusion"'),
        ("cat:cs.CL diffusion", "cat:cs.CL AND (ti:diffusion OR abs:diffusion)"),
        ("cat:q-bio.QM OR cat:hep-th", "cat:q-bio.QM OR cat:hep-th"),
        ("cat:math.AP ANDNOT cat:stat.ML", "cat:math.AP ANDNOT cat:stat.ML"),
        ("Cat:cs.CL", "cat:cs.CL"),
        ('au:"Graham Neubig" ti:datasets', 'au:"Graham Neubig" AND ti:datasets'),
        ("id:2404.14361", "id:2404.14361"),
        ("id:math/0211159v1", "id:math/0211159v1"),
        ("all:transformer co:pages jr:Nature rn:TR-1", "all:transformer AND co:pages AND jr:Nature AND rn:TR-1"),
        (
            "(cat:cs.CL OR cat:cs.LG) diffusion",
            "(cat:cs.CL OR cat:cs.LG) AND (ti:diffusion OR abs:diffusion)",
        ),
        # a lone lowercase and/or between terms is the operator...
        ("cat:cs.CL or cat:cs.LG", "cat:cs.CL OR cat:cs.LG"),
        # ...inside free text it is just a word
        ("cat:cs.CL and diffusion", "cat:cs.CL AND (ti:diffusion OR abs:diffusion)"),
    ],
)
def test_query_syntax_and_mixed(topic, query):
    assert to_query(topic) == query


def test_free_words_between_operators_are_one_clause():
    assert to_query("cat:cs.CL OR synthetic data") == (
        'cat:cs.CL OR (ti:"synthetic data" OR abs:"synthetic data" OR '
        "((ti:synthetic OR abs:synthetic) AND (ti:data OR abs:data)))"
    )


# -- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "topic, message",
    [
        ("", "the topic is empty"),
        ("   \t ", "the topic is empty"),
        ("x" * 301, "the topic is 301 characters long; keep it under 300"),
        ('"synthetic data', 'unbalanced quote: every " needs a closing "'),
        ("(cat:cs.CL OR cat:cs.LG", "1 '(' without a closing ')'"),
        ("cat:cs.CL)", "a ')' without its '('"),
        ("diffusion ()", "empty parentheses"),
        ('diffusion ""', 'empty quotes ("")'),
        ("foo:bar", "foo: is not an arXiv search field; use one of ti:, abs:, au:, cat:, all:, co:, jr:, rn:, id:"),
        ("AND diffusion", "AND has nothing on its left; write A AND B"),
        ("diffusion OR", "OR has nothing on its right; write A OR B"),
        ("ANDNOT cat:cs.CV", "ANDNOT has nothing on its left"),
        ("(OR diffusion)", "OR has nothing on its left"),
        ("diffusion AND OR models", "AND OR: two operators in a row"),
        ("diffusion NOT images", "arXiv has no NOT operator; write A ANDNOT B"),
        ("diffusion [models]", "contains [ ], which arXiv's query language would read as syntax"),
        ("diffusion {models}", "contains { }"),
        ("a < b", "contains <"),
        ("a > b", "contains >"),
        ("diffusion\\models", "contains \\"),
        ("diffusion; DROP", "contains ;"),
        ("diffu*", "contains *"),
        ("diffusion\x00", "control character ('\\x00')"),
        ("diffusion\x1b[0m", "control character ('\\x1b')"),
        (
            "diffusion AND submittedDate:[202401010000 TO 202402010000]",
            "sets submittedDate:, but the digest's date window chooses the dates",
        ),
        ("lastUpdatedDate:2024", "sets lastUpdatedDate:"),
        ("cat:cs", "cat:cs is not an arXiv category; write one like cat:cs.CL"),
        ("cat:CS.CL", "cat:CS.CL is not an arXiv category"),
        ("cat:cs..CL", "cat:cs..CL is not an arXiv category"),
        ("id:12345", "id:12345 is not an arXiv id"),
        ("ti:", 'ti: needs a value, e.g. ti:word or ti:"a phrase"'),
        ("ti:(a OR b)", "ti:( ... ) is not supported; repeat the field: (ti:a OR ti:b)"),
        ("ti:a:b", 'ti:a:b has a second ":"; put the text in quotes'),
        ("the of", "'the of' has no word worth searching for"),
        ("diffusion -images", "-images: a leading - is not supported; to exclude, write A ANDNOT B"),
        ("+diffusion", "a leading + is not supported"),
    ],
)
def test_invalid_topics_are_refused_with_a_reason(topic, message):
    with pytest.raises(TopicError) as caught:
        to_query(topic)
    assert message in str(caught.value)


def test_topic_error_is_a_value_error_with_advice():
    with pytest.raises(ValueError, match=r"cat:cs\.CL AND abs:"):
        to_query("AND")


def test_300_characters_is_still_fine():
    topic = " ".join(["diffusion"] * 30)[:300]
    assert len(topic) == 299 and to_query(topic)


# -- windows --------------------------------------------------------------------------


def test_window_in_utc():
    window = Window(date(2024, 4, 19), date(2024, 4, 25), "UTC")
    assert window_query("cat:cs.CL", window) == (
        "(cat:cs.CL) AND submittedDate:[202404190000 TO 202404252359]"
    )


def test_window_in_tokyo_starts_at_local_midnight():
    window = Window(date(2024, 4, 19), date(2024, 4, 25), "Asia/Tokyo")
    assert window_query("cat:cs.CL", window) == (
        "(cat:cs.CL) AND submittedDate:[202404181500 TO 202404251459]"
    )


def test_window_of_one_day_keeps_operator_precedence():
    query = to_query("cat:cs.CL OR cat:cs.LG")
    window = Window(date(2024, 4, 22), date(2024, 4, 22), "UTC")
    assert window_query(query, window) == (
        "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202404220000 TO 202404222359]"
    )


# -- terms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "topic, terms",
    [
        ("synthetic data", ["synthetic data", "synthetic", "data"]),
        ("Diffusion", ["diffusion"]),
        ("LLM agents for code", ["llm agents for code", "llm", "agents", "code"]),
        ('cat:cs.CL AND abs:"Diffusion Models"', ["diffusion models", "diffusion", "models"]),
        ('"synthetic data" generation', ["synthetic data", "synthetic", "data", "generation"]),
        ("cat:cs.CL au:Neubig", []),
        ("diffusion ANDNOT abs:image video", ["diffusion", "video"]),
        ("diffusion ANDNOT (abs:image OR ti:audio)", ["diffusion"]),
        ("GPT-4 evaluation", ["gpt-4 evaluation", "gpt-4", "evaluation"]),
    ],
)
def test_topic_terms(topic, terms):
    assert topic_terms(topic) == terms


def test_topic_terms_validate_too():
    with pytest.raises(TopicError):
        topic_terms("foo:bar")
