"""Items: reading the seeded demo with query parameters, and create / update / delete."""

import json

import pytest

pytestmark = pytest.mark.directus


def get(client, path, **params):
    params = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in params.items()}
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_fields_through_m2o_and_m2m(directus):
    with directus.client() as admin:
        item = get(admin, "/items/articles/1", fields="title,author.name,categories.categories_id.slug")["data"]
    assert item == {
        "title": "Notes on the Analytical Engine",
        "author": {"name": "Ada Lovelace"},
        "categories": [{"categories_id": {"slug": "history"}}, {"categories_id": {"slug": "mathematics"}}],
    }


def test_default_fields_give_keys_for_relations(directus):
    with directus.client() as admin:
        item = get(admin, "/items/articles/1")["data"]
    assert item["author"] == 1
    assert len(item["categories"]) == 2 and all(isinstance(key, int) for key in item["categories"])  # junction ids


def test_filter_sort_limit_offset_and_meta_counts(directus):
    with directus.client() as admin:
        body = get(
            admin,
            "/items/articles",
            fields="title,views",
            filter={"status": {"_eq": "published"}},
            sort="-views",
            limit=3,
            meta="total_count,filter_count",
        )
        page2 = get(
            admin,
            "/items/articles",
            fields="title,views",
            filter={"status": {"_eq": "published"}},
            sort="-views",
            limit=3,
            offset=3,
        )["data"]
        everything = get(
            admin, "/items/articles", fields="views", filter={"status": {"_eq": "published"}}, sort="-views", limit=-1
        )["data"]
    assert body["meta"] == {"total_count": 12, "filter_count": 8}
    assert body["data"][0] == {"title": "Computing machinery and intelligence", "views": 2210}
    views = [row["views"] for row in everything]
    assert views == sorted(views, reverse=True) and len(views) == 8
    assert [row["views"] for row in body["data"] + page2] == views[:6]


def test_bracket_style_filter_and_relational_filters(directus):
    with directus.client() as admin:
        by_author = admin.get(
            "/items/articles",
            params={"fields": "title", "filter[author][name][_eq]": "Margaret Hamilton", "sort": "title"},
        ).json()["data"]
        space = get(
            admin,
            "/items/articles",
            fields="id",
            filter={"categories": {"_some": {"categories_id": {"slug": {"_eq": "space"}}}}},
        )["data"]
        combined = get(
            admin,
            "/items/articles",
            fields="title",
            filter={"_and": [{"views": {"_gte": 1000}}, {"publish_date": {"_lt": "2024-03-01"}}]},
            sort="publish_date",
        )
    assert [row["title"] for row in by_author] == [
        "Error handling at 384,000 km",
        "Rope memory, woven by hand",
        "Software for the Moon landing",
    ]
    assert len(space) == 3
    assert [row["title"] for row in combined["data"]] == [
        "Notes on the Analytical Engine",
        "Computing machinery and intelligence",
    ]


def test_search_is_case_insensitive_over_text_fields(directus):
    with directus.client() as admin:
        rows = get(admin, "/items/articles", fields="title", search="COMPILER")["data"]
    assert rows == [{"title": "Why the compiler matters"}]


def test_aggregate_with_group_by(directus):
    with directus.client() as admin:
        groups = admin.get(
            "/items/articles", params={"aggregate[count]": "*", "aggregate[sum]": "views", "groupBy[]": "status"}
        ).json()["data"]
        distinct = admin.get("/items/articles", params={"aggregate[countDistinct]": "author"}).json()["data"]
        per_field = admin.get("/items/articles", params={"aggregate[count]": "id"}).json()["data"]
    by_status = {row["status"]: row for row in groups}
    assert {s: row["count"] for s, row in by_status.items()} == {"published": 8, "draft": 2, "archived": 2}
    assert by_status["draft"]["sum"] == {"views": 0}
    assert sum(row["sum"]["views"] for row in groups) == 10125
    assert distinct == [{"countDistinct": {"author": 4}}]
    assert per_field == [{"count": {"id": 12}}]  # count=* gives a number, count=<field> a {field: n} map
    # counts come back as numbers on SQLite (some databases give strings)
    assert isinstance(by_status["published"]["count"], int)


def test_deep_limits_and_sorts_nested_lists(directus):
    with directus.client() as admin:
        rows = get(
            admin,
            "/items/authors",
            fields="name,articles.title,articles.views",
            sort="name",
            deep={"articles": {"_sort": ["-views"], "_limit": 1}},
        )["data"]
    assert rows[0] == {"name": "Ada Lovelace", "articles": [{"title": "Notes on the Analytical Engine", "views": 1520}]}
    assert all(len(row["articles"]) == 1 for row in rows)


def test_query_in_a_search_request_body(directus):
    with directus.client() as admin:
        response = admin.request(
            "SEARCH",
            "/items/articles",
            json={"query": {"fields": ["title"], "filter": {"status": {"_eq": "draft"}}, "sort": ["title"]}},
        )
    assert response.status_code == 200, response.text
    assert [row["title"] for row in response.json()["data"]] == [
        "Debugging, literally",
        "Morphogenesis: how the leopard gets its spots",
    ]


