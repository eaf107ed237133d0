"""Search over the stored conversations: titles, message text, reasoning, tool calls and their results.

    for hit in store.search("published"):   # SearchHit: id, title, updated_at, in_title, snippet
        ...

A cheap test on each stored entry's raw text comes first (the longest word of the query, as JSON escapes it);
only entries that may match are decoded and searched properly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Optional, assert_never

from app.chat.model import (
    Conversation,
    FilePart,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from app.store.format import dumps

if TYPE_CHECKING:
    from app.store.conversations import ConversationSummary

_SNIPPET = 60  # characters of context each side of a match


@dataclass
class SearchHit:
    id: str
    title: str
    updated_at: float
    in_title: bool
    snippet: str  # text around the first match in the content ("" when only the title matched)


def search(
    text: str,
    summaries: Iterable[ConversationSummary],
    raw: Callable[[str], str],
    load: Callable[[str], Optional[Conversation]],
    limit: int = 50,
) -> list[SearchHit]:
    """Conversations (from `summaries`, in their order) whose title or content contain `text`. `raw(id)` is the
    stored text of a conversation, `load(id)` the conversation itself (None when unreadable)."""
    needle = " ".join(text.split()).lower()
    if not needle:
        return []
    probe = dumps(max(needle.split(), key=len))[1:-1]
    hits: list[SearchHit] = []
    for summary in summaries:
        in_title = needle in summary.title.lower()
        snippet = ""
        if probe in raw(summary.id).lower():
            conversation = load(summary.id)
            if conversation is not None:
                snippet = _find_snippet(conversation, needle)
        if in_title or snippet:
            hits.append(SearchHit(summary.id, summary.title, summary.updated_at, in_title, snippet))
            if len(hits) >= limit:
                break
    return hits


def _find_snippet(conversation: Conversation, needle: str) -> str:
    for message in conversation.messages:
        for part in message.parts:
            match part:
                case TextPart() | ReasoningPart():
                    text = part.text
                case ToolCallPart():
                    text = part.name + " " + part.arguments
                case ToolResultPart():
                    text = part.content
                case FilePart():
                    text = part.name
                case _:
                    assert_never(part)  # a new part kind: say here whether (and how) search reads it
            flat = " ".join(text.split())
            at = flat.lower().find(needle)
            if at >= 0:
                start = max(0, at - _SNIPPET)
                end = min(len(flat), at + len(needle) + _SNIPPET)
                return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
    return ""
