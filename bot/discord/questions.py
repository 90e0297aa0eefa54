"""Questions about a card's paper, in the card's thread: the button, mentions, ``/arxiv ask``.

Threads are opened on demand, never one per card up front (Discord limits thread
creation hard). Three ways lead to the card's one public thread, whose id is the card
message's id: the "Ask about this paper" button (opens or reuses it and prompts there),
a thread a member opens on the card, and ``/arxiv ask`` inside it. A message there
that mentions the bot (any message, with the message-content intent) is a question,
answered once (``store.claim_event``) with the typing indicator on while the answer is
written; answers go out with mentions disabled. The answer callable gets the card's
digest run (``run_key``), for questions comparing papers of that digest.

Store calls run off the event loop (``asyncio.to_thread``), and an interaction whose
look-ups are not back within ``ACK_BUDGET`` is deferred first: a stalled database
never makes Discord drop an interaction (3 s) or holds up the gateway.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

from bot.ack import within
from bot.discord.embeds import CONTENT
from bot.discord.port import NO_MENTIONS, DiscordPort
from bot.discord.texts import say
from config.settings import DiscordSettings
from digest.models import ChannelRef, Delivery, MessageRef, Paper, ThreadRef
from digest.delivery.ports import ChatError
from digest.store import Store
from digest.text.textfit import fit

log = logging.getLogger(__name__)
T = TypeVar("T")

ACK_BUDGET = 2.0  # seconds; Discord gives up on an interaction not acknowledged in 3
# (paper, question, earlier turns, *, user=, thread=, run_key=) -> the reply: bot.threads.FullTextAnswerer
Answer = Callable[..., Awaitable[str]]
HISTORY_TURNS = 6
QUESTION_QUOTE = 300  # characters of the question quoted above an /arxiv ask answer


class Questions:
    def __init__(self, settings: DiscordSettings, store: Store, port: DiscordPort, answer: Answer) -> None:
        self._any_message = settings.message_content
        self._store = store
        self._port = port
        self._answer = answer

    async def _card(
        self, guild_id: int | None, channel_id: int | None, message_id: int
    ) -> tuple[ChannelRef, Delivery, Paper] | None:
        """The card posted as ``message_id`` in ``channel_id``, with its paper, if it is ours."""
        return await asyncio.to_thread(self._stored_card, guild_id, channel_id, message_id)

    async def _claim(self, event_id: str) -> bool:
        return await asyncio.to_thread(self._store.claim_event, "discord", event_id)

    def _stored_card(
        self, guild_id: int | None, channel_id: int | None, message_id: int
    ) -> tuple[ChannelRef, Delivery, Paper] | None:
        channel = ChannelRef("discord", str(guild_id), str(channel_id))
        delivery = self._store.delivery_of_message(channel, str(message_id))
        if delivery is None:
            return None
        paper = self._store.get_paper(delivery.arxiv_id, delivery.version)
        if paper is None:
            log.warning("card %s in %s has no paper in the store", message_id, channel_id)
            return None
        return channel, delivery, paper

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

    async def _history(self, thread: discord.Thread, before: discord.abc.Snowflake) -> list[str]:
        """The thread's earlier turns (needs Read Message History; none without)."""
        me = self._port.client.user
        turns: list[str] = []
        try:
            async for message in thread.history(limit=20, before=before):
                if text := self._text(message):
                    mine = me is not None and message.author.id == me.id
                    turns.append(f"{'answer' if mine else 'question'}: {text}")
        except discord.HTTPException as err:
            log.info("no thread history for %s: HTTP %s", thread.id, err.status)
        return list(reversed(turns))[-HISTORY_TURNS:]

    def _text(self, message: discord.Message) -> str:
        """The message as typed, the bot's mention removed."""
        me = self._port.client.user
        text = message.content or ""
        if me is not None:
            text = re.sub(rf"<@!?{me.id}>", " ", text)
        return " ".join(text.split())

    async def _answer_text(
        self, paper: Paper, question: str, history: list[str], *, user: str, thread: str, run_key: str
    ) -> str:
        try:
            return await self._answer(paper, question, history, user=user, thread=thread, run_key=run_key)
        except Exception:
            log.exception("answering about %s failed", paper.versioned_id)
            return say("en", "answer_failed")

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
        channel, delivery, paper = card
        # Claimed only now, so the table holds questions, not every message of every guild.
        if not await self._claim(str(message.id)):
            log.info("message %s already answered", message.id)
            return
        where = ThreadRef(channel, str(thread.id))
        question = self._text(message)
        if not question:
            text = say(delivery.text.language if delivery.text else "en", "empty_question")
        else:
            history = await self._history(thread, message)
            async with self._port.typing(where):
                text = await self._answer_text(
                    paper, question, history,
                    user=f"discord:{message.author.id}", thread=f"discord:{thread.id}", run_key=delivery.run_key,
                )
        try:
            await self._port.reply(where, text)
        except ChatError as err:  # logged by the port; a lost reply is not retried (it may exist)
            log.warning("no answer posted in %s: %s", thread.id, err)

    # -- the card's button --------------------------------------------------------------------

    async def on_ask(self, interaction: discord.Interaction) -> None:
        message = interaction.message

        async def lookup() -> tuple[ChannelRef, Delivery, Paper] | None:
            return await self._card(interaction.guild_id, interaction.channel_id, message.id) if message else None

        card = await self._deferred_if_late(interaction, lookup(), ephemeral=True)
        if message is None or card is None:
            await self._tell_caller(interaction, say("en", "not_a_card"))
            return
        channel, delivery, paper = card
        language = delivery.text.language if delivery.text else "en"
        # Thread creation may wait out a long rate limit: acknowledge first.
        await self._defer(interaction, ephemeral=True)
        try:
            thread, created = await self._port.thread_for(MessageRef(channel, str(message.id)), paper.title)
            if created:
                await self._port.reply(thread, say(language, "thread_prompt", title=fit(paper.title, 300)))
        except ChatError as err:
            await interaction.followup.send(say(language, "thread_failed", error=err), ephemeral=True)
            return
        await interaction.followup.send(say(language, "thread_opened", thread=f"<#{thread.thread_id}>"), ephemeral=True)

    # -- /arxiv ask -------------------------------------------------------------------------------

    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        async def lookup() -> tuple[discord.Thread, Delivery, Paper, bool] | None:
            thread = await self._thread_of(interaction.channel)
            if thread is None or thread.parent_id is None:
                return None
            card = await self._card(interaction.guild_id, thread.parent_id, thread.id)
            if card is None:
                return None
            # Claimed with the look-ups, so that a slow store defers the interaction in time too.
            return thread, card[1], card[2], await self._claim(f"interaction:{interaction.id}")

        found = await self._deferred_if_late(interaction, lookup(), ephemeral=False)
        if found is None:
            await self._tell_caller(interaction, say("en", "ask_outside"), deferred_public=True)
            return
        thread, delivery, paper, claimed = found
        if not claimed:
            return  # a gateway redelivery after a resume
        await self._defer(interaction, ephemeral=False)  # public: the thread reads the answer
        history = await self._history(thread, interaction)
        text = await self._answer_text(
            paper, " ".join(question.split()), history,
            user=f"discord:{interaction.user.id}", thread=f"discord:{thread.id}", run_key=delivery.run_key,
        )
        quoted = "> " + fit(" ".join(question.split()), QUESTION_QUOTE)
        try:
            await interaction.followup.send(fit(f"{quoted}\n{text}", CONTENT), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as err:
            log.warning("no answer posted for /arxiv ask in %s: HTTP %s", thread.id, err.status)
