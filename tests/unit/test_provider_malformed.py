"""Hostile streams end the turn with a clear provider error, never an uncaught exception or a silent end.

- JSON nested 30,000 deep in one SSE event (RecursionError in `json.loads`), for every protocol;
- tool-call arguments nested that deep, streamed in fragments or sent whole, for every protocol;
- a redirect, which the transport refuses (app.transport.RedirectRefused), says so instead of "could not reach".
"""

from __future__ import annotations

import json
import random
from typing import AsyncIterator, Mapping, Union

import pytest

from app.chat.builder import MessageBuilder
from app.chat.events import ProviderError
from app.chat.model import Message, ToolCallPart, ToolResultPart, tool_results, user
from app.chat.request import ModelRequest
from app.json_depth import STREAM_DEPTH, Nesting, too_deep
from app.providers import catalog
from app.providers.anthropic import MessagesProvider
from app.providers.errors import ErrorContext, http_error
from app.providers.gemini import GeminiProvider
from app.providers.history import arguments_object
from app.providers.openai import ResponsesProvider
from app.providers.openai_chat import ChatCompletionsProvider
from app.providers.streaming import StreamingProvider
from app.transport import NetworkError, RedirectRefused, Request

DEEP = 30_000
DEEP_ARRAY = "[" * DEEP + "]" * DEEP
MALFORMED = "sent a malformed stream"


class Answer:
    def __init__(self, status: int, chunks: list[bytes], content_type: str = "text/event-stream"):
        self.status = status
        self.headers: Mapping[str, str] = {"content-type": content_type}
        self._chunks = chunks

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk

    async def read(self) -> bytes:
        return b"".join(self._chunks)

    async def aclose(self) -> None:
        pass


class OneAnswer:
    def __init__(self, answer: Union[Answer, NetworkError]):
        self.answer = answer

    async def send(self, request: Request) -> Answer:
        if isinstance(self.answer, NetworkError):
            raise self.answer
        return self.answer


def open_(protocol: str, transport: OneAnswer) -> StreamingProvider:
    if protocol == "responses":
        return ResponsesProvider("sk-test-key-0001", transport, catalog.lookup("openai", "gpt-5-mini"), max_attempts=1)
    if protocol == "anthropic":
        model = catalog.lookup("anthropic", "claude-sonnet-4-5")
        return MessagesProvider("sk-ant-test-0001", transport, model, max_attempts=1)
    if protocol == "gemini":
        model = catalog.lookup("gemini", "gemini-2.5-flash")
        return GeminiProvider("AIza-test-key-0001", transport, model, max_attempts=1)
    model = catalog.custom("local", "llama3")
    return ChatCompletionsProvider(
        "compatible:local", "http://localhost:11434/v1", "", transport, model, max_attempts=1
    )


async def run(p: StreamingProvider) -> tuple[Message, ProviderError]:
    """One model call through the production builder; returns the message as built and the error it ended with."""
    message = Message(role="assistant", status="streaming")
    builder = MessageBuilder(message, p.name)
    with pytest.raises(ProviderError) as info:
        async for event in p.stream(ModelRequest(model=p.model.id, system="s", messages=[user("Hi")])):
            builder.apply(event)
    return message, info.value


def sse(*data: str) -> list[bytes]:
    return [b"data: " + d.encode() + b"\n\n" for d in data]


def obj(value: dict[str, object], raw_field: str, raw: str) -> str:
    """A JSON event whose `raw_field` holds `raw` as JSON (not as a string)."""
    text = json.dumps({**value, raw_field: "__RAW__"})
    return text.replace('"__RAW__"', raw)


# ----- a deeply nested event -------------------------------------------------------------------------------------

DEEP_EVENT = {
    "chat": obj({"id": "c1", "object": "chat.completion.chunk"}, "choices", DEEP_ARRAY),
    "responses": obj({"type": "response.output_text.delta", "output_index": 0}, "delta", DEEP_ARRAY),
    "anthropic": obj({"type": "content_block_delta", "index": 0}, "delta", DEEP_ARRAY),
    "gemini": obj({}, "candidates", DEEP_ARRAY),
}


