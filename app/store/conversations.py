"""Conversations over a key-value store: versioned, migrated, quota-aware, safe with several tabs.

The port is `KeyValueStore` (window.localStorage in the browser, see app/web/local_storage.py;
`MemoryStore` in tests and when localStorage is unavailable). `ConversationStore` keeps one key per
conversation plus a small summary key (layout and format: app/store/format.py).

Errors, from the caller's point of view:

    QuotaExceeded          raised by KeyValueStore.set when the browser refuses the write
    StorageFull            (app/store/usage.py) raised when a save does not fit; carries a UsageReport
                           (how much each conversation takes) for the "export or delete" dialog. The
                           conversation object the caller holds is untouched, so nothing typed is lost.
    NewerFormat            a save would overwrite an entry written by a newer app version
    ImportFailed           (app/store/export.py) a file that is no export of this app

Unreadable entries never raise: they are set aside under `da.corrupt.*` and reported as `Problem`s
(`store.problems`), which the UI shows; the user can download or discard them (app/store/set_aside.py).

A save merges what another tab stored since this tab read the conversation (app/store/merge.py); a `storage`
event from another tab is read by app/store/other_tabs.py. Search is app/store/search.py, the usage report
app/store/usage.py, export and import app/store/export.py.
"""

from __future__ import annotations

import builtins
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from app.chat.model import Conversation
from app.store.format import (
    CONVERSATION_PREFIX,
    MAX_STORED_TOOL_RESULT_CHARS,
    META_PREFIX,
    QUARANTINE_PREFIX,
    Decoded,
    FormatError,
    Problem,
    conversation_id_of,
    conversation_key,
    decode_conversation,
    decode_meta,
    encode_conversation,
    encode_meta,
    meta_key,
    title_from_messages,
)
from app.store.kv import DEFAULT_QUOTA_CHARS, KeyValueStore, QuotaExceeded, utf16_len
from app.store.merge import MergeBase, MergeBases, deleted_ids, merge_messages
from app.store.other_tabs import ExternalChange, external_change
from app.store.search import SearchHit, search
from app.store.set_aside import SetAside
from app.store.usage import StorageFull, UsageReport, measure

if TYPE_CHECKING:  # app/store/export.py is imported on first export or import, not at start
    from app.store.export import ImportResult, TableOf

__all__ = ["NewerFormat", "ConversationSummary", "SaveResult", "ConversationStore"]


class NewerFormat(Exception):
    """The stored entry was written by a newer version of the app; this version will not overwrite it."""


@dataclass
class ConversationSummary:
    id: str
    title: str
    created_at: float
    updated_at: float
    chars: int
    messages: int
    model: Optional[str] = None


@dataclass
class SaveResult:
    chars: int  # size of the stored entry
    compacted: int  # tool results cut in the stored copy (the open conversation keeps them whole)
    merged: bool  # messages from another tab were folded into the conversation object


