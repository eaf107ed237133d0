"""Which tab is running a turn in which conversation: short leases in the shared store.

A tab running a turn (streaming, or waiting for an approval) holds `da.live.<conversation id>` and renews it
while the turn lasts. Another tab that opens the conversation then leaves that turn alone: it neither marks
the answer "stopped" nor asks the same approvals a second time (which could run a call twice). A lease is
released when the turn ends or the page goes away, and lapses on its own after `TTL` seconds if a tab dies
without saying so. Best effort: a store that refuses the write (full) only loses the lease.
"""

from __future__ import annotations

import json
from typing import Callable, Optional

from app.json_depth import load_json
from app.store.kv import KeyValueStore, QuotaExceeded

LIVE_PREFIX = "da.live."
TTL = 6.0  # seconds a lease lasts unless renewed
RENEW = 2.0  # how often a running turn renews it


class LiveTurns:
    def __init__(self, store: KeyValueStore, tab: str, clock: Callable[[], float]):
        self.store, self.tab, self.clock = store, tab, clock
        self.held: set[str] = set()

    def hold(self, conversation_id: str) -> None:
        try:
            self.store.set(LIVE_PREFIX + conversation_id, json.dumps({"tab": self.tab, "until": self.clock() + TTL}))
        except QuotaExceeded:
            return
        self.held.add(conversation_id)

    def release(self, conversation_id: str) -> None:
        if conversation_id in self.held:
            self.held.discard(conversation_id)
            if self._holder(conversation_id) == self.tab:
                self.store.remove(LIVE_PREFIX + conversation_id)

    def release_all(self) -> None:
        for conversation_id in list(self.held):
            self.release(conversation_id)

    def elsewhere(self, conversation_id: str) -> bool:
        """True while another tab holds a lease on the conversation that has not lapsed."""
        holder = self._holder(conversation_id)
        return holder is not None and holder != self.tab

    def _holder(self, conversation_id: str) -> Optional[str]:
        raw = self.store.get(LIVE_PREFIX + conversation_id)
        try:
            lease = load_json(raw) if raw else None
            if isinstance(lease, dict) and float(lease["until"]) > self.clock():
                return str(lease["tab"])
        except (ValueError, KeyError, TypeError):
            pass
        return None
