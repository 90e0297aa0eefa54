"""Passage retrieval from PDFs as TeX and PDF generators write them, against the clean text.

Papers and questions: the labelled set of bench/qa_retrieval.py (tests/fixtures/qa: the
two fixture papers, 31 questions each with the section that answers it). "Clean" is each
paper's own text (its sections from papers.json, references left out, as extraction
leaves them out) cut into passages. Every paragraph also refers to a table ("... in
Table 4.") so that a wrapped line can begin "4. The ..." as in real papers. Each trait
renders both papers as a PDF in that one way, which the real code (``pdf_sections``)
extracts:

- ligatures: ff, fi, fl, ffi, ffl as single glyphs, mapped by a ToUnicode CMap (pdfTeX);
- ligatures, OT1: the same glyphs as TeX OT1 codes 11-15 in a font with no Unicode map;
- soft hyphens: U+00AD inside every long word, and ending lines that break a word;
- line hyphenation: narrow lines, many words broken with "-" or U+2010;
- numbered wrapped lines: two-column width, lines of prose beginning with a number ("4. The ...");
- encrypted: AES-256 with an empty user password, as generators write it;
- all: every trait at once, encrypted.

Figures, per trait [targets]: recall@3 of BM25 retrieval (``digest.qa.retrieval``) from the
PDF beside the clean text's [ratio >= 1.0], and term recall: the share of the clean text's
index terms (stemmed words, with repeats) found in the PDF's passages [>= 0.99], and false
headings: passages cited under a section name the paper does not have [0].
Exits 1 when a target is missed.

    .venv/bin/python bench/pdf_recall.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.models import Paper, Passage  # noqa: E402
from digest.text.ranking import tokens  # noqa: E402
from digest.qa.retrieval import PassageIndex, query_terms  # noqa: E402
from digest.arxiv.document import Section  # noqa: E402
from digest.arxiv.passages import cite_label, to_passages  # noqa: E402
from digest.arxiv.pdf_text import pdf_sections  # noqa: E402
from tests.fakes.arxiv_fulltext import (  # noqa: E402
    build_unicode_pdf,
    encrypt_pdf,
    ligatured,
    load_docs,
    week_papers,
    wrap,
)

LABELS = ROOT / "tests" / "fixtures" / "qa" / "labels.json"
K = 3
RATIO_TARGET = 1.0
TERM_TARGET = 0.99
NUMBERED = r"\d{1,2}\.? [A-Z]\S*"  # where a numbered line of prose may begin
Lines = list[tuple[str, bool]]


def with_table_refs(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The paper's sections (references left out), each paragraph's first sentence ending
    with a reference to the table numbered one past its section."""
    out = []
    for name, paragraphs in doc["sections"]:
        if name.lower() in ("references", "bibliography"):
            continue
        top = int(name.split(".")[0].split()[0]) if name[0].isdigit() else 1
        out.append((name, [re.sub(r"\. (?=[A-Z])", f" in Table {top + 1}. ", p, count=1) for p in paragraphs]))
    return out


def clean_passages(doc: dict[str, Any]) -> tuple[Passage, ...]:
    return to_passages([Section(name, paragraphs) for name, paragraphs in with_table_refs(doc)])


def lines_of(paper: Paper, doc: dict[str, Any], text: Callable[[str], str] = str, **wrapping: Any) -> Lines:
    """Title, authors, then each heading and its wrapped paragraphs, through ``text``."""
    lines = [(text(line), True) for line in wrap(paper.title)]
    lines += [(text(line), False) for line in wrap(", ".join(paper.authors))]
    for name, paragraphs in with_table_refs(doc):
        lines.append((text(name), True))
        for paragraph in paragraphs:
            lines += [(line, False) for line in wrap(text(paragraph), **wrapping)]
    return lines


def soft_hyphenated(text: str) -> str:
    """A soft hyphen in the middle of every word of 10 letters or more."""
    return re.sub(r"\b([^\W\d_]{5})([^\W\d_]{5,})", "\\1\u00ad\\2", text)


