"""`folders`: file folders (`{id, name, parent}`), create / read / update / delete. Not collection folders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.directus.scope import Scope
from app.directus.tools.crud import CrudArgs, crud_preview, crud_scope, run_crud
from app.directus.tools.definition import CallPreview, ToolDef
from app.directus.tools.results import prune
from app.directus.undo import capture_folders

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "File folders {name, parent}."


class FoldersArgs(CrudArgs):
    pass


async def run(client: DirectusApi, a: FoldersArgs) -> Any:
    return await run_crud(client, "folders", a, shape=prune)


def preview(a: FoldersArgs) -> CallPreview:
    return crud_preview(a, "file folder", "file folders")


def scope(a: FoldersArgs) -> Scope:
    return crud_scope("folders", a)


TOOL = ToolDef(
    name="folders",
    description=DESCRIPTION,
    input_model=FoldersArgs,
    run=run,
    preview=preview,
    scope=scope,
    capture=capture_folders,
)
