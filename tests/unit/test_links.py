"""The "Open in Directus" links of a tool card (app/directus/links.py): the right page of Directus's app for
what each call touched, path parts encoded, nothing for an invalid call or a URL that is not http(s)."""

from __future__ import annotations

import json

from app.directus.links import admin_links
from app.directus.prepared import prepare

BASE = "https://cms.example.com/"  # a trailing slash, as users paste it


def links(name, **arguments):
    return [tuple(link) for link in admin_links(BASE, prepare(name, json.dumps(arguments)))]


def test_items_link_each_item_or_the_collection():
    assert links("items", action="update", collection="articles", keys=[3, 7], data={"title": "x"}) == [
        ("articles 3", "https://cms.example.com/admin/content/articles/3"),
        ("articles 7", "https://cms.example.com/admin/content/articles/7"),
    ]
    assert links("items", action="create", collection="articles", data={"title": "x"}) == [
        ("articles", "https://cms.example.com/admin/content/articles")
    ]
    assert links("items", action="delete", collection="articles", keys=[3]) == [  # the item is gone: its list
        ("articles", "https://cms.example.com/admin/content/articles")
    ]
    many = links("items", action="read", collection="articles", keys=[1, 2, 3, 4])
    assert many == [("articles", "https://cms.example.com/admin/content/articles")]


def test_path_parts_are_encoded():
    ((label, url),) = links("items", action="read", collection="articles", keys=["a b?c#d&e"])
    assert url == "https://cms.example.com/admin/content/articles/a%20b%3Fc%23d%26e" and label == "articles a b?c#d&e"
    assert links("items", action="read", collection="articles", keys=["a/b"]) == []  # not a key: the call is refused


def test_files_schema_and_flow_tools_link_their_pages():
    file = "5e1f0c0e-2b6a-4f36-9c1d-8a7b6c5d4e3f"
    assert links("files", action="update", keys=[file], data={"title": "t"}) == [
        ("file " + file, "https://cms.example.com/admin/files/" + file)
    ]
    assert links("folders", action="create", data={"name": "n"}) == [
        ("File library", "https://cms.example.com/admin/files")
    ]
    assert links("collections", action="create", data={"collection": "events"}) == [
        ("Data model: events", "https://cms.example.com/admin/settings/data-model/events")
    ]
    assert links("fields", action="create", collection="events", data={"field": "when", "type": "date"}) == [
        ("Data model: events", "https://cms.example.com/admin/settings/data-model/events")
    ]
    flow = "0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c"
    assert links("trigger_flow", id=flow, collection="articles", keys=[1]) == [
        ("Flow " + flow, "https://cms.example.com/admin/settings/flows/" + flow)
    ]
    assert links("trigger_flow") == []  # listing the flows touches nothing


def test_nothing_for_an_invalid_call_a_tool_without_pages_or_a_bad_url():
    assert links("items", action="update", collection="articles") == []  # no data: invalid
    assert links("schema") == []
    assert admin_links("javascript:alert(1)//", prepare("items", '{"action": "read", "collection": "articles"}')) == []
    assert admin_links("", prepare("items", '{"action": "read", "collection": "articles"}')) == []
