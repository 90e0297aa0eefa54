"""A channel's reactions in its ranking: Rocchio relevance feedback over the cards' words.

Pure: ``digest.delivery.feedback`` reads the reactions and applies it to planned runs.
Each channel's 👍 and 👎 (``digest.store.reactions``) make a profile: the centroid of the
papers it liked minus ``DISLIKED`` times the centroid of those it disliked (Rocchio,
1971; a paper's weight is its likes minus its dislikes), as TF-IDF vectors of title
and abstract (``paper_terms``: ranking's tokens, the title counting ``TITLE_WEIGHT``
times, as ``digest.related.lexical`` reads them). A candidate's new score is its topic relevance, scaled to the week's
best (1.0), plus ``weight`` times its cosine with the profile; the topic's shared
ranking (``Engine.select``) is re-ordered per channel before ``max_papers`` is cut.
The scores themselves are left as the topic gave them: they say how relevant a paper
is to the topic, the order is the channel's.

Words and not the stored embeddings: a week's candidates are mostly not embedded yet
(``digest.related`` embeds the papers it has indexed), and the words need no model.
Measured in bench/feedback.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from digest.models import Paper
from digest.text.ranking import TITLE_WEIGHT, Scored, tokens

WEIGHT = 1.0  # the profile's weight against the topic's relevance (bench/feedback.py)
DISLIKED = 1.0  # Rocchio's gamma: a 👎 is explicit, not an unclicked result, so it counts as much


def paper_terms(paper: Paper) -> list[str]:
    """A paper's terms as ranking and related papers read them (the title counting more)."""
    return tokens(paper.title) * TITLE_WEIGHT + tokens(paper.abstract)


def _vector(paper: Paper, idf: Mapping[str, float]) -> dict[str, float]:
    """The paper's unit TF-IDF vector (sublinear term frequency)."""
    counts = Counter(paper_terms(paper))
    vector = {t: (1 + math.log(n)) * idf.get(t, 0.0) for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def _idf(papers: Sequence[Paper]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for paper in papers:
        df.update(set(paper_terms(paper)))
    return {t: math.log((1 + len(papers)) / (1 + n)) + 1 for t, n in df.items()}


def profile(reacted: Sequence[tuple[Paper, int]], idf: Mapping[str, float]) -> dict[str, float]:
    """Rocchio's profile of ``reacted`` (paper, likes minus dislikes): liked centroid minus
    ``DISLIKED`` times the disliked one; empty when nothing is liked or disliked on balance."""
    found: dict[str, float] = Counter()
    for sign, scale in ((1, 1.0), (-1, -DISLIKED)):
        side = [(paper, abs(value)) for paper, value in reacted if value * sign > 0]
        total = sum(n for _, n in side)
        for paper, n in side:
            for term, v in _vector(paper, idf).items():
                found[term] += scale * n * v / total
    return {t: v for t, v in found.items() if v}


def rerank(ranked: Sequence[Scored], reacted: Sequence[tuple[Paper, int]], weight: float = WEIGHT) -> list[Scored]:
    """``ranked`` (best first) re-ordered by relevance (scaled to the best's) plus ``weight``
    times each paper's cosine with ``reacted``'s profile; as given when there is no profile."""
    idf = _idf([s.paper for s in ranked] + [paper for paper, _ in reacted])
    wanted = profile(reacted, idf)
    if not wanted or not weight or not ranked:
        return list(ranked)
    norm = math.sqrt(sum(v * v for v in wanted.values()))
    best = max(s.score for s in ranked)
    scale = 1 / best if best > 0 else 0.0

    def blended(item: tuple[int, Scored]) -> tuple[float, int]:
        at, scored = item
        vector = _vector(scored.paper, idf)
        cosine = sum(v * wanted.get(t, 0.0) for t, v in vector.items()) / norm
        return -(scored.score * scale + weight * cosine), at  # ties keep the topic's order

    return [s for _, s in sorted(enumerate(ranked), key=blended)]
