"""Schema discovery on the seeded demo, and creating collections, fields and relations."""

import pytest

pytestmark = pytest.mark.directus

DEMO_COLLECTIONS = {"ai_prompts", "articles", "authors", "categories", "articles_categories"}


def by_key(rows, key):
    return {row[key]: row for row in rows}


def test_collections_list_user_and_system_collections_with_notes(directus):
    with directus.client() as admin:
        response = admin.get(
            "/collections", params={"filter": '{"collection":{"_eq":"articles"}}', "fields": "collection", "limit": 1}
        )
    collections = by_key(response.json()["data"], "collection")
    # filter, fields and limit are ignored here: every collection comes back whole, system ones too
    # (meta.system marks them)
    assert DEMO_COLLECTIONS <= set(collections)
    user = {name for name, c in collections.items() if not (c["meta"] or {}).get("system")}
    assert user == DEMO_COLLECTIONS
    assert all(name.startswith("directus_") for name in set(collections) - user)
    articles = collections["articles"]
    assert articles["meta"]["note"].startswith("Blog articles")
    assert articles["meta"]["archive_field"] == "status"
    assert articles["meta"]["display_template"] == "{{title}}"
    assert articles["schema"]["name"] == "articles"
    assert collections["articles_categories"]["meta"]["hidden"] is True


def test_fields_of_articles(directus):
    with directus.client() as admin:
        fields = by_key(admin.get("/fields/articles").json()["data"], "field")
    assert set(fields) == {
        "id",
        "status",
        "publish_date",
        "title",
        "body",
        "views",
        "date_created",
        "date_updated",
        "author",
        "categories",
    }
    assert fields["id"]["schema"]["is_primary_key"] and fields["id"]["schema"]["has_auto_increment"]
    assert fields["title"]["meta"]["required"] is True
    assert fields["title"]["meta"]["note"]
    status = fields["status"]
    assert [c["value"] for c in status["meta"]["options"]["choices"]] == ["published", "draft", "archived"]
    assert status["schema"]["default_value"] == "draft"
    assert fields["views"]["type"] == "integer" and fields["views"]["schema"]["default_value"] == 0
    assert fields["publish_date"]["type"] == "date"
    assert fields["body"]["type"] == "text"
    author = fields["author"]
    assert author["meta"]["special"] == ["m2o"]
    assert author["schema"]["foreign_key_table"] == "authors"
    categories = fields["categories"]
    assert categories["type"] == "alias" and categories["meta"]["special"] == ["m2m"]
    assert categories["schema"] is None  # alias fields have no column


def test_one_field(directus):
    with directus.client() as admin:
        field = admin.get("/fields/authors/articles").json()["data"]
    assert field["type"] == "alias" and field["meta"]["special"] == ["o2m"]


def test_relations_of_the_demo(directus):
    with directus.client() as admin:
        everything = admin.get("/relations").json()["data"]
        junction = admin.get("/relations/articles_categories").json()["data"]
        articles = admin.get("/relations/articles").json()["data"]
    assert any(r["collection"].startswith("directus_") for r in everything)  # system relations included
    (author,) = articles
    assert (author["field"], author["related_collection"]) == ("author", "authors")
    assert author["meta"]["one_field"] == "articles"
    assert author["schema"]["on_delete"] == "SET NULL"
    sides = by_key(junction, "field")
    assert sides["articles_id"]["related_collection"] == "articles"
    assert sides["articles_id"]["meta"]["one_field"] == "categories"
    assert sides["articles_id"]["meta"]["junction_field"] == "categories_id"
    assert sides["categories_id"]["related_collection"] == "categories"
    assert sides["categories_id"]["meta"]["junction_field"] == "articles_id"


def test_schema_snapshot_is_the_compact_user_schema(directus):
    with directus.client() as admin:
        snapshot = admin.get("/schema/snapshot").json()["data"]
    assert snapshot["directus"] == directus.version
    assert {c["collection"] for c in snapshot["collections"]} == DEMO_COLLECTIONS
    assert ("articles", "author") in {(f["collection"], f["field"]) for f in snapshot["fields"]}
    assert len(snapshot["relations"]) == 3


def test_creating_an_existing_collection_is_a_clear_error(directus):
    with directus.client() as admin:
        response = admin.post("/collections", json={"collection": "articles", "schema": {}})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_PAYLOAD"
    assert "articles" in error["message"]


def test_create_a_collection_with_a_field_and_an_m2o_relation(directus_reset):
    with directus_reset.client() as admin:
        created = admin.post(
            "/collections",
            json={
                "collection": "comments",
                "schema": {},
                "meta": {"icon": "chat", "note": "Reader comments"},
                "fields": [
                    {
                        "field": "id",
                        "type": "integer",
                        "schema": {"is_primary_key": True, "has_auto_increment": True},
                        "meta": {"hidden": True},
                    },
                    {"field": "text", "type": "text", "meta": {"interface": "input-multiline", "required": True}},
                ],
            },
        )
        assert created.status_code == 200, created.text
        assert created.json()["data"]["meta"]["note"] == "Reader comments"

        field = admin.post(
            "/fields/comments",
            json={
                "field": "article",
                "type": "integer",
                "schema": {},
                "meta": {"interface": "select-dropdown-m2o", "special": ["m2o"], "note": "Commented article"},
            },
        )
        assert field.status_code == 200, field.text
        alias = admin.post(
            "/fields/articles",
            json={"field": "comments", "type": "alias", "meta": {"interface": "list-o2m", "special": ["o2m"]}},
        )
        assert alias.status_code == 200, alias.text
        relation = admin.post(
            "/relations",
            json={
                "collection": "comments",
                "field": "article",
                "related_collection": "articles",
                "schema": {"on_delete": "CASCADE"},
                "meta": {"one_field": "comments"},
            },
        )
        assert relation.status_code == 200, relation.text

        fields = by_key(admin.get("/fields/comments").json()["data"], "field")
        assert set(fields) == {"id", "text", "article"}
        assert fields["article"]["schema"]["foreign_key_table"] == "articles"
        (read_back,) = admin.get("/relations/comments").json()["data"]
        assert read_back["related_collection"] == "articles"
        assert read_back["meta"]["one_field"] == "comments"

        # the relation works both ways right away
        item = admin.post(
            "/items/comments", json={"text": "Lovely", "article": 3}, params={"fields": "id,text,article.title"}
        ).json()["data"]
        assert item["article"]["title"] == "Computing machinery and intelligence"
        article = admin.get("/items/articles/3", params={"fields": "comments.text"}).json()["data"]
        assert article == {"comments": [{"text": "Lovely"}]}

        # change a field's note, then drop the collection
        patched = admin.patch("/fields/comments/text", json={"meta": {"note": "Plain text only"}})
        assert patched.json()["data"]["meta"]["note"] == "Plain text only"
        assert admin.delete("/collections/comments").status_code == 204
        gone = admin.get("/items/comments")
        assert gone.status_code == 403  # a missing collection is FORBIDDEN, not 404
        assert "comments" not in by_key(admin.get("/fields/articles").json()["data"], "field")
