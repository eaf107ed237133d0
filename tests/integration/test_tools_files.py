"""The `files` and `folders` tools: read, import from a URL (a local server), update metadata, delete."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.directus


async def test_read_files_and_folders(call):
    ok, files = await call("files", {"action": "read"})
    assert ok and [f["title"] for f in files] == ["Gradient"]
    assert "filename_disk" not in files[0] and "storage" not in files[0]  # internals left out
    ok, folders = await call("folders", {"action": "read"})
    assert ok and [f["name"] for f in folders] == ["Demo images"]
    ok, one = await call("files", {"action": "read", "keys": [files[0]["id"]], "query": {"fields": ["id", "type"]}})
    assert ok and one == {"id": files[0]["id"], "type": "image/png"}


async def test_import_update_delete_files(call, directus_reset, file_server):
    ok, folder = await call("folders", {"action": "create", "data": {"name": "Imports"}})
    assert ok and folder["name"] == "Imports"
    ok, imported = await call(
        "files",
        {"action": "import", "data": {"url": file_server + "/picture.png", "title": "Pic", "folder": folder["id"]}},
    )
    assert ok and imported["title"] == "Pic" and imported["type"] == "image/png" and imported["folder"] == folder["id"]
    ok, updated = await call(
        "files", {"action": "update", "keys": [imported["id"]], "data": {"description": "A test picture"}}
    )
    assert ok and updated["description"] == "A test picture"
    ok, body = await call(
        "files",
        {"action": "import", "data": [{"url": file_server + "/picture.png"}, {"url": file_server + "/missing.png"}]},
    )
    assert ok and "id" in body[0] and "error" in body[1]
    ok, deleted = await call("files", {"action": "delete", "keys": [imported["id"], body[0]["id"]]})
    assert ok
    ok, files = await call("files", {"action": "read", "query": {"fields": ["title"]}})
    assert ok and files == [{"title": "Gradient"}]


async def test_folders_crud(call, directus_reset):
    ok, parent = await call("folders", {"action": "create", "data": {"name": "Parent"}})
    ok, child = await call("folders", {"action": "create", "data": {"name": "Child", "parent": parent["id"]}})
    assert ok and child["parent"] == parent["id"]
    ok, renamed = await call("folders", {"action": "update", "keys": [child["id"]], "data": {"name": "Kid"}})
    assert ok and renamed["name"] == "Kid"
    ok, both = await call("folders", {"action": "read", "keys": [parent["id"], child["id"]]})
    assert ok and sorted(f["name"] for f in both) == ["Kid", "Parent"]
    ok, _ = await call("folders", {"action": "delete", "keys": [child["id"], parent["id"]]})
    assert ok
    ok, left = await call("folders", {"action": "read"})
    assert ok and [f["name"] for f in left] == ["Demo images"]
