"""`operations` (admin): create / read / update / delete flow operations (`resolve` / `reject` chain them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.directus.tools.crud import CrudArgs, crud_preview, run_crud
from app.directus.tools.definition import CallPreview, ToolDef
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusClient

DESCRIPTION = "CRUD flow operations {flow, key, type, options, resolve}."


class OperationsArgs(CrudArgs):
    pass


async def run(client: DirectusClient, a: OperationsArgs) -> Any:
    return await run_crud(client, "/operations", a, shape=lambda v: prune(v, drop=("user_created", "date_created")))


def preview(a: OperationsArgs) -> CallPreview:
    return crud_preview(a, "operation", "flow operations")


TOOL = ToolDef(
    name="operations", description=DESCRIPTION, input_model=OperationsArgs, run=run, preview=preview, admin_only=True
)
