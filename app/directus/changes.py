"""What an update will change, value by value, for the approval prompt: "articles 3 · title: "Old" → "New"".

    changes = await preview_changes(client, call)   # call: the PreparedCall (app/directus/prepared.py); [] if none

It reads the current values the way Undo does, through the prepared call's capture step (app/directus/undo.py,
with the user's own permissions; the run captures again right before the write, as values can change meanwhile), so updates of items, singletons, file details and folders can be previewed; creates, deletes,
writes by a query over Undo's limit, and anything the user may not read show no preview. Only values that
differ are listed, at most MAX_CHANGES of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

if TYPE_CHECKING:
    from app.directus.client import DirectusApi
    from app.directus.prepared import PreparedCall

MAX_CHANGES = 30
MAX_VALUE_CHARS = 80


class Change(NamedTuple):
    what: str  # "articles 3", "file 0a1b…", "site_settings"
    field: str
    before: str  # compact JSON, cut to MAX_VALUE_CHARS
    after: str


async def preview_changes(client: "DirectusApi", call: "PreparedCall") -> list[Change]:
    if call.action != "update":
        return []
    plan = await call.capture(client)  # None when it cannot be read (no permission, too many items), or no undo
    if plan is None:
        return []
    data = getattr(call.args, "data", None)
    if plan.kind == "singleton" and isinstance(data, dict):
        return _diff(plan.collection, plan.singleton or {}, data)[:MAX_CHANGES]
    if plan.kind != "update":
        return []
    noun = plan.collection if not plan.endpoint else plan.noun
    changes: list[Change] = []
    for row in plan.restore:
        key = row.get(plan.pk)
        after = _after(data, plan.pk, key)
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
    return [
        Change(what, field, _shown(before.get(field)), _shown(value))
        for field, value in after.items()
        if before.get(field) != value
    ]


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
