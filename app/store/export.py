"""Export and import of conversations: JSON (re-importable, validated) and Markdown (for reading).

The JSON export is one document for one conversation or many:

    {"format": "directus-assistant/conversations", "v": 2, "exported_at": <s>,
     "conversations": [<app.chat.model.Conversation as JSON>, ...]}

Each conversation is checked on import on its own; stored entries (`{"v": N, "conversation": ..}`) and
older format versions are accepted too (they go through the same migrations as stored entries).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from app.chat.model import (
    Conversation,
    FilePart,
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from app.json_depth import MAX_DEPTH, TooDeep, load_json
from app.store.format import FORMAT_VERSION, FormatError, decode_document, dumps
from app.store.settle import clamp_times, drop_deep_json, drop_pinned_text, drop_undo, settle_turns

EXPORT_FORMAT = "directus-assistant/conversations"


class ImportFailed(ValueError):
    """The file cannot be imported at all (not JSON, or not an export of this app)."""


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)  # ids of new conversations
    merged: list[str] = field(default_factory=list)  # ids of existing conversations that got messages added
    unchanged: list[str] = field(default_factory=list)  # already here with every message
    problems: list[str] = field(default_factory=list)  # one line per conversation that was not imported
    stopped: int = 0  # tool calls the file left waiting, answered "stopped" (app/store/settle.py): none runs here


def export_document(conversations: list[Conversation], now: float) -> str:
    return dumps(
        {
            "format": EXPORT_FORMAT,
            "v": FORMAT_VERSION,
            "exported_at": now,
            "conversations": [c.model_dump(mode="json") for c in conversations],
        }
    )


def parse_export(text: str, now: float) -> tuple[list[Conversation], ImportResult]:
    """Conversations from an export (or from one stored entry), settled so that nothing in them runs here
    (app/store/settle.py: no call left waiting, no time after `now`, no undo plan, no JSON nested too deeply), and a
    result with a problem line per bad one and how many calls were stopped."""
    try:
        doc = load_json(text)
    except TooDeep:
        raise ImportFailed(
            "The file is not an export of this app: its JSON is nested too deeply (more than %d levels)." % MAX_DEPTH
        ) from None
    except ValueError as exc:
        raise ImportFailed("The file is not JSON (" + str(exc) + "). Choose a file exported by this app.") from None
    if not isinstance(doc, dict):
        raise ImportFailed("The file is JSON but not an export of this app (expected an object).")
    if "conversations" in doc:
        if doc.get("format") != EXPORT_FORMAT:
            raise ImportFailed("The file is not an export of this app (format %r)." % (doc.get("format"),))
        version = doc.get("v")
        items = doc.get("conversations")
        if not isinstance(items, list):
            raise ImportFailed("The export has no list of conversations.")
        entries = [
            {"v": version, "conversation": item} if version == FORMAT_VERSION else _old_entry(item, version)
            for item in items
        ]
    elif "conversation" in doc or "messages" in doc:
        entries = [doc]
    else:
        raise ImportFailed("The file is JSON but holds no conversations exported by this app.")
    conversations: list[Conversation] = []
    result = ImportResult()
    for index, entry in enumerate(entries):
        try:
            conversation = decode_document(entry).conversation
        except FormatError as exc:
            result.problems.append("%s was not imported: %s." % (_label(entry, index), exc.detail))
            continue
        result.stopped += settle_turns(conversation)
        clamp_times(conversation, now)
        drop_undo(conversation)
        drop_deep_json(conversation)
        drop_pinned_text(conversation)
        conversations.append(conversation)
    return conversations, result


def _old_entry(item: object, version: object) -> dict:
    if isinstance(item, dict):
        return dict(item, v=version)
    return {"v": version, "conversation": item}


def _label(entry: dict, index: int) -> str:
    data = entry.get("conversation") if isinstance(entry.get("conversation"), dict) else entry
    title = data.get("title") if isinstance(data, dict) else None
    return "Conversation %d%s" % (index + 1, (" (" + title + ")") if isinstance(title, str) and title else "")


def merge_imported(existing: Conversation, incoming: Conversation) -> int:
    """Add the messages of `incoming` that `existing` lacks (by message id); returns how many were added.

    Messages present on both sides keep the local version: an import never overwrites. A message kept here in an
    older version of the conversation (app/chat/versions.py) is present too: it does not come back into the shown one.
    """
    from app.chat.versions import every_message
    from app.store.merge import order_messages

    have = {m.id for m in every_message(existing.messages)}
    added = [m for m in incoming.messages if m.id not in have]
    if added:
        existing.messages = order_messages(existing.messages + added)
    return len(added)


def _fence(text: str, lang: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return ticks + lang + "\n" + _inert(text) + ("" if text.endswith("\n") else "\n") + ticks


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _pretty_json(text: str) -> tuple[str, str]:
    try:
        return json.dumps(load_json(text), ensure_ascii=False, indent=2), "json"
    except ValueError:  # (nested too deeply, too)
        return text, ""


# The Markdown export is read in viewers that render HTML, so nothing it copies from the conversation (the model's
# text and reasoning, tool names, arguments and results, titles, error messages) may be read as HTML. Only this
# module writes tags (<details>, <summary>). Text placed inside them is HTML-escaped; text that stays Markdown gets a
# zero-width space after every "<" that could open a tag, a comment or a declaration ("<img", "</details", "<!--",
# "<?"): no Markdown or HTML parser reads a tag there, in code or out of it, and the text reads the same.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ZERO_WIDTH_SPACE = "\u200b"


def _inert(text: str) -> str:
    """Markdown text (or code) that cannot open an HTML tag."""
    return _TAG_START.sub("<" + _ZERO_WIDTH_SPACE, text)


def _inline(text: str) -> str:
    """One line of inline text: whitespace collapsed (no new block can start), inert."""
    return _inert(" ".join(text.split()))


def _summary(text: str) -> str:
    """A <details> block's <summary>: HTML-escaped, on one line."""
    return "<details><summary>" + html.escape(" ".join(text.split())) + "</summary>"


