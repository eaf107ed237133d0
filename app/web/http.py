"""`FetchTransport`: the `app.transport.Transport` port over the browser's `fetch`.

The body streams through a `ReadableStream` reader, chunk by chunk, without blocking the page. Each request
has its own `AbortController`: cancelling the asyncio task that awaits `send()` or iterates `stream()` aborts
the fetch (so the server sees the disconnect), and so does `aclose()`. A fetch that gets no HTTP response
(`TypeError: Failed to fetch`: host unreachable, DNS, CORS refused) raises `NetworkError`, after a `no-cors`
probe that tells "nothing answered" from "the browser blocked the answer" (`NetworkError.blocked`); so does a
body cut off mid-stream. A redirect is never followed (`RedirectRefused`): the browser would send our headers,
keys and tokens included, to wherever it points.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Optional

from js import AbortController, Object, fetch, location
from pyodide.ffi import JsException, to_js

from app.transport import NetworkError, RedirectRefused, Request

PROBE_SECONDS = 5.0


def _js_error_text(exc: BaseException) -> str:
    """'TypeError: Failed to fetch' rather than a JS proxy repr."""
    js_error = getattr(exc, "js_error", None)
    if js_error is not None:
        try:
            return f"{js_error.name}: {js_error.message}"
        except Exception:  # noqa: BLE001 - a non-Error was thrown
            pass
    return str(exc) or type(exc).__name__


def _is_abort(exc: BaseException) -> bool:
    js_error = getattr(exc, "js_error", None)
    try:
        return js_error is not None and js_error.name == "AbortError"
    except Exception:  # noqa: BLE001 - reading a thrown non-Error fails too
        return False


class FetchResponse:
    """Status and headers are in; the body is read with `stream()` or `read()`, once."""

    def __init__(self, js_response, controller, url: str):
        self._js = js_response
        self._controller = controller
        self._url = url
        self._closed = False
        self._finished = False
        self._consumed = False
        self.status: int = int(js_response.status)
        self.url: str = str(js_response.url or url)
        # Headers the browser lets us read (CORS exposes only the safelisted ones plus Access-Control-Expose-Headers).
        self.headers: dict[str, str] = {str(pair[0]).lower(): str(pair[1]) for pair in js_response.headers.entries()}

    def _abort(self) -> None:
        if not self._finished:
            self._controller.abort()
        self._closed = True

    def _take_body(self) -> None:
        if self._consumed:
            raise RuntimeError(f"the body of the response from {self._url} was already read")
        self._consumed = True

    async def stream(self) -> AsyncIterator[bytes]:
        self._take_body()
        if self._closed:
            return
        body = self._js.body
        if body is None:  # 204, 304, HEAD
            self._finished = True
            return
        reader = body.getReader()
        try:
            while True:
                try:
                    result = await reader.read()
                except JsException as exc:
                    if self._closed or _is_abort(exc):
                        return  # we aborted (aclose): end quietly
                    raise NetworkError(
                        f"the connection to {self._url} was cut while reading the response: {_js_error_text(exc)}"
                    ) from None
                if result.done:
                    self._finished = True
                    return
                yield result.value.to_bytes()
        finally:
            # Cancelled task, consumer stopped early (aclose of the generator), or an error: stop the download.
            if not self._finished:
                self._abort()
            try:
                reader.releaseLock()
            except Exception:  # noqa: BLE001 - already released or errored
                pass

    async def read(self) -> bytes:
        self._take_body()
        if self._closed:
            return b""
        try:
            buffer = await self._js.arrayBuffer()
        except JsException as exc:
            if self._closed or _is_abort(exc):
                return b""
            raise NetworkError(
                f"the connection to {self._url} was cut while reading the response: {_js_error_text(exc)}"
            ) from None
        except BaseException:  # cancelled
            self._abort()
            raise
        self._finished = True
        return buffer.to_bytes()

    async def aclose(self) -> None:
        self._abort()


class FetchTransport:
    """HTTP through `fetch`. `credentials` is fetch's option ("omit" by default: we send tokens, not cookies)."""

    def __init__(self, credentials: str = "omit"):
        self._credentials = credentials

    async def send(self, request: Request) -> FetchResponse:
        controller = AbortController.new()
        init = {
            "method": request.method.upper(),
            "headers": to_js(dict(request.headers), dict_converter=Object.fromEntries),
            "signal": controller.signal,
            "credentials": self._credentials,
            # Never follow a redirect: the browser would resend our headers (a provider key, the Directus token)
            # to wherever it points. "manual" turns any redirect into an opaque response, refused below.
            "redirect": "manual",
        }
        if request.body is not None:
            init["body"] = to_js(request.body)  # bytes -> Uint8Array
        options = to_js(init, dict_converter=Object.fromEntries)
        try:
            js_response = await fetch(request.url, options)
        except JsException as exc:
            if _is_abort(exc):
                raise asyncio.CancelledError() from None
            failure = _js_error_text(exc)
        except BaseException:  # the task was cancelled while waiting for the headers
            controller.abort()
            raise
        else:
            if str(js_response.type) == "opaqueredirect":
                controller.abort()
                raise RedirectRefused(request.url)
            return FetchResponse(js_response, controller, request.url)
        blocked = await _answers(request.url)
        why = {
            True: "the server answered, but the browser blocked the response (CORS: the server must allow this page's origin)",
            False: "nothing answered: the host is down or the address is wrong",
            None: "the host is unreachable, or the browser blocked the request (CORS)",
        }[blocked]
        raise NetworkError(
            f"could not reach {request.url} ({failure}): {why}.", blocked=blocked, origin=str(location.origin)
        )


async def _answers(url: str) -> Optional[bool]:
    """Whether anything answers at `url`: a `no-cors` GET succeeds (with an unreadable answer) when a server
    responds, whatever its CORS settings, and fails when nothing does. No credentials, no headers, no body."""
    probe = to_js({"mode": "no-cors", "credentials": "omit", "cache": "no-store"}, dict_converter=Object.fromEntries)
    try:
        await asyncio.wait_for(fetch(url, probe), PROBE_SECONDS)
    except JsException:
        return False
    except asyncio.TimeoutError:
        return None
    return True
