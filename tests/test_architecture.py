"""The project's structural rules, checked on the source.

- The engine in digest/ never imports a chat SDK, the scheduler, bot/ or the settings
  (config/); config/ imports nothing of ours (it is read by the composition root,
  bot/app.py, which builds everything from it).
- Exactly one product module constructs the LLM client: the root.
- No module in digest/, bot/ or config/ is over 300 lines.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"discord", "slack_bolt", "slack_sdk", "apscheduler", "bot", "config"}
ENGINE = ROOT / "digest"
CONFIG = ROOT / "config"
PRODUCT = sorted(p for folder in ("bot", "digest", "config") for p in (ROOT / folder).rglob("*.py"))
MAX_LINES = 300


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def calls_of(path: Path, name: str) -> int:
    """How many times ``name(...)`` (or ``x.name(...)``) is called in the module."""
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            count += called == name
    return count


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_engine_modules_exist():
    assert len(list(ENGINE.rglob("*.py"))) > 5


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_is_platform_free(path):
    assert not imported_roots(path) & FORBIDDEN


@pytest.mark.parametrize("path", sorted(CONFIG.rglob("*.py")), ids=lambda p: str(p.relative_to(CONFIG)))
def test_config_imports_nothing_of_ours(path):
    assert not imported_roots(path) & {"bot", "digest"}


def test_the_check_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import discord\nfrom slack_sdk.web import WebClient\n")
    assert imported_roots(bad) & FORBIDDEN == {"discord", "slack_sdk"}


def test_one_module_constructs_the_llm_client():
    makers = {relative(p): n for p in PRODUCT if (n := calls_of(p, "LLMClient"))}
    assert makers == {"bot/app.py": 1}


def test_the_call_count_sees_plain_and_qualified_calls(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from x import LLMClient\nimport x\na = LLMClient()\nb = x.LLMClient(m=1)\nc = LLMClient\n")
    assert calls_of(module, "LLMClient") == 2


def test_config_lists_the_languages_the_engine_has_tables_for():
    from config.settings import LANGUAGES
    from digest.i18n import LANGUAGE_NAMES

    assert LANGUAGES == tuple(LANGUAGE_NAMES)


@pytest.mark.parametrize("path", PRODUCT, ids=relative)
def test_modules_are_at_most_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{relative(path)} has {lines} lines; split it by job"


def test_the_shipped_demo_feed_carries_no_test_faults():
    from bot.demo.arxiv_feed import ArxivFeedServer as Shipped
    from tests.fakes.arxiv import ArxivFeedServer as ForTests

    shipped, for_tests = Shipped([]), ForTests([])
    try:
        assert not hasattr(shipped, "script") and not hasattr(shipped, "requests")
        assert hasattr(for_tests, "script") and for_tests.requests == []
    finally:
        shipped.close()
        for_tests.close()
