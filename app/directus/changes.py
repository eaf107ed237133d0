"""What an update will change, value by value, for the approval prompt: "articles 3 · title: "Old" → "New"".

    changes = await preview_changes(client, "items", arguments)   # [] when there is nothing to show

It reads the current values the way Undo does (app/directus/undo.py: the tool's `capture`, with the user's own
permissions), so updates of items, singletons, file details and folders can be previewed; creates, deletes,
writes by a query over Undo's limit, and anything the user may not read show no preview. Only values that
differ are listed, at most MAX_CHANGES of them.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Optional

from app.directus.registry import ToolArgumentError, validate_call

MAX_CHANGES = 30
MAX_VALUE_CHARS = 80


class Change(NamedTuple):
    what: str  # "articles 3", "file 0a1b…", "site_settings"
    field: str
    before: str  # compact JSON, cut to MAX_VALUE_CHARS
    after: str


async def preview_changes(client: Any, name: str, arguments: str) -> list[Change]:
    try:
        tool, args = validate_call(name, arguments or "{}")
    except ToolArgumentError:
        return []
    if tool.capture is None or getattr(args, "action", None) != "update":
        return []
    plan = await tool.capture(client, args)  # None when it cannot be read (no permission, too many items)
    if plan is None:
        return []
    if plan.kind == "singleton" and isinstance(args.data, dict):
        return _diff(plan.collection, plan.singleton or {}, args.data)[:MAX_CHANGES]
    if plan.kind != "update":
        return []
    noun = plan.collection if not plan.endpoint else plan.noun
    changes: list[Change] = []
    for row in plan.restore:
        key = row.get(plan.pk)
        after = _after(args.data, plan.pk, key)
        if after is not None:
            changes += _diff("%s %s" % (noun, key), row, {k: v for k, v in after.items() if k != plan.pk})
    return changes[:MAX_CHANGES]


def _after(data: Any, pk: str, key: Any) -> Optional[dict]:
    if isinstance(data, dict):
        return data
    if isinstance(data, list):
        return next((row for row in data if isinstance(row, dict) and row.get(pk) == key), None)
    return None


def _diff(what: str, before: dict, after: dict) -> list[Change]:
    return [Change(what, field, _shown(before.get(field)), _shown(value))
            for field, value in after.items() if before.get(field) != value]


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"
