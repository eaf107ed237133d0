"""Conversations over a key-value store: versioned, migrated, quota-aware, safe with several tabs.

The port is `KeyValueStore` (window.localStorage in the browser, see app/web/local_storage.py;
`MemoryStore` in tests and when localStorage is unavailable). `ConversationStore` keeps one key per
conversation plus a small summary key (layout and format: app/store/format.py).

Errors, from the caller's point of view:

    QuotaExceeded          raised by KeyValueStore.set when the browser refuses the write
    StorageFull            raised by ConversationStore when a save does not fit; carries a UsageReport
                           (how much each conversation takes) for the "export or delete" dialog. The
                           conversation object the caller holds is untouched, so nothing typed is lost.
    NewerFormat            a save would overwrite an entry written by a newer app version
    ImportFailed           (app/store/export.py) a file that is no export of this app

Unreadable entries never raise: they are set aside under `da.corrupt.*` and reported as `Problem`s
(`store.problems`), which the UI shows; the user can download or discard them.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Optional

from app.chat.model import (
    Conversation,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from app.store.export import (
    ImportFailed,
    ImportResult,
    export_document,
    export_markdown,
    merge_imported,
    parse_export,
)
from app.store.format import (
    CONVERSATION_PREFIX,
    MAX_STORED_TOOL_RESULT_CHARS,
    META_PREFIX,
    QUARANTINE_PREFIX,
    SECRETS_KEY,
    SETTINGS_KEY,
    Decoded,
    FormatError,
    Problem,
    conversation_id_of,
    conversation_key,
    decode_conversation,
    decode_meta,
    dumps,
    encode_conversation,
    encode_meta,
    meta_key,
    quarantine,
    title_from_messages,
)
from app.store.kv import DEFAULT_QUOTA_CHARS, KeyValueStore, QuotaExceeded, utf16_len
from app.store.merge import deleted_ids, merge_messages

__all__ = [
    "StorageFull", "NewerFormat",
    "UsageReport", "ConversationUsage", "ConversationSummary", "SearchHit", "SaveResult", "ExternalChange",
    "ConversationStore", "ImportFailed", "ImportResult", "export_markdown",
]

@dataclass
class ConversationUsage:
    id: str
    title: str
    chars: int
    updated_at: float


@dataclass
class UsageReport:
    total_chars: int  # everything this origin stores (other keys count against the same quota)
    quota_chars: int  # an estimate: browsers do not tell
    conversations: list[ConversationUsage]  # largest first
    settings_chars: int = 0
    quarantine_chars: int = 0
    other_chars: int = 0

    @property
    def fraction(self) -> float:
        return self.total_chars / self.quota_chars if self.quota_chars else 0.0

    @property
    def free_chars(self) -> int:
        return max(0, self.quota_chars - self.total_chars)

    def describe(self) -> str:
        return "%.1f of about %.1f million characters used (%d%%) by %d conversations" % (
            self.total_chars / 1e6, self.quota_chars / 1e6, round(100 * self.fraction), len(self.conversations))


class StorageFull(Exception):
    """A save did not fit in the browser's storage. The conversation is still open and unchanged in memory."""

    def __init__(self, report: UsageReport, needed_chars: int, conversation_id: str, title: str):
        self.report = report
        self.needed_chars = needed_chars
        self.conversation_id = conversation_id
        largest = ", ".join('"%s" (%s chars)' % (c.title or c.id, format(c.chars, ",")) for c in report.conversations[:3])
        message = (
            'Could not save "%s": browser storage for this site is full (%s; the save needs %s characters). '
            "Export or delete old conversations to make room%s. Until then this conversation stays open in "
            "this tab and nothing you typed is lost."
        ) % (title or conversation_id, report.describe(), format(needed_chars, ","), (" - the largest are " + largest) if largest else "")
        super().__init__(message)


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
class SearchHit:
    id: str
    title: str
    updated_at: float
    in_title: bool
    snippet: str  # text around the first match in the content ("" when only the title matched)


@dataclass
class SaveResult:
    chars: int  # size of the stored entry
    compacted: int  # tool results cut in the stored copy (the open conversation keeps them whole)
    merged: bool  # messages from another tab were folded into the conversation object


@dataclass
class ExternalChange:
    kind: Literal["updated", "listed", "deleted", "cleared", "settings"]
    conversation_id: Optional[str] = None


@dataclass
class _Base:
    """What this tab last read or wrote for one conversation: the reference point of a merge."""

    messages: dict[str, dict]
    title: str
    model: Optional[str]
    raw: Optional[str] = None  # the stored text it came from: unchanged storage needs no merge
    deleted: list[str] = field(default_factory=list)  # tombstones stored with it