def render(trait: str, paper: Paper, doc: dict[str, Any]) -> bytes:
    header = paper.title[:40]
    if trait == "ligatures":
        return build_unicode_pdf(lines_of(paper, doc, ligatured), header=header)
    if trait == "ligatures, OT1":
        return build_unicode_pdf(lines_of(paper, doc, ligatured), header=header, fonts="ot1")
    if trait == "soft hyphens":
        return build_unicode_pdf(lines_of(paper, doc, soft_hyphenated, hyphen="\u00ad", width=60), header=header)
    if trait == "line hyphenation":
        # The first half broken with "-", the second with U+2010 (same width: the same breaks).
        dashes, unicode = lines_of(paper, doc, width=40), lines_of(paper, doc, hyphen="\u2010", width=40)
        return build_unicode_pdf(dashes[: len(dashes) // 2] + unicode[len(dashes) // 2 :], header=header)
    if trait == "numbered wrapped lines":
        # A column of a two-column paper: wrapped lines short enough to pass for headings.
        return build_unicode_pdf(lines_of(paper, doc, break_before=NUMBERED, width=50), header=header)
    if trait == "encrypted":
        return encrypt_pdf(build_unicode_pdf(lines_of(paper, doc), header=header))
    if trait == "all":
        lines = lines_of(paper, doc, lambda t: soft_hyphenated(ligatured(t)), width=50, break_before=NUMBERED)
        return encrypt_pdf(build_unicode_pdf(lines, header=header))
    raise ValueError(trait)


TRAITS = ("ligatures", "ligatures, OT1", "soft hyphens", "line hyphenation", "numbered wrapped lines",
          "encrypted", "all")


def recall_at(indexes: dict[str, PassageIndex], questions: Sequence[dict[str, Any]], k: int = K) -> float:
    hits = 0
    for item in questions:
        found = [cite_label(h.passage.section) for h in indexes[item["paper"]].search(query_terms(item["question"]), k)]
        hits += item["section"] in found
    return hits / len(questions)


def term_recall(clean: Sequence[Passage], pdf: Sequence[Passage]) -> float:
    want = Counter(t for p in clean for t in tokens(p.text))
    got = Counter(t for p in pdf for t in tokens(p.text))
    return sum((want & got).values()) / sum(want.values())


def measure(traits: Sequence[str] = TRAITS) -> dict[str, Any]:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    papers, docs = week_papers(), load_docs()
    ids = list(labels["papers"])
    questions = labels["questions"]
    clean = {i: clean_passages(docs[i]) for i in ids}
    result: dict[str, Any] = {
        "questions": len(questions),
        "clean": recall_at({i: PassageIndex.build(clean[i]) for i in ids}, questions),
        "traits": {},
    }
    for trait in traits:
        start = time.perf_counter()
        pdf = {i: to_passages(pdf_sections(render(trait, papers[i], docs[i]))) for i in ids}
        result["traits"][trait] = {
            "recall": recall_at({i: PassageIndex.build(pdf[i]) for i in ids}, questions),
            "terms": min(term_recall(clean[i], pdf[i]) for i in ids),
            "false_headings": sorted({p.section for i in ids for p in pdf[i]}
                                     - {p.section for i in ids for p in clean[i]} - {"Front matter"}),
            "seconds": time.perf_counter() - start,
        }
    return result


def misses(r: dict[str, Any]) -> list[str]:
    out = []
    for trait, t in r["traits"].items():
        if t["recall"] < RATIO_TARGET * r["clean"]:
            out.append(f"{trait}: recall@{K} {t['recall']:.2f} < {RATIO_TARGET} x clean {r['clean']:.2f}")
        if t["terms"] < TERM_TARGET:
            out.append(f"{trait}: term recall {t['terms']:.3f} < {TERM_TARGET}")
        out += [f"{trait}: false heading {name!r}" for name in t["false_headings"]]
    return out


def main() -> None:
    r = measure()
    print(f"{r['questions']} labelled questions on 2 papers; recall@{K} from the clean text: {r['clean']:.2f}")
    print(f"{'PDF trait':<24}{f'R@{K} PDF':>9}{'ratio':>8}{'target':>8}{'terms':>8}{'target':>8}"
          f"{'false headings':>16}{'s':>7}")
    for trait, t in r["traits"].items():
        ratio = t["recall"] / r["clean"] if r["clean"] else 0.0
        false = f"{len(t['false_headings'])} (0)"
        print(f"{trait:<24}{t['recall']:>9.2f}{ratio:>8.2f}{f'>={RATIO_TARGET:g}':>8}{t['terms']:>8.3f}"
              f"{f'>={TERM_TARGET:g}':>8}{false:>16}{t['seconds']:>7.2f}")
    missed = misses(r)
    for m in missed:
        print(f"  MISS: {m}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
