"""The questions the model asked the user (`ask_user`, app/chat/ask_user.py) that wait in the open conversation, and
their answers, also from another tab's view of the conversation.

    questions.waiting()                    # [WaitingQuestion]: what the cards show, in call order
    questions.answer(call_id, raw)         # the user's answer; False (and nothing sent) when it does not fit
    questions.external_change(key, value)  # a `storage` event: an answer another tab sent to this tab's turn

A question waits in the tab whose turn runs (its agent holds it). Another tab showing the same conversation (it sees
the lease, app/store/leases.py) shows the same card; its answer is written under `da.answer.<conversation id>`, and
the running tab takes it from the `storage` event, checks it against the question, and removes the key. The first
answer wins: the agent takes one answer per question (app/chat/call_runner.py), and the tab that sent one shows its
card as sent until the running tab's save removes it. The question and its options are the model's text: the
cards show them as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from app.json_depth import load_json

if TYPE_CHECKING:
    from app.chat.ask_user import Question
    from app.hub import Hub
    from app.store.kv import KeyValueStore
    from app.turns import Turns

ANSWER_PREFIX = "da.answer."


@dataclass(frozen=True)
class WaitingQuestion:
    call_id: str
    question: Question
    sent: bool = False  # answered from this tab; the tab running the turn has not taken it yet


class Questions:
    def __init__(self, turns: Turns, store: KeyValueStore, hub: Hub):
        self.turns, self.store, self.hub = turns, store, hub
        self.sent: set[str] = set()  # call ids answered here for a turn running in another tab

    def waiting(self) -> list[WaitingQuestion]:
        agent = self.turns.agent
        if agent is not None and agent.questions:
            return [WaitingQuestion(call_id, p.question) for call_id, p in agent.questions.items()]
        if (agent is not None and agent.busy) or not self.turns.live.elsewhere(self.turns.conversation.id):
            return []
        return [WaitingQuestion(c, q, c in self.sent) for c, q in self._asked_elsewhere()]

    def answer(self, call_id: str, raw: object) -> bool:
        from app.chat.ask_user import read_answer

        agent = self.turns.agent
        if agent is not None and call_id in agent.questions:
            return agent.answer(call_id, raw)
        conversation_id = self.turns.conversation.id
        question = dict(self._asked_elsewhere()).get(call_id) if self.turns.live.elsewhere(conversation_id) else None
        if question is None or call_id in self.sent or read_answer(question, raw) is None:
            return False
        from app.store.kv import QuotaExceeded

        try:
            self.store.set(ANSWER_PREFIX + conversation_id, json.dumps({"call": call_id, "answer": raw}))
        except QuotaExceeded:
            self.hub.add_notice(
                "The answer could not be passed to the other tab: the storage is full.", "error", "answer"
            )
            return False
        self.sent.add(call_id)
        self.hub.notify("conversation")
        return True

    def external_change(self, key: Optional[str], value: Optional[str]) -> bool:
        """True when the `storage` event was an answer sent to a turn (of this tab or not): nothing else to do."""
        if key is None or not key.startswith(ANSWER_PREFIX):
            return False
        agent = self.turns.agents.get(key[len(ANSWER_PREFIX) :])
        try:
            sent = load_json(value) if value else None
        except ValueError:
            sent = None
        if agent is None or not isinstance(sent, dict) or not isinstance(sent.get("call"), str):
            return True  # not for a turn of this tab (or the key's removal)
        if sent["call"] in agent.questions:
            agent.answer(sent["call"], sent.get("answer"))
            self.store.remove(key)
        return True

    def _asked_elsewhere(self) -> list[tuple[str, Question]]:
        """The questions of the open conversation's last answer without a result (its turn runs in another tab)."""
        from app.chat.ask_user import ASK_USER, read_question
        from app.chat.turn_state import last_assistant, unanswered

        messages = self.turns.conversation.messages
        last = last_assistant(messages)
        if last is None or last.status != "done":
            return []
        asked = []
        for call in unanswered(messages, last):
            question = read_question(call.arguments)[0] if call.name == ASK_USER else None
            if question is not None:
                asked.append((call.id, question))
        return asked
