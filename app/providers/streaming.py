"""One HTTP exchange with a provider: send, check the status, decode SSE, map failures once.

`sse_events` is what every protocol module iterates. Non-2xx answers become `errors.http_error`; a
transport failure before the answer becomes `errors.network_error`; a connection lost mid-stream becomes
`errors.truncated`. Closing or cancelling the iteration closes the response (which aborts the fetch).

JSON from the provider is parsed only after `nesting.too_deep` said it is safe to: an event, or a tool call's
arguments (`StreamingProvider._attempt` follows each call's fragments), nested deeper than any answer needs
ends the turn with `errors.malformed_stream` instead of overflowing the stack.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, AsyncIterator, Optional

from app.chat.events import Event, ProviderError, ToolCallDelta, ToolCallDone
from app.json_depth import STREAM_DEPTH, Nesting, too_deep
from app.providers import errors
from app.providers.sse import SSEDecoder, SSEEvent
from app.transport import NetworkError, Request, Transport

if TYPE_CHECKING:
    from app.chat.request import ModelRequest
    from app.providers.catalog import CatalogModel
    from app.providers.retry import Sleep


async def sse_events(transport: Transport, request: Request, ctx: errors.ErrorContext) -> AsyncIterator[SSEEvent]:
    try:
        response = await transport.send(request)
    except NetworkError as exc:
        raise errors.network_error(ctx, exc) from None
    try:
        if not 200 <= response.status < 300:
            try:
                body = await response.read()
            except NetworkError:
                body = b""
            raise errors.http_error(ctx, response.status, body, response.headers)
        content_type = (response.headers.get("content-type") or "").lower()
        if "json" in content_type and "event-stream" not in content_type:
            # Some servers answer an error (or ignore stream:true) with plain JSON and status 200.
            body = await response.read()
            try:
                payload = loads(ctx, body.decode("utf-8", "replace") or "null")
            except ProviderError:
                payload = None
            if isinstance(payload, dict) and payload.get("error"):
                raise errors.stream_error(ctx, payload)
            raise errors.bad_response(ctx, "a plain JSON answer instead of a stream")
        decoder = SSEDecoder()
        try:
            async for chunk in response.stream():
                for event in decoder.decode(chunk):
                    yield event
        except NetworkError as exc:
            raise errors.truncated(ctx, "the connection was lost: %s" % exc) from None
        for event in decoder.flush():
            yield event
    finally:
        await response.aclose()


def loads(ctx: errors.ErrorContext, data: str) -> dict[str, Any]:
    """Parse one event's JSON data; anything else is a bad response, and JSON nested too deep a malformed stream."""
    if too_deep(data, STREAM_DEPTH):
        raise _too_deep(ctx, "an event")
    try:
        value = json.loads(data)
    except RecursionError:
        raise _too_deep(ctx, "an event") from None
    except ValueError:
        raise errors.bad_response(ctx, "an event that is not JSON: %r" % data[:80]) from None
    if not isinstance(value, dict):
        raise errors.bad_response(ctx, "an event that is not a JSON object")
    return value


def _too_deep(ctx: errors.ErrorContext, what: str) -> ProviderError:
    return errors.malformed_stream(ctx, "%s nested more than %d levels deep" % (what, STREAM_DEPTH))


class ArgumentsDepth:
    """Follows each tool call's streamed arguments; raises as soon as one nests too deep to be parsed safely, before
    that fragment reaches the message."""

    def __init__(self, ctx: errors.ErrorContext):
        self.ctx = ctx
        self._calls: dict[object, Nesting] = {}

    def check(self, event: Event) -> None:
        if isinstance(event, ToolCallDelta):
            nesting = self._calls.setdefault(event.index, Nesting(STREAM_DEPTH))
            if nesting.feed(event.arguments):
                raise _too_deep(self.ctx, "tool-call arguments")
        elif isinstance(event, ToolCallDone):
            self._calls.pop(event.index, None)
            if event.arguments is not None and too_deep(event.arguments, STREAM_DEPTH):
                raise _too_deep(self.ctx, "tool-call arguments")


class StreamParser:
    """Turns one protocol's SSE events into our events. `feed` per event; `end` at EOF (raises truncated
    when the terminal event never came). Pure: tests feed it recorded bytes through SSEDecoder."""

    def __init__(self, ctx: errors.ErrorContext):
        self.ctx = ctx

    def feed(self, event: SSEEvent) -> list[Event]:
        raise NotImplementedError

    def end(self) -> list[Event]:
        raise NotImplementedError


class StreamingProvider:
    """The shape every protocol module shares: build the HTTP request, parse the stream, retry early
    failures. Subclasses implement `build(request) -> Request` and `parser() -> StreamParser`. It is the
    `Provider` of app/chat/request.py."""

    name = ""

    def __init__(
        self,
        name: str,
        base_url: str,
        api_key: str,
        transport: Transport,
        model: CatalogModel,
        *,
        server: str = "",
        sleep: Optional[Sleep] = None,
        max_attempts: int = 3,
    ):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.transport = transport
        self.model = model
        self.ctx = errors.ErrorContext(name, model.id, self.base_url, server, model.successor, secrets=(api_key,))
        self.sleep = sleep
        self.max_attempts = max_attempts

    def build(self, request: ModelRequest) -> Request:
        raise NotImplementedError

    def parser(self) -> StreamParser:
        raise NotImplementedError

    def stream(self, request: ModelRequest) -> AsyncIterator[Event]:
        from app.providers.retry import retrying

        return retrying(lambda: self._attempt(request), sleep=self.sleep, max_attempts=self.max_attempts)

    async def _attempt(self, request: ModelRequest) -> AsyncIterator[Event]:
        http = self.build(request)
        parser = self.parser()
        arguments = ArgumentsDepth(self.ctx)
        async for sse in sse_events(self.transport, http, self.ctx):
            for event in parser.feed(sse):
                arguments.check(event)
                yield event
        for event in parser.end():
            arguments.check(event)
            yield event
