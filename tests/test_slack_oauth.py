"""Slack's OAuth install, end to end: the bot's HTTP server, bolt's OAuth flow, our stores
(SQLite and PostgreSQL), the fake Slack's ``oauth.v2.access``.

Two workspaces install the app through ``/slack/install`` and ``/slack/oauth_redirect``;
each subscribes and gets a digest posted with its own bot token (the fake refuses a
token in another team's channel); one uninstalls (a signed ``app_uninstalled``): its
token is deleted and its subscriptions paused, the other keeps working; a reinstall lets
an admin resume. States that are missing, forged, reused or expired are refused.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
import yaml
from sqlalchemy import update

from bot.handlers import CommandHandlers
from bot.slack.app import build_slack_app
from bot.slack.installs import NOT_INSTALLED, InstalledTokens
from bot.slack.oauth import REDIRECT_PATH, bolt_app, build_port
from bot.slack.port import SlackPort
from bot.slack.service import SlackService
from config.chat import SLACK_SCOPES
from config.settings import DefaultsSettings, SlackSettings
from digest.delivery.deliverer import Deliverer
from digest.delivery.ports import ChatPermissionError
from digest.models import ChannelRef
from digest.qa import QAService
from digest.qa.limits import QALimits
from digest.store import Store, open_store
from digest.store.installations import Installed, OAuthStateRow
from tests.engine_fixtures import Clock, fulltext_fetcher, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer, synthetic_week
from tests.fakes.arxiv_fulltext import FullTextServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SignedRequest, event_callback, slash_command
from tests.slack_fixtures import NOW, SECRET
from tests.test_cli import clean_env, run

README = Path(__file__).resolve().parents[1] / "README.md"

COOKIE = "slack-app-oauth-state"
TEAMS = {"T1": "C1", "T2": "C2"}  # a workspace and its channel


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Bot:
    slack: FakeSlackAPI
    store: Store
    port: SlackPort
    http: int  # the bot's HTTP port
    session: aiohttp.ClientSession

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http}{path}"

    async def install_page(self) -> tuple[str, str]:
        """GET /slack/install: (the state in the "Add to Slack" link, the state cookie)."""
        async with self.session.get(self.url("/slack/install")) as answer:
            assert answer.status == 200
            page = await answer.text()
            [cookie] = answer.headers.getall("Set-Cookie")
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
        assert link, page
        query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
        assert query["client_id"] == [self.slack.client_id]
        assert query["scope"][0].split(",") == list(SlackSettings().scopes)
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "Secure" in cookie
        return query["state"][0], cookie.split(";")[0].removeprefix(f"{COOKIE}=")

    async def redirect(self, code: str, state: str, cookie: str | None) -> tuple[int, str]:
        """Slack sends the installer's browser back: GET /slack/oauth_redirect?code=&state=."""
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie is not None else {}
        url = self.url("/slack/oauth_redirect")
        async with self.session.get(url, params={"code": code, "state": state}, headers=headers) as answer:
            return answer.status, await answer.text()

    async def install(self, team: str) -> str:
        """The whole flow for ``team``; the bot token it got."""
        state, cookie = await self.install_page()
        assert state == cookie
        status, page = await self.redirect(self.slack.authorize(team), state, cookie)
        assert status == 200, page
        token = self.slack.bot_token_of(team)
        assert token is not None
        return token

    async def post(self, request: SignedRequest) -> int:
        return (await self.answer(request))[0]

    async def answer(self, request: SignedRequest) -> tuple[int, str]:
        async with self.session.post(self.url("/slack/events"), data=request.body.encode(), headers=request.headers) as a:
            return a.status, await a.text()

    async def command(self, team: str, text: str, *, response: str, channel: str | None = None) -> str:
        """The text of the reply riding on the ack ("" when it carries none)."""
        request = slash_command(
            SECRET, text, team_id=team, channel_id=channel or TEAMS[team], user_id=f"U{team}",
            response_url=self.slack.response_url(response),
        )
        status, body = await self.answer(request)
        assert status == 200
        return json.loads(body)["text"] if body else ""



