"""The turns this browser started: only those are resumed after a reload.

Resuming a conversation left mid-turn asks its calls' approvals again, runs those a tool mode lets through and
then calls the model, so it happens only for a turn started here. While a turn of this browser runs, its tab
records the id of the turn's latest answer under `da.turn.<conversation id>` in localStorage: every tab of this
browser reads it, no other browser or device does, and no file carries it (an export holds conversations only).
A conversation left mid-turn whose last answer is not the one recorded (imported, or left by an older version of
the app) is settled instead: its calls are answered "stopped" and nothing runs (app/store/settle.py).

The record goes when the turn ends, or with its conversation. Best effort: a storage too full for it only means
that an interrupted turn is settled rather than resumed.
"""

from __future__ import annotations

from typing import Optional

from app.chat.model import Conversation
from app.store.kv import KeyValueStore, QuotaExceeded

TURN_PREFIX = "da.turn."


def last_answer(conversation: Conversation) -> Optional[str]:
    """The id of the conversation's last answer (assistant message), if it comes after the last user message."""
    for message in reversed(conversation.messages):
        if message.role == "assistant":
            return message.id
        if message.role == "user":
            return None
    return None


class OwnTurns:
    def __init__(self, store: KeyValueStore):
        self.store = store

    def record(self, conversation: Conversation) -> None:
        """A turn of this tab runs in the conversation: its last answer is ours."""
        answer = last_answer(conversation)
        key = TURN_PREFIX + conversation.id
        if answer is None or self.store.get(key) == answer:
            return
        try:
            self.store.set(key, answer)
        except QuotaExceeded:
            pass

    def started(self, conversation: Conversation) -> bool:
        """Whether the conversation's last answer was written by a turn this browser started."""
        answer = last_answer(conversation)
        return answer is not None and self.store.get(TURN_PREFIX + conversation.id) == answer

    def forget(self, conversation_id: str) -> None:
        self.store.remove(TURN_PREFIX + conversation_id)

    def forget_all(self) -> None:
        for key in self.store.keys():
            if key.startswith(TURN_PREFIX):
                self.store.remove(key)
