"""A question (ask_user) waiting in a turn that tab A runs, answered from tab B's view of the same conversation: the
answer travels through the shared store, fits the question or is refused, and counts once."""

from __future__ import annotations

import json
from types import SimpleNamespace

from app.chat.agent import Agent
from app.chat.approvals import ApprovalPolicy
from app.chat.ask_user import ASK_USER, Answer, answer_of
from app.chat.model import Conversation
from app.hub import Hub
from app.questions import ANSWER_PREFIX, Questions
from app.store.kv import MemoryStore
from app.store.leases import LiveTurns
from tests.doubles import FakeTools, ScriptedProvider, calls, text, until


def tab(store, name, agent=None, conversation=None) -> Questions:
    turns = SimpleNamespace(
        agent=agent,
        agents={agent.conversation.id: agent} if agent else {},
        conversation=conversation or agent.conversation,
        live=LiveTurns(store, name, clock=lambda: 100.0),
    )
    return Questions(turns, store, Hub())  # type: ignore[arg-type]  # the members Questions reads of Turns


async def test_an_answer_from_another_tab_reaches_the_running_turn_once():
    store = MemoryStore()
    provider = ScriptedProvider(calls((ASK_USER, {"question": "Colour?", "options": ["Red", "Blue"]})), text("ok"))
    agent = Agent(Conversation(), provider, "m", FakeTools(), ApprovalPolicy(), "s", ask_user=True)
    task = agent.send("pick")
    await until(lambda: agent.questions)
    a = tab(store, "A", agent)
    a.turns.live.hold(agent.conversation.id)  # A runs the turn
    b = tab(store, "B", conversation=Conversation.model_validate(agent.conversation.model_dump()))  # B shows it
    key = ANSWER_PREFIX + agent.conversation.id

    (waiting,) = b.waiting()
    assert waiting.question.options == ("Red", "Blue") and not waiting.sent
    assert not b.answer(waiting.call_id, {"choices": ["Green"]}) and store.get(key) is None  # not an option
    assert b.answer(waiting.call_id, {"choices": ["Blue"], "text": "dark"})
    assert b.waiting()[0].sent and not b.answer(waiting.call_id, {"choices": ["Red"]})  # once from B

    assert a.external_change(key, "not json")  # garbage under the key: nothing answered
    assert agent.questions
    assert a.external_change(key, store.get(key))
    await task
    assert store.get(key) is None  # taken
    assert answer_of(agent.conversation.messages[2].tool_results[0]) == Answer(("Blue",), "dark")
    assert agent.conversation.messages[-1].text == "ok"
    assert a.external_change(key, json.dumps({"call": waiting.call_id, "answer": {"choices": ["Red"]}}))
    assert answer_of(agent.conversation.messages[2].tool_results[0]) == Answer(("Blue",), "dark")  # still


async def test_a_tab_without_the_turn_and_without_a_lease_elsewhere_shows_no_card():
    store = MemoryStore()
    provider = ScriptedProvider(calls((ASK_USER, {"question": "Name?"})))
    agent = Agent(Conversation(), provider, "m", FakeTools(), ApprovalPolicy(), "s", ask_user=True)
    agent.send("x")
    await until(lambda: agent.questions)
    shown = Conversation.model_validate(agent.conversation.model_dump())
    b = tab(store, "B", conversation=shown)
    assert b.waiting() == []  # nobody runs it: nothing to answer (resuming it is app/turns.py's business)
    assert not b.answer(shown.messages[1].tool_calls[0].id, {"text": "Ada"})
    assert [w.question.text for w in tab(store, "A", agent).waiting()] == ["Name?"]  # the running tab shows it
    agent.stop()
    await agent.wait()
