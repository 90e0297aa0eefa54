"""`digest-bot status`: every subscription, when its next digest is due, how its last run ended.

A digest that could not even be built (arXiv down) has no run: its failure (since when,
the error, the attempt and the next try, or that it was given up) is shown instead.

The tokens column: this month's LLM tokens (UTC month) charged to each subscription, their
estimated cost at ``[budget]``'s prices, and its monthly budget when it has one.

Read from the store alone (no scheduler needs to run), with the due times from the same
``WeeklySchedule`` arithmetic the scheduler fires by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.markup import escape
from rich.table import Table

from bot.notices import failure_text
from bot.schedule import WeeklySchedule
from bot.subscriptions import OPERATOR_ID
from bot.usage_command import money
from digest.delivery.budget import Budgets
from digest.i18n import label
from digest.llm.usage import this_month
from digest.models import DigestRun, Subscription
from digest.store import Store
from digest.store.plan_failures import PlanFailure
from digest.store.usage_store import Usage


@dataclass(frozen=True)
class SubscriptionStatus:
    subscription: Subscription
    next_due: datetime | None  # UTC; None while paused
    last_run: DigestRun | None
    failure: PlanFailure | None = None  # the digest owed could not be built (no run yet)
    usage: Usage | None = None  # this month's LLM tokens (None: none)


def subscription_status(store: Store, now: datetime) -> list[SubscriptionStatus]:
    latest, failures, subs = store.latest_runs(), store.plan_failures(), store.list_subscriptions()
    usage = store.usage_by_subscription(this_month(), [sub.id for sub in subs])
    return [
        SubscriptionStatus(
            sub, None if sub.paused else WeeklySchedule.of(sub).next_after(now), latest.get(sub.id), failures.get(sub.id),
            usage.get(sub.id),
        )
        for sub in subs
    ]


def tokens_text(usage: Usage | None, sub: Subscription, budgets: Budgets) -> str:
    """``12,345 (~$0.01) of 500,000``: this month's tokens, their estimated cost, the budget if any."""
    prompt, completion = (usage.prompt_tokens, usage.completion_tokens) if usage is not None else (0, 0)
    limit = budgets.limit(sub)
    of = f" of {limit:,}" + (" [yellow](reached)[/]" if budgets.reached(prompt + completion, limit) else "") if limit > 0 else ""
    return f"{prompt + completion:,} (~${money(budgets.cost(prompt, completion))}){of}"


def outcome(run: DigestRun | None, max_attempts: int) -> str:
    """How a run ended, in words: done, delivering, waiting for a retry, or given up; and
    arXiv's shortfall, when it delivered fewer results than it reported."""
    if run is None:
        return "never run"
    ending = _ending(run, max_attempts)
    if run.missing:  # the operator's language: English
        return f"{ending}; {label('en', 'arxiv_short', got=run.candidates, total=run.candidates + run.missing)}"
    return ending


def _ending(run: DigestRun, max_attempts: int) -> str:
    if run.state == "done":
        return "done"
    if run.state == "delivering":
        return "delivering (if the bot is down: finished on its next start)"
    error = f": {run.error}" if run.error else ""
    if run.retry_at is not None:
        return f"failed {run.attempts}x, retry at {run.retry_at:%Y-%m-%d %H:%M} UTC{error}"
    if run.due_at is not None and run.attempts >= max_attempts:
        return f"gave up after {run.attempts} attempts{error}"
    return f"failed {run.attempts}x{error}"


def channel_name(sub: Subscription) -> str:
    """``slack:<team id>:<channel id>`` or ``discord:<server id>:<channel id>``: the form
    ``digest-bot subscriptions`` accepts (``bot/cli_subscriptions.channel_of``)."""
    return f"{sub.channel.platform}:{sub.channel.workspace_id}:{sub.channel.channel_id}"


def paused_text(sub: Subscription) -> str:
    """Who paused ``sub``: ``paused by the operator``, ``paused by U123``, or the bot's
    reason (``paused: the bot was removed from C2``)."""
    if sub.paused_by == OPERATOR_ID:
        return "paused by the operator"
    if sub.paused_by:
        return f"paused by {sub.paused_by}"
    return f"paused: {sub.paused}"


def status_table(rows: list[SubscriptionStatus], max_attempts: int, budgets: Budgets | None = None) -> Table:
    budgets = budgets or Budgets()
    table = Table(title="Subscriptions", show_lines=False)
    for column in ("id", "channel", "topic", "schedule", "next digest", "last run", "outcome", "tokens"):
        table.add_column(column, overflow="fold")
    for row in rows:
        sub, run = row.subscription, row.last_run
        if row.next_due is None:
            next_digest = f"[yellow]{escape(paused_text(sub))}[/]"
        else:
            next_digest = f"{row.next_due.astimezone(ZoneInfo(sub.tz)):%a %Y-%m-%d %H:%M %Z}"
        when = run.due_at or run.updated_at if run is not None else None
        kind = "" if run is None else (" (weekly)" if run.due_at else " (on demand)")
        if row.failure is not None:  # the week's digest, failing before it could become a run
            when, kind = row.failure.due_at, " (weekly)"
        table.add_row(
            str(sub.id),
            channel_name(sub),
            sub.topic,
            str(WeeklySchedule.of(sub)),
            next_digest,
            f"{when:%Y-%m-%d %H:%M} UTC{kind}" if when else "-",
            failure_text(row.failure) if row.failure is not None else outcome(run, max_attempts),
            tokens_text(row.usage, sub, budgets),
        )
    return table
