"""What a tool is (ToolDef), what one call will do (CallPreview) and what it did (ToolOutcome).

A tool module builds one `ToolDef`: a name, a one-line description, a pydantic input model (validated per
action in `check()`), an async `run(client, args)`, `preview(args)` describing the call for the approval
prompt, and `scope(args)`: the exact paths and methods the call may reach (app/directus/scope.py; a request
outside them is refused before it is sent). Read-only is a property of the call, not the tool (`items` read vs
delete). A call is prepared once (app/directus/prepared.py): its arguments validated, its preview made, its
scope and capture bound to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional, Type

from app.chat.approvals import BULK_LIMIT
from app.directus.tools.arguments import ArgsModel

if TYPE_CHECKING:
    from app.directus.client import DirectusApi
    from app.directus.scope import Scope
    from app.directus.undo import UndoPlan

MANY = BULK_LIMIT  # a write of this many keys or rows (or any write by query) is "bulk"


@dataclass
class CallPreview:
    """What one call will do, in plain words and in the facts the approval policy decides on
    (app/chat/approvals.py `CallFacts`)."""

    summary: str  # plain words: "Delete 2 items from articles (ids 4, 7)"
    read_only: bool = False
    destructive: bool = False  # deletes, and updates that blank or null a field
    bulk: bool = False  # writes by query, or of MANY keys or rows or more
    details: dict = field(default_factory=dict)  # collection, keys or query, data
    action: str = ""  # "read", "update", …: with the tool, what "Always allow" covers ("items: read")
    writes: int = 0  # how many items, rows or files it changes (0 for reads; a write by query is `bulk`)
    always_ask: bool = False  # asks whatever the modes say (an import from a URL: Directus fetches that URL)


@dataclass
class ToolOutcome:
    content: str  # compact JSON text the model reads
    ok: bool
    data: Any = None  # the full result (or error body) for the UI
    undo: Optional[dict] = None  # how to undo the write (app/directus/undo.py), when it can be
    view: Optional[dict] = None  # what the page draws (a chart's spec and rows: app/directus/tools/visualize.py)


@dataclass
class WithView:
    """A run's result for the model, and what the page draws from it (kept with the call, never sent)."""

    result: Any
    view: dict


@dataclass
class ToolDef:
    name: str
    description: str
    input_model: Type[ArgsModel]
    # `run`, `preview`, `scope` and `capture` take the tool's own `input_model` (Any: each tool has its own).
    run: Callable[[DirectusApi, Any], Awaitable[Any]]  # the result: Directus's JSON, shaped for the model
    preview: Callable[[Any], CallPreview]
    # The paths and methods a call may reach (raises PathRefused for a name or key that cannot be in a path).
    scope: Callable[[Any], Scope]
    admin_only: bool = False
    parameters: Optional[dict] = None  # the compact JSON schema; built from input_model when None
    # Reads, before a write runs, what undoing it needs (app/directus/undo.py); None: no undo for the tool.
    capture: Optional[Callable[[DirectusApi, Any], Awaitable[Optional[UndoPlan]]]] = None
    on_use: bool = False  # offered to the model only once the conversation has called it (the page calls it first)


def read(summary: str, **details: Any) -> CallPreview:
    return CallPreview(
        summary, read_only=True, action="read", details={k: v for k, v in details.items() if v is not None}
    )


def write(
    summary: str,
    *,
    action: str,
    writes: int,
    destructive: bool = False,
    bulk: bool = False,
    always_ask: bool = False,
    **details: Any,
) -> CallPreview:
    """A call that changes something: `writes` items, rows or files (0 when a query decides: then `bulk`); bulk
    from MANY on."""
    return CallPreview(
        summary,
        read_only=False,
        destructive=destructive,
        bulk=bulk or writes >= MANY,
        action=action,
        writes=writes,
        always_ask=always_ask,
        details={k: v for k, v in details.items() if v is not None},
    )


def blanks(data: Any) -> bool:
    """True when an update's data empties a field: a value that is null, "" or [] (an empty list unlinks every
    related item of a relational field), in the object or in any object of an array of them."""
    rows = data if isinstance(data, list) else [data]
    return any(
        value is None or value == "" or value == [] for row in rows if isinstance(row, dict) for value in row.values()
    )


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def with_related(preview: CallPreview, data: Any) -> CallPreview:
    """A write whose data nests objects or arrays (in the object, or in any row of an array of them): Directus
    writes those too, as related items, in any collection the relation leads to, directus_users and
    directus_files included (an object on a many-to-one field creates or updates the item it points to; an array
    on a one-to-many or many-to-many field replaces the related set; `{"create", "update", "delete"}` does each).
    So it always asks and says so; nested arrays and deletes are destructive (they unlink or delete items)."""
    values = [v for row in (data if isinstance(data, list) else [data]) if isinstance(row, dict) for v in row.values()]
    nested = [v for v in values if isinstance(v, (dict, list))]
    if not nested:
        return preview
    deletes = _unlinks(nested)
    words = " with nested related items" + (" (it may unlink or delete some)" if deletes else "")
    return replace(
        preview, summary=preview.summary + words, always_ask=True, destructive=preview.destructive or deletes
    )


def _unlinks(values: list) -> bool:
    """True when nested data holds an array (a related set replaced, or a `delete` list) anywhere."""
    level = values
    while level:
        if any(isinstance(v, list) for v in level):
            return True
        level = [v for item in level if isinstance(item, dict) for v in item.values() if isinstance(v, (dict, list))]
    return False
