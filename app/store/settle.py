"""A conversation this browser did not run may not run anything here.

A conversation can end mid-turn: an answer still marked streaming, tool calls without a result (they waited for
the user's say, or ran when the page went away). Opened as it is, it would resume that turn: ask the calls'
approvals again, run those a tool mode lets through, then call the model with the user's key. That is right only
for a turn this browser started (app/store/own_turns.py); an imported conversation, or one left by anything else,
is settled instead, as a stop would settle it:

    settle_turns(conversation)      # a streaming answer is stopped, every call without a result gets a "stopped"
                                    # result (the agent's shape: app/chat/approvals.py); returns how many
    clamp_times(conversation, now)  # nothing dated in the future (it would be listed, and opened at start, first)
    drop_undo(conversation)         # no Undo from someone else's plan: an Undo writes to Directus
    drop_deep_json(conversation)    # no tool arguments or result nested deeper than the app ever writes (showing
                                    # or sending them would parse them; in the browser that overflows the stack)
    drop_pinned_text(conversation)  # no pinned item's block nor link from the file: a block is never shown, yet the
                                    # model reads it as the user's words (it is read again from Directus when sent)

An import does all five (app/store/export.py `parse_export`); opening a conversation left mid-turn by a turn
this browser did not start does the first (app/turns.py).
"""

from __future__ import annotations

import json
import math

from app.chat.approvals import error_result
from app.chat.model import Conversation, Message, TextPart, ToolCallPart, ToolResultPart
from app.chat.versions import every_message
from app.json_depth import MAX_DEPTH, load_json, nesting

NOT_RUN = "Not run: this conversation was left waiting by a turn that was not started here (an imported conversation)."
WAS_RUNNING = (
    "Not run here: it was running where this conversation comes from (an imported conversation), so it may or may "
    "not have been applied there. Check before retrying."
)


def settle_turns(conversation: Conversation) -> int:
    """Stop every answer left streaming and answer every call left without a result with "stopped", in the shown
    messages and in the versions kept of edited ones. Returns how many calls it answered."""
    return _settle(conversation.messages)


def _settle(messages: list[Message]) -> int:
    settled = 0
    index = 0
    while index < len(messages):
        message = messages[index]
        if message.versions is not None:
            for version in message.versions.others:
                settled += _settle(version.tail)
        if message.role == "assistant":
            settled += _settle_answer(messages, index)
        index += 1
    return settled


def _settle_answer(messages: list[Message], index: int) -> int:
    message = messages[index]
    results = messages[index + 1] if index + 1 < len(messages) and messages[index + 1].role == "tool" else None
    answered = {part.call_id for part in results.tool_results} if results is not None else set()
    unanswered = [call for call in message.tool_calls if call.id not in answered]
    if message.status == "streaming":
        for call in message.tool_calls:  # arguments cut mid-stream are not valid JSON: send none
            try:
                load_json(call.arguments or "{}")
            except ValueError:  # (nested too deeply, too)
                call.arguments = "{}"
    if message.status == "streaming" or (message.status == "done" and unanswered):
        message.status = "stopped"
    if not unanswered:
        return 0
    if results is None:
        results = Message(role="tool", created_at=message.created_at)
        messages.insert(index + 1, results)
    results.parts.extend(_stopped(call) for call in unanswered)
    return len(unanswered)


def _stopped(call: ToolCallPart) -> ToolResultPart:
    return error_result(call, "stopped", "STOPPED", WAS_RUNNING if call.started else NOT_RUN)


def clamp_times(conversation: Conversation, now: float) -> None:
    """No time after `now` (and none that is not a number): created_at, updated_at, every message's created_at."""
    conversation.created_at = _clamp(conversation.created_at, now)
    conversation.updated_at = _clamp(conversation.updated_at, now)
    for message in every_message(conversation.messages):
        message.created_at = _clamp(message.created_at, now)


def drop_undo(conversation: Conversation) -> None:
    """Forget the undo plans of the conversation's tool results: an Undo of them would write what the file says."""
    for message in every_message(conversation.messages):
        for part in message.tool_results:
            part.undo = None


TOO_DEEP = json.dumps(
    {"error": {"code": "TOO_DEEP", "message": "Left out on import: nested more than %d levels deep." % MAX_DEPTH}}
)


def drop_deep_json(conversation: Conversation) -> int:
    """Replace tool arguments and results whose JSON nests more than MAX_DEPTH levels (the conversation's own
    depth is checked when it is read; these are JSON texts inside strings): arguments by "{}", a result by a note.
    Returns how many were replaced."""
    replaced = 0
    for message in every_message(conversation.messages):
        for part in message.parts:
            if isinstance(part, ToolCallPart) and nesting(part.arguments) > MAX_DEPTH:
                part.arguments, replaced = "{}", replaced + 1
            elif isinstance(part, ToolResultPart) and nesting(part.content) > MAX_DEPTH:
                part.content, part.status, replaced = TOO_DEEP, "error", replaced + 1
    return replaced


def drop_pinned_text(conversation: Conversation) -> None:
    """Forget the blocks and links of pinned items (app/directus/context_items.py): the page shows a pinned item as a
    chip only, so a block from a file would reach the model unseen, as if the user had written it. An emptied block is
    not sent; the last user message's are read again from Directus when it is sent (a retry, an edit)."""
    for message in every_message(conversation.messages):
        for part in message.parts:
            if isinstance(part, TextPart) and part.item is not None:
                part.text = ""
                part.item.url = ""


def _clamp(value: float, now: float) -> float:
    return value if math.isfinite(value) and value <= now else now
