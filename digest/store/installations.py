"""A chat app's installations in workspaces, and the one-use states of its install flow.

A mixin of ``Store``, platform-free: ``installations`` holds, per (platform, workspace),
the bot token an OAuth install gave and the bot's ids; ``oauth_states`` holds each
install flow's ``state`` until its redirect comes back (once) or it expires. The Slack
adapter (``bot/slack/installs.py``) serves them to bolt as its installation and state
stores. Tokens are kept as the deployment's environment keeps SLACK_BOT_TOKEN: the
database is trusted as much; nothing here logs them.

``uninstall`` deletes a workspace's installation and pauses its active subscriptions
(paused by the bot, ``reason`` shown by ``/arxiv list``) in one transaction, so no
process posts to a workspace that removed the app, and a reinstall lets admins resume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from digest.store.ledger_rows import dialect_insert
from digest.store.tables import ID_LEN, LANG_LEN, Base, SubscriptionRow

STATE_LEN = 128


class InstallationRow(Base):
    """A chat app installed in one workspace (a Slack team): its bot token and ids."""

    __tablename__ = "installations"

    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    app_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    bot_token: Mapped[str] = mapped_column(Text)
    bot_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    bot_user_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    scopes: Mapped[str] = mapped_column(Text)  # comma-separated, as granted
    installed_by: Mapped[str | None] = mapped_column(String(ID_LEN))  # the installing user
    installed_at: Mapped[datetime] = mapped_column()


class OAuthStateRow(Base):
    """An install flow's ``state``, issued with the install link, consumed by its redirect."""

    __tablename__ = "oauth_states"
    __table_args__ = (Index("ix_oauth_states_expires", "expires_at"),)

    state: Mapped[str] = mapped_column(String(STATE_LEN), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column()


@dataclass(frozen=True)
class Installed:
    """One workspace's installation, as ``InstallationRow`` holds it."""

    platform: str
    workspace_id: str
    bot_token: str
    enterprise_id: str | None = None
    app_id: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None
    scopes: str = ""
    installed_by: str | None = None
    installed_at: datetime | None = None  # set by ``save_installation``

    def __repr__(self) -> str:  # never the token, in a log line or a failing test's output
        return f"Installed({self.platform}:{self.workspace_id}, bot {self.bot_user_id})"


class InstallationsMixin:
    _reading: Any
    _writing: Any
    _dialect: str

    def save_installation(self, installed: Installed, at: datetime) -> None:
        """Insert or replace the workspace's installation (a reinstall brings a new token)."""
        values = {**installed.__dict__, "installed_at": at}
        insert = dialect_insert(self._dialect)(InstallationRow).values(**values)
        keys = ("platform", "workspace_id")
        changes = {k: insert.excluded[k] for k in values if k not in keys}
        with self._writing() as session:
            session.execute(insert.on_conflict_do_update(index_elements=list(keys), set_=changes))

    def installation(self, platform: str, workspace_id: str) -> Installed | None:
        """The workspace's installation, or None (never installed, or uninstalled)."""
        with self._reading() as session:
            row = session.get(InstallationRow, (platform, workspace_id))
            if row is None:
                return None
            return Installed(**{k: getattr(row, k) for k in Installed.__dataclass_fields__})

    def uninstall(self, platform: str, workspace_id: str, reason: str) -> list[int]:
        """Delete the workspace's installation and pause its active subscriptions with
        ``reason`` (by the bot); the ids paused. Subscriptions already paused keep their pause."""
        with self._writing() as session:
            session.execute(
                delete(InstallationRow).where(
                    InstallationRow.platform == platform, InstallationRow.workspace_id == workspace_id
                )
            )
            paused = session.execute(
                update(SubscriptionRow)
                .where(
                    SubscriptionRow.platform == platform,
                    SubscriptionRow.workspace_id == workspace_id,
                    SubscriptionRow.paused.is_(None),
                )
                .values(paused=reason, paused_by=None)
                .returning(SubscriptionRow.id)
            )
            return sorted(paused.scalars())

    def issue_state(self, state: str, now: datetime, expires_at: datetime) -> None:
        """Keep a new install flow's ``state`` until ``expires_at``; those expired at ``now`` go."""
        with self._writing() as session:
            session.execute(delete(OAuthStateRow).where(OAuthStateRow.expires_at <= now))
            session.add(OAuthStateRow(state=state, expires_at=expires_at))

    def consume_state(self, state: str, now: datetime) -> bool:
        """True once for a ``state`` issued and not yet expired at ``now``; a second call,
        from this process or another, gets False (the row is deleted by the first)."""
        with self._writing() as session:
            found = session.execute(
                delete(OAuthStateRow).where(OAuthStateRow.state == state).returning(OAuthStateRow.expires_at)
            ).scalar_one_or_none()
            session.execute(delete(OAuthStateRow).where(OAuthStateRow.expires_at <= now))
        return found is not None and found > now

    def installed_workspaces(self, platform: str) -> list[str]:
        """The workspaces where the app is installed, sorted."""
        with self._reading() as session:
            rows = session.execute(
                select(InstallationRow.workspace_id).where(InstallationRow.platform == platform)
            ).scalars()
            return sorted(rows)
