"""PDF text as the paper's words: ligatures, hyphenation, headings, and the bounds on work."""

from __future__ import annotations

import time

import pytest

from digest.qa.retrieval import PassageIndex, query_terms
from digest.arxiv.document import Unreadable, normalize_text
from digest.arxiv.passages import to_passages
from digest.arxiv.pdf_text import MAX_PAGES, MAX_PAGE_CONTENT, pdf_sections, read_pdf
from tests.fakes.arxiv_fulltext import (
    LINES_PER_PAGE,
    build_pdf,
    build_repeated_pdf,
    build_unicode_pdf,
    encrypt_pdf,
    ligatured,
    load_docs,
    pdf_lines,
    pdf_of_streams,
    week_papers,
    wrap,
)

PHI3 = week_papers()["2404.14219"]
PHI3_LINES = pdf_lines(PHI3, load_docs()["2404.14219"])

# A small paper whose answers hide behind ligatures and broken words.
SECTIONS = [
    ("1 Introduction", "Small language models are deployed on phones, where memory and battery are scarce. "
                       "We study which training choices matter most when the parameter budget is small."),
    ("2 Method", "The model is trained on filtered web data and synthetic textbooks. The filtering step "
                 "scores every document with a classifier and keeps the top fifth by educational value."),
    ("3 Efficiency", "Quantised to four bits the model is efficient: it answers in real time offline on a "
                     "phone, and its affine layers need no floating point unit. The difficult cases are "
                     "long contexts, where the cache outgrows the memory of older devices."),
    ("4 Safety", "Safety post-training combines supervised fine-tuning with preference optimisation on "
                 "curated harmful prompts; red teaming found fewer harmful answers after each round."),
]


def paper_lines(hyphen: str = "-", width: int = 60) -> list[tuple[str, bool]]:
    lines: list[tuple[str, bool]] = [("Small Models on Phones", True), ("A. Author, B. Author", False)]
    for name, text in SECTIONS:
        lines += [(name, True)] + [(line, False) for line in wrap(text * 3, hyphen=hyphen, width=width)]
    return lines


def text_of(content: bytes) -> str:
    return " ".join(p for s in pdf_sections(content) for p in s.paragraphs)


