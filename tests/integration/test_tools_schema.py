"""The `schema` tool: the demo data model in a few lines, per-user views, and a change seen at once."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.directus


async def test_overview_of_the_demo_content(call):
    ok, body = await call("schema", "")
    assert ok
    assert list(body["collections"]) == ["ai_prompts", "articles", "articles_categories", "authors", "categories"]
    assert all(body["collections"].values())  # each with its note
    assert not any(c.startswith("directus_") for c in body["collections"])


async def test_fields_and_relations_of_the_demo_content(call):
    ok, body = await call("schema", {"collections": ["articles", "authors"]})
    assert ok
    articles, authors = body["articles"], body["authors"]
    assert articles["id"] == "integer, pk, auto"
    assert articles["title"].startswith("string, required")
    assert articles["status"].startswith("string, choices published|draft|archived, default draft")
    assert articles["author"].startswith("m2o -> authors")
    assert articles["categories"].startswith("m2m -> categories via articles_categories.categories_id")
    assert articles["date_created"] == "timestamp, auto"
    assert authors["articles"].startswith("o2m <- articles.author")
    assert "unique" in authors["email"]
    assert len(str(body)) < 2500  # compact: a couple of lines per field


async def test_reader_sees_only_what_it_may_read(call):
    ok, body = await call("schema", {}, token="reader")
    assert ok and "authors" not in body["collections"] and "articles" in body["collections"]
    ok, body = await call("schema", {"collections": "articles,authors"}, token="reader")
    assert ok and body["articles"]["title"].startswith("string")
    assert "error" in body["authors"]


async def test_a_schema_change_shows_in_the_next_read(call, directus_reset):
    ok, before = await call("schema", {"collections": ["authors"]})
    assert ok and "website" not in before["authors"]
    ok, _ = await call(
        "fields",
        {
            "action": "create",
            "collection": "authors",
            "data": {"field": "website", "type": "string", "meta": {"note": "Homepage"}},
        },
    )
    assert ok
    ok, after = await call("schema", {"collections": ["authors"]})
    assert ok and after["authors"]["website"] == "string; Homepage"
    ok, _ = await call(
        "collections", {"action": "create", "data": {"collection": "tags", "schema": {}, "meta": {"note": "Labels"}}}
    )
    assert ok
    ok, overview = await call("schema")
    assert ok and overview["collections"]["tags"] == "Labels"
