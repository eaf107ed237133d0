"""Pinned items against the real Directus: the picker's search by display template, the block read with the user's
permissions (a field the reader may not read never shows), and the values as they are at send time."""

from __future__ import annotations

import json

import pytest

from app.directus.client import DirectusClient
from app.directus.context_items import (
    ItemRef,
    context_block,
    how_shown,
    item_label,
    readable_collections,
    search_items,
)
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus


@pytest.fixture
async def client_for(directus):
    transport = HttpxTransport()

    def make(who: str = "admin") -> DirectusClient:
        token = directus.reader_token if who == "reader" else directus.admin_token
        return DirectusClient(directus.url, transport, token=token)

    yield make
    await transport.aclose()


def fields_of(block: str) -> dict:
    return json.loads(block.split("\n")[1])


async def test_the_picker_searches_by_the_display_template_and_labels_with_it(client_for):
    client = client_for()
    shown = await how_shown(client, "articles")
    assert (shown.primary, shown.template, shown.searched) == ("id", "{{title}}", ("title",))
    found = await search_items(client, "articles", "analytical")
    assert found == [("1", "Notes on the Analytical Engine")]
    assert ("1", "Notes on the Analytical Engine") in await search_items(client, "articles", "1")  # the key too
    assert len(await search_items(client, "articles", "")) == 10  # the first page when nothing is typed
    assert await search_items(client, "articles", "no such words anywhere") == []
    assert await item_label(client, ItemRef("articles", "1")) == "Notes on the Analytical Engine"  # a pasted URL's


async def test_the_reader_lists_and_reads_only_what_it_may(client_for):
    reader = client_for("reader")
    names = await readable_collections(reader)
    assert "articles" in names and "authors" not in names and not any(n.startswith("directus_") for n in names)
    block = await context_block(reader, ItemRef("authors", "1"))
    assert block.startswith("Pinned item authors/1 could not be read:")


async def test_a_field_the_reader_may_not_read_never_reaches_the_block(client_for):
    # The reader may read articles but not authors: an article's author (name, email) is not theirs to read. The
    # article's own author field (the key) is the reader's to read, and is all of the author that may show.
    as_reader = await context_block(client_for("reader"), ItemRef("articles", "1"))
    as_admin = await context_block(client_for(), ItemRef("articles", "1"))
    assert fields_of(as_reader).get("author") in (None, 1)
    assert "Ada Lovelace" not in as_reader and "ada@example.com" not in as_reader
    assert fields_of(as_reader)["title"] == "Notes on the Analytical Engine"
    assert "ada@example.com" in as_admin  # one level of related items, for whoever may read them


async def test_the_block_holds_the_values_as_they_are_when_it_is_read(client_for, directus_reset):
    client = client_for()
    before = await context_block(client, ItemRef("articles", "2"))
    with directus_reset.client() as admin:
        assert admin.patch("/items/articles/2", json={"title": "Changed a moment ago"}).status_code == 200
    after = await context_block(client, ItemRef("articles", "2"))
    assert fields_of(after)["title"] == "Changed a moment ago" != fields_of(before)["title"]
    assert "open in Directus: %s/admin/content/articles/2" % directus_reset.url in after
