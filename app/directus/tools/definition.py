"""What a tool is (ToolDef), what one call will do (CallPreview) and what it did (ToolOutcome).

A tool module builds one `ToolDef`: a name, a one-line description, a pydantic input model (validated per
action in `check()`), an async `run(client, args)`, and `preview(args)` describing the call for the approval
prompt. Read-only is a property of the call, not the tool (`items` read vs delete). A call is prepared once
(app/directus/prepared.py): its arguments validated, its preview made, its capture bound to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional, Type

from app.chat.approvals import BULK_LIMIT
from app.directus.tools.arguments import ArgsModel

if TYPE_CHECKING:
    from app.directus.client import DirectusClient
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


@dataclass
class ToolDef:
    name: str
    description: str
    input_model: Type[ArgsModel]
    # `run`, `preview` and `capture` take the tool's own `input_model` (Any: each tool has its own).
    run: Callable[[DirectusClient, Any], Awaitable[Any]]  # the result: Directus's JSON, shaped for the model
    preview: Callable[[Any], CallPreview]
    admin_only: bool = False
    parameters: Optional[dict] = None  # the compact JSON schema; built from input_model when None
    # Reads, before a write runs, what undoing it needs (app/directus/undo.py); None: no undo for the tool.
    capture: Optional[Callable[[DirectusClient, Any], Awaitable[Optional[UndoPlan]]]] = None


def read(summary: str, **details: Any) -> CallPreview:
    return CallPreview(summary, read_only=True, details={k: v for k, v in details.items() if v is not None})


def write(summary: str, *, destructive: bool = False, bulk: bool = False, **details: Any) -> CallPreview:
    return CallPreview(
        summary,
        read_only=False,
        destructive=destructive,
        bulk=bulk,
        details={k: v for k, v in details.items() if v is not None},
    )


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