def top_section(content: bytes, question: str) -> str:
    index = PassageIndex.build(to_passages(pdf_sections(content)))
    hits = index.search(query_terms(question), 3)
    return hits[0].passage.section if hits else ""


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("e\ufb03cient \ufb01ne-tuning \ufb02ow o\ufb00er ba\ufb04e", "efficient fine-tuning flow offer baffle"),
        ("e\x0ecient \x0cne-tuning \x0dow o\x0ber", "efficient fine-tuning flow offer"),  # OT1 codes, no map
        ("in\u00adter\u00adnal", "internal"),
        ("zero\u200bwidth\u2060joined\ufeff", "zerowidthjoined"),
        ("\uff21\uff22\uff23 \U0001d465 A\u00a0B", "ABC x A B"),  # full-width, math italic, no-break space
        ("x\u00b2 and 10\u2076 and \u00bd", "x\u00b2 and 10\u2076 and \u00bd"),  # kept: folding changes them
        ("line one\r\nline two", "line one\r\nline two"),  # CR LF is no "fl" ligature
    ],
)
def test_normalize_text_reads_as_the_words(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


def test_a_soft_hyphen_ending_a_line_is_kept_for_the_join() -> None:
    assert normalize_text("effi\u00ad\ncient") == "effi\u00ad\ncient"


@pytest.mark.parametrize("fonts", ["tounicode", "ot1"])
def test_ligature_glyphs_are_read_as_letters_and_found(fonts: str) -> None:
    lines = [(ligatured(text), bold) for text, bold in paper_lines()]
    assert any("\ufb03" in text for text, _ in lines)  # the fixture does set ligatures
    content = build_unicode_pdf(lines, header="Small Models on Phones", fonts=fonts)
    text = text_of(content)
    assert "efficient" in text and "difficult" in text and "fine-tuning" in text and "affine" in text
    assert not any(ch in text for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04\x0b\x0c\x0e\x0f")
    assert top_section(content, "Is it efficient?") == "3 Efficiency"
    assert top_section(content, "What are the difficult cases?") == "3 Efficiency"


@pytest.mark.parametrize("hyphen", ["-", "\u00ad", "\u2010"])
def test_words_broken_across_lines_are_joined(hyphen: str) -> None:
    lines = paper_lines(hyphen=hyphen, width=45)
    broken = [text for text, _ in lines if text.endswith(hyphen)]
    assert broken, "the fixture should break some words across lines"
    text = text_of(build_unicode_pdf(lines))
    for word in ("efficient", "educational", "optimisation", "classifier", "filtering"):
        assert text.count(word) == 3, word  # written three times, each read whole
    assert "\u00ad" not in text and "\u2010" not in text


def test_a_compound_broken_at_its_own_hyphen_keeps_it() -> None:
    body = ("Our self-supervised objective predicts masked spans. " * 4).split()
    lines = [("1 Introduction", True)] + [(line, False) for line in wrap(" ".join(body * 3), width=50)]
    lines += [("The state-of-the-", False), ("art baselines, and a self-", False), ("supervised one, an effi-", False),
              ("cient one.", False)]
    text = text_of(build_pdf(lines))
    assert "state-of-the-art baselines, and a self-supervised one, an efficient one." in text
    assert "selfsupervised" not in text


# --- headings -------------------------------------------------------------------------------

FILLER = ("The section develops its argument over several sentences of ordinary prose, citing prior work "
          "and giving the details a reader needs to follow it. ")
HEADINGS = [f"{n} {title}" for n, title in enumerate(
    ["Introduction", "Background", "Method", "Data", "Training", "Evaluation", "Results", "Analysis",
     "Ablations", "Discussion", "Conclusion"], 1)]

# Wrapped body lines that begin with a number (a quantity, a table or section reference):
# (the heading whose section they are in, the line before, the line, the line after).
TRAPS = {
    "runs on from a full line": (
        "2 Background", "Prior systems measured the same quantities, and their numbers are summarised in Section",
        "3 Results in Table 2 show", "that the gap closes as the models grow."),
    "a sentence after a period, in lower case after": (
        "2 Background", "The data is the mixture described in the previous paragraph, filtered as before.",
        "2 We then train the model", "on the mixture for three epochs with a cosine schedule."),
    "a clause, even before a capital": (
        "1 Introduction", "The data is the mixture described in the previous paragraph, filtered as before.",
        "2 We then train the model", "Training takes two days on eight GPUs."),
    "a count after a full line": (
        "9 Ablations", "Every configuration was run with the seeds listed in the appendix, which makes",
        "10 Experiments were repeated", "five times each, and the spread is reported below."),
    "a second number 2 in section 2": (
        "2 Background", "Prior systems measured the same quantities over the same benchmarks.",
        "2 Datasets Overlap", "Their test sets share items, which we remove."),
}


def trap_lines(section: str, trap: tuple[str, str, str]) -> list[tuple[str, bool]]:
    lines: list[tuple[str, bool]] = [("Numbered Lines in Prose", True)]
    for heading in HEADINGS:
        lines.append((heading, True))
        lines += [(line, False) for line in wrap(FILLER * 3)]
        if heading == section:
            lines += [(line, False) for line in trap] + [(line, False) for line in wrap(FILLER)]
    return lines


@pytest.mark.parametrize("case", TRAPS)
def test_a_wrapped_line_beginning_with_a_number_is_no_heading(case: str) -> None:
    section, *trap = TRAPS[case]
    passages = to_passages(pdf_sections(build_pdf(trap_lines(section, tuple(trap)), header="Numbered Lines")))
    # Every citation names a real heading, and the line stays in its own section's text.
    assert [p.section for p in passages if p.section != "Front matter"] == HEADINGS
    home = next(p for p in passages if p.section == section)
    assert trap[1] in home.text


def test_headings_after_a_table_row_and_a_heading_are_still_found() -> None:
    lines = [("1 Introduction", True)] + [(line, False) for line in wrap(FILLER * 4)]
    lines += [("2 Results", True), ("2.1 Main Table", True)] + [(line, False) for line in wrap(FILLER * 4)]
    lines += [("Phi-3-mini 68.8 69.7 75.3 84.9 Phi-3-small 75.7 77.0 79.9 88.0 Phi-3-medium 78.0 77.3 82.2", False)]
    lines += [("3 Safety", True)] + [(line, False) for line in wrap(FILLER * 4)]
    names = [s.name for s in pdf_sections(build_pdf(lines))]
    assert names == ["1 Introduction", "2.1 Main Table", "3 Safety"]  # "2 Results" has no text of its own


# --- encryption -----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_a_pdf_encrypted_with_an_empty_user_password_is_read(algorithm: str) -> None:
    plain = build_pdf(PHI3_LINES, header="Phi-3 Technical Report")
    encrypted = encrypt_pdf(plain, algorithm)
    assert b"/Encrypt" in encrypted and b"premier league" not in encrypted
    assert pdf_sections(encrypted) == pdf_sections(plain)


# --- bounds ---------------------------------------------------------------------------------


def test_a_60000_page_pdf_is_read_only_as_far_as_the_bound() -> None:
    huge = build_repeated_pdf(PHI3_LINES, 60_000, header="Phi-3 Technical Report")
    assert len(huge) > 9_000_000  # the shape of the report: 9.6 MB, one shared content stream
    bounded = build_repeated_pdf(PHI3_LINES, MAX_PAGES, header="Phi-3 Technical Report")

    start = time.perf_counter()
    baseline = read_pdf(bounded)  # what reading MAX_PAGES pages costs anyway
    baseline_s = time.perf_counter() - start
    start = time.perf_counter()
    read = read_pdf(huge)
    huge_s = time.perf_counter() - start

    assert (read.pages_read, read.pages_total) == (MAX_PAGES, 60_000)
    assert read.note == f"read the first {MAX_PAGES} of 60000 pages"
    assert baseline.note == "" and read.sections == baseline.sections  # answered from what was read
    # Reading every page took 200-300 s; the bound costs a few times reading MAX_PAGES pages
    # (the file's 60,000-entry cross-reference table is still parsed once).
    assert huge_s < 5 * baseline_s + 1.0 and huge_s < 20, (huge_s, baseline_s)


def test_reading_stops_at_the_deadline_between_pages() -> None:
    huge = build_repeated_pdf(PHI3_LINES, 60_000)
    start = time.perf_counter()
    read_pdf(huge, max_pages=1)
    first_page_s = time.perf_counter() - start  # opening the file and reading one page
    start = time.perf_counter()
    read = read_pdf(huge, max_pages=10**6, max_seconds=1.0)
    elapsed = time.perf_counter() - start
    assert 1 <= read.pages_read < 60_000
    assert read.note == f"read the first {read.pages_read} of 60000 pages (stopped after 1 s)"
    # Past the deadline by about a page (each page is checked before it is started).
    assert elapsed < 1.0 + 2 * first_page_s + 0.5, (elapsed, first_page_s)


def test_reading_stops_at_the_character_cap() -> None:
    lines = PHI3_LINES * 8
    pages = -(-len(lines) // LINES_PER_PAGE)
    read = read_pdf(build_pdf(lines), max_chars=12_000)
    assert read.pages_read < pages
    assert read.note == f"read the first {read.pages_read} of {pages} pages (text capped at 12000 characters)"
    assert sum(len(p) for s in read.sections for p in s.paragraphs) <= 12_000


def test_a_page_of_millions_of_drawing_operators_is_skipped() -> None:
    first, second = (build_pdf(PHI3_LINES[i : i + LINES_PER_PAGE]) for i in (0, LINES_PER_PAGE))
    first, second = (pdf[pdf.index(b"stream\n") + 7 : pdf.index(b"\nendstream")] for pdf in (first, second))
    plot = b"0 0 m 1 1 l S\n" * (MAX_PAGE_CONTENT // 14 + 1000)  # a scatter plot's vector strokes
    read = read_pdf(pdf_of_streams([first, plot, second]))
    assert read.pages_read == 3
    assert read.note == f"skipped 1 page(s) of over {MAX_PAGE_CONTENT} content bytes"
    after = next(text for text, bold in PHI3_LINES[LINES_PER_PAGE:] if not bold and len(text) > 60)
    assert after in " ".join(p for s in read.sections for p in s.paragraphs)  # the page after it is read


def test_a_bounded_read_with_too_little_text_says_how_much_it_read() -> None:
    capped = r"only \d+ words .*; read the first 1 of 3 pages \(text capped at 200 characters\)"
    with pytest.raises(Unreadable, match=capped):
        read_pdf(build_pdf(PHI3_LINES[: LINES_PER_PAGE * 3]), max_chars=200)
