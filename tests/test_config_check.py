"""Settings and input that can neither crash the bot nor leak a secret, through the real CLI.

Every case sets real environment variables or writes a real TOML file and runs
`digest-bot` through typer's runner (or as a process, for what a start logs); the
services `config check --online` asks are the loopback fakes.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.lease import make_lease
from bot.logs import QUIET, setup_logging
from digest.llm.client import LLMClient
from digest.store import open_store
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_api import FakeSlackAPI
from tests.test_cli import LOOPBACK_ARXIV, WEEK_ARGS, clean_env, run

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "xoxb-1234567890-SECRETTOKEN"
URL_SETTINGS = [
    "OPENAI_BASE_URL",
    "DIGEST_ARXIV_API_URL",
    "DIGEST_ARXIV_HTML_URL",
    "DIGEST_ARXIV_PDF_URL",
    "DIGEST_ARXIV_LISTING_URL",
    "DIGEST_ARXIV_OAI_URL",
    "DIGEST_SLACK_API_URL",
    "DIGEST_DISCORD_API_URL",
]


@pytest.fixture
def env(tmp_path):
    return clean_env(tmp_path)


def refused(result, *expected: str) -> str:
    """The error text of a run refused with exit 2, each ``expected`` in it, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


# -- bad values: key, value, what is allowed, exit 2 --------------------------------------


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("not a url", "is not a database URL"),
        ("postgres://bot:hunter2@db/digest", "names an unknown database or driver"),  # SQLAlchemy wants postgresql
        ("postgresql+nosuchdriver://bot:hunter2@db/digest", "names an unknown database or driver"),
        ("mysql+pymysql://bot:hunter2@db/digest", "must be SQLite or PostgreSQL"),
        ("postgresql+asyncpg://bot:hunter2@db/digest", "must be SQLite or PostgreSQL with a synchronous driver"),
    ],
)
def test_a_malformed_database_url_is_named_with_what_is_allowed(env, value, why):
    text = refused(run(env | {"DIGEST_DATABASE_URL": value}, "config", "check"), "database.url = ", why)
    assert "postgresql+psycopg://user:password@host:5432/db" in text and "DIGEST_DATABASE_URL" in text
    assert "hunter2" not in text


def test_allowed_users_that_are_not_json_are_named(env):
    refused(
        run(env | {"DIGEST_SLACK_ALLOWED_USERS": "U123"}, "config", "check"),
        "slack.allowed_users = 'U123': must be a JSON list of Slack user ids",
        "DIGEST_SLACK_ALLOWED_USERS",
    )
    result = run(env | {"DIGEST_SLACK_ALLOWED_USERS": '["U123"]'}, "config", "check")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("variable", URL_SETTINGS)
def test_every_url_setting_must_be_http(env, variable):
    refused(
        run(env | {variable: "ftp://user:pw-SECRET@example.org/x"}, "config", "check"),
        "must be an http:// or https:// URL",
    )
    refused(run(env | {variable: "localhost:8080"}, "config", "check"), "'localhost:8080'")


def test_arxiv_spacing_below_three_seconds_is_refused_for_arxiv_org(env):
    on_arxiv = {key: value for key, value in env.items() if key not in LOOPBACK_ARXIV}
    text = refused(
        run(on_arxiv | {"DIGEST_ARXIV_MIN_INTERVAL": "1"}, "config", "check"),
        "arxiv.min_interval = '1': must be at least 3 seconds",
        "https://info.arxiv.org/help/api/tou.html",
    )
    assert "DIGEST_ARXIV_MIN_INTERVAL" in text
    # One URL left on arxiv.org is enough: the spacing is the whole process's.
    one = env | {"DIGEST_ARXIV_PDF_URL": "https://arxiv.org/pdf/", "DIGEST_ARXIV_MIN_INTERVAL": "1"}
    refused(run(one, "config", "check"), "arxiv.min_interval")
    assert run(on_arxiv | {"DIGEST_ARXIV_MIN_INTERVAL": "3"}, "config", "check").exit_code == 0
    assert run(env | {"DIGEST_ARXIV_MIN_INTERVAL": "0"}, "config", "check").exit_code == 0  # a mirror / test server