@asynccontextmanager
async def running(store_url: str) -> AsyncIterator[Bot]:
    """The bot in OAuth mode over HTTP, on ``store_url``, against the fakes."""
    with FakeSlackAPI() as slack, ArxivFeedServer(synthetic_week(6)) as arxiv, FullTextServer() as fulltext:
        for team, channel in TEAMS.items():
            slack.add_channel(channel, team=team)
            slack.add_user(f"U{team}", team=team, is_admin=True)
        store = open_store(store_url)
        http = free_port()
        settings = SlackSettings(
            client_id=slack.client_id, client_secret=slack.client_secret, signing_secret=SECRET,
            api_url=slack.base_url, http_port=http, messages_per_second=200.0,
        )
        port = build_port(settings, store, site_url=None)
        engine = make_engine(arxiv.url, store, clock=Clock(NOW))
        deliverer = Deliverer(engine, store, {"slack": port})
        defaults = DefaultsSettings(language="en", timezone="Asia/Tokyo")
        handlers = CommandHandlers(store, deliverer, {"slack": port}, defaults, clock=Clock(NOW))
        qa = QAService(store, fulltext_fetcher(fulltext.html_url, fulltext.pdf_url), None, QALimits())
        service = SlackService(settings, build_slack_app(settings, handlers, store, port, qa))
        await service.start()
        try:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
                yield Bot(slack, store, port, http, session)
        finally:
            await service.stop()
            store.close()


def posted_with(slack: FakeSlackAPI, channel: str) -> set[str]:
    """The tokens the bot's chat.postMessage calls to ``channel`` carried."""
    return {token for method, to, token in slack.tokens_used if method == "chat.postMessage" and to == channel}


async def test_two_workspaces_install_post_with_their_own_tokens_and_one_uninstalls(store_url):
    async with running(store_url) as bot:
        tokens = {team: await bot.install(team) for team in TEAMS}
        assert tokens["T1"] != tokens["T2"]
        for team in TEAMS:
            installed = bot.store.installation("slack", team)
            assert installed is not None and installed.bot_token == tokens[team]
            assert (installed.bot_user_id, installed.bot_id) == (f"U0BOT{team}", f"B0BOT{team}")
            assert installed.installed_by == "U0INSTALLER" and tokens[team] not in repr(installed)

        # Each workspace subscribes and asks for its digest: inbound authorised by bolt with
        # the team's installation, outbound (users.info, the digest's posts) with its token.
        for team, channel in TEAMS.items():
            assert "synthetic data" in await bot.command(team, "subscribe synthetic data max=2", response=f"{team}-sub")
        for team, channel in TEAMS.items():
            await bot.command(team, "now", response=f"{team}-now")
        for team, channel in TEAMS.items():
            await bot.slack.until(lambda: len(bot.slack.messages(channel)) >= 3, 10)  # header and 2 cards
            assert posted_with(bot.slack, channel) == {tokens[team]}
            assert all(m["team"] == team and m["bot_id"] == f"B0BOT{team}" for m in bot.slack.messages(channel))
        users_info = {token for method, _, token in bot.slack.tokens_used if method == "users.info"}
        assert users_info == set(tokens.values())
        subs = {s.channel.workspace_id: s for s in bot.store.list_subscriptions()}
        assert set(subs) == {"T1", "T2"}
        # A lost reply is looked for among the bot's own messages: its identity in that workspace.
        for team, channel in TEAMS.items():
            [run] = bot.store.runs(subscription_id=subs[team].id)
            found = await bot.port.find_posted(ChannelRef("slack", team, channel), f"{run.key}#0")
            assert found is not None and found.message_id == bot.slack.messages(channel)[0]["ts"]
        assert {token for method, _, token in bot.slack.tokens_used if method == "auth.test"} >= set(tokens.values())

        # T1 removes the app: Slack revokes its token and sends app_uninstalled.
        bot.slack.uninstall("T1")
        # Before the event arrives (or if it never does): the revoked token pauses what posts there.
        with pytest.raises(ChatPermissionError, match="C1: the app is not installed in this workspace"):
            await bot.port.post_notice(ChannelRef("slack", "T1", "C1"), "hello", "k-0")
        uninstalled = event_callback(SECRET, {"type": "app_uninstalled"}, team_id="T1", bot_user_id="U0BOTT1")
        assert await bot.post(uninstalled) == 200
        await bot.slack.until(lambda: bot.store.installation("slack", "T1") is None)
        await bot.slack.until(lambda: bot.store.get_subscription(subs["T1"].id).paused)
        paused = bot.store.get_subscription(subs["T1"].id)
        assert paused.paused == NOT_INSTALLED and paused.paused_by is None  # paused by the bot, its reason shown
        assert bot.store.get_subscription(subs["T2"].id).paused is None
        assert bot.store.installation("slack", "T2") is not None
        with pytest.raises(ChatPermissionError, match="not installed in this workspace"):
            await bot.port.post_notice(ChannelRef("slack", "T1", "C1"), "hello", "k-1")

        # T2 keeps working: a second subscription there, its digest posted with T2's token.
        bot.slack.add_channel("C3", team="T2")
        assert "data synthesis" in await bot.command("T2", "subscribe data synthesis max=1", response="3", channel="C3")
        await bot.command("T2", "now", response="4", channel="C3")
        await bot.slack.until(lambda: len(bot.slack.messages("C3")) >= 2, 10)
        assert posted_with(bot.slack, "C3") == {tokens["T2"]}

        # T1 reinstalls: a new token; its admin sees why the subscription is paused and resumes it.
        again = await bot.install("T1")
        assert again != tokens["T1"] and bot.store.installation("slack", "T1").bot_token == again
        assert "reinstall it from /slack/install" in await bot.command("T1", "list", response="5")
        resumed = await bot.command("T1", f"resume {subs['T1'].id}", response="6")
        assert resumed.startswith(f"Resumed subscription {subs['T1'].id}")
        assert bot.store.get_subscription(subs["T1"].id).paused is None


