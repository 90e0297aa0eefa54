"""Telling a channel that its weekly digest could not be built, once, and how it ended.

At the first failed try of a scheduled digest (arXiv down), one short message in the
subscription's language says what failed, that no paper is lost (the next digest
covers the whole gap) and when the next try is, in the subscription's time zone.
Retries say nothing. The failure ends with one more message: the digest is back
(posted just before it), or it was given up (the next weekly digest covers the gap).

Each notice carries an idempotency key (``digest.delivery.keys.notice_key``), as headers
and cards do: a notice whose reply
was lost is looked up on the platform (``find_posted``) rather than posted again. A
notice that cannot be posted at all (the chat down too) is logged; the failing notice
is then tried again at the next failed try, so the channel is still told once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.gate import ShuttingDown
from bot.schedule import WeeklySchedule
from digest.arxiv.source import ArxivUnavailable
from digest.delivery.deliverer import Deliverer
from digest.delivery.keys import notice_key
from digest.delivery.ports import ChatError, ChatReplyLost
from digest.i18n import label
from digest.models import HEADER, Delivery, DigestRun, Subscription
from digest.store import Store
from digest.store.plan_failures import PlanFailure

log = logging.getLogger(__name__)


def local_time(when: datetime, tz: str) -> str:
    return f"{when.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M %Z}"


def failure_text(failure: PlanFailure, tz: str = "UTC") -> str:
    """The failure as `digest-bot status` and `/arxiv list` show it, times in ``tz``."""
    if failure.retry_at is None:
        return f"gave up after {failure.attempts} tries: {failure.error}"
    return (
        f"failing since {local_time(failure.first_failed_at, tz)}: {failure.error}; "
        f"attempt {failure.attempts}, next try at {local_time(failure.retry_at, tz)}"
    )


def _what(language: str, err: Exception) -> str:
    return label(language, "failed:arxiv" if isinstance(err, ArxivUnavailable) else "failed:other")


class FailureNotices:
    """Posts the notices through the deliverer's chat ports (read at each post: they
    may be swapped, e.g. gated for shutdown) and records the first one in the store."""

    def __init__(self, store: Store, deliverer: Deliverer) -> None:
        self._store, self._deliverer = store, deliverer

    async def failed(self, failures: Iterable[tuple[Subscription, PlanFailure, Exception]], now: datetime) -> None:
        """After a failed try: the first one of a due instant (or the first since a
        notice could be posted) tells the channel; the last one says it was given up."""
        await asyncio.gather(*(self._failed(sub, failure, err, now) for sub, failure, err in failures))

    async def _failed(self, sub: Subscription, failure: PlanFailure, err: Exception, now: datetime) -> None:
        language, what = sub.language, _what(sub.language, err)
        if failure.retry_at is None:
            following = WeeklySchedule.of(sub).next_after(now)
            text = label(
                language, "notice_gave_up", topic=sub.topic, attempts=failure.attempts, what=what,
                next=local_time(following, sub.tz),
            )  # fmt: skip
            if (posted := await self._post(sub, text, notice_key(sub.id, failure.due_at, "gave-up"))) is not None:
                self._store.set_failure_notice(sub.id, failure.due_at, posted)
            return
        if failure.notice_id is not None:
            return  # told already: retries say nothing
        text = label(language, "notice_failing", topic=sub.topic, what=what, next=local_time(failure.retry_at, sub.tz))
        # A notice tried before (its reply lost, or the chat down) may be there already.
        key = notice_key(sub.id, failure.due_at, "failing")
        if (posted := await self._post(sub, text, key, look_first=failure.attempts > 1)) is not None:
            self._store.set_failure_notice(sub.id, failure.due_at, posted)

    async def planned(
        self, cleared: Sequence[PlanFailure], runs: Sequence[DigestRun], subs: Mapping[int, Subscription]
    ) -> None:
        """The digests were planned after failing: a channel that was told of the failure
        (and not of giving up) is told it is back, just before the digest goes out."""
        told = {f.subscription_id: f for f in cleared if f.notice_id is not None and f.retry_at is not None}
        back = [run for run in runs if run.subscription_id in told]
        if back:
            ledgers = self._store.deliveries_of([run.key for run in back])
            await asyncio.gather(
                *(self._back(subs[run.subscription_id], told[run.subscription_id], run, ledgers.get(run.key, []))
                  for run in back)
            )  # fmt: skip

    async def _back(self, sub: Subscription, failure: PlanFailure, run: DigestRun, rows: Sequence[Delivery]) -> None:
        cards = any(row.position != HEADER for row in rows)
        text = label(
            sub.language, "notice_back" if cards else "notice_back_empty", topic=sub.topic,
            start=run.window.start.isoformat(), end=run.window.end.isoformat(),
        )  # fmt: skip
        await self._post(sub, text, notice_key(sub.id, failure.due_at, "back"))

    async def _post(self, sub: Subscription, text: str, key: str, *, look_first: bool = False) -> str | None:
        """The notice's message id, or None when it could not be posted (logged)."""
        port = self._deliverer.ports.get(sub.channel.platform)
        if port is None:
            return None
        try:
            if look_first and (found := await port.find_posted(sub.channel, key)) is not None:
                return found.message_id
            return (await port.post_notice(sub.channel, text, key)).message_id
        except ChatReplyLost as err:
            log.warning("notice %s: %s; looking for it", key, err)
            try:
                found = await port.find_posted(sub.channel, key)
            except ChatError as lookup:
                log.warning("notice %s not found: %s", key, lookup)
                return None
            return found.message_id if found is not None else None
        except (ChatError, ShuttingDown) as err:
            log.warning("notice %s not posted in %s: %s", key, sub.channel.channel_id, err)
            return None
