"""Tool arguments: parsed once (app/directus/prepared.py), JSON text accepted, exact error paths, previews for the
approval prompt."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.directus.prepared import prepare
from app.directus.registry import CallPreview, get_tool, run_call
from app.directus.tools.arguments import ArgsModel
from app.directus.tools.definition import ToolDef


def problems(name, arguments):
    call = prepare(name, arguments)
    assert call.error is not None, call
    return dict(call.problems)


def preview_call(name, arguments) -> CallPreview:
    call = prepare(name, arguments)
    assert call.preview is not None, call.error
    return call.preview


def validate_call(name, arguments) -> tuple[ToolDef, Any]:
    call = prepare(name, arguments)
    assert call.tool is not None and isinstance(call.args, ArgsModel), call.error
    return call.tool, call.args


@pytest.mark.parametrize("empty", ["", "  ", "null", None, {}])
def test_empty_arguments_mean_no_arguments(empty):
    preview = preview_call("schema", empty)
    assert isinstance(preview, CallPreview) and preview.read_only
    assert preview.summary == "Read the list of collections"


def test_nested_arguments_sent_as_json_text_are_accepted():
    raw = json.dumps(
        {
            "action": "update",
            "collection": "articles",
            "keys": "[4, 7]",
            "data": '{"status": "draft"}',
            "query": '{"fields": "id,title"}',
        }
    )
    tool, args = validate_call("items", raw)
    assert args.keys == [4, 7] and args.data == {"status": "draft"} and args.query.fields == ["id", "title"]


def test_double_encoded_arguments_are_accepted():
    raw = json.dumps(json.dumps({"action": "read", "collection": "articles"}))
    assert preview_call("items", raw).summary == "Read articles"


def test_filter_as_json_text_inside_query():
    _, args = validate_call(
        "items", {"action": "read", "collection": "a", "query": {"filter": '{"id": {"_eq": 1}}', "sort": "-id"}}
    )
    assert args.query.filter == {"id": {"_eq": 1}} and args.query.sort == ["-id"]


def test_invalid_json_says_so():
    assert "not valid JSON" in problems("items", '{"action": "read",')[""]


def test_wrong_action_names_the_argument_and_the_choices():
    p = problems("items", {"action": "list", "collection": "articles"})
    assert "'create', 'read', 'update', 'delete' or 'chart'" in p["action"]


def test_missing_and_unknown_arguments():
    p = problems("items", {"action": "read", "colection": "articles"})
    assert p["collection"] == "required"
    assert "unknown argument" in p["colection"]


def test_delete_needs_keys():
    assert "primary keys" in problems("items", {"action": "delete", "collection": "articles"})["keys"]
    assert "keys" in problems(
        "items", {"action": "delete", "collection": "articles", "query": {"filter": {"id": {"_gt": 0}}}}
    )


def test_system_collections_are_refused():
    assert "directus_" in problems("items", {"action": "read", "collection": "directus_users"})["collection"]


def test_update_by_query_needs_a_filter():
    assert (
        "filter"
        in problems("items", {"action": "update", "collection": "a", "data": {"x": 1}, "query": {"limit": 5}})[
            "query.filter"
        ]
    )


def test_update_array_with_keys_is_ambiguous():
    assert "data" in problems("items", {"action": "update", "collection": "a", "data": [{"id": 1}], "keys": [1]})


def test_nested_error_path_in_query():
    p = problems("items", {"action": "read", "collection": "a", "query": {"limit": "many"}})
    assert "query.limit" in p and "integer" in p["query.limit"]
    p = problems("items", {"action": "read", "collection": "a", "query": {"aggregate": {"total": "views"}}})
    assert "unknown aggregate" in p["query.aggregate"]


def test_unknown_tool():
    p = problems("sql", {})
    assert "no tool 'sql'" in p[""]


def test_files_import_needs_a_url():
    assert "URL" in problems("files", {"action": "import", "data": {"title": "x"}})["data.url"]
    assert "data[1].url" in problems(
        "files", {"action": "import", "data": [{"url": "https://a/b.png"}, {"url": "ftp://x"}]}
    )


def test_trigger_flow_needs_collection_with_id():
    assert "collection" in problems("trigger_flow", {"id": "abc"})
    assert "id" in problems("trigger_flow", {"collection": "articles"})


def test_admin_tool_argument_checks():
    assert "collection" in problems("fields", {"action": "create", "data": {"field": "x", "type": "string"}})
    assert "data.type" in problems("fields", {"action": "create", "collection": "a", "data": {"field": "x"}})
    assert "field" in problems("relations", {"action": "delete", "collection": "a"})
    assert "keys" in problems("collections", {"action": "delete"})
    assert "keys" in problems("flows", {"action": "update", "data": {"status": "inactive"}})


@pytest.mark.parametrize(
    "name, arguments, summary, read_only, destructive, bulk",
    [
        ("items", {"action": "read", "collection": "articles"}, "Read articles", True, False, False),
        (
            "items",
            {"action": "create", "collection": "articles", "data": {"title": "x"}},
            "Create 1 item in articles",
            False,
            False,
            False,
        ),
        (
            "items",
            {"action": "update", "collection": "articles", "keys": [1, 2, 3], "data": {"a": 1}},
            "Update 3 items in articles (ids 1, 2, 3)",
            False,
            False,
            False,
        ),
        (
            "items",
            {
                "action": "update",
                "collection": "articles",
                "query": {"filter": {"status": {"_eq": "draft"}}},
                "data": {"status": "published"},
            },
            "Update every item in articles that matches a filter",
            False,
            False,
            True,
        ),
        (
            "items",
            {"action": "delete", "collection": "articles", "keys": [4, 7]},
            "Delete 2 items from articles (ids 4, 7)",
            False,
            True,
            False,
        ),
        (
            "items",
            {"action": "delete", "collection": "articles", "keys": list(range(1, 13))},
            "Delete 12 items from articles (ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more)",
            False,
            True,
            True,
        ),
        (
            "files",
            {"action": "import", "data": {"url": "https://x.test/a.png"}},
            "Import 1 file from x.test (Directus will download it)",
            False,
            False,
            False,
        ),
        (
            "folders",
            {"action": "delete", "keys": ["5e1f0c0e-2b6a-4f36-9c1d-8a7b6c5d4e3f"]},
            "Delete 1 file folder (id 5e1f0c0e-2b6a-4f36-9c1d-8a7b6c5d4e3f)",
            False,
            True,
            False,
        ),
        ("trigger_flow", {}, "List the manual flows", True, False, False),
        (
            "collections",
            {"action": "delete", "keys": ["tags"]},
            "Delete 1 collection and all their items: tags",
            False,
            True,
            True,
        ),
        (
            "fields",
            {"action": "create", "collection": "tags", "data": {"field": "color", "type": "string"}},
            "Add 1 field to tags: color",
            False,
            False,
            False,
        ),
    ],
)
def test_previews(name, arguments, summary, read_only, destructive, bulk):
    p = preview_call(name, json.dumps(arguments))
    assert isinstance(p, CallPreview), p
    assert (p.summary, p.read_only, p.destructive, p.bulk) == (summary, read_only, destructive, bulk)


def test_preview_details_name_what_is_touched():
    p = preview_call("items", {"action": "update", "collection": "articles", "keys": [4], "data": {"status": "draft"}})
    assert p.details == {"collection": "articles", "keys": [4], "data": {"status": "draft"}}
    p = preview_call(
        "items",
        {"action": "update", "collection": "articles", "query": {"filter": {"id": {"_gt": 3}}}, "data": {"x": 1}},
    )
    assert p.details["query"] == {"filter": {"id": {"_gt": 3}}}


NO_CLIENT: Any = object()  # an invalid call never reaches Directus


async def test_run_tool_turns_argument_errors_into_structured_results():
    outcome = await run_call(NO_CLIENT, prepare("items", '{"action": "delete", "collection": "articles"}'))
    assert not outcome.ok
    error = json.loads(outcome.content)["error"]
    assert error["code"] == "INVALID_ARGUMENTS" and error["retryable"] and "keys" in error["message"] and error["next"]
    outcome = await run_call(NO_CLIENT, prepare("nope", "{}"))
    assert json.loads(outcome.content)["error"]["code"] == "UNKNOWN_TOOL"


def test_a_number_too_long_for_python_is_an_argument_error_not_a_crash():
    big = "9" * 5000  # json.loads raises a plain ValueError (Python's 4300-digit limit), not a JSONDecodeError
    for raw in (
        '{"action":"read","collection":"articles","keys":[%s]}' % big,
        '{"action":"read","collection":"articles","query":{"limit":%s}}' % big,
    ):
        call = prepare("items", raw)
        assert call.error is not None and call.error["error"]["code"] == "INVALID_ARGUMENTS"
        assert "number too long" in call.error["error"]["message"]


def test_prepare_never_raises_even_when_a_check_fails_unexpectedly(monkeypatch):
    def broken(args):
        raise TypeError("a bug in a preview")

    monkeypatch.setattr(get_tool("items"), "preview", broken)
    call = prepare("items", '{"action":"read","collection":"articles"}')
    assert call.error is not None and call.preview is None
    assert (
        call.error["error"]["code"] == "INVALID_ARGUMENTS" and "could not be checked" in call.error["error"]["message"]
    )
