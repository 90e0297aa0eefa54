"""Posted digests in a store, made through the store's own API (plan, mark, finish), for the site's tests and bench."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from digest.models import Announced, CardText, ChannelRef, DigestRun, Paper, Window
from digest.store import Store
from digest.store.ledger import Mark
from digest.store.runs import RunEnd
from digest.text.ranking import Scored


def make_paper(arxiv_id: str, title: str, *, version: int = 1, abstract: str = "", day: date = date(2024, 4, 22),
               categories: tuple[str, ...] = ("cs.CL",), comment: str | None = "12 pages",
               authors: tuple[str, ...] = ("Saumya Gandhi", "Graham Neubig")) -> Paper:  # fmt: skip
    when = datetime(day.year, day.month, day.day, 8, 15, tzinfo=timezone.utc)
    return Paper(
        arxiv_id=arxiv_id, version=version, title=title, authors=authors,
        abstract=abstract or f"We study {title.lower()}. Results improve by 34% on average.",
        categories=categories, primary_category=categories[0], comment=comment, published=when, updated=when,
        abs_url=f"http://arxiv.org/abs/{arxiv_id}v{version}", pdf_url=f"http://arxiv.org/pdf/{arxiv_id}v{version}",
    )  # fmt: skip


def card_text(paper: Paper, language: str = "ja") -> CardText:
    if language == "ja":
        return CardText(f"{paper.title}の要点：合成データで性能向上", ("既存データを再利用する手法を提案", "平均34%の性能向上",
                        "多様性と難易度が向上", "幅広いタスクで有効"), "データの再利用、面白いかも！", "ja", "llm:test")  # fmt: skip
    return CardText(f"Headline of {paper.title}", ("One", "Two", "Three", "Four"), "Nice.", language, "llm:test")


@dataclass(frozen=True)
class Posted:
    """A digest to post: its topic, window, language and channel, and its papers best first."""

    topic: str
    window: Window
    papers: Sequence[Paper]
    language: str = "ja"
    channel: str = "C1"
    subscription_id: int = 1
    announced: bool = False  # the papers come from the harvest (announced_papers), not the query API


def post_digests(store: Store, digests: Sequence[Posted], *, key_prefix: str = "run") -> list[str]:
    """Plan, 'send' and finish each digest as the deliverer would; returns the run keys."""
    plans = []
    for n, d in enumerate(digests):
        key = f"{key_prefix}-{n}-{d.channel}-{d.window.start}"
        run = DigestRun(key, d.subscription_id, ChannelRef("slack", "T1", d.channel), d.topic, d.language, d.window,
                        candidates=len(d.papers) * 5, state="delivering", owner="test")  # fmt: skip
        plans.append((run, [Scored(p, 1.0 - i / 100) for i, p in enumerate(d.papers)]))
    harvested = [p for d in digests if d.announced for p in d.papers]
    if harvested:
        at = datetime(2024, 4, 23, 0, 0, tzinfo=timezone.utc)
        store.add_announcements(at, [Announced(p, at, "new") for p in harvested], "listing")
    if queried := [p for d in digests if not d.announced for p in d.papers]:
        store.put_papers(queried)
    _, written = store.plan_runs(plans)
    marks = []
    for (run, _), d in zip(plans, digests):
        texts = {p.arxiv_id: card_text(p, d.language) for p in d.papers}
        for position, item in enumerate(written.get(run.key, []), start=1):
            text = texts[item.paper.arxiv_id]
            marks.append(Mark(run.key, position, "sending", card=text, owner="test", fence=0))
            marks.append(Mark(run.key, position, "sent", message_id=f"m{position}", owner="test", fence=0))
        marks.append(Mark(run.key, 0, "sent", message_id="h", owner="test", fence=0))
    for start in range(0, len(marks), 2000):
        store.mark_many(marks[start : start + 2000])
    store.finish_runs([RunEnd(run.key, "done", owner="test", fence=0) for run, _ in plans])
    return [run.key for run, _ in plans]


def week(start: date, days: int = 6) -> Window:
    return Window(start, start + timedelta(days=days), "Asia/Tokyo")
