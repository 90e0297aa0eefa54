"""The `digest-bot` command line, driven through typer's runner against loopback fakes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.__main__ import app
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI

SECRET = "sk-test-do-not-print-1234"


CLOSED = "http://127.0.0.1:9"  # nothing listens on the discard port: a test never reaches arXiv
# A spacing under arXiv's 3 s is allowed only when no arXiv URL points at arxiv.org.
LOOPBACK_ARXIV = {
    f"DIGEST_ARXIV_{name}_URL": f"{CLOSED}/{name.lower()}" for name in ("API", "HTML", "PDF", "LISTING", "OAI")
}


def clean_env(tmp_path) -> dict[str, str | None]:
    """A clean configuration: no LLM, a private database, fast arXiv spacing (off arxiv.org)."""
    return LOOPBACK_ARXIV | {
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "DIGEST_CONFIG_FILE": None,
        "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "DIGEST_DEFAULTS_OUTPUT_DIR": str(tmp_path / "out"),
        "DIGEST_DEFAULTS_TIMEZONE": "UTC",
        "DIGEST_ARXIV_MIN_INTERVAL": "0",
        "DIGEST_ARXIV_BACKOFF": "0.01",
        "DIGEST_ARXIV_RETRIES": "1",
    }


@pytest.fixture
def env(tmp_path):
    return clean_env(tmp_path)


def run(env, *args):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


WEEK_ARGS = ("digest", "--topic", "synthetic data", "--from", "2024-04-19", "--to", "2024-04-25")


def test_digest_as_json_with_an_llm(env, arxiv):
    with FakeOpenAI() as llm:
        env |= {"DIGEST_ARXIV_API_URL": arxiv.url, "OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": llm.base_url, "DIGEST_LLM_MODEL": "fake-model"}
        result = run(env, *WEEK_ARGS, "--format", "json", "--max", "3", "--lang", "ja")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["topic"], data["from"], data["to"]) == ("synthetic data", "2024-04-19", "2024-04-25")
    assert len(data["cards"]) == 3 and llm.count == 3 + 1  # and the week at a glance
    assert data["overview"] and all(isinstance(line, str) for line in data["overview"])
    assert {c["summarizer"] for c in data["cards"]} == {"llm:fake-model"}
    assert SECRET not in result.output


def test_digest_markdown_to_a_file(env, arxiv, tmp_path):
    out = tmp_path / "week.md"
    result = run(env | {"DIGEST_ARXIV_API_URL": arxiv.url}, *WEEK_ARGS, "--lang", "en", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "synthetic data (2024-04-19 ~ 2024-04-25)"')
    assert text.count("\n### [") == 8
    assert "Extractive summary from the abstract (no LLM configured)" in text
    assert "Wrote 8 cards" in result.stderr


def test_a_bad_topic_is_refused_before_any_request(env, arxiv):
    result = run(env | {"DIGEST_ARXIV_API_URL": arxiv.url}, "digest", "--topic", "cat:cs.CL AND")
    assert result.exit_code == 2
    assert "invalid topic:" in result.stderr and arxiv.requests == []


def test_an_arxiv_outage_exits_1_and_says_so(env, arxiv):
    arxiv.script([("status", 503)] * 2)
    result = run(env | {"DIGEST_ARXIV_API_URL": arxiv.url}, *WEEK_ARGS)
    assert result.exit_code == 1
    assert "503" in result.stderr and "try again" in result.stderr


def test_dates_must_be_iso_and_in_order(env):
    assert run(env, "digest", "--topic", "x", "--from", "19/04/2024").exit_code == 2
    result = run(env, "digest", "--topic", "x", "--from", "2024-04-25", "--to", "2024-04-19")
    assert result.exit_code == 2 and "before --from" in result.output


def test_unknown_language_is_refused(env):
    result = run(env, *WEEK_ARGS, "--lang", "xx")
    assert result.exit_code == 2 and "ja, en" in result.output


def test_config_check_masks_secrets(env):
    env |= {"OPENAI_API_KEY": SECRET, "DIGEST_DATABASE_URL": "postgresql+psycopg://bot:hunter2@db:5432/digest"}
    result = run(env, "config", "check")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output and "hunter2" not in result.output
    values = json.loads(result.stdout)
    assert values["llm"]["api_key"] == "**********"
    assert values["database"]["url"] == "postgresql+psycopg://bot:***@db:5432/digest"
    assert "configuration is valid" in result.stderr


def test_config_check_names_key_value_and_what_is_allowed(env):
    result = run(env | {"DIGEST_LLM_CONCURRENCY": "0", "DIGEST_DEFAULTS_TIMEZONE": "Mars/Olympus"}, "config", "check")
    assert result.exit_code == 2
    assert "llm.concurrency = '0': write a whole number 1 or more" in result.stderr
    assert "defaults.timezone = 'Mars/Olympus': must be an IANA time zone" in result.stderr
    assert "DIGEST_LLM_CONCURRENCY" in result.stderr


def test_config_check_masks_credentials_in_the_llm_url(env):
    url = "http://bob:pw-SECRET@127.0.0.1:1/v1?api_key=q-SECRET"
    result = run(env | {"OPENAI_BASE_URL": url}, "config", "check")
    assert result.exit_code == 0, result.output
    assert "SECRET" not in result.output
    assert json.loads(result.stdout)["llm"]["base_url"] == "http://bob:***@127.0.0.1:1/v1?api_key=***"


def test_config_check_masks_credentials_in_every_url(env):
    env |= {"DIGEST_DATABASE_URL": "postgresql+psycopg://bob:pw-SECRET@db:5432/d?sslpassword=q-SECRET",
            "DIGEST_ARXIV_API_URL": "http://u:pw-SECRET@127.0.0.1:1/q?key=k-SECRET"}  # fmt: skip
    result = run(env, "config", "check")
    assert result.exit_code == 0, result.output
    assert "SECRET" not in result.output
    values = json.loads(result.stdout)
    assert values["database"]["url"] == "postgresql+psycopg://bob:***@db:5432/d?sslpassword=***"
    assert values["arxiv"]["api_url"] == "http://u:***@127.0.0.1:1/q?key=***"
    assert values["arxiv"]["html_url"] == f"{CLOSED}/html"  # nothing to hide: as it is


def test_a_misspelt_or_malformed_setting_is_refused(env, tmp_path):
    typo = run(env | {"DIGEST_LLM_MODLE": "qwen"}, "config", "check")
    assert typo.exit_code == 2
    assert "DIGEST_LLM_MODLE = 'qwen': unknown variable; did you mean DIGEST_LLM_MODEL?" in typo.stderr
    not_url = run(env | {"OPENAI_BASE_URL": "localhost:11434"}, "config", "check")
    assert not_url.exit_code == 2 and "must be an http:// or https:// URL" in not_url.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[llm]\nmodel = \n", encoding="utf-8")
    broken = run(env | {"DIGEST_CONFIG_FILE": str(bad)}, "config", "check")
    assert broken.exit_code == 2 and "is not valid TOML" in broken.stderr and "Traceback" not in broken.output


def test_an_output_path_that_cannot_be_written_is_refused_before_any_work(env, arxiv, tmp_path):
    env |= {"DIGEST_ARXIV_API_URL": arxiv.url}
    result = run(env, *WEEK_ARGS, "--output", str(tmp_path / "no" / "such" / "week.md"))
    assert result.exit_code == 2 and "--output" in result.output and arxiv.requests == []


def test_config_file_overrides_defaults_and_env_overrides_the_file(env, tmp_path):
    file = tmp_path / "bot.toml"
    file.write_text('[defaults]\nlanguage = "en"\nmax_papers = 7\n', encoding="utf-8")
    result = run(env | {"DIGEST_CONFIG_FILE": str(file), "DIGEST_DEFAULTS_MAX_PAPERS": "3"}, "config", "check")
    values = json.loads(result.stdout)
    assert values["defaults"]["language"] == "en" and values["defaults"]["max_papers"] == 3
    missing = run(env | {"DIGEST_CONFIG_FILE": str(tmp_path / "nope.toml")}, "config", "check")
    assert missing.exit_code == 2 and "nope.toml: no such file" in missing.stderr


def test_demo_runs_offline_and_writes_markdown(env, tmp_path):
    result = run(env, "demo", "--lang", "en")
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / "synthetic-data_2024-04-19_2024-04-25.md"
    text = written.read_text(encoding="utf-8")
    assert text.count("\n### [") == 5
    assert "Better Synthetic Data by Retrieving and Transforming Existing Datasets" in result.stdout
    assert "5 of 8 papers" in result.stderr
    assert "Summarising papers" in result.stderr  # the progress bar
    # The week at a glance opens it, as a chat header does (no LLM here: the themes).
    assert text.index("Themes this week: ") < text.index("\n### [")


def test_every_command_the_readme_shows_exists(env):
    """Each `digest-bot ...` line of the README's shell blocks names a real command."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    shown = set()
    for line in "\n".join(blocks).splitlines():
        for match in re.finditer(r"(?:^|\s|/)digest-bot((?: [a-z][a-z-]*)+)", line):
            shown.add(tuple(match.group(1).split()))
    assert {("demo",), ("digest",), ("config", "check"), ("run",), ("status",)} <= shown
    listed = readme.split("## The command line", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    for name in sorted(typer.main.get_command(app).commands):  # the README's list names every command of the CLI
        assert f"digest-bot {name}" in listed, name
    for words in sorted(shown):
        result = run(env, *words, "--help")
        assert result.exit_code == 0, (words, result.output)
    assert ".venv/bin/digest-bot config check" in readme and "source .venv/bin/activate" in readme


def test_digest_reads_a_full_width_topic_as_its_letters(env, arxiv):
    result = run(env | {"DIGEST_ARXIV_API_URL": arxiv.url}, "digest", "--topic", "ｓｙｎｔｈｅｔｉｃ ｄａｔａ",
                 "--from", "2024-04-19", "--to", "2024-04-25", "--format", "json", "--max", "3")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["topic"] == "synthetic data"
    assert all("ｓ" not in str(request.params) for request in arxiv.requests)
    assert any("synthetic" in str(request.params) for request in arxiv.requests)


@pytest.mark.parametrize(
    "path",
    [(), ("config",), ("config", "check"), ("subscriptions",), ("subscriptions", "add"), ("site", "build"),
     ("digest",), ("demo",), ("preview",), ("status",), ("run",), ("worker",)],
)
def test_help_shows_flags_as_flags_and_no_source_paths(env, path):
    result = CliRunner().invoke(app, [*path, "--help"], env=env | {"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout and ".py" not in result.stdout
    assert "--help " in result.stdout


def test_the_top_help_names_every_command(env):
    top = CliRunner().invoke(app, ["--help"], env=env | {"COLUMNS": "200"}).stdout
    summary = top.split("╭")[0]  # the text above the tables
    for command in ("run", "worker", "subscriptions", "status", "digest", "preview", "demo", "site", "config check"):
        assert command in summary, (command, summary)


def test_worker_without_the_queue_says_how_to_turn_it_on(env):
    result = CliRunner().invoke(app, ["worker"], env=env | {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.exit_code == 2
    assert "DIGEST_QUEUE_ENABLED=true" in result.output
    result = CliRunner().invoke(app, ["worker"], env=env | {"DIGEST_QUEUE_ENABLED": "true"})
    assert result.exit_code == 2 and "needs PostgreSQL" in result.output


def test_a_worker_without_a_chat_platform_names_what_it_posts_with(env):
    """The worker only posts: a bot token or the OAuth app, or Discord's token; none of
    `run`'s Socket Mode or signing secret."""
    queued = env | {"DIGEST_QUEUE_ENABLED": "true", "DIGEST_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:9/x",
                    "SLACK_BOT_TOKEN": None, "SLACK_CLIENT_ID": None, "DISCORD_TOKEN": None}  # fmt: skip
    result = CliRunner().invoke(app, ["worker"], env=queued)
    assert result.exit_code == 2, result.output
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "DISCORD_TOKEN"):
        assert name in result.output
    assert "SLACK_APP_TOKEN" not in result.output and "SIGNING_SECRET" not in result.output
    assert len(result.output.strip().splitlines()) == 1
