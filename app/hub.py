"""The assistant's switchboard: who hears of a change, the notices shown above the conversation, background tasks.

    hub.listeners.append(render_later)      # each gets a topic after a change, then reads the state it draws
    hub.notify("conversation")
    hub.add_notice("Directus is not connected...", "info", "no-directus")
    hub.spawn(load_prompts(client))         # held until done; None without an event loop

Topics: "settings", "connection", "conversations" (the list), "conversation" (the open one), "notices". The
browser controller (app/web/controller.py) collects them and draws once per animation frame.

A notice with a key replaces the one shown with the same key, and `clear_notice(key)` takes it away once its
cause is gone. A full storage's notice carries the usage report (sizes per conversation, for "export or delete");
an unreadable entry's notice carries the key it was set aside under (download it or discard it).

Every part of the assistant (app/assistant.py) is handed the hub; no part imports another when it is loaded,
and none imports app/assistant.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Literal, Optional

if TYPE_CHECKING:
    from app.store.usage import UsageReport

Topic = Literal["settings", "connection", "conversations", "conversation", "notices"]
NoticeKind = Literal["info", "warning", "error"]


@dataclass
class Notice:
    text: str
    kind: NoticeKind = "warning"
    key: str = ""  # notices with the same key replace each other
    report: Optional[UsageReport] = None  # storage full: sizes per conversation
    id: int = 0
    set_aside: Optional[str] = None  # an unreadable entry's key under da.corrupt.* (download or discard it)


class Hub:
    def __init__(self) -> None:
        self.listeners: list[Callable[[Topic], None]] = []
        self.notices: list[Notice] = []
        self._notice_ids = 0
        self._tasks: set[asyncio.Future[Any]] = set()  # background tasks, held until done

    def notify(self, topic: Topic) -> None:
        for listener in list(self.listeners):
            listener(topic)

    def add_notice(
        self,
        text: str,
        kind: NoticeKind = "warning",
        key: str = "",
        report: Optional[UsageReport] = None,
        set_aside: Optional[str] = None,
    ) -> Notice:
        if key:
            self.notices = [n for n in self.notices if n.key != key]
        self._notice_ids += 1
        notice = Notice(text, kind, key, report, self._notice_ids, set_aside)
        self.notices.append(notice)
        self.notify("notices")
        return notice

    def dismiss(self, notice_id: int) -> None:
        self.notices = [n for n in self.notices if n.id != notice_id]
        self.notify("notices")

    def clear_notice(self, key: str) -> None:
        if any(n.key == key for n in self.notices):
            self.notices = [n for n in self.notices if n.key != key]
            self.notify("notices")

    def drop_set_aside(self, key: str) -> None:
        """The notices of an entry set aside under `key` (it was discarded)."""
        self.notices = [n for n in self.notices if n.set_aside != key]
        self.notify("notices")

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Optional[asyncio.Future[Any]]:
        """Run a coroutine in the background, held until done (asyncio keeps only weak references to tasks).
        None when there is no event loop (a synchronous caller): the coroutine is closed, not left unawaited."""
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:
            coro.close()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