class ConversationStore:
    def __init__(
        self,
        store: KeyValueStore,
        *,
        clock: Callable[[], float] = time.time,
        max_tool_result_chars: int = MAX_STORED_TOOL_RESULT_CHARS,
        quota_chars: int = DEFAULT_QUOTA_CHARS,
    ):
        self.store = store
        self.clock = clock
        self.max_tool_result_chars = max_tool_result_chars
        self.quota_chars = quota_chars
        self.aside = SetAside(store, clock)  # unreadable entries
        self.bases = MergeBases()  # what storage held when each open conversation object was read or saved

    # -- problems ------------------------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        """Unreadable entries met since the last `take_problems` (app/store/set_aside.py)."""
        return self.aside.problems

    def take_problems(self) -> list[Problem]:
        return self.aside.take_problems()

    def _read(self, conversation_id: str) -> Optional[tuple[Decoded, str]]:
        """The decoded stored entry and its raw text; None when missing or unreadable (then set aside)."""
        key = conversation_key(conversation_id)
        raw = self.store.get(key)
        if raw is None:
            return None
        try:
            decoded = decode_conversation(raw)
        except FormatError as exc:
            self.aside.conversation(key, raw, exc)
            return None
        if decoded.migrated:
            try:
                raw, decoded.messages, _ = encode_conversation(
                    decoded.conversation, self.max_tool_result_chars, decoded.deleted
                )
                self.store.set(key, raw)
                self.store.set(
                    meta_key(conversation_id), encode_meta(decoded.conversation, utf16_len(key) + utf16_len(raw))
                )
            except QuotaExceeded:
                pass  # the old format stays readable; we try again next time
        return decoded, raw

    # -- list, load ----------------------------------------------------------------------------

    def ids(self) -> list[str]:
        return [cid for cid in (conversation_id_of(k) for k in self.store.keys()) if cid]

    def list(self) -> list[ConversationSummary]:
        """Summaries of all readable conversations, newest first."""
        keys = self.store.keys()
        ids = [cid for cid in (conversation_id_of(k) for k in keys) if cid]
        have = set(ids)
        summaries: list[ConversationSummary] = []
        for key in keys:
            if key.startswith(META_PREFIX) and key[len(META_PREFIX) :] not in have:
                self.store.remove(key)  # the summary of a conversation deleted elsewhere
        for cid in ids:
            meta = decode_meta(self.store.get(meta_key(cid)))
            if meta is None:
                meta = self._rebuild_meta(cid)
                if meta is None:
                    continue
            summaries.append(
                ConversationSummary(
                    id=cid,
                    title=meta["title"],
                    created_at=meta.get("created_at") or 0.0,
                    updated_at=meta["updated_at"],
                    chars=meta.get("chars") or 0,
                    messages=meta.get("messages") or 0,
                    model=meta.get("model"),
                )
            )
        summaries.sort(key=lambda s: s.updated_at, reverse=True)
        return summaries

    def _rebuild_meta(self, conversation_id: str) -> Optional[dict]:
        read = self._read(conversation_id)
        if read is None:
            return None
        decoded, raw = read
        text = encode_meta(decoded.conversation, utf16_len(conversation_key(conversation_id)) + utf16_len(raw))
        try:
            self.store.set(meta_key(conversation_id), text)
        except QuotaExceeded:
            pass
        return decode_meta(text)

    def load(self, conversation_id: str) -> Optional[Conversation]:
        """The stored conversation, or None when there is none (or it was unreadable: see `problems`)."""
        read = self._read(conversation_id)
        if read is None:
            return None
        decoded, raw = read
        self.bases.remember(decoded.conversation, decoded, raw)
        return decoded.conversation

    # -- save ----------------------------------------------------------------------------------

    def save(self, conversation: Conversation, *, touch: bool = True) -> SaveResult:
        """Store the conversation, merged with what another tab may have stored since this tab read it.

        Sets updated_at (unless touch=False) and a title from the first user message when it has none.
        The conversation object is updated in place with messages merged in from another tab; messages
        this tab removed since it loaded the conversation are recorded as deleted for the other tabs.
        Raises StorageFull (with a usage report) when it does not fit; the object keeps everything.
        """
        cid = conversation.id
        key = conversation_key(cid)
        base = self.bases.of(conversation)
        # Unchanged since this object was read or saved: no need to read it back (a large entry is compared in
        # the page, see app/web/local_storage.py).
        known = base.raw if base is not None else None
        raw_before = known if known is not None and self.store.matches(key, known) else self.store.get(key)
        previous_deleted = base.deleted if base is not None else []
        merged = False
        reference = base.messages if base is not None and raw_before is not None else None  # what storage holds
        if raw_before is not None and not (base is not None and base.raw == raw_before):
            # Someone else wrote since this object was loaded or saved (or it never was): merge.
            try:
                theirs = decode_conversation(raw_before)
            except FormatError as exc:
                if exc.kind == "newer_version":
                    raise NewerFormat(
                        'The conversation "%s" was saved by a newer version of this app; reload the page before '
                        "changing it here." % (conversation.title or cid)
                    ) from None
                self.aside.conversation(key, raw_before, exc)
                if self.store.get(key) == raw_before:  # could not be set aside: do not overwrite it
                    raise StorageFull(self.usage_report(), utf16_len(raw_before), cid, conversation.title) from None
                theirs = None
            if theirs is not None:
                merged = self._merge(conversation, base, theirs)
                previous_deleted = previous_deleted + theirs.deleted
                reference = {m["id"]: m for m in theirs.messages}
        if touch:
            conversation.updated_at = max(self.clock(), conversation.updated_at)
        if not conversation.title:
            conversation.title = title_from_messages(conversation)
        deleted = deleted_ids(base.messages if base else None, previous_deleted, conversation.messages)
        raw, dumped, cut = encode_conversation(conversation, self.max_tool_result_chars, deleted, reference)
        chars = utf16_len(key) + utf16_len(raw)
        try:
            self.store.set(key, raw)
        except QuotaExceeded:
            report = self.usage_report()
            needed = chars - next((c.chars for c in report.conversations if c.id == cid), 0)
            raise StorageFull(report, needed, cid, conversation.title) from None
        try:
            self.store.set(meta_key(cid), encode_meta(conversation, chars))
        except QuotaExceeded:
            self.store.remove(meta_key(cid))  # list() rebuilds it from the conversation
        self.bases.remember(conversation, Decoded(conversation, dumped, False, deleted), raw)
        return SaveResult(chars=chars, compacted=cut, merged=merged)

    def _merge(self, conversation: Conversation, base: Optional[MergeBase], theirs: Decoded) -> bool:
        _, dumped, _ = encode_conversation(conversation, self.max_tool_result_chars)
        other = theirs.conversation
        messages, changed = merge_messages(
            base.messages if base else None,
            conversation.messages,
            dumped,
            other.messages,
            theirs.messages,
            theirs.deleted,
        )
        conversation.messages = messages
        for name in ("title", "model"):
            ours, their_value = getattr(conversation, name), getattr(other, name)
            if base is not None and ours == getattr(base, name) and their_value != ours:
                setattr(conversation, name, their_value)
                changed = True
        conversation.created_at = min(conversation.created_at, other.created_at)
        return changed

    def refresh(self, conversation: Conversation) -> bool:
        """Fold what another tab stored into the open conversation (no write). True if anything changed."""
        read = self._read(conversation.id)
        if read is None:
            return False
        theirs, raw = read
        base = self.bases.of(conversation)
        if base is not None and base.raw == raw:
            return False
        changed = self._merge(conversation, base, theirs)
        if theirs.conversation.updated_at > conversation.updated_at:
            conversation.updated_at = theirs.conversation.updated_at
        # The stored version is now the reference. This tab's unsaved messages are not in it, so they stay;
        # its own deletions since the last save are kept as tombstones for the next save.
        own_deleted = deleted_ids(base.messages if base else None, [], conversation.messages)
        theirs.deleted = theirs.deleted + [i for i in own_deleted if i not in theirs.deleted]
        self.bases.remember(conversation, theirs, raw)
        return changed

    # -- rename, delete, clear -------------------------------------------------------------------

    def rename(self, conversation_id: str, title: str) -> None:
        conversation = self.load(conversation_id)
        if conversation is None:
            raise KeyError("no readable conversation " + conversation_id)
        conversation.title = " ".join(title.split()) or title_from_messages(conversation)
        self.save(conversation, touch=False)

    def delete(self, conversation_id: str) -> None:
        self.store.remove(conversation_key(conversation_id))
        self.store.remove(meta_key(conversation_id))

    def clear_all(self, *, include_set_aside: bool = False) -> int:
        """Delete every conversation (and, if asked, the set-aside entries). Returns how many were deleted."""
        count = 0
        for key in self.store.keys():
            if key.startswith(CONVERSATION_PREFIX):
                count += 1
                self.store.remove(key)
            elif key.startswith(META_PREFIX) or (include_set_aside and key.startswith(QUARANTINE_PREFIX)):
                self.store.remove(key)
        return count

    # -- set-aside entries -----------------------------------------------------------------------

    def set_aside(self) -> builtins.list[tuple[str, int]]:
        """(key, characters) of every entry set aside as unreadable."""
        return self.aside.entries()

    def read_set_aside(self, key: str) -> Optional[str]:
        return self.aside.read(key)

    def discard_set_aside(self, key: str) -> None:
        self.aside.discard(key)

    # -- search ----------------------------------------------------------------------------------

    def search(
        self, text: str, limit: int = 50, among: Optional[builtins.list[ConversationSummary]] = None
    ) -> builtins.list[SearchHit]:
        """Conversations (all, or those `among`) whose title or content (messages, tool calls and results) contain
        `text`."""
        summaries = self.list() if among is None else among
        return search(text, summaries, lambda cid: self.store.get(conversation_key(cid)) or "", self._decoded, limit)

    def _decoded(self, conversation_id: str) -> Optional[Conversation]:
        read = self._read(conversation_id)
        return read[0].conversation if read is not None else None

    # -- export, import --------------------------------------------------------------------------

    def export_json(self, ids: Optional[Iterable[str]] = None) -> str:
        """One JSON document with the given conversations (all when ids is None), re-importable."""
        from app.store.export import export_document

        chosen = list(ids) if ids is not None else [s.id for s in self.list()]
        conversations = [c for c in (self.load(cid) for cid in chosen) if c is not None]
        return export_document(conversations, self.clock())

    def import_json(self, text: str) -> ImportResult:
        """Import an export. A conversation whose id exists here is merged by message id: messages missing
        here are added, messages present here are kept as they are; nothing is overwritten.
        Raises ImportFailed when the file is no export at all; bad conversations are listed in problems. Nothing
        imported runs: calls left waiting are answered "stopped", no time is after now (app/store/settle.py)."""
        from app.store.export import merge_imported, parse_export

        conversations, result = parse_export(text, self.clock())  # settled: nothing in them runs here
        for position, incoming in enumerate(conversations):
            existing = self.load(incoming.id)
            try:
                if existing is None:
                    self.save(incoming, touch=False)
                    result.imported.append(incoming.id)
                elif merge_imported(existing, incoming):
                    self.save(existing)
                    result.merged.append(incoming.id)
                else:
                    result.unchanged.append(incoming.id)
            except StorageFull as exc:
                left = conversations[position:]
                result.problems.append(
                    "%d conversation(s) were not imported because storage is full: %s"
                    % (len(left), exc.report.describe())
                )
                break
        return result

    def export_markdown(self, conversation: Conversation, table_of: Optional[TableOf] = None) -> str:
        from app.store.export import export_markdown

        return export_markdown(conversation, table_of)

    # -- usage -----------------------------------------------------------------------------------

    def usage_report(self) -> UsageReport:
        return measure(self.store, self.list(), self.quota_chars)

    # -- other tabs ------------------------------------------------------------------------------

    def apply_external_change(self, key: Optional[str], new_value: Optional[str]) -> Optional[ExternalChange]:
        """Interpret a `storage` event from another tab (app/store/other_tabs.py). None if nothing of ours."""
        return external_change(key, new_value)
