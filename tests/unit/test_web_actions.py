"""The page's clicks go through one table (app/web/actions.py): every `data-action` a view or index.html writes
has a handler there, and every handler is for an action some control carries."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from app.web.actions import ACTIONS, HANDLERS, Action, is_action

ROOT = Path(__file__).resolve().parents[2]
PY_ACTION = re.compile(r"""["']data-action["']\s*:\s*(.)""")  # "data-action": <value> in an h(...) call
PY_LITERAL = re.compile(r"""["']data-action["']\s*:\s*["']([^"']+)["']""")
HTML_ACTION = re.compile(r"""data-action\s*=\s*["']([^"']*)["']""")


def emitted() -> dict[str, set[str]]:
    """Each data-action value written in app/web/**/*.py and index.html, with the files that write it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "app" / "web").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        values = PY_LITERAL.findall(source)
        assert len(values) == len(PY_ACTION.findall(source)), (
            f"{path.relative_to(ROOT)}: a data-action that is not a string literal cannot be checked; write it out"
        )
        for value in values:
            found.setdefault(value, set()).add(str(path.relative_to(ROOT)))
    for value in HTML_ACTION.findall((ROOT / "index.html").read_text(encoding="utf-8")):
        found.setdefault(value, set()).add("index.html")
    return found


def test_every_data_action_written_has_a_handler():
    unknown = {name: files for name, files in emitted().items() if name not in HANDLERS}
    assert not unknown, f"data-action values without a handler in app/web/actions.py: {unknown}"


def test_every_handler_is_for_an_action_a_control_carries():
    assert set(HANDLERS) - set(emitted()) == set()


def test_the_table_and_the_literal_list_the_same_actions():
    assert set(HANDLERS) == set(get_args(Action)) == ACTIONS
    assert len(get_args(Action)) == len(ACTIONS)  # no name written twice


def test_an_unknown_action_is_not_one():
    assert is_action("rename")
    assert not is_action("no-such-action")
    assert not is_action("")
