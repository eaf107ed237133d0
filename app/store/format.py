"""How conversations are laid out in the key-value store, and how one entry is encoded and decoded.

Keys (every key of ours starts with `da.`):

    da.conv.<id>              {"v": 2, "conversation": {...}}   one conversation (app.chat.model.Conversation)
    da.meta.<id>              {"v": 1, "title", "created_at", "updated_at", "chars", "messages", "model"}
                              a small summary for the list; rebuilt from da.conv.<id> when missing or bad
    da.corrupt.<name>.<ms>    the raw text of an entry that could not be read, set aside, never deleted by us
    da.settings, da.secrets   see app/store/settings.py

One key per conversation means a save writes only that conversation, and no shared index can be
overwritten by another tab. Text is stored without \\u escapes (ensure_ascii=False): Cyrillic or CJK
cost one UTF-16 unit per character against the quota instead of six.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from pydantic import ValidationError

from app.chat.model import Conversation
from app.json_depth import TooDeep, load_json
from app.store.kv import KeyValueStore, QuotaExceeded
from app.store.migrations import MigrationError, migrate

FORMAT_VERSION = 2
META_VERSION = 1

PREFIX = "da."
CONVERSATION_PREFIX = "da.conv."
META_PREFIX = "da.meta."
QUARANTINE_PREFIX = "da.corrupt."
SETTINGS_KEY = "da.settings"
SECRETS_KEY = "da.secrets"

# Tool results longer than this are cut in the stored copy (the open conversation keeps them whole).
MAX_STORED_TOOL_RESULT_CHARS = 20_000
TITLE_CHARS = 60


def conversation_key(conversation_id: str) -> str:
    return CONVERSATION_PREFIX + conversation_id


def meta_key(conversation_id: str) -> str:
    return META_PREFIX + conversation_id


def conversation_id_of(key: str) -> Optional[str]:
    return key[len(CONVERSATION_PREFIX) :] if key.startswith(CONVERSATION_PREFIX) else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class FormatError(ValueError):
    """A stored entry cannot be read. `kind` is bad_json, invalid or newer_version."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def title_from_messages(conversation: Conversation) -> str:
    """A title made from the first user message: its first line, whitespace collapsed, at most 60 chars."""
    for message in conversation.messages:
        if message.role == "user":
            text = " ".join(message.text.split())
            if text:
                return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"
    return ""


def compaction_note(original_chars: int, kept_chars: int) -> str:
    return (
        "\n[%s of %s characters of this tool result were left out when the conversation was saved; "
        "run the tool again if the full result is needed.]"
        % (format(original_chars - kept_chars, ","), format(original_chars, ","))
    )


def compact_tool_results(messages: list[dict], limit: int) -> int:
    """Cut tool-result contents longer than `limit` characters in dumped messages (in place).

    The start of the result is kept (the model can still read what came back and continue), followed by a
    note saying how much was left out. Returns how many results were cut. Idempotent.
    """
    cut = 0
    for message in messages:
        for version in (message.get("versions") or {}).get("others") or []:  # kept versions (app/chat/versions.py)
            cut += compact_tool_results(version.get("tail") or [], limit)
        if message.get("role") != "tool":
            continue
        for part in message.get("parts") or []:
            content = part.get("content")
            if part.get("kind") == "tool_result" and isinstance(content, str) and len(content) > limit:
                keep = max(0, limit - 200)
                part["content"] = content[:keep] + compaction_note(len(content), keep)
                cut += 1
    return cut


# How many ids of deleted messages a stored conversation remembers (see app/store/merge.py).
MAX_DELETED_IDS = 500


def encode_conversation(
    conversation: Conversation,
    max_tool_result_chars: int,
    deleted: Sequence[str] = (),
    reference: Optional[dict[str, dict]] = None,
) -> tuple[str, list[dict], int]:
    """The stored text of a conversation, its dumped (compacted) messages, and how many results were cut.

    `deleted` are ids of messages removed on purpose (regenerate, edit), so that another tab's merge
    does not bring them back; a message merely missing from another tab's copy is never dropped.
    `reference` (message id -> dumped message, what storage holds now): a message that differs from it gets
    its `rev` bumped past both, here and in the conversation object.
    """
    data = conversation.model_dump(mode="json")
    cut = compact_tool_results(data["messages"], max_tool_result_chars)
    for message, dumped in zip(conversation.messages, data["messages"], strict=True):
        stored = (reference or {}).get(dumped["id"])
        if stored is None:
            continue
        own, theirs = dumped.get("rev", 0), stored.get("rev", 0)
        dumped["rev"] = theirs  # compare everything but the revision itself
        if dumped != stored:
            message.rev = dumped["rev"] = max(own, theirs) + 1
        else:
            dumped["rev"] = own
    doc: dict[str, Any] = {"v": FORMAT_VERSION, "conversation": data}
    if deleted:
        doc["deleted"] = list(deleted)[-MAX_DELETED_IDS:]
    return dumps(doc), data["messages"], cut


