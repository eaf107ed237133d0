"""`flows` (admin): create / read / update / delete flows. Operations are a separate tool; a flow starts at
its `operation` (the first operation's id)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.directus.scope import Scope
from app.directus.tools.crud import CrudArgs, crud_preview, crud_scope, run_crud
from app.directus.tools.definition import CallPreview, ToolDef
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "CRUD flows {name, status, trigger, options, operation}."


class FlowsArgs(CrudArgs):
    pass


async def run(client: DirectusApi, a: FlowsArgs) -> Any:
    return await run_crud(client, "flows", a, shape=lambda v: prune(v, drop=("user_created", "date_created")))


def preview(a: FlowsArgs) -> CallPreview:
    return crud_preview(a, "flow", "flows", ask_writes=True)  # a request operation can send data anywhere


def scope(a: FlowsArgs) -> Scope:
    return crud_scope("flows", a)


TOOL = ToolDef(
    name="flows", description=DESCRIPTION, input_model=FlowsArgs, run=run, preview=preview, scope=scope, admin_only=True
)
