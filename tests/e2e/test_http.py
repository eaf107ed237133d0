"""app.web.http.FetchTransport in a real Chromium, against a CORS server on another origin: status and headers
before the body, incremental streaming, request bodies, NetworkError, and cancelling that really disconnects."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from typing import Iterator

import pytest

from devkit.chromium import run_python

pytestmark = pytest.mark.e2e


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes: no chunked encoding needed
    server: "CorsServer"

    def log_message(self, *args) -> None:
        pass

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-Trace-Id")

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header(
            "Access-Control-Allow-Headers", "authorization, content-type, x-api-key, x-goog-api-key, api-key"
        )
        self.end_headers()

    def do_POST(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))
        if self.path.startswith("/redirect"):
            self._redirect()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        payload = json.dumps(
            {
                "method": "POST",
                "body": body.decode(),
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
            }
        ).encode()
        self.send_response(200)
        self._cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _redirect(self) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        self.send_response(int(query.get("status", 307)))
        self._cors()
        self.send_header("Location", query["to"])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/redirect":
            self._redirect()
            return
        if url.path == "/nocors":
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return
        if url.path == "/stream":
            self.send_response(int(query.get("status", 200)))
            self._cors()
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("X-Trace-Id", "abc123")
            self.send_header("X-Not-Exposed", "hidden")
            self.end_headers()
            count, delay = int(query.get("n", 5)), float(query.get("delay", 0.2))
            try:
                for i in range(count):
                    self.wfile.write(f"data: {i}\n\n".encode())
                    self.wfile.flush()
                    self.server.sent.append(i)
                    time.sleep(delay)
            except (BrokenPipeError, ConnectionResetError):
                self.server.disconnected.set()
            return
        self.send_response(404)
        self._cors()
        self.end_headers()


class CorsServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sent: list[int] = []
        self.seen: list[tuple[str, dict]] = []  # (path, headers) of every GET and POST
        self.disconnected = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        pass


@pytest.fixture
def api() -> Iterator[CorsServer]:
    server = CorsServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[CorsServer]:
    """Another origin, where a redirect points."""
    server = CorsServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def allowed_origins(api, elsewhere) -> list[str]:
    return [api.url, elsewhere.url]


def test_status_and_headers_come_first_then_the_body_streams_in_pieces(app_page, api):
    # The app's warm-up imports run in idle slices on the same thread; let them finish so that they cannot
    # hold back the first chunk and make the arrival times look bunched.
    app_page.wait_for_selector("body[data-warm]", state="attached", timeout=30_000)
    out = json.loads(
        run_python(
            app_page,
            f"""
import json, time
from app.transport import Request
from app.web.http import FetchTransport
response = await FetchTransport().send(Request("GET", "{api.url}/stream?n=5&delay=0.25&status=207"))
head = {{"status": response.status, "headers": dict(response.headers), "t": time.monotonic()}}
arrivals = []
async for chunk in response.stream():
    arrivals.append([time.monotonic(), chunk.decode()])
result = json.dumps({{"head": head, "arrivals": arrivals}})
""",
        )
    )
    head, arrivals = out["head"], out["arrivals"]
    assert head["status"] == 207
    assert head["headers"]["x-trace-id"] == "abc123"  # exposed by CORS, lower-cased
    assert "x-not-exposed" not in head["headers"]  # the browser hides what CORS does not expose
    assert head["headers"]["content-type"] == "text/event-stream"
    assert "".join(text for _, text in arrivals) == "".join(f"data: {i}\n\n" for i in range(5))
    # Incremental: the headers were in before the stream ended, and the chunks arrived over ~1 s, not at once.
    assert arrivals[-1][0] - head["t"] > 0.7
    assert len(arrivals) >= 3
    assert arrivals[-1][0] - arrivals[0][0] > 0.7


def test_a_post_sends_its_body_and_headers_and_read_returns_the_whole_body(app_page, api):
    out = json.loads(
        run_python(
            app_page,
            f"""
import json
from app.transport import Request, read_json
from app.web.http import FetchTransport
request = Request.json("post", "{api.url}/echo", {{"q": "héllo"}}, headers={{"Authorization": "Bearer t0k"}})
response = await FetchTransport().send(request)
echo = await read_json(response)
try:
    await response.read()
    again = "read twice"
except RuntimeError as exc:
    again = str(exc)
