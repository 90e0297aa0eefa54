"""Reactions teach the ranking: precision@5 of a channel's digests with and without feedback.

A simulated channel subscribes to "synthetic data" and cares for one sub-theme of it
(speech); each week brings ``PER_WEEK`` made-up candidates, a third on speech, a third on
vision and a third on other uses (tabular, code), their words drawn at random from each
theme's vocabulary and a shared one, so the topic's own ranking (BM25,
``digest.text.ranking.rank``) cannot tell the sub-themes apart. Each week the channel
gets its top 5 and its ``MEMBERS`` react, each to a shown card with probability
``REACTS``: 👍 on a speech paper, 👎 on a vision one, nothing on the rest; ``NOISE`` of
the reactions are the other way round (a member who liked that vision paper). The
reactions go through a real SQLite store (``Store.react``, ``Store.channel_reactions``)
and re-rank the next weeks (``digest.text.feedback.rerank`` at ``feedback.WEIGHT``).

precision@5: the share of speech papers among a digest's 5, averaged over the
``TEST_WEEKS`` weeks after ``TRAIN_WEEKS`` weeks of reactions, with feedback and without
(the same weeks); ``SEEDS`` runs averaged. Prints each figure beside its target; exits 1
on a miss.

    .venv/bin/python bench/feedback.py [--seeds N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.text import feedback  # noqa: E402
from digest.models import ChannelRef, Paper  # noqa: E402
from digest.store import open_store  # noqa: E402
from digest.text.ranking import rank  # noqa: E402

K = 5
PER_WEEK = 30
TRAIN_WEEKS, TEST_WEEKS = 3, 4
MEMBERS, REACTS, NOISE = 3, 0.6, 0.1
SEEDS = 5
GAIN_TARGET = 0.2  # with feedback >= without + this
WITH_TARGET = 0.7  # and at least this share of the digest on the channel's sub-theme
CHANNEL = ChannelRef("slack", "T0BENCH", "C0BENCH")
WHEN = datetime(2024, 4, 22, tzinfo=timezone.utc)

SHARED = ("model", "training", "benchmark", "generation", "quality", "evaluation", "pipeline", "scale",
          "augmentation", "diversity", "annotation", "bias", "low-resource", "fine-tuning")  # fmt: skip
THEMES = {
    "speech": ("speech", "audio", "asr", "spoken", "acoustic", "speaker", "transcription", "prosody", "voice"),
    "vision": ("image", "vision", "segmentation", "detection", "pixel", "render", "3d", "scene", "camera"),
    "other": ("tabular", "code", "program", "table", "sql", "privacy", "records", "query", "clinical"),
}


def paper(rng: random.Random, week: int, i: int, theme: str) -> Paper:
    """A made-up paper on ``theme``: one or two of its words in the title, a few in the
    abstract with one word of another theme (papers are not cleanly separable)."""
    own, stray = THEMES[theme], THEMES[rng.choice([t for t in THEMES if t != theme])]
    title = f"Synthetic data for {' '.join(rng.sample(own, rng.randint(1, 2)))} {rng.choice(SHARED)}"
    words = rng.sample(own, rng.randint(1, 4)) + [rng.choice(stray)] + rng.sample(SHARED, rng.randint(4, 8))
    rng.shuffle(words)
    abstract = (f"We study synthetic data for {' and '.join(words[:3])}. " * rng.randint(1, 2)
                + f"Our {' '.join(words[3:])} results improve over prior synthetic data work.")  # fmt: skip
    arxiv_id = f"24{week:02d}.{i:05d}"
    return Paper(arxiv_id, 1, title, ("A. Author",), abstract, ("cs.CL",), "cs.CL", None, WHEN, WHEN,
                 f"https://arxiv.org/abs/{arxiv_id}")  # fmt: skip


def week_of(rng: random.Random, week: int) -> tuple[list[Paper], dict[str, str]]:
    """The week's candidates in arXiv's (random) order, and each one's theme by id."""
    themes = [theme for theme in THEMES for _ in range(PER_WEEK // len(THEMES))]
    papers = [paper(rng, week, i, theme) for i, theme in enumerate(themes)]
    theme_of = {p.arxiv_id: theme for p, theme in zip(papers, themes)}
    rng.shuffle(papers)
    return papers, theme_of


def run(seed: int, store_dir: Path, weight: float = feedback.WEIGHT) -> dict[str, float]:
    """precision@5 over the test weeks, with and without feedback, for one seed."""
    rng = random.Random(seed)
    store = open_store(f"sqlite:///{store_dir / f'feedback-{seed}.db'}")
    seen: dict[str, Paper] = {}
    scores: dict[str, list[float]] = {"with": [], "without": []}
    try:
        for week in range(1, TRAIN_WEEKS + TEST_WEEKS + 1):
            papers, theme_of = week_of(rng, week)
            liked = {arxiv_id for arxiv_id, theme in theme_of.items() if theme == "speech"}
            plain = rank(papers, ["synthetic data"])
            held = store.channel_reactions([CHANNEL]).get(CHANNEL, [])
            reacted = [(seen[r.arxiv_id], r.value) for r in held if r.value]
            shown = [s.paper for s in feedback.rerank(plain, reacted, weight)[:K]]
            if week > TRAIN_WEEKS:
                scores["with"].append(sum(p.arxiv_id in liked for p in shown) / K)
                scores["without"].append(sum(s.paper.arxiv_id in liked for s in plain[:K]) / K)
            for p in shown:  # the channel reacts to what it was shown (with feedback, as it would be)
                seen[p.arxiv_id] = p
                speech, vision = theme_of[p.arxiv_id] == "speech", theme_of[p.arxiv_id] == "vision"
                for member in range(MEMBERS):
                    if (speech or vision) and rng.random() < REACTS:
                        value = 1 if speech else -1
                        value = -value if rng.random() < NOISE else value
                        store.react(CHANNEL, p.arxiv_id, p.version, f"U{member}", value)
    finally:
        store.close()
    return {name: sum(v) / len(v) for name, v in scores.items()}


def measure(seeds: int = SEEDS, weight: float = feedback.WEIGHT) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run(seed, Path(tmp), weight) for seed in range(seeds)]
    return {name: round(sum(r[name] for r in runs) / len(runs), 3) for name in ("with", "without")}


def misses(result: dict[str, float]) -> list[str]:
    found = []
    if result["with"] < result["without"] + GAIN_TARGET:
        found.append(f"gain {result['with'] - result['without']:.2f} < {GAIN_TARGET}")
    if result["with"] < WITH_TARGET:
        found.append(f"with feedback {result['with']:.2f} < {WITH_TARGET}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=SEEDS)
    parser.add_argument("--weight", type=float, default=feedback.WEIGHT, help="the setting measured")
    args = parser.parse_args(argv)
    result = measure(args.seeds, args.weight)
    print(f"precision@{K} on the liked sub-theme, {TEST_WEEKS} weeks after {TRAIN_WEEKS} weeks of reactions, "
          f"{args.seeds} seeds, weight {args.weight}")  # fmt: skip
    print(f"  without feedback  {result['without']:.3f}")
    print(f"  with feedback     {result['with']:.3f}   target >= without + {GAIN_TARGET} and >= {WITH_TARGET}")
    found = misses(result)
    print("MISS: " + "; ".join(found) if found else "all targets met")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