@pytest.mark.parametrize("protocol", sorted(DEEP_EVENT))
async def test_a_deeply_nested_event_ends_the_turn_with_a_malformed_stream_error(protocol):
    _, err = await run(open_(protocol, OneAnswer(Answer(200, sse(DEEP_EVENT[protocol])))))
    assert err.kind == "bad_response" and not err.retryable
    assert MALFORMED in err.message and "nested more than %d levels deep" % STREAM_DEPTH in err.message
    assert err.message[:1].isupper()  # "The endpoint “local” … sent", never "the endpoint"


@pytest.mark.parametrize("protocol", sorted(DEEP_EVENT))
async def test_a_bare_deep_array_event_is_refused_the_same_way(protocol):
    _, err = await run(open_(protocol, OneAnswer(Answer(200, sse(DEEP_ARRAY)))))
    assert MALFORMED in err.message


async def test_a_deeply_nested_error_body_or_plain_json_answer_is_read_without_recursing():
    _, err = await run(open_("chat", OneAnswer(Answer(400, [b'{"error":' + DEEP_ARRAY.encode() + b"}"], "json"))))
    assert err.kind == "invalid_request"
    _, err = await run(open_("chat", OneAnswer(Answer(200, [b'{"error":' + DEEP_ARRAY.encode() + b"}"], "json"))))
    assert err.kind == "bad_response"
    assert http_error(ErrorContext("openai"), 500, DEEP_ARRAY.encode(), {}).kind == "server_error"


# ----- deeply nested tool-call arguments -------------------------------------------------------------------------

ARGS = '{"filter":' + DEEP_ARRAY + "}"
PIECES = [ARGS[i : i + 4000] for i in range(0, len(ARGS), 4000)]


