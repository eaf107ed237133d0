"""The approval prompt's preview of an update against the real Directus (app/directus/changes.py): the current
value of each field the call changes, next to the new one; nothing for what cannot be previewed."""

from __future__ import annotations

import json

import pytest

from app.directus.changes import preview_changes
from app.directus.client import DirectusClient
from app.directus.prepared import prepare
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus


@pytest.fixture
async def preview(directus):
    transport = HttpxTransport()
    clients: dict[str, DirectusClient] = {}

    async def run(name, arguments, token="admin"):
        token = {"admin": directus.admin_token, "reader": directus.reader_token}[token]
        client = clients.setdefault(token, DirectusClient(directus.url, transport, token=token))
        return [tuple(c) for c in await preview_changes(client, prepare(name, json.dumps(arguments)))]

    yield run
    await transport.aclose()


async def test_an_update_by_keys_shows_each_changed_value_before_and_after(preview, directus):
    with directus.client() as http:
        titles = {
            a["id"]: a["title"]
            for a in http.get("/items/articles", params={"filter[id][_in]": "1,2", "fields": "id,title,views"}).json()[
                "data"
            ]
        }
    changes = await preview(
        "items",
        {
            "action": "update",
            "collection": "articles",
            "keys": [1, 2],
            "data": {"title": "Same for both", "views": 1520},
        },
    )
    assert ("articles 1", "title", json.dumps(titles[1]), '"Same for both"') in changes
    assert ("articles 2", "title", json.dumps(titles[2]), '"Same for both"') in changes
    assert ("articles 2", "views", "980", "1520") in changes
    assert not [c for c in changes if c[0] == "articles 1" and c[1] == "views"]  # 1520 already: not a change


async def test_batches_folders_and_what_shows_nothing(preview, directus):
    batch = await preview(
        "items",
        {"action": "update", "collection": "categories", "data": [{"id": 1, "name": "Past"}, {"id": 2, "slug": "eng"}]},
    )
    assert batch == [
        ("categories 1", "name", '"History"', '"Past"'),
        ("categories 2", "slug", '"engineering"', '"eng"'),
    ]
    with directus.client() as http:
        (folder,) = http.get("/folders", params={"fields": "id"}).json()["data"]
    renamed = await preview("folders", {"action": "update", "keys": [folder["id"]], "data": {"name": "Pictures"}})
    assert renamed == [("file folder " + folder["id"], "name", '"Demo images"', '"Pictures"')]
    assert await preview("folders", {"action": "read"}) == []  # a read changes nothing
    assert await preview("items", {"action": "create", "collection": "articles", "data": {"title": "x"}}) == []
    assert await preview("items", {"action": "delete", "collection": "articles", "keys": [1]}) == []
    # the reader may not read authors: no preview (and the call itself will be refused)
    assert (
        await preview(
            "items", {"action": "update", "collection": "authors", "keys": [1], "data": {"name": "x"}}, token="reader"
        )
        == []
    )