@dataclass
class Decoded:
    conversation: Conversation
    messages: list[dict]  # dumped messages as stored (the reference of a merge)
    migrated: bool
    deleted: list[str] = field(default_factory=list)


def parse_document(raw: str) -> dict:
    try:
        doc = load_json(raw)
    except TooDeep as exc:
        raise FormatError("invalid", str(exc)) from None
    except ValueError as exc:
        raise FormatError("bad_json", "not valid JSON (" + str(exc) + ")") from None
    if not isinstance(doc, dict):
        raise FormatError("invalid", "not a JSON object")
    return doc


def decode_document(doc: dict) -> Decoded:
    """A conversation from a parsed stored document."""
    version = doc.get("v", 1 if "messages" in doc else None)
    if not isinstance(version, int) or isinstance(version, bool):
        raise FormatError("invalid", "no storage format version")
    if version > FORMAT_VERSION:
        raise FormatError(
            "newer_version",
            "written by a newer version of the app (format %d, this app reads up to %d)" % (version, FORMAT_VERSION),
        )
    migrated = version != FORMAT_VERSION
    if migrated:
        try:
            doc = migrate(dict(doc, v=version), FORMAT_VERSION)
        except MigrationError as exc:
            raise FormatError("invalid", str(exc)) from None
    data = doc.get("conversation")
    if not isinstance(data, dict):
        raise FormatError("invalid", "no conversation in the stored document")
    try:
        conversation = Conversation.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise FormatError(
            "invalid", "does not match the conversation format (%s: %s)" % (where, first.get("msg"))
        ) from None
    if migrated:
        dumped = conversation.model_dump(mode="json")["messages"]
    else:
        dumped = data.get("messages") or []
    deleted = doc.get("deleted")
    deleted = [d for d in deleted if isinstance(d, str)] if isinstance(deleted, list) else []
    return Decoded(conversation, dumped, migrated, deleted)


def decode_conversation(raw: str) -> Decoded:
    return decode_document(parse_document(raw))


def encode_meta(conversation: Conversation, chars: int) -> str:
    return dumps(
        {
            "v": META_VERSION,
            "title": conversation.title,
            "created_at": conversation.created_at,
            "updated_at": conversation.updated_at,
            "chars": chars,
            "messages": len(conversation.messages),
            "model": conversation.model,
        }
    )


def decode_meta(raw: Optional[str]) -> Optional[dict]:
    """A summary dict, or None when missing or unreadable (it is then rebuilt; nothing is lost)."""
    if not raw:
        return None
    try:
        meta = load_json(raw)
    except ValueError:  # (TooDeep too)
        return None
    if not isinstance(meta, dict) or meta.get("v") != META_VERSION:
        return None
    if not isinstance(meta.get("updated_at"), (int, float)) or not isinstance(meta.get("title"), str):
        return None
    return meta


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_\-]")


def quarantine_key(name: str, now: float) -> str:
    return "%s%s.%d" % (QUARANTINE_PREFIX, _SAFE_NAME.sub("_", name)[:80], int(now * 1000))


@dataclass
class Problem:
    """An entry that could not be read, for the UI to show. Nothing was deleted."""

    key: str
    kind: str  # bad_json | invalid | newer_version
    message: str  # what happened and what to do, in plain words
    quarantine_key: Optional[str] = None  # where the raw text now is (None: left in place)


def quarantine(store: KeyValueStore, key: str, raw: str, name: str, now: float) -> Optional[str]:
    """Move `raw` from `key` to a `da.corrupt.*` key. Returns the new key, or None if it stays in place."""
    target = quarantine_key(name, now)
    try:
        store.set(target, raw)
    except QuotaExceeded:
        return None
    store.remove(key)
    return target
