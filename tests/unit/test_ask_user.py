"""The `ask_user` tool: its arguments and answers checked, and the agent waiting for the answer (also across a
reload and a stop), never through the approval gate nor the Directus tools."""

from __future__ import annotations

import json

import pytest

from app.chat.agent import Agent
from app.chat.approvals import ApprovalPolicy
from app.chat.ask_user import ASK_USER, Answer, Question, answer_of, read_answer, read_question
from app.chat.model import Conversation
from tests.doubles import FakeTools, ScriptedProvider, calls, text, until


def ask(**args) -> str:
    return json.dumps(args)


@pytest.mark.parametrize(
    "arguments, problem",
    [
        ("not json", "JSON"),
        ("[1]", "object"),
        (ask(), "question"),
        (ask(question="   "), "question"),
        (ask(question="Which?", options=["a", "b", "c", "d", "e"]), "at most 4"),
        (ask(question="Which?", options=["a", 3]), "options"),
        (ask(question="Which?", options=["a", " "]), "options"),
        (ask(question="Which?", options="a,b"), "options"),
        (ask(question="Which?", multi="yes"), "true or false"),
    ],
)
def test_invalid_arguments_say_what_is_wrong(arguments, problem):
    question, message = read_question(arguments)
    assert question is None and problem in message


def test_a_question_is_kept_as_plain_text_trimmed():
    hostile = "<img src=x onerror=alert(1)> **bold**" + "x" * 900
    question, _ = read_question(ask(question=hostile, options=["<b>A</b>", "<b>A</b>", "B\n\nC"], multi=True))
    assert question is not None
    assert question.text.startswith("<img src=x onerror=alert(1)> **bold**") and len(question.text) == 500
    assert question.options == ("<b>A</b>", "B C")  # duplicates dropped, whitespace folded
    assert question.multiple


def test_without_options_multi_means_nothing():
    question, _ = read_question(ask(question="Name?", multi=True))
    assert question == Question("Name?", (), False)


ONE = Question("Which?", ("A", "B"), multiple=False)
SEVERAL = Question("Which?", ("A", "B", "C"), multiple=True)


@pytest.mark.parametrize(
    "question, raw, expected",
    [
        (ONE, {"choices": ["B"]}, Answer(("B",))),
        (ONE, {"choices": ["A", "B"]}, None),  # one only
        (ONE, {"choices": ["Z"]}, None),  # not an option
        (ONE, {"text": " other "}, Answer((), "other")),  # in their own words
        (ONE, {}, None),  # nothing
        (ONE, "B", None),
        (SEVERAL, {"choices": ["C", "A"], "text": "  and more "}, Answer(("A", "C"), "and more")),
        (SEVERAL, {"choices": ["A", "A"]}, None),
        (SEVERAL, {"choices": [], "text": "x" * 5000}, Answer((), "x" * 2000)),
        (SEVERAL, {"choices": [{"a": 1}]}, None),
    ],
)
def test_answers_must_fit_the_question(question, raw, expected):
    assert read_answer(question, raw) == expected


def test_the_definition_costs_at_most_50_tokens_on_every_protocol():
    from bench.tokens import ask_user_cost

    costs = ask_user_cost()
    assert len(costs) == 4 and all(0 < cost <= 50 for cost in costs.values()), costs


def make_agent(provider, tools=None) -> Agent:
    return Agent(Conversation(), provider, "m1", tools or FakeTools(), ApprovalPolicy(), "system", ask_user=True)


def asking(**args):
    return calls((ASK_USER, args))


async def test_the_answer_becomes_the_result_and_the_turn_goes_on_without_approval_or_tools():
    tools = FakeTools()
    provider = ScriptedProvider(asking(question="Which one?", options=["A", "B"]), text("You chose B."))
    agent = make_agent(provider, tools)
    task = agent.send("help me choose")
    await until(lambda: agent.questions)
    assert not agent.pending and not tools.prepared  # no approval, no Directus tool
    ((call_id, waiting),) = agent.questions.items()
    assert waiting.question.options == ("A", "B")
    assert not agent.answer(call_id, {"choices": ["C"]})  # does not fit: still waiting
    assert agent.answer(call_id, {"choices": ["B"]})
    assert not agent.answer(call_id, {"choices": ["A"]})  # answered already
    await task
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "ok" and answer_of(result) == Answer(("B",))
    assert provider.requests[1][2]["parts"][0]["content"] == '{"answer": {"chosen": ["B"]}}'
    assert agent.conversation.messages[-1].text == "You chose B."
    assert [spec.name for spec in tools.specs()] + [ASK_USER] == ["read", "write", "delete", "fail", ASK_USER]


async def test_the_tool_is_offered_only_when_asked_for():
    provider = ScriptedProvider(text("hi"))
    seen = []
    original = provider.stream

    async def stream(request):
        seen.append([t.name for t in request.tools])
        async for event in original(request):
            yield event

    provider.stream = stream  # type: ignore[method-assign]  # records the tools offered
    await Agent(Conversation(), provider, "m1", FakeTools(), ApprovalPolicy(), "s").send("x")
    provider.steps.append(text("hi"))
    await make_agent(provider).send("y")
    assert ASK_USER not in seen[0] and seen[1][-1] == ASK_USER


async def test_invalid_arguments_are_answered_at_once_for_the_model_to_fix():
    agent = make_agent(ScriptedProvider(asking(question="", options=[]), text("ok")))
    await agent.send("x")
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "error" and "question" in result.content


async def test_stop_ends_a_waiting_question_cleanly():
    agent = make_agent(ScriptedProvider(asking(question="Go on?", options=["Yes", "No"])))
    task = agent.send("x")
    await until(lambda: agent.questions)
    agent.stop()
    await agent.wait()
    assert task.done() and not agent.questions and not agent.busy
    results = agent.conversation.messages[2].tool_results
    assert [r.status for r in results] == ["stopped"]
    assert agent.conversation.messages[1].status == "stopped"


async def test_a_question_waiting_at_a_reload_is_asked_again_and_answered():
    agent = make_agent(ScriptedProvider(asking(question="Name?")))
    agent.send("x")
    await until(lambda: agent.questions)
    saved = Conversation.model_validate(agent.conversation.model_dump())  # what storage holds now
    agent.stop()
    await agent.wait()

    reloaded = make_agent(ScriptedProvider(text("Hello, Ada.")))
    reloaded.conversation = saved
    task = reloaded.resume()
    assert task is not None
    await until(lambda: reloaded.questions)
    assert reloaded.answer(next(iter(reloaded.questions)), {"text": "Ada"})
    await task
    assert answer_of(saved.messages[2].tool_results[0]) == Answer((), "Ada")
    assert saved.messages[-1].text == "Hello, Ada."


async def test_a_question_next_to_a_call_waiting_for_approval_waits_on_its_own():
    provider = ScriptedProvider(calls(("write", {}), (ASK_USER, {"question": "Why?"})), text("done"))
    tools = FakeTools()
    agent = make_agent(provider, tools)
    task = agent.send("x")
    await until(lambda: agent.questions and agent.pending)
    agent.answer(next(iter(agent.questions)), {"text": "because"})
    await until(lambda: len(agent.conversation.messages[2].tool_results) == 1)
    agent.decide(next(iter(agent.pending)), "deny")
    await task
    assert [r.status for r in agent.conversation.messages[2].tool_results] == ["denied", "ok"]
    assert tools.ran == []