async def test_bad_reused_and_expired_states_are_refused(store_url):
    async with running(store_url) as bot:
        state, cookie = await bot.install_page()
        # No cookie: another browser than the one that started the install.
        assert (await bot.redirect(bot.slack.authorize("T1"), state, None))[0] == 400
        # A forged state, with a cookie to match: never issued.
        assert (await bot.redirect(bot.slack.authorize("T1"), "forged", "forged"))[0] == 401
        assert bot.store.installation("slack", "T1") is None
        # The real one works once; used again (a replayed redirect), it is refused.
        assert (await bot.redirect(bot.slack.authorize("T1"), state, cookie))[0] == 200
        assert (await bot.redirect(bot.slack.authorize("T2"), state, cookie))[0] == 401
        assert bot.store.installation("slack", "T2") is None
        # An expired one: issued, but older than its 10 minutes.
        late, late_cookie = await bot.install_page()
        with bot.store.engine.begin() as conn:
            past = datetime.now(timezone.utc) - timedelta(seconds=1)
            conn.execute(update(OAuthStateRow).where(OAuthStateRow.state == late).values(expires_at=past))
        assert (await bot.redirect(bot.slack.authorize("T2"), late, late_cookie))[0] == 401
        # A code Slack did not issue (or the client secret wrong): nothing is installed.
        fresh, fresh_cookie = await bot.install_page()
        assert (await bot.redirect("code-made-up", fresh, fresh_cookie))[0] == 401
        assert bot.store.installed_workspaces("slack") == ["T1"]


async def test_revoked_bot_tokens_uninstall_but_revoked_user_tokens_do_not(store_url):
    async with running(store_url) as bot:
        for team in TEAMS:
            await bot.install(team)
        user_only = event_callback(SECRET, {"type": "tokens_revoked", "tokens": {"oauth": ["UT2"], "bot": []}},
                                   team_id="T2")
        assert await bot.post(user_only) == 200
        revoked = event_callback(SECRET, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOTT1"]}},
                                 team_id="T1")
        assert await bot.post(revoked) == 200
        await bot.slack.until(lambda: bot.store.installation("slack", "T1") is None)
        await asyncio.sleep(0.2)
        assert bot.store.installed_workspaces("slack") == ["T2"]


def test_a_state_is_consumed_once_across_stores_and_uninstall_pauses_one_workspace(store_url):
    """Two processes (two stores on one database) racing for one redirect: one wins."""
    first, second = open_store(store_url), open_store(store_url)
    try:
        now = datetime.now(timezone.utc)
        first.issue_state("s1", now, now + timedelta(minutes=10))
        assert [first.consume_state("s1", now), second.consume_state("s1", now)] == [True, False]
        first.issue_state("s2", now, now + timedelta(minutes=10))
        assert not second.consume_state("s2", now + timedelta(minutes=11))  # expired
        # Subscriptions: T1's active one is paused by the bot, a person's pause kept, T2's untouched.
        kw = dict(weekday=0, at=datetime(2024, 1, 1, 9).time(), tz="UTC", language="en", max_papers=3, created_by="U")
        a = first.add_subscription(ChannelRef("slack", "T1", "C1"), "a", **kw)
        b = first.add_subscription(ChannelRef("slack", "T1", "C1"), "b", **kw)
        c = first.add_subscription(ChannelRef("slack", "T2", "C2"), "c", **kw)
        d = first.add_subscription(ChannelRef("discord", "T1", "C1"), "d", **kw)  # same id, other platform
        first.set_paused(b.id, "paused by U", "U")
        first.save_installation(Installed("slack", "T1", "xoxb-1"), now)
        assert second.uninstall("slack", "T1", "gone") == [a.id]
        assert first.installation("slack", "T1") is None
        states = {s.id: (s.paused, s.paused_by) for s in second.list_subscriptions()}
        assert states == {a.id: ("gone", None), b.id: ("paused by U", "U"), c.id: (None, None), d.id: (None, None)}
    finally:
        first.close()
        second.close()


