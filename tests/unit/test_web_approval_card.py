"""The approval card (app/web/views/approval_card.py), built under CPython with a stand-in DOM (tests/unit/
test_dom_urls.py `dom`): its buttons start disabled (app/web/views/approvals.py arms them), its region can take the
focus, and its "Always allow" names exactly the scope it adds, or is not offered where the call asks anyway."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, cast

import pytest

from app.chat.approvals import ApprovalPolicy
from app.chat.model import ToolCallPart
from app.directus.tools.definition import CallPreview
from tests.unit.test_dom_urls import FakeElement, dom  # noqa: F401 - `dom` is the stand-in DOM fixture

if TYPE_CHECKING:
    from app.chat.approvals import PendingApproval


@dataclass
class Pending:
    call: ToolCallPart
    preview: CallPreview


def card_of(dom_module: types.ModuleType, preview: CallPreview, policy: ApprovalPolicy) -> FakeElement:
    import app.web.views.approval_card as approval_card

    call = ToolCallPart(id="call_1", name="items", arguments='{"action": "%s"}' % preview.action)
    return approval_card.approval_card(cast("PendingApproval", Pending(call, preview)), policy)


def walk(el: FakeElement) -> Iterator[FakeElement]:
    yield el
    for child in el.children:
        if isinstance(child, FakeElement):
            yield from walk(child)


def text_of(el: FakeElement) -> str:
    return "".join(c if isinstance(c, str) else text_of(c) if isinstance(c, FakeElement) else "" for c in el.children)


def buttons(card: FakeElement) -> dict[str, FakeElement]:
    return {b.attributes["data-action"]: b for b in walk(card) if "data-action" in b.attributes}


READ = CallPreview("Read articles", read_only=True, action="read")
UPDATE = CallPreview("Update 1 item in articles (id 3)", action="update", writes=1)
DELETE = CallPreview("Delete 1 item from articles (id 3)", destructive=True, action="delete", writes=1)
BLANKING = CallPreview("Update 1 item in articles (id 3)", destructive=True, action="update", writes=1)
BULK = CallPreview("Update items in articles by query", bulk=True, action="update", writes=0)
IMPORT = CallPreview("Import 1 file from example.com", action="import", writes=1, always_ask=True)


@pytest.fixture
def approval_module(dom) -> Iterator[types.ModuleType]:  # noqa: F811 - the fixture imported above
    import sys

    yield dom
    sys.modules.pop("app.web.views.approval_card", None)  # built on the stand-in: not kept for the real page
    sys.modules.pop("app.web.views.tool_card", None)


def test_a_new_card_can_take_the_focus_but_none_of_its_buttons_works_yet(approval_module):
    card = card_of(approval_module, UPDATE, ApprovalPolicy())
    assert card.attributes["tabindex"] == "-1" and card.attributes["role"] == "region"
    assert set(buttons(card)) == {"approve", "deny", "always"}
    assert all(b.attributes.get("disabled") == "" for b in buttons(card).values())  # armed later
    assert "Alt+A" in text_of(card) and "Esc" in text_of(card)


@pytest.mark.parametrize(("preview", "label"), [(READ, "items: read"), (UPDATE, "items: update")])
def test_always_names_the_scope_it_adds(approval_module, preview, label):
    always = buttons(card_of(approval_module, preview, ApprovalPolicy()))["always"]
    assert text_of(always) == "Always allow " + label
    title = always.attributes["title"]
    assert "run %s without asking" % label in title and "Deletes" in title and "still ask" in title


@pytest.mark.parametrize("preview", [DELETE, BLANKING, BULK, IMPORT])
def test_always_is_not_offered_where_the_call_asks_anyway(approval_module, preview):
    assert "always" not in buttons(card_of(approval_module, preview, ApprovalPolicy()))


def test_with_deletes_no_longer_confirmed_always_on_a_delete_says_so(approval_module):
    policy = ApprovalPolicy(confirm_destructive=False)
    always = buttons(card_of(approval_module, DELETE, policy))["always"]
    assert text_of(always) == "Always allow items: delete"
    assert "always" not in buttons(card_of(approval_module, IMPORT, policy))  # an import from a URL always asks
