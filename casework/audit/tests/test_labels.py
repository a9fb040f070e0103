"""Every audit action the code writes has a label an auditor can read."""

from __future__ import annotations

import re
from pathlib import Path

from casework.audit.labels import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2]
# `action="client.view"`, `action: str = "case.view"` in calls and defaults outside the tests.
ACTION_LITERAL = re.compile(r"\baction(?:\s*:\s*str)?\s*=\s*\"([a-z_]+\.[a-z_]+)\"")


def actions_written_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.parts[-2:] == ("audit", "labels.py"):
            continue
        found.update(ACTION_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_scan_finds_the_actions_it_should() -> None:
    actions = actions_written_by_the_code()
    # A few known writers, so a broken pattern cannot pass by finding nothing.
    assert {"client.view", "note.sign", "assessment.complete"} <= actions


def test_every_action_the_code_writes_has_a_label() -> None:
    missing = sorted(actions_written_by_the_code() - set(ACTION_LABELS))
    assert missing == [], f"add labels in casework/audit/labels.py for: {missing}"


def test_an_unknown_action_shows_its_code() -> None:
    assert action_label("something.new") == "something.new"
    assert action_label("note.sign") == "Signed a progress note"