_SNIPPET = 60


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
        self.problems: list[Problem] = []
        # Per open conversation object (not per id: two objects of one conversation are two views).
        self._bases: dict[int, tuple[weakref.ref, _Base]] = {}

    # -- problems ------------------------------------------------------------------------------

    def take_problems(self) -> list[Problem]:
        problems, self.problems = self.problems, []
        return problems

    def _report_problem(self, problem: Problem) -> None:
        if not any(p.key == problem.key and p.kind == problem.kind for p in self.problems):
            self.problems.append(problem)

    def _set_aside(self, key: str, raw: str, error: FormatError) -> None:
        cid = conversation_id_of(key) or key
        if error.kind == "newer_version":
            self._report_problem(Problem(key, error.kind, (
                "A conversation (%s) was saved by a newer version of this app and is hidden here: %s. "
                "Reload the page to get the newer version; the conversation is kept as it is." % (cid, error.detail))))
            return
        target = quarantine(self.store, key, raw, cid, self.clock())
        if target is not None:
            self.store.remove(meta_key(cid))
            message = ("A stored conversation (%s) could not be read: %s. It was set aside, not deleted; you can "
                       "download it or discard it with the buttons of this notice." % (cid, error.detail))
        else:
            message = ("A stored conversation (%s) could not be read: %s. Storage is too full to set it aside, so it "
                       "was left where it is; free some space and reload." % (cid, error.detail))
        self._report_problem(Problem(key, error.kind, message, target))

    def _read(self, conversation_id: str) -> Optional[tuple[Decoded, str]]:
        """The decoded stored entry and its raw text; None when missing or unreadable (then set aside)."""
        key = conversation_key(conversation_id)
        raw = self.store.get(key)
        if raw is None:
            return None
        try:
            decoded = decode_conversation(raw)
        except FormatError as exc:
            self._set_aside(key, raw, exc)
            return None
        if decoded.migrated:
            try:
                raw, decoded.messages, _ = encode_conversation(decoded.conversation, self.max_tool_result_chars,
                                                               decoded.deleted)
                self.store.set(key, raw)
                self.store.set(meta_key(conversation_id),
                               encode_meta(decoded.conversation, utf16_len(key) + utf16_len(raw)))
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
            if key.startswith(META_PREFIX) and key[len(META_PREFIX):] not in have:
                self.store.remove(key)  # the summary of a conversation deleted elsewhere
        for cid in ids:
            meta = decode_meta(self.store.get(meta_key(cid)))
            if meta is None:
                meta = self._rebuild_meta(cid)
                if meta is None:
                    continue
            summaries.append(ConversationSummary(
                id=cid, title=meta["title"], created_at=meta.get("created_at") or 0.0, updated_at=meta["updated_at"],
                chars=meta.get("chars") or 0, messages=meta.get("messages") or 0, model=meta.get("model")))
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
        self._remember(decoded.conversation, decoded, raw)
        return decoded.conversation

    def _remember(self, conversation: Conversation, stored: Decoded, raw: str) -> None:
        """Record what storage now holds for this conversation object: the reference of its next merge."""
        base = _Base({m["id"]: m for m in stored.messages}, stored.conversation.title, stored.conversation.model,
                     raw, list(stored.deleted))
        key = id(conversation)
        bases = self._bases

        def forget(ref: weakref.ref, key: int = key) -> None:
            if key in bases and bases[key][0] is ref:
                del bases[key]

        self._bases[key] = (weakref.ref(conversation, forget), base)

    def _base_of(self, conversation: Conversation) -> Optional[_Base]:
        entry = self._bases.get(id(conversation))
        if entry is None or entry[0]() is not conversation:
            return None
        return entry[1]

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
        raw_before = self.store.get(key)
        base = self._base_of(conversation)
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
                        "changing it here." % (conversation.title or cid)) from None
                self._set_aside(key, raw_before, exc)
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
        self._remember(conversation, Decoded(conversation, dumped, False, deleted), raw)
        return SaveResult(chars=chars, compacted=cut, merged=merged)

    def _merge(self, conversation: Conversation, base: Optional[_Base], theirs: Decoded) -> bool:
        _, dumped, _ = encode_conversation(conversation, self.max_tool_result_chars)
        other = theirs.conversation
        messages, changed = merge_messages(base.messages if base else None, conversation.messages, dumped,
                                           other.messages, theirs.messages, theirs.deleted)
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
        base = self._base_of(conversation)
        if base is not None and base.raw == raw:
            return False
        changed = self._merge(conversation, base, theirs)
        if theirs.conversation.updated_at > conversation.updated_at:
            conversation.updated_at = theirs.conversation.updated_at
        # The stored version is now the reference. This tab's unsaved messages are not in it, so they stay;
        # its own deletions since the last save are kept as tombstones for the next save.
        own_deleted = deleted_ids(base.messages if base else None, [], conversation.messages)
        theirs.deleted = theirs.deleted + [i for i in own_deleted if i not in theirs.deleted]
        self._remember(conversation, theirs, raw)
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

    def set_aside(self) -> list[tuple[str, int]]:
        """(key, characters) of every entry set aside as unreadable."""
        out = []
        for key in self.store.keys():
            if key.startswith(QUARANTINE_PREFIX):
                out.append((key, utf16_len(self.store.get(key) or "")))
        return out

    def read_set_aside(self, key: str) -> Optional[str]:
        return self.store.get(key) if key.startswith(QUARANTINE_PREFIX) else None

    def discard_set_aside(self, key: str) -> None:
        if key.startswith(QUARANTINE_PREFIX):
            self.store.remove(key)

    # -- search ----------------------------------------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title or content (messages, tool calls and results) contain `text`."""
        needle = " ".join(text.split()).lower()
        if not needle:
            return []
        # Cheap test on the stored text first (the longest word, as JSON escapes it); only entries that
        # may match are parsed and searched properly.
        probe = dumps(max(needle.split(), key=len))[1:-1]
        hits: list[SearchHit] = []
        for summary in self.list():
            in_title = needle in summary.title.lower()
            snippet = ""
            raw = self.store.get(conversation_key(summary.id)) or ""
            if probe in raw.lower():
                read = self._read(summary.id)
                if read is not None:
                    snippet = _find_snippet(read[0].conversation, needle)
            if in_title or snippet:
                hits.append(SearchHit(summary.id, summary.title, summary.updated_at, in_title, snippet))
                if len(hits) >= limit:
                    break
        return hits

    # -- export, import --------------------------------------------------------------------------

    def export_json(self, ids: Optional[Iterable[str]] = None) -> str:
        """One JSON document with the given conversations (all when ids is None), re-importable."""
        chosen = list(ids) if ids is not None else [s.id for s in self.list()]
        conversations = [c for c in (self.load(cid) for cid in chosen) if c is not None]
        return export_document(conversations, self.clock())

    def import_json(self, text: str) -> ImportResult:
        """Import an export. A conversation whose id exists here is merged by message id: messages missing
        here are added, messages present here are kept as they are; nothing is overwritten.
        Raises ImportFailed when the file is no export at all; bad conversations are listed in problems."""
        conversations, problems = parse_export(text)
        result = ImportResult(problems=problems)
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
                result.problems.append("%d conversation(s) were not imported because storage is full: %s" % (
                    len(left), exc.report.describe()))
                break
        return result

    def export_markdown(self, conversation: Conversation) -> str:
        return export_markdown(conversation)

    # -- usage -----------------------------------------------------------------------------------

    def usage_report(self) -> UsageReport:
        titles = {s.id: s for s in self.list()}
        conversations: list[ConversationUsage] = []
        total = settings = set_aside = other = 0
        for key in self.store.keys():
            cid = conversation_id_of(key)
            if cid is not None and cid in titles and titles[cid].chars:
                size = titles[cid].chars
            else:
                size = utf16_len(key) + utf16_len(self.store.get(key) or "")
            total += size
            if cid is not None:
                summary = titles.get(cid)
                conversations.append(ConversationUsage(cid, summary.title if summary else "", size,
                                                       summary.updated_at if summary else 0.0))
            elif key.startswith(META_PREFIX):
                other += size
            elif key in (SETTINGS_KEY, SECRETS_KEY):
                settings += size
            elif key.startswith(QUARANTINE_PREFIX):
                set_aside += size
            else:
                other += size
        conversations.sort(key=lambda c: c.chars, reverse=True)
        return UsageReport(total, self.quota_chars, conversations, settings, set_aside, other)

    # -- other tabs ------------------------------------------------------------------------------

    def apply_external_change(self, key: Optional[str], new_value: Optional[str]) -> Optional[ExternalChange]:
        """Interpret a `storage` event from another tab. Returns what changed, or None if nothing of ours.

        "updated": call `refresh(conversation)` if it is open and re-read the list; "listed": re-read the list
        (a summary changed); "deleted": close it if open (a save would store it again, nothing is lost);
        "cleared": re-read everything.
        """
        if key is None:
            return ExternalChange("cleared")
        cid = conversation_id_of(key)
        if cid is not None:
            if new_value is None:
                return ExternalChange("deleted", cid)
            return ExternalChange("updated", cid)
        if key.startswith(META_PREFIX):
            # A summary is written just after its conversation: the list must be drawn again from it, or a
            # list drawn between the two writes keeps the old title.
            return ExternalChange("listed", key[len(META_PREFIX):])
        if key in (SETTINGS_KEY, SECRETS_KEY):
            return ExternalChange("settings")
        return None


def _find_snippet(conversation: Conversation, needle: str) -> str:
    for message in conversation.messages:
        for part in message.parts:
            if isinstance(part, (TextPart, ReasoningPart)):
                text = part.text
            elif isinstance(part, ToolCallPart):
                text = part.name + " " + part.arguments
            elif isinstance(part, ToolResultPart):
                text = part.content
            else:
                continue
            flat = " ".join(text.split())
            at = flat.lower().find(needle)
            if at >= 0:
                start = max(0, at - _SNIPPET)
                end = min(len(flat), at + len(needle) + _SNIPPET)
                return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
    return ""
