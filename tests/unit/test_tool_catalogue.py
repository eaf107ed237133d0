"""The tool catalogue: who sees which tools, lean schemas every provider accepts, compact results."""

from __future__ import annotations

import json

from app.directus.registry import all_tools, tool_names, tool_specs
from app.directus.tools.results import BUDGET, fit, prune
from app.directus.tools.schema import describe_fields

ADMIN_ONLY = {"collections", "fields", "relations", "flows", "operations"}
EVERYONE = {"schema", "items", "files", "folders", "trigger_flow"}


def test_non_admins_never_see_admin_tools():
    assert set(tool_names(admin=False)) == EVERYONE | {"dashboard"}
    assert set(tool_names(admin=True)) == EVERYONE | ADMIN_ONLY | {"dashboard"}
    assert {s.name for s in tool_specs(admin=False)} == EVERYONE


def test_the_dashboard_tool_is_offered_once_the_page_has_used_it():
    assert "dashboard" not in {s.name for s in tool_specs(admin=True)}
    assert "dashboard" in {s.name for s in tool_specs(admin=True, used={"dashboard"})}
    assert all(all_tools()[n].admin_only for n in ADMIN_ONLY)


def test_disabled_tools_are_left_out():
    names = [s.name for s in tool_specs(admin=True, enabled=lambda n: n not in ("items", "flows"))]
    assert "items" not in names and "flows" not in names and "schema" in names


def walk(node, path="$"):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def test_schemas_are_lean_and_portable():
    for spec in tool_specs(admin=True):
        schema = spec.parameters
        assert schema["type"] == "object" and isinstance(schema["properties"], dict), spec.name
        for path, node in walk(schema):
            if not isinstance(node, dict) or path.endswith(".properties"):
                continue
            assert "title" not in node and "default" not in node and "$ref" not in node and "$defs" not in node, (
                spec.name,
                path,
            )
            types = node.get("type")
            if types == "array" or (isinstance(types, list) and "array" in types):
                assert "items" in node, (spec.name, path)  # OpenAI rejects arrays without items
        for name in schema.get("required", []):
            assert name in schema["properties"], spec.name
        assert len(spec.description) <= 120, spec.name


def test_action_enums_match_what_the_tools_accept():
    props = {s.name: s.parameters["properties"] for s in tool_specs(admin=True)}
    assert props["items"]["action"]["enum"] == ["create", "read", "update", "delete", "chart"]
    assert props["files"]["action"]["enum"] == ["read", "update", "import", "delete"]
    assert "query" in props["items"] and "keys" in props["items"]


def test_all_tools_fit_in_a_small_budget():
    text = json.dumps([s.model_dump() for s in tool_specs(admin=True)], separators=(",", ":"))
    # About 3,600 characters is ~830 o200k tokens; Directus's own assistant sends ~1,500 tokens of tools + prompt.
    assert len(text) < 4000, len(text)


def test_a_big_list_is_cut_with_a_paging_note():
    rows = [{"id": i, "title": "x" * 80} for i in range(500)]
    text, cut = fit(rows, offset=20)
    body = json.loads(text)
    assert cut and len(text) <= BUDGET
    kept = len(body["data"])
    assert 0 < kept < 500 and body["data"][0]["id"] == 0
    assert f"offset={20 + kept}" in body["note"] and "fewer fields" in body["note"]


def test_a_long_text_field_is_shortened_not_dropped():
    text, cut = fit({"id": 1, "body": "y" * 20000})
    body = json.loads(text)
    assert cut and body["data"]["id"] == 1 and "more characters" in body["data"]["body"] and body["note"]


def test_small_results_are_untouched_and_compact():
    text, cut = fit([{"id": 1, "title": "é"}])
    assert (text, cut) == ('[{"id":1,"title":"é"}]', False)


def test_prune_drops_empty_metadata():
    assert prune({"a": None, "b": [], "c": {}, "d": {"e": None, "f": 0}, "g": False}, drop=("x",)) == {
        "d": {"f": 0},
        "g": False,
    }


def test_schema_lines_for_every_relation_kind():
    relations = [
        {
            "collection": "articles",
            "field": "author",
            "related_collection": "authors",
            "meta": {"one_field": "articles"},
        },
        {
            "collection": "articles_tags",
            "field": "articles_id",
            "related_collection": "articles",
            "meta": {"one_field": "tags", "junction_field": "tags_id"},
        },
        {
            "collection": "articles_tags",
            "field": "tags_id",
            "related_collection": "tags",
            "meta": {"one_field": None, "junction_field": "articles_id"},
        },
        {
            "collection": "pages_blocks",
            "field": "pages_id",
            "related_collection": "pages",
            "meta": {"one_field": "blocks", "junction_field": "item"},
        },
        {
            "collection": "pages_blocks",
            "field": "item",
            "related_collection": None,
            "meta": {
                "one_allowed_collections": ["hero", "text"],
                "one_collection_field": "collection",
                "junction_field": "pages_id",
            },
        },
    ]
    articles = describe_fields(
        "articles",
        [
            {"field": "id", "type": "integer", "schema": {"is_primary_key": True, "has_auto_increment": True}},
            {"field": "title", "type": "string", "meta": {"required": True, "note": "Headline"}},
            {
                "field": "status",
                "type": "string",
                "schema": {"default_value": "draft", "is_nullable": False},
                "meta": {
                    "options": {
                        "choices": [{"text": "Draft", "value": "draft"}, {"text": "Live", "value": "published"}]
                    }
                },
            },
            {"field": "author", "type": "integer", "meta": {"special": ["m2o"]}},
            {"field": "tags", "type": "alias", "meta": {"special": ["m2m"]}},
            {
                "field": "divider",
                "type": "alias",
                "meta": {"special": ["alias", "no-data"], "interface": "presentation-divider"},
            },
            {"field": "date_created", "type": "timestamp", "meta": {"special": ["date-created"], "readonly": True}},
        ],
        relations,
    )
    assert articles == {
        "id": "integer, pk, auto",
        "title": "string, required; Headline",
        "status": "string, choices draft|published, default draft",
        "author": "m2o -> authors",
        "tags": "m2m -> tags via articles_tags.tags_id",
        "date_created": "timestamp, auto",
    }
    authors = describe_fields(
        "authors", [{"field": "articles", "type": "alias", "meta": {"special": ["o2m"]}}], relations
    )
    assert authors == {"articles": "o2m <- articles.author"}
    pages = describe_fields("pages", [{"field": "blocks", "type": "alias", "meta": {"special": ["m2a"]}}], relations)
    assert pages == {"blocks": "m2a -> hero|text via pages_blocks.item (+collection)"}
