"""What the model is offered: the admin tools only once the conversation needs them, per user and settings."""

from __future__ import annotations

import json
from typing import Any, cast

from app.chat.approvals import ApprovalPolicy
from app.chat.model import ToolCallPart
from app.directus.toolbox import LOADER, LOADER_SUMMARY, PreparedCalls, Toolbox

EVERYONE = ["schema", "items", "files", "folders", "trigger_flow"]
ADMIN = ["collections", "fields", "relations", "flows", "operations"]


class NoClient:
    """The loader never reaches Directus; any other call would."""

    def __getattr__(self, name):
        raise AssertionError("the loader must not call Directus")


def names(box, used=()):
    return [s.name for s in box.specs(used)]


def test_an_admin_gets_one_small_loader_in_place_of_the_admin_tools():
    box = Toolbox(cast(Any, NoClient()), admin=True, policy=ApprovalPolicy())
    assert names(box) == EVERYONE + [LOADER]
    (loader,) = [s for s in box.specs() if s.name == LOADER]
    assert all(name in loader.description for name in ADMIN)
    assert len(json.dumps(loader.model_dump())) < 300  # paid on every request instead of ~350 tokens of tools


def test_the_admin_tools_are_offered_once_loaded_or_once_one_was_called():
    box = Toolbox(cast(Any, NoClient()), admin=True, policy=ApprovalPolicy())
    assert names(box, {"schema", LOADER}) == EVERYONE + ADMIN
    assert names(box, {"fields"}) == EVERYONE + ADMIN  # a model that called one by name keeps them all


async def test_non_admins_get_neither_loader_nor_admin_tools():
    box = Toolbox(cast(Any, NoClient()), admin=False, policy=ApprovalPolicy())
    assert names(box) == EVERYONE
    assert names(box, {LOADER, "fields"}) == EVERYONE
    outcome = await box.run(box.prepare(LOADER, "{}"))
    assert not outcome.ok and json.loads(outcome.content)["error"]["code"] == "UNKNOWN_TOOL"


async def test_disabled_admin_tools_are_neither_named_nor_loaded():
    policy = ApprovalPolicy()
    for name in ("flows", "operations"):
        policy.set_mode(name, "disabled")
    box = Toolbox(cast(Any, NoClient()), admin=True, policy=policy)
    (loader,) = [s for s in box.specs() if s.name == LOADER]
    assert "flows" not in loader.description and "fields" in loader.description
    outcome = await box.run(box.prepare(LOADER, "{}"))
    assert outcome.ok and json.loads(outcome.content)["loaded"] == ["collections", "fields", "relations"]
    assert names(box, {LOADER}) == EVERYONE + ["collections", "fields", "relations"]

    for name in ("collections", "fields", "relations"):
        policy.set_mode(name, "disabled")
    assert names(box) == EVERYONE  # nothing left to load: no loader


async def test_loading_changes_no_approval_mode():
    policy = ApprovalPolicy()
    box = Toolbox(cast(Any, NoClient()), admin=True, policy=policy)
    assert box.prepare(LOADER, "{}").preview is None  # nothing to approve: it only shows tools to the model
    await box.run(box.prepare(LOADER, "{}"))
    assert all(policy.mode(name) == "ask" for name in ADMIN)
    preview = box.prepare("fields", '{"action":"delete","collection":"articles","field":"title"}').preview
    assert preview is not None and preview.destructive


class ReadClient:
    """Answers any read with no rows; records the paths."""

    def __init__(self):
        self.paths = []

    async def request(self, method, path, **kwargs):
        self.paths.append((method, path))
        return []


async def test_a_call_is_prepared_once_for_its_card_its_approval_and_its_run(monkeypatch):
    import app.directus.prepared as prepared

    parsed = []
    parse = prepared.parse_arguments

    def counted(*args):
        parsed.append(args)
        return parse(*args)

    monkeypatch.setattr(prepared, "parse_arguments", counted)
    calls = PreparedCalls("https://cms.example.com")
    client = ReadClient()
    box = Toolbox(cast(Any, client), admin=False, policy=ApprovalPolicy(), calls=calls)
    part = ToolCallPart(id="c1", name="items", arguments='{"action": "read", "collection": "articles", "keys": [3]}')

    for _ in range(3):  # three frames of its card
        assert calls.describe(part) == (
            "Read articles (id 3)",
            [("articles 3", "https://cms.example.com/admin/content/articles/3")],
        )
    call = box.prepare(part.name, part.arguments)
    assert call.preview is not None and call.preview.read_only and call.action == "read"
    outcome = await box.run(call)
    assert outcome.ok and client.paths == [("GET", "/items/articles/3")]
    assert len(parsed) == 1


def test_a_call_of_a_tool_the_user_does_not_have_is_refused_but_still_described():
    calls = PreparedCalls()
    box = Toolbox(cast(Any, NoClient()), admin=False, policy=ApprovalPolicy(), calls=calls)
    part = ToolCallPart(
        id="c1", name="fields", arguments='{"action": "delete", "collection": "articles", "field": "x"}'
    )
    call = box.prepare(part.name, part.arguments)
    assert call.preview is None and call.error is not None and call.error["error"]["code"] == "UNKNOWN_TOOL"
    summary, links = calls.describe(part)
    assert summary is not None and "articles" in summary and links == []  # no Directus URL: no links
    assert calls.describe(ToolCallPart(id="c2", name=LOADER, arguments="{}")) == (LOADER_SUMMARY, [])
    assert calls.describe(ToolCallPart(id="c3", name="items", arguments='{"action": "list"')) == (None, [])
