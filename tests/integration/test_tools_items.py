"""The `items` tool against the real Directus: every action, batches, singletons, permissions, errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.directus


# --- reads (shared pristine state) ------------------------------------------------------------------------------


async def test_read_with_fields_filter_sort_limit(call):
    ok, rows = await call(
        "items",
        {
            "action": "read",
            "collection": "articles",
            "query": {
                "fields": "id,title,author.name",
                "filter": {"status": {"_eq": "published"}},
                "sort": "-views",
                "limit": 3,
            },
        },
    )
    assert ok and len(rows) == 3
    assert set(rows[0]) == {"id", "title", "author"} and "name" in rows[0]["author"]


async def test_read_by_keys_one_and_many(call):
    ok, one = await call(
        "items", {"action": "read", "collection": "articles", "keys": [1], "query": {"fields": ["id", "title"]}}
    )
    assert ok and one["id"] == 1 and set(one) == {"id", "title"}
    ok, many = await call(
        "items", {"action": "read", "collection": "articles", "keys": "[2, 3]", "query": {"fields": ["id"]}}
    )
    assert ok and sorted(r["id"] for r in many) == [2, 3]


async def test_aggregate_group_by_search_deep_and_meta(call):
    ok, groups = await call(
        "items",
        {"action": "read", "collection": "articles", "query": {"aggregate": {"count": "*"}, "groupBy": "status"}},
    )
    assert ok and {g["status"]: int(g["count"]) for g in groups} == {"published": 8, "draft": 2, "archived": 2}
    ok, found = await call(
        "items", {"action": "read", "collection": "authors", "query": {"search": "lovelace", "fields": ["name"]}}
    )
    assert ok and found == [{"name": "Ada Lovelace"}]
    ok, deep = await call(
        "items",
        {
            "action": "read",
            "collection": "authors",
            "query": {"fields": ["name", "articles.title"], "deep": {"articles": {"_limit": 1}}, "limit": 2},
        },
    )
    assert ok and all(len(a["articles"]) <= 1 for a in deep)
    ok, body = await call(
        "items",
        {"action": "read", "collection": "articles", "query": {"limit": 1, "fields": ["id"], "meta": "total_count"}},
    )
    assert ok and body["meta"]["total_count"] == 12 and len(body["data"]) == 1


async def test_big_results_are_cut_with_a_paging_note(call):
    ok, body = await call("items", {"action": "read", "collection": "articles", "query": {"limit": -1}}, budget=1500)
    assert ok and 0 < len(body["data"]) < 12
    assert "offset=" in body["note"]


async def test_errors_come_back_structured(call):
    ok, body = await call(
        "items", {"action": "read", "collection": "articles", "query": {"filter": {"views": {"_foo": 1}}}}
    )
    assert (
        not ok
        and body["error"]["code"] == "INVALID_QUERY"
        and "_foo" in body["error"]["message"]
        and body["error"]["next"]
    )
    ok, body = await call("items", {"action": "read", "collection": "no_such_thing"})
    assert not ok and body["error"]["code"] == "FORBIDDEN" and body["error"]["retryable"] is False


async def test_invalid_arguments(call):
    for args, path in [
        ({"action": "list", "collection": "articles"}, "action"),
        ({"action": "delete", "collection": "articles"}, "keys"),
        ({"action": "read", "collection": "directus_users"}, "collection"),
    ]:
        ok, body = await call("items", args)
        assert not ok and body["error"]["code"] == "INVALID_ARGUMENTS" and f"{path}:" in body["error"]["message"]


async def test_reader_gets_a_clear_permission_error(call):
    ok, rows = await call("items", {"action": "read", "collection": "articles", "query": {"limit": 1}}, token="reader")
    assert ok and len(rows) == 1
    ok, body = await call("items", {"action": "read", "collection": "authors"}, token="reader")
    assert not ok and body["error"]["code"] == "FORBIDDEN"
    # The user's words (shown on the card), Directus's own (for the model) and the model's advice apart:
    error = body["error"]
    assert error["message"].startswith("Directus refused this: your role may not do it")
    assert "Queried in" not in error["message"] and "schema" not in error["message"]
    assert "permission" in error["directus"] and "Do not retry" in error["next"] and "schema" in error["next"]
    ok, body = await call(
        "items", {"action": "create", "collection": "articles", "data": {"title": "x"}}, token="reader"
    )
    assert not ok and body["error"]["code"] == "FORBIDDEN"


# --- writes (each test starts from a fresh reset) ------------------------------------------------------------


async def test_create_update_delete(call, directus_reset):
    ok, created = await call(
        "items",
        {
            "action": "create",
            "collection": "authors",
            "data": {"name": "Grace Hopper"},
            "query": {"fields": ["id", "name"]},
        },
    )
    assert ok and created["name"] == "Grace Hopper"
    ok, batch = await call(
        "items",
        {
            "action": "create",
            "collection": "authors",
            "data": [{"name": "A"}, {"name": "B"}],
            "query": {"fields": "id"},
        },
    )
    assert ok and len(batch) == 2
    ids = [created["id"]] + [b["id"] for b in batch]

    ok, updated = await call(
        "items", {"action": "update", "collection": "authors", "keys": [ids[0]], "data": {"bio": "Admiral"}}
    )
    assert ok and updated["bio"] == "Admiral"
    ok, updated = await call(
        "items",
        {
            "action": "update",
            "collection": "authors",
            "keys": ids[1:],
            "data": {"bio": "twin"},
            "query": {"fields": ["bio"]},
        },
    )
    assert ok and updated == [{"bio": "twin"}, {"bio": "twin"}]
    ok, updated = await call(
        "items",
        {
            "action": "update",
            "collection": "authors",
            "data": [{"id": ids[1], "name": "A2"}, {"id": ids[2], "name": "B2"}],
            "query": {"fields": "name"},
        },
    )
    assert ok and sorted(u["name"] for u in updated) == ["A2", "B2"]
    ok, updated = await call(
        "items",
        {
            "action": "update",
            "collection": "articles",
            "query": {"filter": {"status": {"_eq": "draft"}}, "fields": ["status"]},
            "data": {"status": "published"},
        },
    )
    assert ok and updated == [{"status": "published"}] * 2

    ok, deleted = await call("items", {"action": "delete", "collection": "authors", "keys": ids})
    assert ok and deleted == {"deleted": ids}
    ok, rest = await call(
        "items", {"action": "read", "collection": "authors", "query": {"filter": {"id": {"_in": ids}}}}
    )
    assert ok and rest == []


async def test_singleton_create_update_read(call, directus_reset):
    ok, _ = await call(
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
    assert ok
    ok, body = await call("items", {"action": "create", "collection": "site_settings", "data": {"tagline": "Hello"}})
    assert not ok and "action update" in body["error"]["message"]  # create would overwrite its one item
    ok, item = await call("items", {"action": "update", "collection": "site_settings", "data": {"tagline": "Hello"}})
    assert ok and item["tagline"] == "Hello"
    ok, item = await call("items", {"action": "update", "collection": "site_settings", "data": {"tagline": "Bye"}})
    assert ok and item["tagline"] == "Bye"
    ok, item = await call("items", {"action": "read", "collection": "site_settings"})
    assert ok and item["tagline"] == "Bye" and isinstance(item, dict)
    ok, body = await call("items", {"action": "update", "collection": "authors", "data": {"bio": "x"}})
    assert not ok and "not a singleton" in body["error"]["message"]