def chat_stream() -> list[bytes]:
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "items", "arguments": ""}}
    events = [json.dumps({"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]})]
    for piece in PIECES:
        delta = {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
        events.append(json.dumps({"choices": [{"index": 0, "delta": delta}]}))
    events.append(json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
    return sse(*events, "[DONE]")


def responses_stream(whole: bool) -> list[bytes]:
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "items", "arguments": ""}
    events = [json.dumps({"type": "response.output_item.added", "output_index": 0, "item": item})]
    if not whole:
        for piece in PIECES:
            events.append(
                json.dumps({"type": "response.function_call_arguments.delta", "output_index": 0, "delta": piece})
            )
    done = {"type": "response.output_item.done", "output_index": 0, "item": {**item, "arguments": ARGS}}
    events.append(json.dumps(done))
    events.append(json.dumps({"type": "response.completed", "response": {"output": []}}))
    return sse(*events)


def anthropic_stream() -> list[bytes]:
    start = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": "t1", "name": "items"},
    }
    events = [json.dumps({"type": "message_start", "message": {"usage": {"input_tokens": 1}}}), json.dumps(start)]
    for piece in PIECES:
        delta = {"type": "input_json_delta", "partial_json": piece}
        events.append(json.dumps({"type": "content_block_delta", "index": 0, "delta": delta}))
    events += [json.dumps({"type": "content_block_stop", "index": 0}), json.dumps({"type": "message_stop"})]
    return sse(*events)


def gemini_stream() -> list[bytes]:
    call = obj({"name": "items"}, "args", '{"filter":' + DEEP_ARRAY + "}")
    content = '{"candidates":[{"content":{"role":"model","parts":[{"functionCall":%s}]},"finishReason":"STOP"}]}' % call
    return sse(content)


DEEP_ARGS = {
    "chat": chat_stream,
    "responses": lambda: responses_stream(whole=False),
    "responses_whole": lambda: responses_stream(whole=True),
    "anthropic": anthropic_stream,
    "gemini": gemini_stream,
}


@pytest.mark.parametrize("case", sorted(DEEP_ARGS))
async def test_deeply_nested_tool_arguments_end_the_turn_before_they_reach_the_message(case):
    protocol = case.split("_")[0]
    message, err = await run(open_(protocol, OneAnswer(Answer(200, DEEP_ARGS[case]()))))
    assert err.kind == "bad_response" and MALFORMED in err.message
    assert "nested more than %d levels deep" % STREAM_DEPTH in err.message
    for call in message.tool_calls:  # what was streamed before the refusal stays shallow enough to parse
        assert not too_deep(call.arguments, STREAM_DEPTH)
        assert len(call.arguments) < 8000


async def test_ordinary_tool_arguments_with_brackets_in_strings_pass():
    args = json.dumps({"filter": {"_and": [{"title": {"_contains": "[" * 500 + '\\"{' * 300}}]}, "limit": 5})
    pieces = [args[i : i + 7] for i in range(0, len(args), 7)]
    first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "items", "arguments": ""}}
    events = [json.dumps({"choices": [{"index": 0, "delta": {"tool_calls": [first]}}]})]
    for piece in pieces:
        tc = {"index": 0, "function": {"arguments": piece}}
        events.append(json.dumps({"choices": [{"index": 0, "delta": {"tool_calls": [tc]}}]}))
    events.append(json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
    p = open_("chat", OneAnswer(Answer(200, sse(*events, "[DONE]"))))
    message = Message(role="assistant", status="streaming")
    builder = MessageBuilder(message, p.name)
    async for event in p.stream(ModelRequest(model=p.model.id, system="s", messages=[user("Hi")])):
        builder.apply(event)
    assert json.loads(message.tool_calls[0].arguments) == json.loads(args)


def test_a_stored_deep_argument_is_replayed_as_raw_text_without_recursing():
    assert arguments_object(ARGS) == {"_raw": ARGS}
    history = [
        user("Hi"),
        Message(role="assistant", parts=[ToolCallPart(id="c1", name="items", arguments=ARGS, provider="x")]),
        tool_results(ToolResultPart(call_id="c1", name="items", content="[]")),
    ]
    for protocol in ("anthropic", "gemini", "responses", "chat"):
        p = open_(protocol, OneAnswer(Answer(500, [])))
        p.build(ModelRequest(model=p.model.id, system="s", messages=history))  # no RecursionError


# ----- the nesting counter ---------------------------------------------------------------------------------------


def depth_of(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


@pytest.mark.parametrize("seed", range(30))
def test_nesting_in_any_fragments_matches_the_parsed_depth(seed):
    rng = random.Random(seed)
    depth = rng.randint(1, 12)
    tricky = ['"\\\\"', '"\\""', '"[{"', '"]}\\\\\\""', '"\\u005b"']
    value: object = rng.choice(tricky)
    for _ in range(depth):
        value = [value, rng.choice(tricky)] if rng.random() < 0.5 else {"k[": value, "v": rng.choice(tricky)}
    text = json.dumps(json.loads(json.dumps(value)))
    real = depth_of(json.loads(text))
    for limit in (real - 1, real):
        nesting = Nesting(limit)
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 20))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        went_over = any([nesting.feed(piece) for piece in pieces])
        assert went_over == (real > limit), (text, pieces, limit)
        assert too_deep(text, limit) == (real > limit)


def test_an_escape_split_between_fragments_is_still_an_escape():
    nesting = Nesting(1)
    assert not nesting.feed('["a\\')
    assert not nesting.feed('"[[[[')  # still inside the string: the quote was escaped
    assert not nesting.feed('"]')
    assert nesting.depth == 0


# ----- a redirect ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["chat", "responses", "anthropic", "gemini"])
async def test_a_refused_redirect_has_its_own_message(protocol):
    refused = RedirectRefused("https://llm.example.com/v1/chat/completions")
    _, err = await run(open_(protocol, OneAnswer(refused)))
    assert err.kind == "network" and not err.retryable
    assert str(refused) in err.message  # the transport's words, written for the user
    assert "redirect" in err.message and "base URL" in err.message
    assert "Could not reach" not in err.message and "CORS" not in err.message and "OLLAMA_ORIGINS" not in err.message
