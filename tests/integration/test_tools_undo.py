"""Undo of item writes against the real Directus: what a write changed is read before it runs, and Undo puts
it back (update: the changed fields; create: delete what it made; delete: create it again with its own fields)."""

from __future__ import annotations

import json

import pytest

from app.directus.client import DirectusClient
from app.directus.prepared import prepare
from app.directus.registry import run_call
from app.directus.undo import UndoPlan, apply
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus


class Admin:
    """`await admin(name, args)` runs a call as the admin (it must succeed); `await admin.undo(outcome)` undoes it."""

    def __init__(self, client, directus):
        self.client = client
        self.directus = directus

    async def __call__(self, name, args):
        outcome = await run_call(self.client, prepare(name, json.dumps(args)))
        assert outcome.ok, outcome.content
        return outcome

    async def undo(self, outcome):
        assert outcome.undo is not None, "no undo was offered"
        await apply(self.client, UndoPlan.model_validate(outcome.undo))


@pytest.fixture
async def admin(directus_reset):
    transport = HttpxTransport()
    yield Admin(DirectusClient(directus_reset.url, transport, token=directus_reset.admin_token), directus_reset)
    await transport.aclose()


def get(directus, path, **params):
    with directus.client() as http:
        response = http.get(path, params=params)
        return response.json().get("data") if response.status_code == 200 else response.status_code


async def test_undo_an_update_puts_back_only_the_changed_fields(admin):
    before = get(admin.directus, "/items/articles/2", fields="title,status,views")
    done = await admin(
        "items", {"action": "update", "collection": "articles", "keys": [2], "data": {"title": "Changed"}}
    )
    assert UndoPlan.model_validate(done.undo).summary == "Put back the previous values of 1 item in articles"
    await admin(
        "items", {"action": "update", "collection": "articles", "keys": [2], "data": {"views": 999}}
    )  # later, by hand
    await admin.undo(done)
    after = get(admin.directus, "/items/articles/2", fields="title,status,views")
    assert after["title"] == before["title"] and after["views"] == 999  # only what the call changed


async def test_undo_an_update_by_query_and_a_batch(admin):
    drafts = get(admin.directus, "/items/articles", fields="id,status", **{"filter[status][_eq]": "draft"})
    done = await admin(
        "items",
        {
            "action": "update",
            "collection": "articles",
            "query": {"filter": {"status": {"_eq": "draft"}}},
            "data": {"status": "published"},
        },
    )
    assert get(admin.directus, "/items/articles", fields="id", **{"filter[status][_eq]": "draft"}) == []
    await admin.undo(done)
    assert get(admin.directus, "/items/articles", fields="id,status", **{"filter[status][_eq]": "draft"}) == drafts

    titles = {
        r["id"]: r["title"]
        for r in get(admin.directus, "/items/articles", fields="id,title", **{"filter[id][_in]": "3,4"})
    }
    batch = await admin(
        "items",
        {
            "action": "update",
            "collection": "articles",
            "data": [{"id": 3, "title": "Three"}, {"id": 4, "title": "Four"}],
        },
    )
    await admin.undo(batch)
    assert {
        r["id"]: r["title"]
        for r in get(admin.directus, "/items/articles", fields="id,title", **{"filter[id][_in]": "3,4"})
    } == titles


async def test_undo_a_create_deletes_what_it_made(admin):
    done = await admin(
        "items",
        {
            "action": "create",
            "collection": "categories",
            "data": [{"name": "Undo me", "slug": "undo-me"}, {"name": "Me too", "slug": "me-too"}],
        },
    )
    plan = UndoPlan.model_validate(done.undo)
    assert len(plan.delete_keys) == 2 and plan.summary == "Delete the 2 items this created in categories"
    await admin.undo(done)
    assert get(admin.directus, "/items/categories", fields="id", **{"filter[name][_in]": "Undo me,Me too"}) == []


async def test_undo_a_delete_creates_the_item_again_with_its_own_fields(admin):
    before = get(admin.directus, "/items/articles/5", fields="id,title,status,author,body,publish_date")
    done = await admin("items", {"action": "delete", "collection": "articles", "keys": [5]})
    assert get(admin.directus, "/items/articles/5") == 403  # gone (Directus answers 403 for a missing item)
    assert "links from other items are not restored" in UndoPlan.model_validate(done.undo).summary
    await admin.undo(done)
    assert get(admin.directus, "/items/articles/5", fields="id,title,status,author,body,publish_date") == before


