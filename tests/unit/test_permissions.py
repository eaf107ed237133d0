"""Permission-aware tools: what a user may do, derived from each version's answer, shapes what the model is offered
and refuses a forbidden call before any approval prompt."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from app.chat.approvals import ApprovalPolicy
from app.directus.capabilities import Access, AccessKeeper, Capabilities, detect, unavailable_tools
from app.directus.errors import DirectusError
from app.directus.permissions import ADMIN, UNKNOWN, from_permissions_me, from_rows
from app.directus.toolbox import Toolbox

# GET /permissions/me of the demo reader on Directus 11/12 (shortened; system collections from app access)
READER_ME = {
    "articles": {"read": {"access": "full", "fields": ["*"]}, "create": {"access": "none"}},
    "categories": {"read": {"access": "full"}, "update": {"access": "none"}, "delete": {"access": "none"}},
    "articles_categories": {"read": {"access": "full"}},
    "authors": {"read": {"access": "none"}},
    "directus_files": {"read": {"access": "full"}, "create": {"access": "none"}},
    "directus_folders": {"read": {"access": "full"}},
}
# GET /permissions rows of the reader's role on Directus 10 (the app's minimal permissions merged in)
READER_ROWS = [
    {"collection": "articles", "action": "read"},
    {"collection": "categories", "action": "read"},
    {"collection": "articles_categories", "action": "read"},
    {"collection": "directus_files", "action": "read"},
    {"collection": "directus_folders", "action": "read"},
    {"collection": "directus_users", "action": "share"},
]


class NoClient:
    def __getattr__(self, name):
        raise AssertionError("nothing here may reach Directus")


def reader_box(permissions=None):
    access = Access(permissions=permissions or from_permissions_me(READER_ME))
    access = Access(access.capabilities, access.permissions, unavailable_tools(access.permissions))
    return Toolbox(cast(Any, NoClient()), admin=False, policy=ApprovalPolicy(), access=access)


def actions_of(box, tool):
    (spec,) = [s for s in box.specs() if s.name == tool]
    return spec.parameters["properties"]["action"]["enum"]


@pytest.mark.parametrize("permissions", [from_permissions_me(READER_ME), from_rows(READER_ROWS)], ids=["11+", "10"])
def test_both_versions_answers_give_the_same_reader(permissions):
    assert permissions.allows("articles", "read") and not permissions.allows("articles", "create")
    assert not permissions.allows("authors", "read")
    assert permissions.user_collections("read") == ["articles", "articles_categories", "categories"]
    assert permissions.user_collections("update") == []


def test_a_read_only_users_tool_list_carries_no_write_action():
    box = reader_box()
    assert actions_of(box, "items") == ["read", "chart"]
    assert actions_of(box, "files") == ["read"]
    assert actions_of(box, "folders") == ["read"]
    note = box.specs()[0].description.splitlines()[-1]  # one line, on the first tool
    assert note == "Permissions: read on articles, articles_categories, categories (read-only); nothing else."


def test_a_user_with_no_access_to_folders_is_not_offered_the_tool_and_the_model_is_told_why():
    me = {k: v for k, v in READER_ME.items() if k != "directus_folders"}
    box = reader_box(from_permissions_me(me))
    assert "folders" not in [s.name for s in box.specs()]
    assert "No folders tool: your permissions give no access to folders." in box.specs()[0].description
    call = box.prepare("folders", '{"action":"read"}')
    assert call.preview is None and "no access to folders" in call.error["error"]["message"]


def test_a_write_the_permissions_forbid_is_refused_when_prepared_so_no_approval_prompt_asks_for_it():
    box = reader_box()
    call = box.prepare("items", '{"action":"update","collection":"articles","keys":[1],"data":{"title":"x"}}')
    assert call.preview is None  # the agent runs it at once: the model reads why, nothing is sent
    assert call.error["error"]["code"] == "NOT_PERMITTED"
    assert call.error["error"]["message"] == 'Your Directus permissions do not allow update on "articles".'
    assert box.prepare("items", '{"action":"read","collection":"articles"}').preview is not None
    assert box.prepare("items", '{"action":"read","collection":"authors"}').error["error"]["code"] == "NOT_PERMITTED"
    chart = '{"action":"chart","collection":"authors","chart":"table"}'
    assert (
        box.prepare("items", chart).error["error"]["message"]
        == 'Your Directus permissions do not allow read on "authors".'
    )
    assert box.prepare("items", chart.replace("authors", "articles")).preview is not None
    upload = box.prepare("files", '{"action":"import","data":{"url":"https://example.com/a.png"}}')
    assert upload.error["error"]["message"] == "Your Directus permissions do not allow create on files."


async def test_a_refused_call_runs_nothing():
    box = reader_box()
    outcome = await box.run(box.prepare("items", '{"action":"delete","collection":"categories","keys":[1]}'))
    assert not outcome.ok and json.loads(outcome.content)["error"]["code"] == "NOT_PERMITTED"


def test_mixed_permissions_name_each_group_of_collections():
    me = {
        "articles": {a: {"access": "full"} for a in ("create", "read", "update")},
        "categories": {"read": {"access": "partial"}},
    }
    permissions = from_permissions_me(me)
    assert permissions.note() == "Permissions: create/read/update on articles; read on categories; nothing else."
    box = reader_box(permissions)
    assert actions_of(box, "items") == ["create", "read", "update", "chart"]
    assert "files" not in [s.name for s in box.specs()]


@pytest.mark.parametrize("permissions", [ADMIN, UNKNOWN], ids=["admin", "unknown"])
def test_admins_and_unreadable_permissions_change_nothing(permissions):
    box = reader_box(permissions)
    assert actions_of(box, "items") == ["create", "read", "update", "delete", "chart"]
    assert "Permissions" not in box.specs()[0].description
    assert box.prepare("items", '{"action":"delete","collection":"authors","keys":[1]}').preview is not None


def test_odd_answers_are_unknown_permissions():
    assert from_permissions_me(["not", "a", "map"]) is UNKNOWN and from_rows({"data": 1}) is UNKNOWN
    odd = from_permissions_me({"articles": {"read": "full", "update": {"access": "full"}}, 3: {}})
    assert odd.allowed == {"articles": frozenset({"update"})}


@pytest.mark.parametrize(
    "version, policies, prompts",
    [("10.13.4", False, False), ("11.13.4", True, True), ("11.17.4", True, True), ("12.4.0", True, True)],
)
def test_capabilities_follow_the_version(version, policies, prompts):
    caps = Capabilities.of_version(version)
    assert (caps.policies, caps.prompts, caps.versioning, caps.generation) == (
        policies,
        prompts,
        True,
        int(version.split(".")[0]),
    )
    assert caps.lacks() == (
        ""
        if prompts
        else f"Directus {version} has no prompts collection setting (Directus 11.12 and later): no shared prompts."
    )


class Answers:
    """A client answering a few paths (anything else: 403)."""

    def __init__(self, answers):
        self.answers = answers
        self.cache: dict = {}
        self.asked: list[str] = []

    async def request(self, method, path, **kwargs):
        self.asked.append(path)
        if path not in self.answers:
            raise DirectusError(403, "FORBIDDEN", "no")
        return self.answers[path]


async def test_detection_reads_the_version_else_probes_for_permissions_me():
    assert (await detect(cast(Any, Answers({"/server/info": {"version": "10.13.4"}})))).policies is False
    hidden = Answers({"/server/info": {"project": {}}, "/permissions/me": {}})
    assert (await detect(cast(Any, hidden))).policies is True and hidden.asked == ["/server/info", "/permissions/me"]
    assert (await detect(cast(Any, Answers({})))).policies is False
    directus_10 = Answers({"/server/info": {}, "/permissions/me": None})  # (204, empty)
    assert (await detect(cast(Any, directus_10))).policies is False


async def test_the_keeper_reads_again_when_stale_or_refused():
    now = [1000.0]
    client = Answers({"/server/info": {"version": "12.4.0"}, "/permissions/me": READER_ME})
    user = cast(Any, type("U", (), {"admin": False})())
    keeper = AccessKeeper(clock=lambda: now[0])
    access = await keeper.load(cast(Any, client), user)
    assert keeper.of(cast(Any, client)) is access and client.cache["permissions"] is access.permissions
    assert not keeper.stale(cast(Any, client))
    now[0] += 121
    assert keeper.stale(cast(Any, client))
    spawned: list[Any] = []
    keeper.refresh(cast(Any, client), spawned.append)
    keeper.refresh(cast(Any, client), spawned.append)  # one at a time
    assert len(spawned) == 1
    await spawned[0]
    assert keeper.of(cast(Any, client)) is not access and not keeper.stale(cast(Any, client))
