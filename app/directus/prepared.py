"""One tool call, prepared once its arguments have finished streaming: everything that reads the call reads this.

    call = prepare("items", '{"action": "update", "collection": "articles", "keys": [3], "data": {...}}', url)
    call.preview                 -> CallPreview: summary, read_only, destructive, bulk, details; None if invalid
    call.error                   -> the error the model reads instead of a result; None when the call can run
    call.links                   -> the pages of Directus's app it touches (app/directus/links.py)
    call.scope                   -> the paths and methods it may reach (app/directus/scope.py)
    await call.capture(client)   -> what Undo needs, read now (app/directus/undo.py); None: no undo
    permitted(call, permissions) -> the call, or refused when the user's permissions forbid it (before approval)

The raw argument text is parsed here and nowhere else (empty or null means {}, nested JSON text accepted), then
validated by the tool's pydantic model and its per-action `check()`. The approval prompt, the change preview
(app/directus/changes.py), the tool card and the run (app/directus/registry.py `run_call`) all read the result;
the toolbox (app/directus/toolbox.py) keeps it, so a call is prepared once however often its card is drawn.
Failures come back as `{"error": {"code", "message", "retryable", "next"}}` so the model can fix the call.
The capture and the run reach Directus only through a client held to the call's scope: even a call that got
past the checks cannot send a request to another path (e.g. while its approval prompt shows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional, Union

from pydantic import ValidationError

from app.directus.links import Link, admin_links
from app.directus.paths import PathRefused
from app.directus.registry import all_tools, get_tool
from app.directus.scope import Scope, scoped
from app.directus.tools.arguments import (
    ArgsModel,
    ArgumentProblem,
    ToolArgumentError,
    from_validation,
    parse_arguments,
)
from app.directus.tools.definition import CallPreview, ToolDef

if TYPE_CHECKING:
    from app.directus.client import DirectusApi
    from app.directus.permissions import Permissions
    from app.directus.undo import UndoPlan


@dataclass(frozen=True)
class PreparedCall:
    name: str
    arguments: str  # the raw text the model sent
    tool: Optional[ToolDef] = None  # None: no such tool (or the toolbox's own loader)
    args: Optional[ArgsModel] = None  # validated and checked; None when `error` says why not
    error: Optional[dict] = None  # {"error": {...}}: what the model reads instead of a result; the call does not run
    problems: tuple[tuple[str, str], ...] = ()  # each wrong argument's path ("query.limit") and what is wrong
    preview: Optional[CallPreview] = None  # what the approval prompt shows and the policy decides on
    summary: Optional[str] = None  # plain words for the cards: "Delete 2 items from articles (ids 4, 7)"
    links: tuple[Link, ...] = ()  # "Open in Directus"
    scope: Scope = Scope()  # the paths and methods it may reach: none until the call is prepared well

    @property
    def action(self) -> Optional[str]:
        """ "read", "update", …: what the call does (None for a tool without actions, or an invalid call)."""
        action = getattr(self.args, "action", None)
        return action if isinstance(action, str) else None

    async def capture(self, client: "DirectusApi") -> Optional["UndoPlan"]:
        """What undoing this write needs, read now with the user's permissions (through `client` held to the
        call's scope); None when it cannot be undone.

        The change preview reads it when the prompt shows, the run again right before the write: values can
        change while the prompt waits."""
        if self.error is not None or self.tool is None or self.tool.capture is None or self.args is None:
            return None
        return await self.tool.capture(scoped(client, self.scope), self.args)

    def refused(self, error: dict) -> "PreparedCall":
        """The same call, not to be run: the model reads `error` (e.g. a tool this user does not have)."""
        return replace(self, error=error, preview=None)


def permitted(call: PreparedCall, permissions: "Permissions") -> PreparedCall:
    """The call, or the call refused when the user's Directus permissions (app/directus/permissions.py) do not allow
    its action on its collection: the model reads why, no approval prompt asks for it, nothing is sent."""
    if call.error is not None or call.args is None:
        return call
    why = permissions.refusal(call.name, call.action, getattr(call.args, "collection", None))
    if why is None:
        return call
    return call.refused(
        {
            "error": {
                "code": "NOT_PERMITTED",
                "message": why,
                "retryable": False,
                "next": "Tell the user their Directus role does not allow this; an administrator can grant it.",
            }
        }
    )


def prepare(name: str, arguments: Union[str, dict, None], directus_url: str = "") -> PreparedCall:
    """Parse and check one call; never raises (`error` says what is wrong: a wrong tool, wrong arguments, or a
    failure of the checks themselves). With `directus_url`, the call also knows its links."""
    try:
        return _prepare(name, arguments, directus_url)
    except Exception as exc:  # noqa: BLE001 - a call that cannot be prepared must not end the turn: the model reads why
        text = arguments if isinstance(arguments, str) else ""
        message = f"The {name} call could not be checked ({type(exc).__name__}); send simpler arguments."
        body = {"error": {"code": "INVALID_ARGUMENTS", "message": message, "retryable": True}}
        return PreparedCall(name, text, get_tool(name), error=body)


def _prepare(name: str, arguments: Union[str, dict, None], directus_url: str) -> PreparedCall:
    tool = get_tool(name)
    text = arguments if isinstance(arguments, str) else json.dumps(arguments) if arguments is not None else ""
    try:
        if tool is None:
            raise ToolArgumentError(name, [("", f"there is no tool {name!r}; use one of {', '.join(all_tools())}")])
        args = _checked(tool, parse_arguments(name, arguments))
        reach = _scope(tool, args)
    except ToolArgumentError as error:
        body = {"error": {**error.body()["error"], "code": "UNKNOWN_TOOL" if tool is None else "INVALID_ARGUMENTS"}}
        return PreparedCall(name, text, tool, error=body, problems=tuple(error.problems))
    preview = tool.preview(args)
    call = PreparedCall(name, text, tool, args, preview=preview, summary=preview.summary, scope=reach)
    return replace(call, links=_links(directus_url, call)) if directus_url else call


def _links(directus_url: str, call: PreparedCall) -> tuple[Link, ...]:
    try:
        return tuple(admin_links(directus_url, call))
    except Exception:  # noqa: BLE001 - links are a nicety: a bug in one must not stop the call (its card shows none)
        return ()


def _scope(tool: ToolDef, args: ArgsModel) -> Scope:
    try:
        return tool.scope(args)
    except PathRefused as refused:  # the checks refuse such names and keys first; this is the backstop
        raise ToolArgumentError(tool.name, [("", refused.message)]) from None


def _checked(tool: ToolDef, raw: dict) -> ArgsModel:
    try:
        args = tool.input_model.model_validate(raw)
    except ValidationError as exc:
        raise from_validation(tool.name, exc) from None
    try:
        args.check()
    except ArgumentProblem as problem:
        raise ToolArgumentError(tool.name, [(problem.path, problem.message)]) from None
    return args
