"""What a subscription looks like to a channel: its confirmation's values and its ``/arxiv list``
line (topic, schedule, language, state, the last digest and the next one), in the reader's
language. Pure: the handlers read the store (one query each for the failures and the
last digests of all the channel's subscriptions) and hand the results in.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.command_text import REPLIES
from bot.manage_text import TEXTS
from bot.reactions_text import TEXTS as LEARN_TEXTS
from bot.notices import local_time
from bot.schedule import WeeklySchedule
from bot.subscriptions import OPERATOR_ID
from digest.models import Subscription
from digest.store.plan_failures import PlanFailure
from digest.store.runs import LastDigest


def describe(sub: Subscription, language: str, now: datetime) -> dict[str, object]:
    """The values the confirmations of subscribe and edit show (and the list line's basis)."""
    next_at = WeeklySchedule.of(sub).next_after(now).astimezone(ZoneInfo(sub.tz))
    return {
        "id": sub.id,
        "topic": sub.topic,
        "schedule": f"{_day(sub.weekday, language)} {sub.time.isoformat('minutes')} {sub.tz}",
        "max": sub.max_papers,
        "language": REPLIES.text(language, f"language:{sub.language}"),
        "next": _when(next_at, language),
        "listed": REPLIES.text(language, "listed_terms", terms=sub.search_terms) if sub.search_terms else "",
    }


def _day(weekday: int, language: str) -> str:
    """The reader's word for a weekday (0 = Monday): Mon, 月曜, Mo."""
    return REPLIES.text(language, "weekdays").split()[weekday]


def _when(moment: datetime, language: str) -> str:
    """A local instant as the reader reads it: ``月曜 2026-12-07 09:00 JST``."""
    return f"{_day(moment.weekday(), language)} {moment:%Y-%m-%d %H:%M %Z}"


def state(sub: Subscription, language: str) -> str:
    """Active; paused by a person (who), by the operator, or by the bot itself (why, and
    that ``/arxiv resume`` restarts it once fixed)."""
    if not sub.paused:
        return TEXTS.text(language, "active")
    if sub.paused_by == OPERATOR_ID:
        return TEXTS.text(language, "paused_by_operator")
    if sub.paused_by:
        return TEXTS.text(language, "paused_by", user=sub.paused_by)
    return TEXTS.text(language, "paused_by_bot", reason=sub.paused, id=sub.id)


def failing(failure: PlanFailure | None, tz: str, language: str) -> str:
    """The week's digest that could not be built (arXiv down), times in ``tz``; "" if none."""
    if failure is None:
        return ""
    times = {"due": local_time(failure.due_at, tz), "since": local_time(failure.first_failed_at, tz)}
    if failure.retry_at is None:
        return REPLIES.text(language, "gave_up", attempts=failure.attempts, error=failure.error, **times)
    return REPLIES.text(language, "failing", attempts=failure.attempts, error=failure.error,
                        next_try=local_time(failure.retry_at, tz), **times)  # fmt: skip


def list_line(
    sub: Subscription, language: str, now: datetime, failure: PlanFailure | None, last: LastDigest | None,
    learnt: int | None = None,
) -> str:
    """The subscription's line; ``learnt``: the channel's reactions its ranking learns from
    (None: not shown, as on the operator's command line; 0: shown only when learning is off)."""
    values = describe(sub, language, now)
    if sub.paused:
        values["next"] = TEXTS.text(language, "no_next")
    if last is not None and last.run.updated_at is not None:
        when = _when(last.run.updated_at.astimezone(ZoneInfo(sub.tz)), language)
        values["last"] = TEXTS.text(language, "last_digest", when=when, cards=last.cards)
    else:
        values["last"] = TEXTS.text(language, "no_digest")
    line = TEXTS.text(language, "list_line", state=state(sub, language), failing=failing(failure, sub.tz, language),
                      **values)  # fmt: skip
    if learnt is None or (sub.learn and not learnt):
        return line
    learning = LEARN_TEXTS.text(language, "learnt", count=learnt) if sub.learn else LEARN_TEXTS.text(language, "not_learning")
    return f"{line.rstrip()} {learning}"
