"""The HTTP port: how the core sends a request and reads a streamed response.

The browser implementation is `app.web.http.FetchTransport` (fetch + ReadableStream reader +
AbortController); CPython tests use `devkit.transports.HttpxTransport` or `MockTransport`.

Cancelling: cancelling the asyncio task that awaits `send()` or iterates `Response.stream()` aborts the
underlying request (the fetch transport calls `AbortController.abort()`); nothing else is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Mapping, Optional, Protocol

from app.json_depth import load_json


class NetworkError(Exception):
    """The request got no HTTP response: the host is unreachable, or the browser blocked it (CORS).

    A browser reports both as `TypeError: Failed to fetch`; the fetch transport then probes the host (a
    `no-cors` request, whose answer the page cannot read but which succeeds when something answers) and sets
    `blocked`: True = the server answered and the browser blocked the response (CORS), False = nothing
    answered, None = unknown. `origin` is the page's origin, which the server must allow.
    """

    def __init__(self, message: str, *, blocked: Optional[bool] = None, origin: Optional[str] = None):
        super().__init__(message)
        self.blocked = blocked
        self.origin = origin


class RedirectRefused(NetworkError):
    """The server answered with a redirect, which the app never follows: a provider key or a Directus token sent
    with the request would go along to wherever it points. The user should enter the final address instead."""

    def __init__(self, url: str):
        super().__init__(
            f"{url} answered with a redirect to another address. The app does not follow redirects, so that your key "
            "or token never goes to another host: enter the final address (the one the browser ends up at) instead."
        )
        self.url = url


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Optional[bytes] = None

    @classmethod
    def json(cls, method: str, url: str, payload: Any, headers: Optional[Mapping[str, str]] = None) -> "Request":
        h = {"content-type": "application/json"}
        h.update(headers or {})
        return cls(method, url, h, json.dumps(payload, separators=(",", ":")).encode())


class Response(Protocol):
    # Read-only here: an implementation may keep plain attributes, and `headers` may be any mapping (a dict).
    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]:
        """Lower-case names; only those the browser lets us read."""
        ...

    def stream(self) -> AsyncIterator[bytes]:
        """The body as byte chunks, in whatever sizes they arrive. Raises NetworkError if cut."""
        ...

    async def read(self) -> bytes:
        """The whole body."""
        ...

    async def aclose(self) -> None:
        """Stop reading and release the connection (aborts a body still streaming)."""
        ...


class Transport(Protocol):
    async def send(self, request: Request) -> Response:
        """Send the request and return once the status and headers are in. Raises NetworkError."""
        ...


async def read_capped(response: Response, cap: int) -> Optional[bytes]:
    """The body, streamed; None once it passes `cap` bytes (reading stops there and the connection is closed)."""
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.stream():
        total += len(chunk)
        if total > cap:
            await response.aclose()
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(response: Response) -> Any:
    """The body parsed as JSON, or None when it is empty or not JSON."""
    raw = await response.read()
    if not raw:
        return None
    try:
        return load_json(raw.decode("utf-8", "replace"))
    except ValueError:  # not JSON, or nested too deeply (app/json_depth.py)
        return None
