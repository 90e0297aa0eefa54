"""Questions about a card's paper, in the card's thread: the button, mentions, ``/arxiv ask``.

Threads are opened on demand, never one per card up front (Discord limits thread
creation hard). Three ways lead to the card's one public thread, whose id is the card
message's id: the "Ask about this paper" button (opens or reuses it and prompts there),
a thread a member opens on the card, and ``/arxiv ask`` inside it. A message there
that mentions the bot (any message, with the message-content intent) is a question,
answered once (``store.claim_event``) with the typing indicator on while the answer is
written: translated into a ``ThreadQuestion`` for ``QAService`` (``bot/threads.py``), the
``Answer`` rendered in Discord's format (``answer_text``) and posted with mentions disabled.

Store calls run off the event loop (``asyncio.to_thread``), and an interaction whose
look-ups are not back within ``ACK_BUDGET`` is deferred first: a stalled database
never makes Discord drop an interaction (3 s) or holds up the gateway.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import TypeVar

import discord

from bot.ack import ACK_BUDGET, within
from bot.discord.embeds import CONTENT
from bot.discord.port import NO_MENTIONS, DiscordPort
from bot.discord.texts import say
from bot.locales import language_of
from bot.threads import CardThread, ask, card_of, post_reply
from config.settings import DiscordSettings
from digest.delivery.ports import ChatError
from digest.models import ChannelRef, MessageRef, ThreadRef
from digest.qa import Answer, QAService, Turn
from digest.qa.text import question_language
from digest.store import Store
from digest.text.textfit import fit
from digest.text.visible import visible

log = logging.getLogger(__name__)
T = TypeVar("T")

QUESTION_QUOTE = 300  # characters of the question quoted above an /arxiv ask answer


def answer_text(answer: Answer) -> str:
    """An answer as a Discord message: quotes as block quotes under their section, notes
    below, citations last as subtext (Discord's small grey line)."""
    lines = [answer.text, *(f"> [{quote.section}] {quote.text}" for quote in answer.quotes), *answer.notes]
    if cited := answer.citations_to_show:
        lines.append("-# " + " · ".join(cited))
    return "\n".join(lines)


class Questions:
    def __init__(self, settings: DiscordSettings, store: Store, port: DiscordPort, qa: QAService) -> None:
        self._any_message = settings.message_content
        self._store = store
        self._port = port
        self._qa = qa

    async def _card(
        self, guild_id: int | None, channel_id: int | None, message_id: int
    ) -> tuple[ChannelRef, CardThread] | None:
        """The card posted as ``message_id`` in ``channel_id``, with its paper, if it is ours."""
        channel = ChannelRef("discord", str(guild_id), str(channel_id))
        found = await asyncio.to_thread(card_of, self._store, channel, str(message_id))
        return None if found is None else (channel, found)

    async def _claim(self, event_id: str) -> bool:
        return await asyncio.to_thread(self._store.claim_event, "discord", event_id)

    @staticmethod
    async def _deferred_if_late(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool) -> T:
        """``work``'s result; the interaction is deferred first when it takes over ``ACK_BUDGET``."""
        result, _ = await within(work, ACK_BUDGET, lambda: Questions._defer(interaction, ephemeral=ephemeral))
        return result

    @staticmethod
    async def _defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
        """Acknowledge with "thinking…", unless this interaction already is acknowledged."""
        if interaction.response.is_done():
            return
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        except (discord.HTTPException, discord.InteractionResponded) as err:
            # Acknowledged already (a redelivery of it got there first): the followup still works.
            log.info("interaction %s not deferred: %s", interaction.id, err)

    @staticmethod
    async def _tell_caller(interaction: discord.Interaction, text: str, *, deferred_public: bool = False) -> None:
        """A message only the caller sees, as the reply or in place of a deferred "thinking…"."""
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
        elif not deferred_public:
            await interaction.edit_original_response(content=text)  # the ephemeral "thinking…" becomes it
        else:  # a public "thinking…" cannot turn private: it goes, and the caller alone gets the text
            try:
                await interaction.delete_original_response()
            except discord.HTTPException as err:
                log.info("deferred response of %s not deleted: HTTP %s", interaction.id, err.status)
            await interaction.followup.send(text, ephemeral=True)

    async def _thread_of(self, channel: object) -> discord.Thread | None:
        if isinstance(channel, discord.Thread):
            return channel
        if isinstance(channel, discord.PartialMessageable):  # not cached: ask Discord what it is
            try:
                fetched = await self._port.client.fetch_channel(channel.id)
            except discord.HTTPException:
                return None
            return fetched if isinstance(fetched, discord.Thread) else None
        return None

    async def _history(self, thread: discord.Thread, before: discord.abc.Snowflake) -> list[Turn]:
        """The thread's earlier turns, oldest first (needs Read Message History; none without)."""
        me = self._port.client.user
        turns: list[Turn] = []
        try:
            async for message in thread.history(limit=20, before=before):
                if text := self._text(message):
                    mine = me is not None and message.author.id == me.id
                    turns.append(Turn("bot" if mine else "user", text))
        except discord.HTTPException as err:
            log.info("no thread history for %s: HTTP %s", thread.id, err.status)
        return list(reversed(turns))

    def _text(self, message: discord.Message) -> str:
        """The message as a reader sees it: the bot's mention removed, invisible characters gone."""
        me = self._port.client.user
        text = message.content or ""
        if me is not None:
            text = re.sub(rf"<@!?{me.id}>", " ", text)
        return visible(text)

    async def _answer_text(
        self, found: CardThread, question: str, history: list[Turn], *, user: str, thread: str
    ) -> str:
        """The answer as Discord text, or the failure text: what the thread gets either way."""
        try:
            return answer_text(await ask(self._qa, self._store, found, question, history, user=user, thread=thread))
        except Exception:
            log.exception("answering about %s failed", found.card.paper.versioned_id)
            return say(question_language(question) or found.card.text.language, "answer_failed")

    # -- a message in a thread -------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or message.type not in (
            discord.MessageType.default, discord.MessageType.reply
        ):
            return
        me = self._port.client.user
        mentioned = me is not None and any(user.id == me.id for user in message.mentions)
        if not mentioned and not self._any_message:
            return
        thread = await self._thread_of(message.channel)
        if thread is None or thread.parent_id is None:
            return
        card = await self._card(message.guild.id, thread.parent_id, thread.id)
        if card is None:
            return  # a thread, but not on one of our cards
        channel, found = card
        # Claimed only now, so the table holds questions, not every message of every guild.
        if not await self._claim(str(message.id)):
            log.info("message %s already answered", message.id)
            return
        where = ThreadRef(channel, str(thread.id))
        question = self._text(message)
        if not question:
            text = say(found.card.text.language, "empty_question")
        else:
            history = await self._history(thread, message)
            async with self._port.typing(where):
                text = await self._answer_text(
                    found, question, history, user=f"discord:{message.author.id}", thread=f"discord:{thread.id}"
                )
        await post_reply(self._port, where, text)

    # -- the card's button --------------------------------------------------------------------

    async def on_ask(self, interaction: discord.Interaction) -> None:
        message = interaction.message

        async def lookup() -> tuple[ChannelRef, CardThread] | None:
            return await self._card(interaction.guild_id, interaction.channel_id, message.id) if message else None

        card = await self._deferred_if_late(interaction, lookup(), ephemeral=True)
        if message is None or card is None:
            await self._tell_caller(interaction, say(language_of(interaction.locale), "not_a_card"))
            return
        channel, found = card
        language, paper = found.card.text.language, found.card.paper  # the thread's: the card's
        theirs = language_of(interaction.locale) or language  # what only the caller sees
        # Thread creation may wait out a long rate limit: acknowledge first.
        await self._defer(interaction, ephemeral=True)
        try:
            thread, created = await self._port.thread_for(MessageRef(channel, str(message.id)), paper.title)
            if created:
                await self._port.reply(thread, say(language, "thread_prompt", title=fit(paper.title, 300)))
        except ChatError as err:
            await interaction.followup.send(say(theirs, "thread_failed", error=err), ephemeral=True)
            return
        await interaction.followup.send(say(theirs, "thread_opened", thread=f"<#{thread.thread_id}>"), ephemeral=True)

    # -- /arxiv ask -------------------------------------------------------------------------------

    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        async def lookup() -> tuple[discord.Thread, CardThread, bool] | None:
            thread = await self._thread_of(interaction.channel)
            if thread is None or thread.parent_id is None:
                return None
            card = await self._card(interaction.guild_id, thread.parent_id, thread.id)
            if card is None:
                return None
            # Claimed with the look-ups, so that a slow store defers the interaction in time too.
            return thread, card[1], await self._claim(f"interaction:{interaction.id}")

        looked_up = await self._deferred_if_late(interaction, lookup(), ephemeral=False)
        if looked_up is None:
            language = language_of(interaction.locale) or question_language(question)
            await self._tell_caller(interaction, say(language, "ask_outside"), deferred_public=True)
            return
        thread, found, claimed = looked_up
        if not claimed:
            return  # a gateway redelivery after a resume
        await self._defer(interaction, ephemeral=False)  # public: the thread reads the answer
        history = await self._history(thread, interaction)
        text = await self._answer_text(
            found, visible(question), history,
            user=f"discord:{interaction.user.id}", thread=f"discord:{thread.id}",
        )
        quoted = "> " + fit(visible(question), QUESTION_QUOTE)
        try:
            await interaction.followup.send(fit(f"{quoted}\n{text}", CONTENT), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as err:
            log.warning("no answer posted for /arxiv ask in %s: HTTP %s", thread.id, err.status)
