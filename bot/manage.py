"""``/arxiv edit``, ``pause`` and ``resume``: a subscription changed in place, its schedule in step.

Handlers of ``bot.handlers.CommandHandlers`` kept apart by their job. The rules (who may,
no topic twice, the checks of a new topic) are ``bot.subscriptions.Subscriptions``'; a
refusal (``Refusal``) propagates to ``CommandHandlers.handle``, which shows it. Each
change is followed at once by the scheduler (``Scheduling.changed``: the job re-timed,
removed or added), and the reply says when the next digest comes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import commands
from bot.invocation import Invocation, Reply
from bot.listing import describe, state
from bot.manage_text import TEXTS
from bot.reactions_text import TEXTS as LEARN_TEXTS

if TYPE_CHECKING:
    from bot.handlers import CommandHandlers


async def handle(
    handlers: CommandHandlers, invocation: Invocation, command: commands.Edit | commands.Pause | commands.Resume
) -> Reply:
    language = invocation.language or handlers.defaults.language
    rules = handlers.subscriptions
    sub = await rules.find(invocation.channel, command.id)
    match command:
        case commands.Edit(fields=fields):
            sub = await rules.edit(sub, invocation, fields)
            await handlers.scheduling.changed()
            searching = TEXTS.text(language, "searching", terms=sub.search_terms, id=sub.id) if sub.search_terms else ""
            described = describe(sub, language, handlers.clock())
            if sub.paused:
                described["next"] = TEXTS.text(language, "no_next")
            learning = "" if fields.learn is None else " " + LEARN_TEXTS.text(language, f"learn_{'on' if sub.learn else 'off'}")
            return Reply(TEXTS.text(language, "edited", searching=searching, **described) + learning, ephemeral=False)
        case commands.Pause():
            if not await rules.pause(sub, invocation):
                why = state(sub, language)
                return Reply(TEXTS.text(language, "already_paused", id=sub.id, topic=sub.topic, state=why))
            await handlers.scheduling.changed()
            return Reply(TEXTS.text(language, "paused_now", id=sub.id, topic=sub.topic), ephemeral=False)
        case _:
            resumed = await rules.resume(sub, invocation)
            next_at = describe(sub, language, handlers.clock())["next"]
            if not resumed:
                return Reply(TEXTS.text(language, "not_paused", id=sub.id, topic=sub.topic, next=next_at))
            await handlers.scheduling.changed()
            return Reply(TEXTS.text(language, "resumed", id=sub.id, topic=sub.topic, next=next_at), ephemeral=False)
