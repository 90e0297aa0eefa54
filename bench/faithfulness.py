"""Faithfulness of card figures on the labelled set: invented figures caught, true ones left alone.

Labels: tests/fixtures/figures/labelled.jsonl, one headline, bullet or answer a line in
ja, en, zh, ko, de, fr or es, with the English source it was written from and the
figures it invented (as written). Every figure ``digest.llm.figures.figures`` finds is
either invented (labelled) or true. Targets, overall and in every language:

    catch rate       = invented figures flagged / invented figures   >= 0.95
    false-alarm rate = true figures flagged / true figures            <= 0.05

Exits non-zero when a target is missed, or when a label names no figure of its text.

    .venv/bin/python bench/faithfulness.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.llm.faithfulness import unsupported_figures  # noqa: E402
from digest.llm.figures import figures  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "figures" / "labelled.jsonl"
CATCH_TARGET, FALSE_ALARM_TARGET = 0.95, 0.05


def load(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(items: list[dict] | None = None) -> dict[str, dict[str, float]]:
    """Counts and rates per language, and "all": invented, caught, true, false_alarms, catch, false_alarm.

    Raises ValueError when a label is not one of its text's figures (a stale label would
    otherwise count as a catch missed, or hide one).
    """
    counts: dict[str, dict[str, float]] = {}
    for item in items if items is not None else load():
        written = [f.text for f in figures(item["text"])]
        if stray := [x for x in item["invented"] if x not in written]:
            raise ValueError(f"{item['id']}: labelled {stray} are not figures of {item['text']!r} ({written})")
        flagged = set(unsupported_figures(item["text"], *item["sources"]))
        invented = set(item["invented"])
        for lang in (item["lang"], "all"):
            c = counts.setdefault(lang, {"items": 0, "invented": 0, "caught": 0, "true": 0, "false_alarms": 0})
            c["items"] += 1
            for text in dict.fromkeys(written):  # a figure written twice in one text counts once
                if text in invented:
                    c["invented"] += 1
                    c["caught"] += text in flagged
                else:
                    c["true"] += 1
                    c["false_alarms"] += text in flagged
    for c in counts.values():
        c["catch"] = c["caught"] / c["invented"] if c["invented"] else 1.0
        c["false_alarm"] = c["false_alarms"] / c["true"] if c["true"] else 0.0
    return counts


def misses(counts: dict[str, dict[str, float]]) -> list[str]:
    return [f"{lang}: {name} {c[key]:.3f}" for lang, c in counts.items()
            for name, key, ok in (("catch", "catch", c["catch"] >= CATCH_TARGET),
                                  ("false alarms", "false_alarm", c["false_alarm"] <= FALSE_ALARM_TARGET))
            if not ok]


def main() -> int:
    counts = measure()
    print(f"{int(counts['all']['items'])} labelled texts; targets: catch >= {CATCH_TARGET}, "
          f"false alarms <= {FALSE_ALARM_TARGET}")
    print(f"{'language':<10}{'texts':>7}{'invented':>10}{'caught':>8}{'catch':>8}"
          f"{'true':>7}{'flagged':>9}{'false alarm':>13}")
    order = ["all"] + sorted(k for k in counts if k != "all")
    for lang in order:
        c = counts[lang]
        print(f"{lang:<10}{c['items']:>7.0f}{c['invented']:>10.0f}{c['caught']:>8.0f}{c['catch']:>8.3f}"
              f"{c['true']:>7.0f}{c['false_alarms']:>9.0f}{c['false_alarm']:>13.3f}")
    if missed := misses(counts):
        print("MISSED: " + "; ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