def test_bad_queries_are_clear_errors(directus):
    with directus.client() as admin:
        operator = admin.get("/items/articles", params={"filter[views][_foo]": "1"})
        missing_field = admin.get("/items/articles", params={"fields": "nope"})
        missing_collection = admin.get("/items/nope")
    assert operator.status_code == 400
    assert operator.json()["errors"][0]["extensions"]["code"] == "INVALID_QUERY"
    # unknown fields are FORBIDDEN, like unknown collections; Directus 10 leaves them out of the answer instead
    assert missing_field.status_code == (403 if directus.at_least(11) else 200)
    assert missing_collection.status_code == 403
    if directus.at_least(11):  # (Directus 10: "You don't have permission to access this.")
        assert "does not exist" in missing_collection.json()["errors"][0]["message"]


def test_missing_item_is_403_and_required_field_is_validated(directus):
    with directus.client() as admin:
        missing = admin.get("/items/articles/999")
        invalid = admin.post("/items/articles", json={"status": "draft"})
    assert missing.status_code == 403
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["extensions"]["code"] == "FAILED_VALIDATION"
    assert invalid.json()["errors"][0]["extensions"]["field"] == "title"


def test_create_update_and_delete(directus_reset):
    with directus_reset.client() as admin:
        created = admin.post(
            "/items/articles",
            params={"fields": "id,title,status,views,author.name,categories.categories_id.slug"},
            json={
                "title": "The Difference Engine",
                "author": 1,
                "status": "draft",
                "categories": [{"categories_id": 1}, {"categories_id": 3}],
            },
        )
        assert created.status_code == 200, created.text
        item = created.json()["data"]
        assert item["id"] == 13 and item["views"] == 0  # defaults applied
        assert item["author"] == {"name": "Ada Lovelace"}
        assert [c["categories_id"]["slug"] for c in item["categories"]] == ["history", "mathematics"]

        nested = admin.post(
            "/items/articles",
            params={"fields": "author.name,categories.categories_id.name"},
            json={
                "title": "Nested",
                "author": {"name": "Katherine Johnson"},
                "categories": [{"categories_id": {"name": "Biography", "slug": "biography"}}],
            },
        )
        assert nested.json()["data"] == {
            "author": {"name": "Katherine Johnson"},
            "categories": [{"categories_id": {"name": "Biography"}}],
        }

        batch = admin.post("/items/categories", json=[{"name": "A", "slug": "a"}, {"name": "B", "slug": "b"}])
        assert [row["slug"] for row in batch.json()["data"]] == ["a", "b"]

        updated = admin.patch(f"/items/articles/{item['id']}", json={"status": "published", "views": 5})
        assert updated.json()["data"]["status"] == "published"
        by_keys = admin.patch("/items/articles", json={"keys": [1, 2], "data": {"views": 7}})
        assert [row["views"] for row in by_keys.json()["data"]] == [7, 7]
        by_query = admin.patch(
            "/items/articles", json={"query": {"filter": {"status": {"_eq": "archived"}}}, "data": {"status": "draft"}}
        )
        assert by_query.status_code == 200, by_query.text
        assert get(admin, "/items/articles", filter={"status": {"_eq": "archived"}})["data"] == []

        assert admin.delete(f"/items/articles/{item['id']}").status_code == 204
        assert admin.get(f"/items/articles/{item['id']}").status_code == 403
        many = admin.request("DELETE", "/items/categories", json={"query": {"filter": {"slug": {"_in": ["a", "b"]}}}})
        assert many.status_code == 204
        assert get(admin, "/items/categories", filter={"slug": {"_in": ["a", "b"]}})["data"] == []

        duplicate = admin.post("/items/categories", json={"name": "History again", "slug": "history"})
        assert duplicate.status_code == 400
        error = duplicate.json()["errors"][0]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("RECORD_NOT_UNIQUE", "slug")


def test_reset_restores_the_pristine_demo(directus_reset):
    with directus_reset.client() as admin:
        assert admin.delete("/items/articles/1").status_code == 204
        assert admin.delete("/collections/articles_categories").status_code == 204
        (image,) = admin.get("/files", params={"fields": "id"}).json()["data"]
        assert admin.delete(f"/files/{image['id']}").status_code == 204
        upload = admin.post("/files", files={"file": ("extra.txt", b"extra", "text/plain")})
        assert upload.status_code == 200, upload.text
    directus_reset.reset()
    with directus_reset.client() as admin:
        assert get(admin, "/items/articles/1", fields="title,categories.categories_id.slug")["data"] == {
            "title": "Notes on the Analytical Engine",
            "categories": [{"categories_id": {"slug": "history"}}, {"categories_id": {"slug": "mathematics"}}],
        }
        files = get(admin, "/files", fields="id,filename_download")["data"]
        assert files == [{"id": image["id"], "filename_download": "gradient.png"}]
        assert admin.get(f"/assets/{image['id']}").content.startswith(b"\x89PNG")
    uploads = sorted(p.name for p in (directus_reset.instance_dir / "uploads").iterdir())
    assert len(uploads) == 1 and uploads[0].startswith(image["id"])  # the extra upload is gone
