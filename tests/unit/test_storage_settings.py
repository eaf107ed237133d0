"""Settings in localStorage; secrets in localStorage only when remembered, else in sessionStorage."""

from __future__ import annotations

import pytest

from app.store.kv import MemoryStore
from app.store.settings import SettingsNotSaved, SettingsStore

SETTINGS = {"model": "anthropic:claude-sonnet-4-5", "tool_modes": {"items_delete": "ask"}, "panel": "open"}
SECRETS = {"openai_key": "sk-test", "directus_token": "tok"}


def test_remembered_secrets_survive_a_new_tab():
    local = MemoryStore()
    SettingsStore(local, MemoryStore()).save(SETTINGS, SECRETS, remember=True)
    loaded = SettingsStore(local, MemoryStore()).load()  # new tab: new sessionStorage
    assert loaded.settings == SETTINGS and loaded.secrets == SECRETS and loaded.remember


def test_not_remembered_secrets_stay_in_the_tab_and_leave_local_storage():
    local, session = MemoryStore(), MemoryStore()
    store = SettingsStore(local, session)
    store.save(SETTINGS, SECRETS, remember=True)
    store.save(SETTINGS, SECRETS, remember=False)
    assert "sk-test" not in "".join(local.data.values())
    assert store.load().secrets == SECRETS and not store.load().remember
    other_tab = SettingsStore(local, MemoryStore()).load()
    assert other_tab.settings == SETTINGS and other_tab.secrets == {}
    store.forget_secrets()
    assert store.load().secrets == {}


def test_corrupt_settings_are_set_aside_and_defaults_used():
    local = MemoryStore()
    local.set("da.settings", "{oops")
    loaded = SettingsStore(local).load()
    assert loaded.settings == {}
    [problem] = loaded.problems
    assert "set aside" in problem.message
    assert problem.quarantine_key is not None and local.get(problem.quarantine_key) == "{oops"


def test_full_storage_says_settings_stay_for_this_tab():
    local = MemoryStore(quota_chars=20)
    with pytest.raises(SettingsNotSaved) as caught:
        SettingsStore(local).save(SETTINGS, {}, remember=False)
    assert "full" in str(caught.value)