def test_several_problems_are_reported_together(env):
    text = refused(
        run(env | {"DIGEST_DATABASE_URL": "nope", "DIGEST_SLACK_ALLOWED_USERS": "U1", "DIGEST_LLM_MODLE": "x"}, "config", "check"),
        "database.url", "slack.allowed_users", "DIGEST_LLM_MODLE",
    )  # fmt: skip
    assert text.count("\n  ") >= 3


# -- misspelt keys: refused, with the closest valid one, never echoing a secret -----------


@pytest.mark.parametrize(
    ("variable", "value", "closest"),
    [
        ("DIGEST_SLACK_ADMIN_ONLY", "true", "DIGEST_SLACK_ADMINS_ONLY"),
        ("DIGEST_SLACK_BOT_TOKN", TOKEN, "DIGEST_SLACK_BOT_TOKEN"),
        ("DIGEST_SLAK_BOT_TOKEN", TOKEN, "DIGEST_SLACK_BOT_TOKEN"),  # a wrong section: pydantic-settings ignores it
        ("DIGEST_DISCORD_TOKN", "MTAxMjM0NTY3ODkwMTIzNDU2.GhIjKl.abcdefghijklmnopqrstuvwxyz0123", "DIGEST_DISCORD_TOKEN"),
        ("DIGEST_ARXIV_MIN_INTERVALL", "5", "DIGEST_ARXIV_MIN_INTERVAL"),
    ],
)
def test_a_misspelt_variable_is_refused_naming_the_closest(env, variable, value, closest):
    text = refused(run(env | {variable: value}, "config", "check"), variable, f"did you mean {closest}?")
    assert value not in text or value in ("true", "5")
    assert "(hidden)" in text or value in ("true", "5")


def test_an_unknown_variable_with_no_close_match_says_how_variables_are_named(env):
    refused(run(env | {"DIGEST_FROBNICATE": "1"}, "config", "check"), "DIGEST_FROBNICATE = '1': unknown variable", "DIGEST_<SECTION>_<KEY>")


def test_a_misspelt_key_refuses_run_too(env):
    result = run(env | {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "s", "DIGEST_SLACK_ADMIN_ONLY": "true"}, "run")
    refused(result, "did you mean DIGEST_SLACK_ADMINS_ONLY?")


def test_a_wrong_toml_section_or_key_is_refused_without_its_secrets(env, tmp_path):
    file = tmp_path / "bot.toml"
    file.write_text(
        "[slak]\n"
        f'bot_token = "{TOKEN}"\n'
        'signing_secrte = "sign-SECRET"\n'
        'tokn_like = "xapp-1-A0-SECRET"\n'
        'api_url = "https://bob:pw-SECRET@proxy.example/api/"\n'
        "[slack]\nadmin_only = true\n"
        "[channels]\nmax_subscription = 5\n"
        "language = \"en\"\n",
        encoding="utf-8",
    )
    text = refused(
        run(env | {"DIGEST_CONFIG_FILE": str(file)}, "config", "check"),
        "[slak] = ", "unknown section in DIGEST_CONFIG_FILE; did you mean [slack]?",
        "slack.admin_only = True: unknown setting in DIGEST_CONFIG_FILE; did you mean slack.admins_only?",
        "channels.max_subscription = 5", "did you mean channels.max_subscriptions?",
        "channels.language", "https://bob:***@proxy.example/api/",
    )  # fmt: skip
    assert "SECRET" not in text and "1234567890" not in text


def test_a_key_outside_any_section_names_its_section(env, tmp_path):
    file = tmp_path / "bot.toml"
    file.write_text("admins_only = true\n", encoding="utf-8")
    refused(run(env | {"DIGEST_CONFIG_FILE": str(file)}, "config", "check"), "did you mean admins_only under [slack]?")