# A tool result's view (a chart: app/directus/tools/visualize.py) as (columns, rows); given by the caller, since the
# store does not know the tools.
TableOf = Callable[[dict], Optional[tuple[list[str], list[list[Any]]]]]
MAX_TABLE_ROWS = 1000


def _table(columns: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table (cells on one line, inert, `|` escaped), at most MAX_TABLE_ROWS rows."""

    def cell(value: Any) -> str:
        text = (
            "" if value is None else str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        )
        return _inline(text).replace("\\", "\\\\").replace("|", "\\|")

    out = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + " --- |" * len(columns)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows[:MAX_TABLE_ROWS]]
    if len(rows) > MAX_TABLE_ROWS:
        out += ["", "_(%d of %d rows)_" % (MAX_TABLE_ROWS, len(rows))]
    return out + [""]


def export_markdown(conversation: Conversation, table_of: Optional[TableOf] = None) -> str:
    """A readable Markdown transcript: messages, reasoning and tool calls/results in collapsible blocks; a chart as
    the table of its data (with `table_of`)."""
    lines = ["# " + (_inline(conversation.title) or "Conversation"), ""]
    meta = "Started " + _when(conversation.created_at)
    if conversation.model:
        meta += " · model " + _inline(conversation.model)
    lines += ["_" + meta + "_", ""]
    for message in conversation.messages:
        lines += _message_markdown(message, table_of)
    return "\n".join(lines).rstrip() + "\n"


def _message_markdown(message: Message, table_of: Optional[TableOf] = None) -> list[str]:
    heading = {"user": "User", "assistant": "Assistant", "tool": "Tool results"}[message.role]
    if message.role == "assistant" and message.model:
        heading += " (" + _inline(message.model) + ")"
    out = ["## " + heading, ""]
    for part in message.parts:
        if isinstance(part, TextPart) and part.text:
            out += [_inert(part.text), ""]
        elif isinstance(part, ReasoningPart) and part.text:
            out += [_summary("Reasoning"), "", _inert(part.text), "", "</details>", ""]
        elif isinstance(part, ToolCallPart):
            body, lang = _pretty_json(part.arguments or "{}")
            out += [_summary("Tool call: " + part.name), "", _fence(body, lang), "", "</details>", ""]
        elif isinstance(part, FilePart):
            out += [
                "_Attached: "
                + _inline(part.name)
                + " ("
                + _inline(part.media_type)
                + ", "
                + format(part.size, ",")
                + " bytes)_",
                "",
            ]
        elif isinstance(part, ToolResultPart):
            body, lang = _pretty_json(part.content)
            status = "" if part.status == "ok" else " (" + part.status + ")"
            out += [_summary("Result of " + part.name + status), "", _fence(body, lang), "", "</details>", ""]
            table = table_of(part.view) if table_of is not None and part.view else None
            if table is not None:
                out += _table(*table)
    if message.error is not None:
        out += ["> Error: " + _inline(message.error.message), ""]
    if message.usage is not None:
        u = message.usage
        out += ["_Tokens: %d in (%d cached), %d out_" % (u.input_tokens, u.cached_tokens, u.output_tokens), ""]
    return out


def export_file_name(conversations: list[Conversation], extension: str, now: Optional[float] = None) -> str:
    """A file name for a download: the title of a single conversation, else a dated name."""
    if len(conversations) == 1 and conversations[0].title:
        stem = re.sub(r"[^\w\- ]+", "", conversations[0].title).strip().replace(" ", "-")[:50] or "conversation"
    else:
        stem = "conversations-" + (
            datetime.fromtimestamp(now, tz=timezone.utc).strftime("%Y-%m-%d") if now else "export"
        )
    return stem + "." + extension
