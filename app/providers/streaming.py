"""One HTTP exchange with a provider: send, check the status, decode SSE, map failures once.

`sse_events` is what every protocol module iterates. Non-2xx answers become `errors.http_error`; a
transport failure before the answer becomes `errors.network_error`; a connection lost mid-stream becomes
`errors.truncated`. Closing or cancelling the iteration closes the response (which aborts the fetch).
"""

from __future__ import annotations

import json
from typing import AsyncIterator

from app.providers import errors
from app.providers.sse import SSEDecoder, SSEEvent
from app.transport import NetworkError, Request, Transport


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
                payload = json.loads(body or b"null")
            except ValueError:
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


def loads(ctx: errors.ErrorContext, data: str) -> dict:
    """Parse one event's JSON data; anything else is a bad response."""
    try:
        value = json.loads(data)
    except ValueError:
        raise errors.bad_response(ctx, "an event that is not JSON: %r" % data[:80]) from None
    if not isinstance(value, dict):
        raise errors.bad_response(ctx, "an event that is not a JSON object")
    return value
