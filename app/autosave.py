"""Saving as it happens: every change of a turn is stored, a reload at any moment loses nothing shown.

    autosave = Autosave(store, live, hub, schedule, running=turns.running)
    autosave.changed(conversation, agent)  # the agent reported a change: True when it was structural
    autosave.save(conversation)            # now; False (and a notice) when storage is full
    autosave.flush()                       # the page goes away: save what waits for the next tick, hand over turns

Every agent change saves the conversation, at once when the change is structural (a message, a status, a part,
an approval or a running tool came or went) and otherwise (text deltas) at most once per `schedule` tick (the
page passes a ~frame timer). A full storage becomes a notice with the sizes of the conversations; the
conversation stays open in memory, so nothing typed or streamed is lost, and it is saved again as soon as space
is freed (a conversation deleted or cleared, a set-aside entry discarded). The page calls `flush()` when it goes
away (reload, tab closed), so a text delta shown but not yet saved is not lost either.

Several tabs: a tab holds a lease (app/store/leases.py) on each conversation it is running a turn in, renewed
every `RENEW` seconds while the turn lasts; another tab opening that conversation shows the turn as it is saved
and leaves it alone (no "stopped", no second approval) until the lease is released (turn over, page gone) or
lapses (tab died).

Resuming: while a turn of this tab runs, its last answer is recorded as this browser's (`own`,
app/store/own_turns.py), so that after a reload only a turn started here is resumed; the record goes when the
turn ends or its conversation goes.

Unreadable stored entries are set aside by the store (app/store/set_aside.py); here they become notices, with
the key to download or discard them, and stay in view (after a reload too) until the user does.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Optional

from app.store.conversations import NewerFormat
from app.store.format import QUARANTINE_PREFIX
from app.store.leases import RENEW
from app.store.own_turns import OwnTurns
from app.store.usage import StorageFull

if TYPE_CHECKING:
    from app.chat.agent import Agent
    from app.chat.model import Conversation
    from app.hub import Hub
    from app.store.conversations import ConversationStore
    from app.store.leases import LiveTurns


def signature(conversation: Conversation, agent: Optional[Agent]) -> tuple:
    """What counts as a structural change: worth saving (and re-listing) at once."""
    tail = tuple((m.id, m.status, len(m.parts)) for m in conversation.messages[-2:])
    pending = tuple(sorted(agent.pending)) if agent is not None else ()
    running = tuple(sorted(agent.running)) if agent is not None else ()
    busy = agent.busy if agent is not None else False
    return (len(conversation.messages), tail, pending, running, busy, conversation.notice)


class Autosave:
    def __init__(
        self,
        store: ConversationStore,
        live: LiveTurns,
        hub: Hub,
        schedule: Callable[[Callable[[], None]], None],
        *,
        running: Callable[[str], bool],
    ):
        self.store = store
        self.live = live  # the turns this tab runs, seen by other tabs
        self.hub = hub
        self.schedule = schedule
        self.running = running  # whether a turn of this tab runs in a conversation (by id)
        self.own = OwnTurns(store.store)  # the turns this browser started: only those are resumed
        self.heartbeat: Optional[asyncio.Future[Any]] = None  # renews the leases while any turn runs
        self._signatures: dict[str, tuple] = {}
        self._due: dict[str, Conversation] = {}  # saves waiting for the next tick
        self._scheduled = False
        self._unsaved: dict[str, Conversation] = {}  # saves refused by a full storage, retried when space is freed

    def changed(self, conversation: Conversation, agent: Agent) -> bool:
        """A turn changed the conversation: take or release its lease, save it now or at the next tick.
        True when the change was structural (saved at once)."""
        sig = signature(conversation, agent)
        structural = self._signatures.get(conversation.id) != sig
        self._signatures[conversation.id] = sig
        if agent.busy and conversation.id not in self.live.held:
            self._hold(conversation.id)
        elif not agent.busy:
            self.live.release(conversation.id)
            self.own.forget(conversation.id)
            if not self.live.held and self.heartbeat is not None:
                self.heartbeat.cancel()
        if structural:
            if agent.busy:
                self.own.record(conversation)  # before the save: a reload finds the turn ours
            self._due.pop(conversation.id, None)
            self.save(conversation)
        else:
            self._due[conversation.id] = conversation
            if not self._scheduled:
                self._scheduled = True
                self.schedule(self.save_due)
        return structural

    def rebase(self, conversation_id: Optional[str] = None) -> None:
        """The conversation (every one when None) changed outside a turn (loaded, or saved by another tab): its
        next change counts as structural."""
        if conversation_id is None:
            self._signatures.clear()
        else:
            self._signatures.pop(conversation_id, None)

    def forget(self, conversation_id: str) -> None:
        """A conversation whose turn was stopped is going away: its lease goes, nothing of it is saved any more."""
        self._signatures.pop(conversation_id, None)
        self.live.release(conversation_id)
        self.own.forget(conversation_id)
        self._due.pop(conversation_id, None)
        self._unsaved.pop(conversation_id, None)

    def forget_all(self) -> None:
        """Every conversation is going away (their turns stopped, each forgotten): nothing waits to be saved."""
        self._due.clear()
        self._unsaved.clear()
        self.own.forget_all()

    def _hold(self, conversation_id: str) -> None:
        """Take the lease on a conversation whose turn starts, and keep it while any turn of this tab runs."""
        self.live.hold(conversation_id)
        if self.heartbeat is None or self.heartbeat.done():
            self.heartbeat = self.hub.spawn(self._keep_leases())  # None without an event loop: the lease lapses

    async def _keep_leases(self) -> None:
        while self.live.held:
            await asyncio.sleep(RENEW)
            for conversation_id in list(self.live.held):
                if self.running(conversation_id):
                    self.live.hold(conversation_id)
                else:
                    self.live.release(conversation_id)

    def save_due(self) -> None:
        """Save what waits for the next tick, now."""
        self._scheduled = False
        due, self._due = self._due, {}
        for conversation in due.values():
            self.save(conversation)

    def save(self, conversation: Conversation) -> bool:
        if not conversation.messages:
            return True
        try:
            self.store.save(conversation)
        except StorageFull as exc:
            self._unsaved[conversation.id] = conversation
            self.hub.add_notice(str(exc), "error", "storage-full", exc.report)
            return False
        except NewerFormat as exc:
            self.hub.add_notice(str(exc), "error", "newer-format")
            return False
        self._unsaved.pop(conversation.id, None)
        if not self._unsaved:
            self.hub.clear_notice("storage-full")
        return True

    def retry_unsaved(self) -> None:
        """Space was freed: save what a full storage refused (the notice goes once all of it is saved)."""
        for conversation in list(self._unsaved.values()):
            if not self.save(conversation):
                break
        self.hub.notify("conversations")

    def flush(self) -> None:
        """Save what is waiting for the next tick now, and let other tabs take over (the page is going away)."""
        self.save_due()
        self.live.release_all()

    # ----- entries set aside as unreadable ----------------------------------------------------------------

    def take_store_problems(self) -> None:
        for problem in self.store.take_problems():
            self.hub.add_notice(problem.message, "warning", "problem-" + problem.key, set_aside=problem.quarantine_key)
        # Entries set aside earlier (maybe by another tab, or just before a reload) stay in view until the
        # user downloads or discards them.
        shown = {n.set_aside for n in self.hub.notices}
        for key, _size in self.store.set_aside():
            if key not in shown:
                name = key[len(QUARANTINE_PREFIX) :].rsplit(".", 1)[0]
                self.hub.add_notice(
                    "A stored conversation (%s) could not be read and was set aside, not deleted; you "
                    "can download it or discard it with the buttons of this notice." % name,
                    "warning",
                    "problem-" + key,
                    set_aside=key,
                )

    def read_set_aside(self, key: str) -> str:
        return self.store.read_set_aside(key) or self.store.store.get(key) or ""

    def discard_set_aside(self, key: str) -> None:
        """Delete an entry set aside as unreadable (the user chose to), and its notice."""
        self.store.discard_set_aside(key)
        self.hub.drop_set_aside(key)
        self.retry_unsaved()
