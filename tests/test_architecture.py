"""The one rule: the engine in digest/ never imports a chat SDK, the scheduler, bot/ or the
settings (config/): only the composition root (bot/app.py, bot/runner.py) reads them."""

import ast
from pathlib import Path

import pytest

FORBIDDEN = {"discord", "slack_bolt", "slack_sdk", "apscheduler", "bot", "config"}
ENGINE = Path(__file__).resolve().parents[1] / "digest"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_modules_exist():
    assert len(list(ENGINE.rglob("*.py"))) > 5


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_is_platform_free(path):
    assert not imported_roots(path) & FORBIDDEN


def test_the_check_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import discord\nfrom slack_sdk.web import WebClient\n")
    assert imported_roots(bad) & FORBIDDEN == {"discord", "slack_sdk"}
