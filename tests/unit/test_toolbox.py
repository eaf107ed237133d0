"""What the model is offered: the admin tools only once the conversation needs them, per user and settings."""

from __future__ import annotations

import json

from app.chat.approvals import ApprovalPolicy
from app.directus.toolbox import LOADER, Toolbox

EVERYONE = ["schema", "items", "files", "folders", "trigger_flow"]
ADMIN = ["collections", "fields", "relations", "flows", "operations"]


class NoClient:
    """The loader never reaches Directus; any other call would."""

    def __getattr__(self, name):
        raise AssertionError("the loader must not call Directus")


def names(box, used=()):
    return [s.name for s in box.specs(used)]


def test_an_admin_gets_one_small_loader_in_place_of_the_admin_tools():
    box = Toolbox(NoClient(), admin=True, policy=ApprovalPolicy())
    assert names(box) == EVERYONE + [LOADER]
    (loader,) = [s for s in box.specs() if s.name == LOADER]
    assert all(name in loader.description for name in ADMIN)
    assert len(json.dumps(loader.model_dump())) < 300  # paid on every request instead of ~350 tokens of tools


def test_the_admin_tools_are_offered_once_loaded_or_once_one_was_called():
    box = Toolbox(NoClient(), admin=True, policy=ApprovalPolicy())
    assert names(box, {"schema", LOADER}) == EVERYONE + ADMIN
    assert names(box, {"fields"}) == EVERYONE + ADMIN  # a model that called one by name keeps them all


async def test_non_admins_get_neither_loader_nor_admin_tools():
    box = Toolbox(NoClient(), admin=False, policy=ApprovalPolicy())
    assert names(box) == EVERYONE
    assert names(box, {LOADER, "fields"}) == EVERYONE
    outcome = await box.run(LOADER, "{}")
    assert not outcome.ok and json.loads(outcome.content)["error"]["code"] == "UNKNOWN_TOOL"


async def test_disabled_admin_tools_are_neither_named_nor_loaded():
    policy = ApprovalPolicy()
    for name in ("flows", "operations"):
        policy.set_mode(name, "disabled")
    box = Toolbox(NoClient(), admin=True, policy=policy)
    (loader,) = [s for s in box.specs() if s.name == LOADER]
    assert "flows" not in loader.description and "fields" in loader.description
    outcome = await box.run(LOADER, "{}")
    assert outcome.ok and json.loads(outcome.content)["loaded"] == ["collections", "fields", "relations"]
    assert names(box, {LOADER}) == EVERYONE + ["collections", "fields", "relations"]

    for name in ("collections", "fields", "relations"):
        policy.set_mode(name, "disabled")
    assert names(box) == EVERYONE  # nothing left to load: no loader


async def test_loading_changes_no_approval_mode():
    policy = ApprovalPolicy()
    box = Toolbox(NoClient(), admin=True, policy=policy)
    assert box.preview(LOADER, "{}") is None  # nothing to approve: it only shows tools to the model
    await box.run(LOADER, "{}")
    assert all(policy.mode(name) == "ask" for name in ADMIN)
    assert box.preview("fields", '{"action":"delete","collection":"articles","field":"title"}').destructive