async def test_an_installed_token_is_reused_then_forgotten_on_uninstall(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'tokens.db'}")
    try:
        tokens = InstalledTokens(store)
        with pytest.raises(ChatPermissionError):
            await tokens.token_for("T9")
        store.save_installation(Installed("slack", "T9", "xoxb-9"), datetime.now(timezone.utc))
        assert await tokens.token_for("T9") == "xoxb-9"
        store.save_installation(Installed("slack", "T9", "xoxb-10"), datetime.now(timezone.utc))
        assert await tokens.token_for("T9") == "xoxb-9"  # within its TTL, from memory
        tokens.forget("T9")
        assert await tokens.token_for("T9") == "xoxb-10"
    finally:
        store.close()


def test_oauth_settings_go_together_and_exclude_a_bot_token():
    assert SlackSettings(client_id="1.2", client_secret="s").enabled
    assert SlackSettings(client_id="1.2", client_secret="s", scopes="commands, chat:write").scopes == [
        "commands", "chat:write"
    ]
    for values in ({"client_id": "1.2"}, {"client_secret": "s"}, {"client_id": "1", "client_secret": "s",
                                                                  "bot_token": "xoxb-1"}):
        with pytest.raises(ValueError, match="SLACK_CLIENT_ID"):
            SlackSettings(**values)


def test_config_check_online_in_oauth_mode_asks_slack_without_a_token_and_hides_the_secret(tmp_path):
    with FakeSlackAPI() as slack, ArxivFeedServer(WEEK_XML) as arxiv:
        env = clean_env(tmp_path) | {
            "SLACK_BOT_TOKEN": None, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "oauth-SECRET",
            "SLACK_SIGNING_SECRET": "signing-SECRET", "DIGEST_SLACK_API_URL": slack.base_url,
            "DIGEST_SLACK_SCOPES": "commands,chat:write", "DIGEST_ARXIV_API_URL": arxiv.url,
        }
        result = run(env, "config", "check", "--online", "--timeout", "5")
        assert result.exit_code == 0, result.output
        [line] = [line for line in result.stderr.splitlines() if "Slack API" in line]
        assert line.startswith("ok") and "OAuth install" in line
        assert [c.method for c in slack.calls_to("auth.test")] == ["auth.test"]
        assert "SECRET" not in result.output


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("[]", "commands and chat:write missing"),
        ("chat:wrte,bogus", "commands and chat:write missing"),
        ("commands,chat:write,Chat Write", "'Chat Write' not a scope name"),
        ('["commands", "chat:write"', ""),  # not JSON
    ],
)
def test_oauth_scopes_that_are_not_slack_scopes_are_refused_naming_the_variable(tmp_path, value, why):
    env = clean_env(tmp_path) | {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "oauth-SECRET",
                                 "SLACK_SIGNING_SECRET": "s", "DIGEST_SLACK_SCOPES": value}
    result = run(env, "config", "check")
    assert result.exit_code == 2, result.output
    assert "DIGEST_SLACK_SCOPES" in result.stderr and "must be Slack bot scopes" in result.stderr, result.stderr
    assert why in result.stderr and "user ids" not in result.stderr and "SECRET" not in result.stderr


def test_oauth_scopes_left_empty_mean_the_default_and_each_form_is_read():
    assert SlackSettings(scopes="").scopes == SlackSettings(scopes="  ").scopes == list(SLACK_SCOPES)
    assert SlackSettings(scopes='["commands", "chat:write", "chat:write.public"]').scopes[-1] == "chat:write.public"
    assert SlackSettings(scopes="commands,chat:write,admin.teams:read").scopes[-1] == "admin.teams:read"


def test_config_check_refuses_oauth_over_http_without_a_signing_secret_as_run_does(tmp_path):
    env = clean_env(tmp_path) | {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "oauth-SECRET"}
    for command in (("config", "check"), ("run",)):
        result = run(env, *command)
        assert result.exit_code == 2, (command, result.output)
        assert "SLACK_SIGNING_SECRET is not set" in result.stderr and "SECRET" not in result.stderr.replace(
            "SLACK_SIGNING_SECRET", "").replace("SLACK_CLIENT_SECRET", ""), result.stderr
    assert run(env | {"SLACK_APP_TOKEN": "xapp-1"}, "config", "check").exit_code == 0  # Socket Mode: none needed


