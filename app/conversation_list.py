"""The conversation list: open, start, rename, delete, clear, search, export and import; another tab's changes.

    library.open(conversation_id)          # its running turn, if any, or as stored; resumed if left mid-turn
    library.delete(conversation_id)        # its turn stopped first, so nothing saves it back
    library.import_json(text)              # merged by message id with what is here; a one-line summary; nothing
                                           # in it runs (app/store/settle.py)
    library.external_change(key, value)    # a `storage` event from another tab (app/store/other_tabs.py)

The open conversation and its agent are app/turns.py's; what is stored, app/store/conversations.py's. Opening
another conversation saves what waits for the next tick first. Another tab's save is folded into the open
conversation unless a turn of this tab runs in it (its own saves merge then, app/store/merge.py); another
tab's settings are loaded again (app/preferences.py), also only between turns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from app.chat.model import Conversation
from app.store.conversations import NewerFormat
from app.store.usage import StorageFull

if TYPE_CHECKING:
    from app.autosave import Autosave
    from app.hub import Hub
    from app.preferences import Preferences
    from app.store.conversations import ConversationStore, ConversationSummary
    from app.store.search import SearchHit
    from app.turns import Turns


class ConversationList:
    def __init__(self, store: ConversationStore, hub: Hub, prefs: Preferences, turns: Turns, autosave: Autosave):
        self.store = store
        self.hub = hub
        self.prefs = prefs
        self.turns = turns
        self.autosave = autosave
        self.imported: list[Conversation] = []  # the last import's conversations now here (their attachments kept)

    def conversations(self) -> list[ConversationSummary]:
        return self.store.list()

    def open_newest(self) -> None:
        """At start: the conversation saved last (or a new one), and the stored entries that could not be read."""
        summaries = self.store.list()
        opened = self.store.load(summaries[0].id) if summaries else None
        self.autosave.take_store_problems()
        self.turns.show(opened or Conversation())
        self.autosave.rebase()
        self.hub.notify("conversations")
        self.hub.notify("conversation")

    def new_conversation(self) -> None:
        self.autosave.save_due()
        self.turns.show(Conversation())
        self.hub.clear_notice("elsewhere")
        self.hub.notify("conversation")
        self.hub.notify("conversations")

    def open(self, conversation_id: str) -> bool:
        if conversation_id == self.turns.conversation.id:
            return True
        self.autosave.save_due()
        running = self.turns.agents.get(conversation_id)
        if running is not None and running.busy:
            self.turns.show(running.conversation, running)
        else:
            conversation = self.store.load(conversation_id)
            self.autosave.take_store_problems()
            if conversation is None:
                self.hub.notify("conversations")
                return False
            self.turns.show(conversation)
        self.hub.clear_notice("elsewhere")
        self.hub.notify("conversation")
        self.hub.notify("conversations")
        self.turns.resume_open()
        return True

    def rename(self, conversation_id: str, title: str) -> None:
        shown = self.turns.conversation
        if conversation_id == shown.id:
            shown.title = " ".join(title.split()) or shown.title
            self.autosave.save(shown)
            self.hub.notify("conversation")
        else:
            try:
                self.store.rename(conversation_id, title)
            except (KeyError, StorageFull, NewerFormat) as exc:
                self.hub.add_notice(str(exc), "error", "rename")
        self.hub.notify("conversations")

    def delete(self, conversation_id: str) -> None:
        self.turns.stop_agent(conversation_id)
        self.store.delete(conversation_id)
        if conversation_id == self.turns.conversation.id:
            self.turns.show(Conversation())
            self.hub.notify("conversation")
        self.autosave.retry_unsaved()
        self.hub.notify("conversations")

    def clear_all(self) -> int:
        self.turns.stop_all()
        self.autosave.forget_all()
        count = self.store.clear_all()
        self.turns.show(Conversation())
        self.hub.notify("conversation")
        self.hub.notify("conversations")
        return count

    def search(self, text: str, among: Optional[list[ConversationSummary]] = None) -> list[SearchHit]:
        return self.store.search(text, among=among)

    def export_json(self, ids: Optional[Iterable[str]] = None) -> str:
        self.autosave.save_due()
        return self.store.export_json(ids)

    def export_markdown(self, conversation_id: Optional[str] = None) -> str:
        self.autosave.save_due()
        shown = self.turns.conversation
        from app.chart_results import view_table  # a chart's data, as a table in the transcript

        if conversation_id is None or conversation_id == shown.id:
            return self.store.export_markdown(shown, view_table)
        conversation = self.store.load(conversation_id)
        return self.store.export_markdown(conversation, view_table) if conversation is not None else ""

    def import_json(self, text: str) -> str:
        """Import an export file; returns a one-line summary (also for a file that is no export)."""
        from app.store.export import ImportFailed  # on first use: not needed to start

        self.imported = []
        try:
            result = self.store.import_json(text)
        except ImportFailed as exc:
            self.hub.add_notice(str(exc), "error", "import")
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - whatever a file holds, the user gets a notice, not a broken page
            message = "The file could not be imported (%s). Choose a file exported by this app." % type(exc).__name__
            self.hub.add_notice(message, "error", "import")
            return message
        here = (self.store.load(cid) for cid in result.imported + result.merged + result.unchanged)
        self.imported = [c for c in here if c is not None]
        parts = []
        if result.imported:
            parts.append("%d imported" % len(result.imported))
        if result.merged:
            parts.append("%d merged" % len(result.merged))
        if result.unchanged:
            parts.append("%d already here" % len(result.unchanged))
        summary = "Import: " + (", ".join(parts) or "nothing to import") + "."
        if result.stopped:
            summary += (
                " %d tool call(s) the file left waiting were marked stopped: an imported conversation never runs "
                "anything." % result.stopped
            )
        for problem in result.problems:
            self.hub.add_notice(problem, "warning", "import-problem")
        self.hub.add_notice(summary, "info", "import")
        self.hub.notify("conversations")
        return summary

    def external_change(self, key: Optional[str], new_value: Optional[str]) -> None:
        """A `storage` event from another tab."""
        change = self.store.apply_external_change(key, new_value)
        if change is None:
            return
        busy = self.turns.busy
        if change.kind == "settings":
            if not busy:
                self.prefs.reload()
            return
        shown = self.turns.conversation
        if change.kind == "cleared":
            if not busy and not shown.messages:
                self.turns.show(Conversation())
        elif change.kind == "listed":
            pass  # only the list shows it
        elif change.conversation_id == shown.id and not busy:
            if change.kind == "deleted":
                self.turns.show(Conversation())
                self.hub.notify("conversation")
            elif self.store.refresh(shown):
                self.autosave.rebase(shown.id)
                if not self.turns.needs_resume(shown):  # the other tab's turn is over
                    self.hub.clear_notice("elsewhere")
                self.hub.notify("conversation")
        self.autosave.take_store_problems()
        self.hub.notify("conversations")
