"""A channel's reactions applied where its digest is planned: each run's ranking re-ordered.

The topic's ranking (``Engine.select``) is shared by every channel of a topic; here, just
before ``Store.plan_runs`` cuts it at ``max_papers``, each run's candidates are re-ordered
by its channel's 👍/👎 (``digest.text.feedback.rerank``), unless its subscription has
``learn`` off. Blocking (two store reads for all runs): the Deliverer runs it off the loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digest.models import DigestRun, Owed
from digest.text.feedback import WEIGHT, rerank
from digest.text.ranking import Scored


def learned(
    store: Any, planned: Sequence[tuple[DigestRun, list[Scored]]], owed: Sequence[Owed], weight: float = WEIGHT
) -> list[tuple[DigestRun, list[Scored]]]:
    """Each planned run's ranking re-ordered by its channel's reactions (``rerank``), unless
    its subscription (``owed``, by run key) has learning off; two store reads for all runs."""
    subscriptions = {o.key: o.subscription for o in owed}
    learning = {run.key: run.channel for run, _ in planned if weight and (s := subscriptions.get(run.key)) and s.learn}
    reactions = store.channel_reactions(list(learning.values())) if learning else {}
    keys = {(r.arxiv_id, r.version) for held in reactions.values() for r in held if r.value}
    papers = store.get_papers(keys) if keys else {}
    result = []
    for run, ranked in planned:
        held = reactions.get(run.channel, []) if run.key in learning else []
        reacted = [(papers[(r.arxiv_id, r.version)], r.value) for r in held if (r.arxiv_id, r.version) in papers]
        result.append((run, rerank(ranked, reacted, weight) if reacted else ranked))
    return result
