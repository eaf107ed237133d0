"""The approval policy (app/chat/approvals.py): the decision for one call, the scopes "Always allow" adds, and how
they are stored with the settings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.chat.approvals import BULK_LIMIT, ApprovalPolicy, always_scope, changes, describe_scope, scope
from app.settings import Settings, join_secrets, split_secrets
from app.store.kv import MemoryStore
from app.store.settings import SettingsStore


@dataclass
class Facts:
    """A call's facts (app.chat.approvals.CallFacts), a small update by default."""

    action: str = "update"
    read_only: bool = False
    destructive: bool = False
    bulk: bool = False
    writes: int = 1
    always_ask: bool = False


READ = Facts(action="read", read_only=True, writes=0)


def test_defaults_ask_for_everything_and_refuse_a_disabled_tool():
    policy = ApprovalPolicy()
    assert policy.decide("items", READ) == "ask"
    assert policy.decide("items", Facts()) == "ask"
    policy.set_mode("items", "disabled")
    assert policy.decide("items", READ) == "refuse"
    assert policy.decide("items", Facts(always_ask=True)) == "refuse"


def test_an_allowed_scope_runs_that_action_of_that_tool_only():
    policy = ApprovalPolicy(allowed=["items:read"])
    assert policy.decide("items", READ) == "run"
    assert policy.decide("items", Facts()) == "ask"  # items: update
    assert policy.decide("files", READ) == "ask"  # files: read
    policy.disallow("items:read")
    assert policy.decide("items", READ) == "ask" and policy.allowed_scopes() == []


def test_always_ask_asks_whatever_the_modes_and_switches_say():
    policy = ApprovalPolicy(modes={"files": "always"}, allowed=["files:import"], allow_reads=True)
    policy.confirm_destructive = False
    assert policy.decide("files", Facts(action="import", always_ask=True)) == "ask"
    assert policy.decide("files", Facts(action="read", read_only=True, writes=0, always_ask=True)) == "ask"


@pytest.mark.parametrize("facts", [Facts(destructive=True), Facts(bulk=True), Facts(action="delete", destructive=True)])
def test_destructive_and_bulk_writes_ask_even_when_the_tool_is_always_or_the_scope_allowed(facts):
    policy = ApprovalPolicy(modes={"items": "always"}, allowed=["items:update", "items:delete"])
    assert policy.decide("items", facts) == "ask"
    policy.confirm_destructive = False
    assert policy.decide("items", facts) == "run"


def test_a_write_that_brings_the_turn_to_the_bulk_limit_asks():
    policy = ApprovalPolicy(modes={"items": "always"})
    four = Facts(writes=BULK_LIMIT - 1)
    assert policy.decide("items", four, written=0) == "run"
    assert policy.decide("items", four, written=BULK_LIMIT - 1) == "ask"
    assert policy.decide("items", Facts(writes=1), written=BULK_LIMIT - 2) == "run"
    assert policy.decide("items", Facts(writes=1), written=BULK_LIMIT - 1) == "ask"
    assert policy.decide("items", READ, written=100) == "run"  # reads change nothing
    policy.confirm_destructive = False
    assert policy.decide("items", four, written=100) == "run"


def test_what_a_call_adds_to_its_turn():
    assert changes(READ) == 0
    assert changes(Facts(writes=3)) == 3
    assert changes(Facts(writes=0)) == 1  # a write that does not say how many still changes something
    assert changes(Facts(writes=0, bulk=True)) == BULK_LIMIT  # by query: as many as a bulk write at least
    assert changes(Facts(writes=12, bulk=True)) == 12


def test_allow_reads_runs_reads_only():
    policy = ApprovalPolicy(allow_reads=True)
    assert policy.decide("schema", READ) == "run"
    assert policy.decide("items", Facts()) == "ask"


def test_scopes_in_plain_words_and_what_a_card_offers():
    assert scope("items", "read") == "items:read" and scope("trigger_flow", "") == "trigger_flow"
    assert describe_scope("items:read") == "items: read" and describe_scope("trigger_flow") == "trigger_flow"
    assert always_scope("items", READ) == "items:read"
    assert always_scope("files", Facts(action="import", always_ask=True)) is None


def test_what_still_asks_is_said_in_plain_words():
    policy = ApprovalPolicy()
    assert "Deletes" in policy.still_asks() and "%d or more" % BULK_LIMIT in policy.still_asks()
    policy.confirm_destructive = False
    assert policy.still_asks() == "Imports from a URL still ask."


def test_allow_is_idempotent_and_keeps_the_order():
    policy = ApprovalPolicy()
    assert policy.allow("items:read") and policy.allow("files:read") and not policy.allow("items:read")
    assert policy.allowed_scopes() == ["items:read", "files:read"]
    assert [describe_scope(s) for s in policy.allowed_scopes()] == ["items: read", "files: read"]


def test_an_allowed_scope_survives_a_reload():
    settings = Settings()
    settings.tools.allow("items:read")
    settings.tools.set_mode("files", "always")
    store = SettingsStore(MemoryStore())
    store.save(*split_secrets(settings), remember=False)

    loaded = store.load()
    again = join_secrets(loaded.settings, loaded.secrets)
    assert again.tools.allowed_scopes() == ["items:read"] and again.tools.mode("files") == "always"
    assert again.tools.decide("items", READ) == "run" and again.tools.decide("items", Facts()) == "ask"


def test_settings_stored_before_scopes_load_as_they_were():
    """A tool mode "always" stored before issue 12 was set in Settings (or by the old card button): it stays."""
    doc = {"version": 1, "tools": {"modes": {"items": "always", "flows": "disabled"}, "allow_reads": True}}
    settings = join_secrets(doc, {})
    assert settings.tools.mode("items") == "always" and settings.tools.mode("flows") == "disabled"
    assert settings.tools.allowed == [] and settings.tools.allow_reads and settings.tools.confirm_destructive


def test_stored_scopes_that_are_not_text_are_dropped_and_the_modes_still_load():
    doc = {"tools": {"modes": {"items": "always"}, "allowed": ["items:read", 3, None, "", "items:read", {"x": 1}]}}
    settings = join_secrets(doc, {})
    assert settings.tools.allowed == ["items:read"] and settings.tools.mode("items") == "always"
