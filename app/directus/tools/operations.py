"""`operations` (admin): create / read / update / delete flow operations (`resolve` / `reject` chain them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.directus.scope import Scope
from app.directus.tools.crud import CrudArgs, crud_preview, crud_scope, run_crud
from app.directus.tools.definition import CallPreview, ToolDef
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "CRUD flow operations {flow, key, type, options, resolve}."


class OperationsArgs(CrudArgs):
    pass


async def run(client: DirectusApi, a: OperationsArgs) -> Any:
    return await run_crud(client, "operations", a, shape=lambda v: prune(v, drop=("user_created", "date_created")))


def preview(a: OperationsArgs) -> CallPreview:
    return crud_preview(
        a, "operation", "flow operations", ask_writes=True
    )  # a request operation can send data anywhere


def scope(a: OperationsArgs) -> Scope:
    return crud_scope("operations", a)


TOOL = ToolDef(
    name="operations",
    description=DESCRIPTION,
    input_model=OperationsArgs,
    run=run,
    preview=preview,
    scope=scope,
    admin_only=True,
)