# -- credentials in URLs, masked everywhere ------------------------------------------------


def test_proxy_credentials_in_every_url_setting_are_masked(env):
    values = {name: f"http://bob:pw-SECRET@127.0.0.1:9/{name.lower()}?token=q-SECRET" for name in URL_SETTINGS}
    slack = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "sign-SECRET"}
    result = run(env | values | slack | {"DISCORD_TOKEN": "d-SECRET"}, "config", "check")
    assert result.exit_code == 0, result.output
    assert "SECRET" not in result.output
    assert "http://bob:***@127.0.0.1:9/digest_slack_api_url?token=***" in result.stdout
    assert "LLM gpt-4o-mini at http://bob:***@127.0.0.1:9/openai_base_url" in result.stderr  # the mode line too


# -- --online: one line per service -------------------------------------------------------


@pytest.fixture
def services(env, tmp_path):
    with FakeOpenAI() as llm, FakeSlackAPI(token=TOKEN) as slack, FakeDiscord() as discord, ArxivFeedServer(WEEK_XML) as arxiv:
        yield llm, slack, discord, arxiv, env | {
            "OPENAI_BASE_URL": llm.base_url.replace("http://", "http://bob:pw-SECRET@"),
            "DIGEST_LLM_MODEL": "fake-model",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": "sign-SECRET",
            "DIGEST_SLACK_API_URL": slack.base_url,
            "DISCORD_TOKEN": discord.token,
            "DIGEST_DISCORD_API_URL": discord.api_url,
            "DIGEST_ARXIV_API_URL": arxiv.url,
        }


def test_online_check_asks_each_configured_service(services):
    llm, slack, discord, arxiv, env = services
    result = run(env, "config", "check", "--online", "--timeout", "5")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith(("ok", "FAILED"))]
    assert [line.split(":")[0] for line in lines] == [
        "ok     database", "ok     LLM server", "ok     Slack API", "ok     Discord API", "ok     arXiv API",
    ]  # fmt: skip
    assert "not created yet" in lines[0]
    assert "(model fake-model)" in lines[1] and "bob:***@" in lines[1]
    assert [call.method for call in slack.calls_to("auth.test")] == ["auth.test"]
    assert len(arxiv.requests) == 1
    assert "SECRET" not in result.output


def test_online_check_names_what_fails_and_exits_1(services, tmp_path):
    llm, slack, discord, arxiv, env = services
    env |= {
        "DIGEST_LLM_MODEL": "qwen-typo",
        "SLACK_BOT_TOKEN": "xoxb-0000-wrong-SECRET",
        "DISCORD_TOKEN": "wrong-SECRET",
        "DIGEST_DATABASE_URL": "postgresql+psycopg://postgres:pw-SECRET@127.0.0.1:9/test",
        "DIGEST_ARXIV_API_URL": "http://127.0.0.1:9/api/query",
    }
    started = time.monotonic()
    result = run(env, "config", "check", "--online", "--timeout", "3")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    failed = {line.split(":")[0].removeprefix("FAILED ") for line in result.stderr.splitlines() if line.startswith("FAILED")}
    assert failed == {"database", "LLM server", "Slack API", "Discord API", "arXiv API"}
    assert "does not list the model 'qwen-typo'" in result.stderr and "it lists fake-model" in result.stderr
    assert "refuses the token: invalid_auth" in result.stderr and "Connection refused" in result.stderr
    assert "SECRET" not in result.output and "Traceback" not in result.output


# -- a database that is not there: one line, exit 1 ---------------------------------------

UNREACHABLE = "postgresql+psycopg://postgres:pw-SECRET@127.0.0.1:9/test"


