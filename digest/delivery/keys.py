"""Every idempotency key: what a run, a message and a notice are known by, everywhere.

The keys are stored (``digest_runs.key``, ``deliveries.run_key``, ``channel_papers``) and
carried by the posts themselves (Slack message metadata, a Discord nonce and visible
reference), so that a post whose reply was lost is found again rather than repeated. A
format therefore never changes without a migration converting what databases and
channels already hold. Instants are written in UTC.

======================  ==========================================================
``run_key``             ``sub<id>@<due instant, ISO 8601>``: the weekly digest owed
                        for one due instant, e.g. ``sub3@2026-11-23T09:00:00+00:00``
``now_key``             ``sub<id>@now:<YYYYmmddTHHMMSS.ffffff>``: an ``/arxiv now``
                        digest, e.g. ``sub3@now:20261123T091502.123456``
``paper_key``           ``paper:<platform>:<workspace>:<channel>:<arXiv id>``: the
                        ``/arxiv paper`` run, one per channel and paper (any version)
``post_key``            ``<run key>#<ledger position>``: one message of a run (0: the
                        header, then the cards in order)
``notice_key``          ``notice:sub<id>@<due instant, ISO 8601>:<kind>``: a failure
                        notice of one failing due instant; kind ``failing``, ``back``
                        or ``gave-up``
``budget_key``          ``budget:sub<id>@<YYYY-MM>``: the notice that a subscription's
                        monthly LLM budget is reached, once per month (UTC)
``version_key``         ``version:<platform>:<workspace>:<channel>:<arXiv id>v<n>``:
                        the note in a card's thread that version n of its paper
                        was announced, one per channel and version
``nonce_of``            the first 16 hex digits of the SHA-256 of a post's key: its
                        Discord nonce and visible ``ref``
======================  ==========================================================
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from digest.models import ChannelRef

NONCE_CHARS = 16  # Discord takes up to 25; 64 bits tell a channel's keys apart
NOTICE_KINDS = ("failing", "back", "gave-up")


def run_key(subscription_id: int, due: datetime) -> str:
    """The digest owed to ``subscription_id`` for the weekly instant ``due`` (tz-aware)."""
    return f"sub{subscription_id}@{due.astimezone(timezone.utc).isoformat()}"


def now_key(subscription_id: int, moment: datetime) -> str:
    """The ``/arxiv now`` digest asked of ``subscription_id`` at ``moment`` (tz-aware)."""
    return f"sub{subscription_id}@now:{moment.astimezone(timezone.utc):%Y%m%dT%H%M%S.%f}"


def paper_key(channel: ChannelRef, arxiv_id: str) -> str:
    """The run of ``/arxiv paper <arxiv_id>`` in ``channel``: one per channel and paper, any version."""
    return f"paper:{channel.platform}:{channel.workspace_id}:{channel.channel_id}:{arxiv_id}"


def post_key(run_key: str, position: int) -> str:
    """The message at ledger ``position`` of run ``run_key``, carried by the post itself."""
    return f"{run_key}#{position}"


def notice_key(subscription_id: int, due: datetime, kind: str) -> str:
    """A failure notice (``kind``: one of ``NOTICE_KINDS``) of the digest owed for ``due``."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    return f"notice:{run_key(subscription_id, due)}:{kind}"


def budget_key(subscription_id: int, month: str) -> str:
    """The notice that ``subscription_id``'s budget is reached in ``month`` (``YYYY-MM``, UTC)."""
    return f"budget:sub{subscription_id}@{month}"


def version_key(channel: ChannelRef, arxiv_id: str, version: int) -> str:
    """The note in ``channel`` (in its card's thread) that ``arxiv_id`` has a version ``version``."""
    return f"version:{channel.platform}:{channel.workspace_id}:{channel.channel_id}:{arxiv_id}v{version}"


def nonce_of(key: str) -> str:
    """The nonce (and visible reference) of an idempotency key: nothing secret, short."""
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_CHARS]