result = json.dumps({{"status": response.status, "echo": echo, "again": again}})
""",
        )
    )
    assert out["status"] == 200
    assert out["again"].endswith("/echo was already read")
    assert out["echo"] == {
        "method": "POST",
        "body": '{"q":"h\\u00e9llo"}',
        "authorization": "Bearer t0k",
        "content_type": "application/json",
    }


def test_unreachable_host_and_cors_refusal_raise_network_error(app_page, api, page_guard):
    page_guard.expect_console_error("ERR_CONNECTION_REFUSED|CORS policy|Failed to load resource|Failed to fetch")
    page_guard.allow("http://127.0.0.1:9")  # nothing listens there (discard port)
    out = json.loads(
        run_python(
            app_page,
            f"""
import json, socket
from app.transport import NetworkError, Request
from app.web.http import FetchTransport
errors = {{}}
for name, url in [("refused", "http://127.0.0.1:9/nothing"), ("cors", "{api.url}/nocors")]:
    try:
        await FetchTransport().send(Request("GET", url))
        errors[name] = "no error"
    except NetworkError as exc:
        errors[name] = [str(exc), exc.blocked, exc.origin]
result = json.dumps(errors)
""",
        )
    )
    for name in ("refused", "cors"):
        message, _blocked, origin = out[name]
        assert message.startswith("could not reach http://127.0.0.1:") and "Failed to fetch" in message, message
        assert origin == app_page.evaluate("location.origin")
    # the no-cors probe tells a server that answered (and was blocked by CORS) from one that did not answer
    assert out["cors"][1] is True and "blocked the response (CORS" in out["cors"][0]
    assert out["refused"][1] is False and "nothing answered" in out["refused"][0]


def test_cancelling_the_reading_task_aborts_the_request(app_page, api):
    out = json.loads(
        run_python(
            app_page,
            f"""
import asyncio, json
from app.transport import Request
from app.web.http import FetchTransport
got = []
async def consume():
    response = await FetchTransport().send(Request("GET", "{api.url}/stream?n=200&delay=0.05"))
    async for chunk in response.stream():
        got.append(chunk)
task = asyncio.ensure_future(consume())
while not got:
    await asyncio.sleep(0.02)
task.cancel()
try:
    await task
    outcome = "finished"
except asyncio.CancelledError:
    outcome = "cancelled"
result = json.dumps({{"outcome": outcome, "chunks": len(got)}})
""",
        )
    )
    assert out["outcome"] == "cancelled"
    assert api.disconnected.wait(5), "the server never saw the client go away: the fetch was not aborted"
    assert len(api.sent) < 100  # stopped long before the 200 events (10 s) were sent


def test_aclose_stops_a_stream_that_is_still_coming(app_page, api):
    out = json.loads(
        run_python(
            app_page,
            f"""
import json
from app.transport import Request
from app.web.http import FetchTransport
response = await FetchTransport().send(Request("GET", "{api.url}/stream?n=200&delay=0.05"))
stream = response.stream()
first = await stream.__anext__()
await response.aclose()
rest = [chunk async for chunk in stream]
result = json.dumps({{"first": first.decode(), "rest": len(rest)}})
""",
        )
    )
    assert out["first"].startswith("data: 0")
    assert out["rest"] <= 1
    assert api.disconnected.wait(5), "the server never saw the client go away after aclose()"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_never_followed_so_keys_do_not_travel_to_another_host(app_page, api, elsewhere, status):
    target = urllib.parse.quote(elsewhere.url + "/stolen", safe="")
    out = json.loads(
        run_python(
            app_page,
            f"""
import json
from app.transport import NetworkError, RedirectRefused, Request
from app.web.http import FetchTransport
outcome = {{}}
for method in ("GET", "POST"):
    request = Request.json(method, "{api.url}/redirect?status={status}&to={target}", {{"q": 1}},
                           headers={{"x-api-key": "sk-secret", "x-goog-api-key": "g-secret", "api-key": "az-secret",
                                     "Authorization": "Bearer directus-token"}})
    if method == "GET":
        request.body = None
    try:
        response = await FetchTransport().send(request)
        outcome[method] = ["followed", response.status]
    except RedirectRefused as exc:
        outcome[method] = ["refused", str(exc)]
result = json.dumps(outcome)
""",
        )
    )
    for method in ("GET", "POST"):
        kind, message = out[method]
        assert kind == "refused", out
        assert "does not follow redirects" in message and "enter the final address" in message
    assert elsewhere.seen == [], "a redirect was followed: the keys went to another host"
    assert [path.split("?")[0] for path, _ in api.seen] == ["/redirect", "/redirect"]