def test_a_start_in_oauth_mode_says_so(tmp_path):
    with FakeSlackAPI() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
        env |= {key: value for key, value in clean_env(tmp_path).items() if value is not None} | {
            "PYTHONPATH": str(README.parent), "SLACK_CLIENT_ID": slack.client_id,
            "SLACK_CLIENT_SECRET": slack.client_secret, "SLACK_SIGNING_SECRET": SECRET,
            "DIGEST_SLACK_API_URL": slack.base_url, "DIGEST_HTTP_PORT": str(free_port()),
        }
        log = tmp_path / "bot.log"
        with log.open("w") as stderr:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=README.parent, env=env,
                                    stdout=subprocess.DEVNULL, stderr=stderr)
            try:
                deadline = time.monotonic() + 60
                while "digest-bot running" not in log.read_text() and time.monotonic() < deadline:
                    assert proc.poll() is None, log.read_text()
                    time.sleep(0.2)
            finally:
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(30) == 0, log.read_text()
    assert "digest-bot running (slack (OAuth install, HTTP))" in log.read_text(), log.read_text()


def readme_manifests() -> list[dict]:
    section = README.read_text(encoding="utf-8").split("## Set up the Slack app", 1)[1].split("\n## ", 1)[0]
    return [yaml.safe_load(textwrap.dedent(block)) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


def test_the_readme_shows_both_manifests_with_the_same_scopes():
    single, distributed = readme_manifests()
    scopes = set(SlackSettings().scopes)
    assert set(single["oauth_config"]["scopes"]["bot"]) == scopes == set(distributed["oauth_config"]["scopes"]["bot"])
    assert "redirect_urls" not in single["oauth_config"]
    [redirect] = distributed["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)
    events = distributed["settings"]["event_subscriptions"]
    assert events["request_url"].endswith("/slack/events")
    assert {"app_uninstalled", "tokens_revoked"} <= set(events["bot_events"])
    [one], [many] = single["features"]["slash_commands"], distributed["features"]["slash_commands"]
    assert one["usage_hint"] == many["usage_hint"] and one["description"] == many["description"]


async def test_socket_mode_with_oauth_still_serves_the_install_pages_over_http(tmp_path):
    """Events come through the socket; Slack sends installers' browsers to the HTTP port."""
    from tests.test_slack_service import SocketModeSlack

    async with SocketModeSlack() as edge:
        store = open_store(f"sqlite:///{tmp_path / 'socket.db'}")
        http = free_port()
        settings = SlackSettings(
            client_id="1.2", client_secret="s", signing_secret=SECRET, app_token=edge.app_token,
            api_url=edge.base_url, http_port=http,
        )
        service = SlackService(settings, bolt_app(settings, SECRET, store, InstalledTokens(store)))
        await service.start()
        try:
            await asyncio.wait_for(edge.connected.wait(), 5)
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{http}/slack/install") as answer:
                    assert answer.status == 200 and "slack.com/oauth/v2/authorize" in await answer.text()
                async with session.post(f"http://127.0.0.1:{http}/slack/events", data=b"{}") as answer:
                    assert answer.status == 404  # events: the socket's
        finally:
            await service.stop()
            store.close()


async def test_the_fake_lets_a_token_act_in_its_own_team_only():
    """What the end-to-end test leans on: a token of another team is refused, as on Slack."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    with FakeSlackAPI() as slack:
        slack.add_channel("C2", team="T2")
        slack.add_user("UT2", team="T2")
        code = slack.authorize("T1")
        web = AsyncWebClient(base_url=slack.base_url)
        with pytest.raises(SlackApiError, match="bad_client_secret"):
            await web.oauth_v2_access(client_id=slack.client_id, client_secret="wrong", code=code)
        answer = await web.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret, code=code)
        assert answer["team"] == {"name": "Team T1", "id": "T1"} and answer["token_type"] == "bot"
        with pytest.raises(SlackApiError, match="invalid_code"):  # a code is used once
            await web.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret, code=code)
        t1 = AsyncWebClient(token=answer["access_token"], base_url=slack.base_url)
        assert (await t1.auth_test())["team_id"] == "T1"
        with pytest.raises(SlackApiError, match="channel_not_found"):
            await t1.chat_postMessage(channel="C2", text="hello")
        with pytest.raises(SlackApiError, match="user_not_found"):
            await t1.users_info(user="UT2")
        slack.uninstall("T1")
        with pytest.raises(SlackApiError, match="token_revoked"):
            await t1.auth_test()
