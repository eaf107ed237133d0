"""CPython implementations of the `app.transport.Transport` port, for tests and benchmarks."""

from __future__ import annotations

import inspect
from typing import AsyncIterator, Awaitable, Callable, Mapping, Optional, Union

import httpx

from app.transport import NetworkError, Request


class BytesResponse:
    """A response whose body is given up front, as one or several chunks."""

    def __init__(self, status: int, body: Union[bytes, list[bytes]] = b"", headers: Optional[Mapping[str, str]] = None):
        self.status = status
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self._chunks = [body] if isinstance(body, bytes) else list(body)
        self.closed = False

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            if self.closed:
                return
            yield chunk

    async def read(self) -> bytes:
        return b"".join(self._chunks)

    async def aclose(self) -> None:
        self.closed = True


Handler = Callable[[Request], Union[BytesResponse, Awaitable[BytesResponse]]]


class MockTransport:
    """A transport that is a function of the request; it records every request it is sent."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.requests: list[Request] = []

    async def send(self, request: Request) -> BytesResponse:
        self.requests.append(request)
        result = self.handler(request)
        if inspect.isawaitable(result):
            result = await result
        return result


class NoNetwork:
    """The transport of code that must make no request: sending one raises AssertionError."""

    async def send(self, request: Request) -> BytesResponse:
        raise AssertionError("no request expected: " + request.url)


class _HttpxResponse:
    def __init__(self, response: httpx.Response):
        self._response = response
        self.status = response.status_code
        self.headers = {k.lower(): v for k, v in response.headers.items()}

    async def stream(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.HTTPError as exc:
            raise NetworkError(f"connection lost: {exc}") from exc
        finally:
            await self._response.aclose()

    async def read(self) -> bytes:
        try:
            return await self._response.aread()
        except httpx.HTTPError as exc:
            raise NetworkError(f"connection lost: {exc}") from exc
        finally:
            await self._response.aclose()

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpxTransport:
    """Real HTTP over httpx, streaming; records requests like MockTransport."""

    def __init__(self, timeout: float = 30.0):
        self._client = httpx.AsyncClient(timeout=timeout)
        self.requests: list[Request] = []

    async def send(self, request: Request) -> _HttpxResponse:
        self.requests.append(request)
        req = self._client.build_request(request.method, request.url, headers=request.headers, content=request.body)
        try:
            response = await self._client.send(req, stream=True)
        except httpx.HTTPError as exc:
            raise NetworkError(f"could not reach {request.url}: {exc}") from exc
        return _HttpxResponse(response)

    async def aclose(self) -> None:
        await self._client.aclose()