@pytest.mark.parametrize("command", [("status",), WEEK_ARGS, ("run",)])
def test_an_unreachable_database_is_one_line_and_exit_1(env, command):
    env |= {"DIGEST_DATABASE_URL": UNREACHABLE, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "s"}
    result = run(env, *command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "SECRET" not in result.output
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "cannot open the database at postgresql+psycopg://postgres:***@127.0.0.1:9/test (DIGEST_DATABASE_URL)" in line
    assert "Connection refused" in line


@pytest.mark.postgres
def test_a_login_the_server_refuses_is_one_line_and_exit_1(env, pg_admin):
    env |= {"DIGEST_DATABASE_URL": "postgresql+psycopg://no_such_role:pw-SECRET@127.0.0.1:5432/test"}
    result = run(env, "status")
    assert result.exit_code == 1 and "Traceback" not in result.output and "SECRET" not in result.output
    assert 'role "no_such_role" does not exist' in result.stderr or "authentication failed" in result.stderr


def test_a_sqlite_file_in_a_missing_folder_is_one_line_and_exit_1(env, tmp_path):
    result = run(env | {"DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'bot.db'}"}, "status")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot create the database at" in result.stderr and "does its folder exist" in result.stderr


def test_sqlite_files_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask, which would leave them world-readable
    try:
        path = tmp_path / "bot.db"
        store = open_store(f"sqlite:///{path}")
        lease = make_lease(f"sqlite:///{path}")
        try:
            with store.engine.connect():  # a connection held open keeps -wal and -shm in place
                assert lease.try_acquire()
                files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        finally:
            lease.release()
            store.close()
    finally:
        os.umask(old)
    assert set(files) == {"bot.db", "bot.db-wal", "bot.db-shm", "bot.db.lock"}, files
    assert files == dict.fromkeys(files, 0o600)


# -- digest --output into a folder that does not exist -------------------------------------


def test_output_into_a_missing_folder_fails_before_any_work(env, tmp_path):
    with ArxivFeedServer(WEEK_XML) as arxiv:
        # A bad setting too: the output is checked first, before the settings are even read.
        bad = env | {"DIGEST_ARXIV_API_URL": arxiv.url, "DIGEST_LLM_CONCURRENCY": "0"}
        result = run(bad, *WEEK_ARGS, "--output", str(tmp_path / "no" / "such" / "week.md"))
        text = refused(result, f"--output {tmp_path / 'no' / 'such' / 'week.md'}: the folder", "does not exist")
        assert "mkdir -p" in text and "nothing was fetched" in text and "llm.concurrency" not in text
        folder = run(bad, *WEEK_ARGS, "--output", str(tmp_path))
        refused(folder, "is a folder")
        assert arxiv.requests == []


# -- log lines an operator can act on ------------------------------------------------------


@pytest.fixture
def logs():
    """``setup_logging`` into a buffer; the root logger and the libraries' levels restored after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in QUIET}
    stream = io.StringIO()
    setup_logging(stream, logging.INFO)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_the_llm_client_logs_no_line_per_request_and_no_credentials(logs):
    async def ask(base_url: str) -> None:
        async with LLMClient("fake-model", api_key="sk-SECRETKEY0123456789", base_url=base_url) as client:
            await client.complete_json([{"role": "user", "content": "hi"}], {"type": "object"}, "answer")
            await client.complete_json([{"role": "user", "content": "again"}], {"type": "object"}, "answer")

    with FakeOpenAI() as llm:
        asyncio.run(ask(llm.base_url.replace("http://", "http://bob:pw-SECRET@")))
        assert len(llm.requests) == 2
    logging.getLogger("bot.anything").warning("proxy at %s with %s", "https://bob:pw-SECRET@proxy:3128", TOKEN)
    text = logs.getvalue()
    assert "HTTP Request" not in text and "/chat/completions" not in text
    assert "SECRET" not in text and "bob:***@proxy:3128" in text and "xoxb-***" in text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_start_logs_only_what_an_operator_can_act_on(tmp_path):
    """`python -m bot run` on Slack (HTTP mode) and Discord, against the fakes: what a start says."""
    with FakeSlackAPI(token=TOKEN) as slack, FakeDiscord() as discord, FakeOpenAI() as llm:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
        env |= LOOPBACK_ARXIV | {
            "PYTHONPATH": str(ROOT),
            "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "DIGEST_ARXIV_MIN_INTERVAL": "0",
            "DIGEST_SLACK_API_URL": slack.base_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": "sign-SECRET",
            "DIGEST_HTTP_PORT": str(free_port()),
            "DISCORD_TOKEN": discord.token,
            "DIGEST_DISCORD_API_URL": discord.api_url,
            "OPENAI_BASE_URL": llm.base_url.replace("http://", "http://bob:pw-SECRET@"),
        }
        log = tmp_path / "bot.log"
        with log.open("w") as stderr:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
            try:
                deadline = time.monotonic() + 60
                while "digest-bot running" not in log.read_text() and time.monotonic() < deadline:
                    assert proc.poll() is None, log.read_text()
                    time.sleep(0.2)
                time.sleep(1.0)  # what follows a start: the gateway's READY, the lease
            finally:
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(30) == 0, log.read_text()
    lines = log.read_text().splitlines()
    assert any("digest-bot running (slack (one workspace's token, HTTP), discord)" in line for line in lines), lines
    assert [line for line in lines if line.startswith(("WARNING", "ERROR", "CRITICAL", "Traceback"))] == []
    text = "\n".join(lines)
    for noise in ("voice will NOT be supported", "will be unused", "static token", "Context impl", "HTTP Request"):
        assert noise not in text
    assert "SECRET" not in text and TOKEN not in text


def _start(tmp_path, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
    env |= LOOPBACK_ARXIV | {"PYTHONPATH": str(ROOT), "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"} | settings
    return subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "s", "DIGEST_SLACK_API_URL": "http://127.0.0.1:9/api/"},
         "cannot reach the Slack Web API at http://127.0.0.1:9/api/ (DIGEST_SLACK_API_URL)"),
        ({"DISCORD_TOKEN": "t", "DIGEST_DISCORD_API_URL": "http://127.0.0.1:9/api/v10"},
         "cannot reach the Discord API at http://127.0.0.1:9/api/v10 (DIGEST_DISCORD_API_URL)"),
        # OAuth install in Socket Mode: no token of its own to try, yet the same one line.
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "oauth-SECRET", "SLACK_APP_TOKEN": "xapp-1-SECRET",
          "DIGEST_SLACK_API_URL": "http://127.0.0.1:9/api/"},
         "cannot reach the Slack Web API at http://127.0.0.1:9/api/ (DIGEST_SLACK_API_URL)"),
    ],
)
def test_an_unreachable_chat_service_is_exit_1_and_the_error_comes_last(tmp_path, settings, says):
    result = _start(tmp_path, **settings)
    assert result.returncode == 1, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr and "Unclosed" not in result.stderr
    assert "SECRET" not in result.stderr
    assert "stopped" not in result.stderr.split(says)[1]  # nothing after the error
    assert result.stderr.rstrip().splitlines()[-1].startswith("error:") or says in result.stderr.rstrip().splitlines()[-1]


def test_a_refused_token_at_start_stays_a_configuration_error(tmp_path):
    with FakeSlackAPI(token=TOKEN) as slack:
        result = _start(tmp_path, SLACK_BOT_TOKEN="xoxb-wrong-SECRET", SLACK_SIGNING_SECRET="s",
                        DIGEST_SLACK_API_URL=slack.base_url)
    assert result.returncode == 2, result.stderr
    assert "Slack refused SLACK_BOT_TOKEN" in result.stderr and "wrong-SECRET" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("OPENAI_BASE_URL", "ftp://h", "llm.base_url = 'ftp://h': must be an http:// or https:// URL"),
        ("DIGEST_HTTP_PORT", "abc", "slack.http_port = 'abc': write a whole number"),
        ("DIGEST_SLACK_ALLOWED_USERS", '["U123", 5]', "slack.allowed_users.1 = 5: write text, in quotes"),
        ("DIGEST_DEFAULTS_TIME", "25:00", "defaults.time = '25:00': write a time as HH:MM in 24-hour form"),
        ("DIGEST_DEFAULTS_WEEKDAY", "funday", "write one of mon, tue, wed, thu, fri, sat or sun"),
        ("DIGEST_SLACK_ADMINS_ONLY", "maybe", "slack.admins_only = 'maybe': write true or false"),
    ],
)
def test_a_bad_value_names_the_variable_that_was_set_and_what_is_allowed_in_plain_words(env, variable, value, says):
    text = refused(run(env | {variable: value}, "config", "check"), says, f"(set it in DIGEST_CONFIG_FILE or {variable})")
    assert "Input should" not in text and "String should" not in text and "DIGEST_LLM_BASE_URL" not in text
    assert "_1)" not in text and "DIGEST_SLACK_HTTP_PORT" not in text


def test_a_config_file_that_is_a_folder_says_so(env, tmp_path):
    refused(run(env | {"DIGEST_CONFIG_FILE": str(tmp_path)}, "config", "check"), f"DIGEST_CONFIG_FILE={tmp_path} is a folder")


def test_a_sqlite_database_in_a_missing_folder_is_told_offline(env, tmp_path):
    result = run(env | {"DIGEST_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/x.db"}, "config", "check")
    assert result.exit_code == 1 and f"the folder {tmp_path}/no/such/dir does not exist" in result.stderr
    assert "configuration is valid" not in result.stderr
    assert not (tmp_path / "no").exists()


def test_a_guild_id_must_be_a_number(env):
    refused(run(env | {"DIGEST_DISCORD_GUILD_ID": "abc"}, "config", "check"),
            "discord.guild_id = 'abc': must be a server id, digits only", "DIGEST_DISCORD_GUILD_ID")
    assert run(env | {"DIGEST_DISCORD_GUILD_ID": "123456789012345678"}, "config", "check").exit_code == 0


def test_a_top_level_slack_token_suggests_the_slack_tokens(env, tmp_path):
    file = tmp_path / "bot.toml"
    file.write_text(f'slack_token = "{TOKEN}"\n')
    text = refused(run(env | {"DIGEST_CONFIG_FILE": str(file)}, "config", "check"),
                   "did you mean bot_token or app_token under [slack]?")
    assert TOKEN not in text


def test_token_counts_are_not_hidden_like_credentials(tmp_path):
    result = run(clean_env(tmp_path) | {"DIGEST_BUDGET_MONTHLY_TOKENS": "500k"}, "config", "check")
    assert result.exit_code == 2 and "budget.monthly_tokens = '500k'" in result.output


def test_demo_output_that_is_a_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    result = run(clean_env(tmp_path) | {"DIGEST_DEFAULTS_OUTPUT_DIR": str(tmp_path / "out")}, "demo")
    assert result.exit_code == 2 and "cannot use" in result.output and "Traceback" not in result.output


def test_the_test_suite_s_switches_are_not_taken_for_misspelt_settings(tmp_path):
    """.ci/run sets both: refusing them would refuse every command run under CI."""
    env = clean_env(tmp_path) | {"DIGEST_REQUIRE_POSTGRES": "1", "DIGEST_REQUIRE_BROWSER": "1"}
    assert run(env, "config", "check").exit_code == 0


def test_procrastinate_says_only_its_warnings_and_errors(logs):
    """The queue's library logs a line per job and, at every worker start, that it has no
    periodic task: held at WARNING like the per-request libraries; its warnings kept."""
    from procrastinate.periodic import PeriodicDeferrer, PeriodicRegistry

    asyncio.run(PeriodicDeferrer(PeriodicRegistry()).worker())  # no periodic task: an INFO line, then returns
    logging.getLogger("procrastinate.worker").warning("job 7 stalled")
    text = logs.getvalue()
    assert "No periodic task found" not in text
    assert "WARNING procrastinate.worker: job 7 stalled" in text
