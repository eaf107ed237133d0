"""Test doubles many tests share (a scripted model, fake tools, an instant sleep) and the wait that goes with them;
not pytest fixtures (those live in tests/fixtures/; what benchmarks use too lives in devkit/).

- ``await until(condition, timeout=...)``: wait until ``condition()`` is true (polled every 5 ms), or fail;
- ``ScriptedProvider(*steps)``: a model (app.chat.request.Provider) that answers each request with the next step,
  a list of events (``text(answer)``, ``calls((name, args), ...)``) or an exception to raise; it records the
  messages it was sent (``requests``) and pauses after a step's first event while ``gate`` is set;
- ``FakeTools()``: tools (app.chat.tools.Tools) named ``read`` (only reads), ``write``, ``delete`` (destroys) and
  ``fail`` (errors); arguments with a "bad" key are invalid. Records what was prepared, run and ran; ``gate``
  holds a run until set, ``started`` is set when one begins;
- ``collect(provider, request)`` -> (events, message): one model call through the production MessageBuilder;
- ``RecordingSleep()``: an instant sleep to inject into providers that remembers the delays asked for.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Collection, Optional, Union

from app.chat.builder import MessageBuilder
from app.chat.events import Event, Finish, TextDelta, ToolCallDelta, ToolCallDone, ToolCallStart, UsageUpdate
from app.chat.model import Message, ToolSpec, Usage
from app.chat.request import ModelRequest, Provider

UNTIL_TIMEOUT = 15.0  # seconds; a condition that holds returns at once, so only a failing test waits this long


async def until(condition: Callable[[], object], timeout: float = UNTIL_TIMEOUT) -> None:
    """Return once `condition()` is true; raise AssertionError when it is not within `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() >= deadline:
            raise AssertionError(f"condition not reached in {timeout:g} s")
        await asyncio.sleep(0.005)


# ----- a scripted model ------------------------------------------------------------------------------------------

Step = Union[list[Event], BaseException]


def text(answer: str) -> list[Event]:
    """One step: the model answers `answer` and stops."""
    return [TextDelta(answer), UsageUpdate(Usage(input_tokens=10, output_tokens=3)), Finish("stop")]


def calls(*named: tuple[str, dict[str, Any]]) -> list[Event]:
    """One step: the model calls these tools (name, arguments), each call's arguments streamed in two pieces."""
    events: list[Event] = []
    for i, (name, args) in enumerate(named):
        raw = json.dumps(args)
        events += [
            ToolCallStart(i, f"call_{name}_{i}", name),
            ToolCallDelta(i, raw[:5]),
            ToolCallDelta(i, raw[5:]),
            ToolCallDone(i),
        ]
    return events + [Finish("tool_calls")]


class ScriptedProvider:
    """Answers each request with the next scripted step; records what it was sent."""

    name = "scripted"

    def __init__(self, *steps: Step):
        self.steps = list(steps)
        self.requests: list[list[dict[str, Any]]] = []  # each request's messages, as JSON
        self.gate: Optional[asyncio.Event] = None  # when set, streaming pauses after the first event

    async def stream(self, request: ModelRequest) -> AsyncIterator[Event]:
        self.requests.append(json.loads(json.dumps([m.model_dump() for m in request.messages])))
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        for i, event in enumerate(step):
            yield event
            if i == 0 and self.gate is not None:
                await self.gate.wait()


# ----- fake tools ------------------------------------------------------------------------------------------------

FAKE_TOOLS = ("read", "write", "delete", "fail")


@dataclass
class Preview:
    """What FakeTools shows for a call (app.chat.tools.CallPreview)."""

    summary: str
    read_only: bool
    destructive: bool = False
    bulk: bool = False
    action: str = ""
    writes: int = 0
    always_ask: bool = False


@dataclass
class Prepared:
    """A call as FakeTools prepares it: parsed once; no preview when it is invalid."""

    name: str
    args: dict[str, Any]
    preview: Optional[Preview]


@dataclass
class Outcome:
    content: str
    ok: bool = True


@dataclass
class FakeTools:
    """`read` only reads; `write` writes; `delete` destroys; `fail` errors. Records what ran."""

    ran: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prepared: list[Prepared] = field(default_factory=list)  # every call prepared, and every call run
    runs: list[Prepared] = field(default_factory=list)
    gate: Optional[asyncio.Event] = None
    started: asyncio.Event = field(default_factory=asyncio.Event)

    def specs(self, used: Collection[str] = ()) -> list[ToolSpec]:
        return [ToolSpec(name=n, description=n, parameters={"type": "object"}) for n in FAKE_TOOLS]

    def prepare(self, name: str, arguments: str) -> Prepared:
        args = json.loads(arguments or "{}")
        if name not in FAKE_TOOLS or "bad" in args:
            call = Prepared(name, args, None)
        else:
            call = Prepared(
                name, args, Preview(f"{name} things", read_only=name == "read", destructive=name == "delete")
            )
        self.prepared.append(call)
        return call

    async def run(self, call: Prepared) -> Outcome:
        self.runs.append(call)
        name, args = call.name, call.args
        if "bad" in args:
            return Outcome(json.dumps({"error": {"code": "INVALID_ARGUMENTS", "message": "bad"}}), ok=False)
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        self.ran.append((name, args))
        if name == "fail":
            return Outcome(json.dumps({"error": {"code": "FORBIDDEN", "message": "no"}}), ok=False)
        return Outcome(json.dumps({"data": f"{name} done"}))


# ----- providers -------------------------------------------------------------------------------------------------


async def collect(provider: Provider, request: ModelRequest) -> tuple[list[Event], Message]:
    """Run one model call; return (events, assistant message built by the production accumulator)."""
    message = Message(role="assistant", status="streaming")
    builder = MessageBuilder(message, provider.name)
    events = []
    async for event in provider.stream(request):
        events.append(event)
        builder.apply(event)
    return events, message


class RecordingSleep:
    """An injectable sleep that returns at once and remembers the delays asked for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