async def test_no_undo_where_it_could_not_be_faithful(admin):
    # a relational list (m2m) field: putting junction rows back is not something undo can promise
    done = await admin("items", {"action": "update", "collection": "articles", "keys": [1], "data": {"categories": []}})
    assert done.undo is None
    read = await admin("items", {"action": "read", "collection": "articles", "keys": [1]})
    assert read.undo is None


async def test_undo_a_singleton_update(admin):
    await admin(
        "collections",
        {
            "action": "create",
            "data": {
                "collection": "site_settings",
                "schema": {},
                "meta": {"singleton": True},
                "fields": [
                    {"field": "id", "type": "integer", "schema": {"is_primary_key": True, "has_auto_increment": True}},
                    {"field": "tagline", "type": "string"},
                ],
            },
        },
    )
    await admin("items", {"action": "update", "collection": "site_settings", "data": {"tagline": "Hello"}})
    done = await admin("items", {"action": "update", "collection": "site_settings", "data": {"tagline": "Bye"}})
    await admin.undo(done)
    assert get(admin.directus, "/items/site_settings")["tagline"] == "Hello"


async def test_undo_folder_writes(admin):
    parent = (await admin("folders", {"action": "create", "data": {"name": "Parent"}})).data
    made = await admin(
        "folders", {"action": "create", "data": {"name": "Child", "parent": parent["id"], "type": "flows"}}
    )
    child = made.data
    assert UndoPlan.model_validate(made.undo).summary == "Delete the 1 file folder this created"

    renamed = await admin("folders", {"action": "update", "keys": [child["id"]], "data": {"name": "Kid"}})
    assert UndoPlan.model_validate(renamed.undo).summary == "Put back the previous values of 1 file folder"
    await admin.undo(renamed)
    assert get(admin.directus, "/folders/" + child["id"], fields="name")["name"] == "Child"

    gone = await admin("folders", {"action": "delete", "keys": [child["id"], parent["id"]]})
    assert "files and folders that were in it are not moved back" in UndoPlan.model_validate(gone.undo).summary
    assert get(admin.directus, "/folders/" + parent["id"]) == 403
    await admin.undo(gone)  # both come back, with their ids, the child in its parent
    restored = {"id": child["id"], "name": "Child", "parent": parent["id"]}
    fields = "id,name,parent"
    if admin.directus.at_least(12):  # (flow folders came in 12: before, file folders only, no type)
        restored["type"], fields = "flows", fields + ",type"  # a flow folder stays one
    assert get(admin.directus, "/folders/" + child["id"], fields=fields) == restored

    await admin.undo(made)
    assert get(admin.directus, "/folders/" + child["id"]) == 403


async def test_undo_a_file_import_and_an_update_of_file_details_but_never_a_file_delete(admin, file_server):
    imported = await admin("files", {"action": "import", "data": {"url": file_server + "/picture.png", "title": "Pic"}})
    assert UndoPlan.model_validate(imported.undo).summary == "Delete the 1 file this created"
    file_id = imported.data["id"]
    retitled = await admin(
        "files", {"action": "update", "keys": [file_id], "data": {"title": "Renamed", "tags": ["x"]}}
    )
    await admin.undo(retitled)
    assert get(admin.directus, "/files/" + file_id, fields="title,tags") == {"title": "Pic", "tags": None}
    await admin.undo(imported)
    assert get(admin.directus, "/files/" + file_id) == 403

    partly = await admin(
        "files",
        {"action": "import", "data": [{"url": file_server + "/picture.png"}, {"url": file_server + "/missing.png"}]},
    )
    assert UndoPlan.model_validate(partly.undo).summary == "Delete the 1 file this created"  # the one that came
    await admin.undo(partly)

    (gradient,) = get(admin.directus, "/files", fields="id")
    deleted = await admin("files", {"action": "delete", "keys": [gradient["id"]]})
    assert deleted.undo is None  # its content is gone: nothing could bring it back
