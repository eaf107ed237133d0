"""`folders`: file folders (`{id, name, parent}`), create / read / update / delete. Not collection folders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.directus.tools.crud import CrudArgs, crud_preview, run_crud
from app.directus.tools.definition import CallPreview, ToolDef
from app.directus.tools.results import prune
from app.directus.undo import capture_folders

if TYPE_CHECKING:
    from app.directus.client import DirectusClient

DESCRIPTION = "CRUD file folders {name, parent}."


class FoldersArgs(CrudArgs):
    pass


async def run(client: DirectusClient, a: FoldersArgs) -> Any:
    return await run_crud(client, "/folders", a, shape=prune)


def preview(a: FoldersArgs) -> CallPreview:
    return crud_preview(a, "file folder", "file folders")


TOOL = ToolDef(
    name="folders", description=DESCRIPTION, input_model=FoldersArgs, run=run, preview=preview, capture=capture_folders
)
