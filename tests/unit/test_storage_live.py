"""Leases on running turns, as two tabs over one localStorage see them."""

from __future__ import annotations

from app.store.kv import MemoryStore
from app.store.leases import LIVE_PREFIX, TTL, LiveTurns


def tabs(quota=None):
    now = [1_800_000_000.0]
    kv = MemoryStore(quota_chars=quota)
    return now, kv, LiveTurns(kv, "tab-a", lambda: now[0]), LiveTurns(kv, "tab-b", lambda: now[0])


def test_a_held_turn_is_seen_by_the_other_tab_until_released_or_lapsed():
    now, kv, a, b = tabs()
    a.hold("c1")
    assert b.elsewhere("c1") and not a.elsewhere("c1") and not b.elsewhere("c2")
    a.release("c1")
    assert not b.elsewhere("c1") and kv.get(LIVE_PREFIX + "c1") is None

    a.hold("c1")
    now[0] += TTL + 0.1  # tab A died without a word
    assert not b.elsewhere("c1")


def test_a_tab_releases_only_its_own_lease():
    now, kv, a, b = tabs()
    a.hold("c1")
    now[0] += TTL + 1
    b.hold("c1")  # A's lease lapsed; B took the conversation over
    a.release_all()
    assert a.elsewhere("c1") and not a.held


def test_an_unreadable_lease_or_a_full_storage_is_no_lease():
    _, kv, a, b = tabs(quota=10)
    kv.data[LIVE_PREFIX + "c1"] = "{not json"
    assert not b.elsewhere("c1")
    a.hold("c2")  # refused by the full storage: no error, no lease
    assert not a.held and not b.elsewhere("c2")
