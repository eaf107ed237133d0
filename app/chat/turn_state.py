"""Where a turn stands, read from the conversation's messages alone, and settling one that was cut off.

    last_assistant(messages)          # the answer after the last user message, if any
    unanswered(messages, answer)      # its tool calls that have no result yet
    results_message(messages, answer) # the `tool` message answering it (created right after it if missing)
    settle_interrupted(messages)      # a cut-off answer: "stopped", its calls answered "stopped"

Invariant (app/chat/model.py): every tool call of an assistant message is answered exactly once, by the `tool`
message right after it, before the model is called again.
"""

from __future__ import annotations

from typing import Optional

from app.chat.approvals import stopped_result
from app.chat.model import Message, ToolCallPart
from app.chat.versions import keep_version
from app.json_depth import STREAM_DEPTH, load_json


def last_assistant(messages: list[Message]) -> Optional[Message]:
    for message in reversed(messages):
        if message.role == "assistant":
            return message
        if message.role == "user":
            return None
    return None


def unanswered(messages: list[Message], message: Message) -> list[ToolCallPart]:
    index = messages.index(message)
    answered = set()
    if index + 1 < len(messages) and messages[index + 1].role == "tool":
        answered = {part.call_id for part in messages[index + 1].tool_results}
    return [call for call in message.tool_calls if call.id not in answered]


def results_message(messages: list[Message], message: Message) -> Message:
    """The tool message answering `message`, created right after it if missing."""
    index = messages.index(message)
    if index + 1 < len(messages) and messages[index + 1].role == "tool":
        return messages[index + 1]
    results = Message(role="tool")
    messages.insert(index + 1, results)
    return results


def settle_interrupted(messages: list[Message], stopped: bool = False) -> bool:
    """Mark a cut-off answer as stopped and answer every call it leaves behind with "stopped"; False when there
    was no answer to settle.

    Without `stopped`, only an answer cut off mid-stream (by a reload) is settled: a complete answer
    whose calls wait for approval is resumed instead.
    """
    last = last_assistant(messages)
    if last is None or (last.status != "streaming" and not stopped):
        return False
    if last.status == "streaming":
        for call in last.tool_calls:  # arguments cut mid-stream are not valid JSON: send none
            try:
                load_json(call.arguments or "{}", STREAM_DEPTH)
            except ValueError:  # cut off, or nested too deeply (app/json_depth.py)
                call.arguments = "{}"
    left = unanswered(messages, last)
    if last.status == "streaming" or (last.status == "done" and left):
        last.status = "stopped"
    if left:
        results_message(messages, last).parts.extend(stopped_result(call) for call in left)
    return True


def new_version_of_last_user(messages: list[Message]) -> Optional[int]:
    """Keep the last user message and what followed it as a version, drop what followed; its index."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            keep_version(messages, index)
            del messages[index + 1 :]
            return index
    return None
