"""Pinned items as context: references from a pasted URL and from the page's address (untrusted), the block the
model reads (trimmed to a budget, with its link), and the parts of a message that carry them."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from app.chat.model import Conversation, Message, TextPart
from app.directus.context_items import (
    ITEM_BUDGET,
    MAX_ITEMS,
    VALUE_BUDGET,
    ItemRef,
    Shown,
    admin_url,
    block_text,
    checked,
    context_block,
    item_from_url,
    items_from_hash,
    label,
    pinned_parts,
    read_pinned,
)
from app.directus.errors import DirectusError
from app.providers.user_content import user_pieces

CMS = "https://cms.example.com"


@pytest.mark.parametrize(
    "url, expected",
    [
        (CMS + "/admin/content/articles/3", ItemRef("articles", "3")),
        (CMS + "/admin/content/articles/3/", ItemRef("articles", "3")),
        (CMS + "/admin/content/articles/3?bookmark=1#x", ItemRef("articles", "3")),
        ("  " + CMS + "/admin/content/pages/home-page  ", ItemRef("pages", "home-page")),
        (
            CMS + "/admin/content/articles/0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c",
            ItemRef("articles", "0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c"),
        ),
        ("https://evil.example.com/admin/content/articles/3", None),  # another host
        ("http://cms.example.com/admin/content/articles/3", None),  # another scheme
        ("javascript:alert(1)//" + CMS + "/admin/content/articles/3", None),
        (CMS + "/admin/content/articles", None),  # the list, not an item
        (CMS + "/admin/content/articles/3/extra", None),
        (CMS + "/admin/content/articles/%2e%2e", None),
        (CMS + "/admin/content/articles/..%2Fusers", None),
        (CMS + "/admin/content/directus_users/1", None),  # Directus's own collections are not pinned
        (CMS + "/admin/content/art%20icles/3", None),
        (CMS + "/admin/users/3", None),
        ("not a url", None),
    ],
)
def test_an_item_url_of_the_connected_directus_only(url, expected):
    assert item_from_url(url, CMS) == expected


def test_an_item_url_under_a_path_prefix():
    assert item_from_url("https://x.org/cms/admin/content/a/1", "https://x.org/cms/") == ItemRef("a", "1")
    assert item_from_url("https://x.org/admin/content/a/1", "https://x.org/cms") is None


def test_the_address_pins_several_and_refuses_what_is_not_an_item():
    refs, refused = items_from_hash("#context=articles/3&context=pages/home,articles/3&other=1")
    assert refs == [ItemRef("articles", "3"), ItemRef("pages", "home")] and refused == 0
    hostile = "#context=../users/1&context=articles/..&context=articles&context=<script>/1&context=a/%2F&context=a/b%0a"
    refs, refused = items_from_hash(hostile)
    assert refs == [] and refused == 6
    many = "#" + "&".join("context=articles/%d" % i for i in range(15))
    refs, refused = items_from_hash(many)
    assert len(refs) == MAX_ITEMS and refused == 5
    assert items_from_hash("") == ([], 0) and items_from_hash("#x=1") == ([], 0)


@pytest.mark.parametrize(
    "collection, key", [("articles", " 3"), ("articles", "a\\b"), ("", "1"), ("a" * 65, "1"), ("a", True)]
)
def test_checked_refuses_hostile_parts(collection, key):
    assert checked(collection, key) is None


def test_the_link_is_built_from_checked_encoded_parts():
    assert admin_url(CMS + "/", ItemRef("articles", "a b")) == CMS + "/admin/content/articles/a%20b"
    assert admin_url("javascript:alert(1)", ItemRef("articles", "3")) == ""


def test_the_block_names_the_item_links_it_and_trims_values_and_fields():
    fields = {"id": 3, "title": "Hello", "body": "x" * 5000, "tags": ["a"] * 400, "empty": None}
    fields.update({"f%03d" % i: "y" * 250 for i in range(40)})
    text = block_text(ItemRef("articles", "3"), fields, CMS + "/admin/content/articles/3")
    head, body, note = text.strip().split("\n")
    assert "articles/3" in head and "open in Directus: " + CMS + "/admin/content/articles/3" in head
    data = json.loads(body)
    assert data["id"] == 3 and data["title"] == "Hello" and data["empty"] is None
    assert data["body"] == "x" * VALUE_BUDGET + "…" and data["tags"].endswith("…")
    assert len(body) <= ITEM_BUDGET
    assert note == "(%d more fields left out for length)" % (len(fields) - len(data))


def test_labels_follow_the_display_template_else_the_key():
    shown = Shown("id", "{{title}} by {{ author.name }}", ("title",))
    assert label({"id": 3, "title": "Hi", "author": {"name": "Ada"}}, shown) == "Hi by Ada"
    assert label({"id": 3}, Shown("id", "", ())) == "3"
    assert label({"id": 4, "title": None}, Shown("id", "{{title}}", ("title",))) == "4"


async def test_pinned_parts_are_read_at_send_time_and_replayed_as_text():
    parts = pinned_parts([("articles", "3", "Hello"), ("articles", "3", "again"), ("../x", "1", "bad")], CMS)
    assert [(p.item.collection, p.item.key, p.item.label, p.item.url) for p in parts if p.item] == [
        ("articles", "3", "Hello", CMS + "/admin/content/articles/3")
    ]
    message = Message(role="user", parts=[*parts, TextPart(text="Summarize it")])
    assert message.text == "Summarize it"  # what the user wrote: an edit or a title never holds the block

    class Client:
        url = CMS
        calls: list = []

        async def request(self, method, path, **kw):
            self.calls.append(path)
            return {"id": 3, "title": "Now"}

    class Connected:
        client = Client()

        async def settled(self):
            pass

    directus = Connected()
    conversation = Conversation(messages=[message])
    await read_pinned(conversation, directus)
    await read_pinned(conversation, directus)  # read once: the block is kept
    assert directus.client.calls == ["/relations/articles", "/items/articles/3"]
    (sent,) = user_pieces(message, {}, ())  # what every protocol sends of it
    assert isinstance(sent, str)
    assert sent.startswith("Pinned item articles/3") and '"title": "Now"' in sent and sent.endswith("Summarize it")

    offline = Message(role="user", parts=pinned_parts([("articles", "4", "")], CMS))
    directus.client = None  # type: ignore[assignment]  # not connected
    await read_pinned(Conversation(messages=[offline]), directus)
    assert "Directus is not connected" in offline.pinned[0].text


RELATIONS = [
    {"collection": "articles", "field": "author", "related_collection": "directus_users", "meta": {}},
    {"collection": "articles", "field": "image", "related_collection": "directus_files", "meta": None},
    {"collection": "articles", "field": "category", "related_collection": "categories", "meta": {}},
    {"collection": "comments", "field": "article", "related_collection": "articles", "meta": {"one_field": "comments"}},
    {"collection": "directus_users", "field": "pick", "related_collection": "articles", "meta": {"one_field": "fans"}},
    {"collection": "articles", "field": "x.y", "related_collection": "categories", "meta": {}},
]


class Relations:
    """Answers /relations/articles with RELATIONS and the item; `refuse`: the paths (or field lists) that get a 403."""

    def __init__(self, refuse=()):
        self.url, self.refuse, self.asked = CMS, refuse, []

    async def request(self, method, path, params=None, **kw):
        self.asked.append((path, (params or {}).get("fields")))
        if path in self.refuse or (params or {}).get("fields") in self.refuse:
            raise DirectusError(403, "FORBIDDEN", "You don't have permission to access this.")
        return RELATIONS if path.startswith("/relations/") else {"id": 3, "author": "u1", "category": {"name": "News"}}


async def test_a_pinned_item_expands_no_relation_into_directus_own_collections():
    client = Relations()
    text = await context_block(cast(Any, client), ItemRef("articles", "3"))
    assert client.asked[-1] == ("/items/articles/3", ["*", "category.*", "comments.*"])  # not author.*, image.*
    assert '"author": "u1"' in text and '"name": "News"' in text
    refused = Relations(refuse=("/relations/articles",))  # relations not readable: none expanded
    await context_block(cast(Any, refused), ItemRef("articles", "3"))
    assert refused.asked[-1] == ("/items/articles/3", ["*"])
    forbidden = Relations(refuse=(["*", "category.*", "comments.*"],))  # a related field they may not read
    assert '"author": "u1"' in await context_block(cast(Any, forbidden), ItemRef("articles", "3"))
    assert forbidden.asked[-1] == ("/items/articles/3", ["*"])
