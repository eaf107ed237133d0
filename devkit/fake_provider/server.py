"""A protocol-faithful fake of the model providers, on the stdlib ThreadingHTTPServer.

Run standalone (manual testing, e2e):   python -m devkit.fake_provider.server --port 8765

Paths (the real ones; any key is accepted, a missing key gets the provider's 401/403):
    POST /v1/responses                                             OpenAI Responses   (Bearer)
    POST /v1/chat/completions                                      Chat Completions   (Bearer; also any */chat/completions)
    POST /openai/deployments/{d}/chat/completions?api-version=...  Azure classic      (api-key)
    POST /v1/messages                                              Anthropic Messages (x-api-key or Bearer; anthropic-version)
    POST /v1beta/models/{m}:streamGenerateContent?alt=sse          Gemini             (x-goog-api-key or ?key=)
    OPTIONS *                                                      CORS preflight: echoes Access-Control-Request-Headers
    GET  /                                                         {"ok": true} (health)
    POST /_fake/script, GET /_fake/requests, POST /_fake/reset     control from another process (JSON)

What it answers for a request, first match wins:
    1. the next step queued for that protocol ("responses" | "chat" | "anthropic" | "gemini"; Azure is "chat");
    2. the next step queued for any protocol;
    3. a scenario named by the `x-fake-scenario` request header;
    4. a scenario named by the model id: "scenario-<name>" (e.g. model "scenario-rate_limited"), so a browser
       can select one without any extra header;
    5. echo (see devkit.fake_provider.script.echo_step).
Requests are validated first the way the real service does for what the app relies on (tool shapes, tool
calls answered by results, Anthropic max_tokens, Gemini signatures...), and a violation gets a 400 in the
provider's own error shape (the queued step stays queued).

Mistral rules (422 on `stream_options`, tool-call ids must match [a-zA-Z0-9]{9}) apply to Chat Completions
requests whose model id starts with "mistral" (also ministral/codestral/magistral/devstral).

Every request (preflights included) is recorded: `server.requests` (RecordedRequest: method, path, query,
headers with lower-case names, parsed body, protocol, model).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qsl, urlsplit

from devkit.fake_provider import anthropic_wire, attachment_wire, chat_wire, gemini_wire, responses_wire
from devkit.fake_provider.script import SCENARIOS, Step, echo_step
from devkit.fake_provider.wire import RecordedRequest, Reply, json_reply

WIRES = {
    "responses": responses_wire,
    "chat": chat_wire,
    "azure": chat_wire,
    "anthropic": anthropic_wire,
    "gemini": gemini_wire,
}
PROTOCOLS = ("responses", "chat", "anthropic", "gemini")
GEMINI_PATH = re.compile(r"/models/([^/:]+):streamGenerateContent$")
AZURE_PATH = re.compile(r"/openai/deployments/([^/]+)/chat/completions$")


def route(path: str) -> tuple[str, str]:
    """(protocol, model from the path) for a POST path."""
    m = GEMINI_PATH.search(path)
    if m:
        return "gemini", m.group(1)
    m = AZURE_PATH.search(path)
    if m:
        return "azure", m.group(1)
    if path.endswith("/chat/completions"):
        return "chat", ""
    if path.endswith("/responses"):
        return "responses", ""
    if path.endswith("/messages"):
        return "anthropic", ""
    return "unknown", ""


class FakeProviderServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, expose_retry_after: bool = True):
        self.expose_retry_after = expose_retry_after
        self.requests: list[RecordedRequest] = []
        self._queues: dict[Optional[str], deque] = {p: deque() for p in PROTOCOLS}
        self._queues[None] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    # control -------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def script(self, *steps: Any, protocol: Optional[str] = None) -> None:
        """Queue steps (Step, dict, scenario name or text), answered one per request, in order."""
        if protocol == "azure":
            protocol = "chat"
        if protocol not in self._queues:
            raise ValueError("protocol must be one of %s or None" % (PROTOCOLS,))
        parsed = [Step.of(s) for s in steps]
        with self._lock:
            self._queues[protocol].extend(parsed)

    def pending(self, protocol: Optional[str] = None) -> int:
        with self._lock:
            return len(self._queues[protocol])

    def reset(self) -> None:
        with self._lock:
            for q in self._queues.values():
                q.clear()
            self.requests.clear()
        self.expose_retry_after = True

    def requests_for(self, protocol: Optional[str] = None) -> list[RecordedRequest]:
        with self._lock:
            reqs = [r for r in self.requests if r.method == "POST" and r.protocol != "control"]
        if protocol is None:
            return reqs
        return [r for r in reqs if r.protocol == protocol or (protocol == "chat" and r.protocol == "azure")]

    @property
    def last(self) -> RecordedRequest:
        reqs = self.requests_for()
        if not reqs:
            raise AssertionError("the fake provider received no request")
        return reqs[-1]

    def start(self) -> "FakeProviderServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_step(self, protocol: str, req: RecordedRequest) -> Step:
        key = "chat" if protocol == "azure" else protocol
        with self._lock:
            if self._queues[key]:
                return self._queues[key].popleft()
            if self._queues[None]:
                return self._queues[None].popleft()
        name = req.header("x-fake-scenario")
        if name and name in SCENARIOS:
            return SCENARIOS[name]
        if req.model.startswith("scenario-") and req.model[9:] in SCENARIOS:
            return SCENARIOS[req.model[9:]]
        text, results = WIRES[protocol].conversation(req)
        step = echo_step(text, results)
        if not results and step.text:
            step.text += attachment_wire.echo_suffix(protocol, req.body)  # the files of the last user message
        return step

    # one request ---------------------------------------------------------------------------------
    def handle(self, req: RecordedRequest) -> Reply:
        if req.path.startswith("/_fake/"):
            return self._control(req)
        if req.method == "GET":
            return (
                json_reply(200, {"ok": True, "fake": "providers"})
                if req.path in ("/", "/health")
                else json_reply(404, {"error": {"message": "Not found"}})
            )
        wire = WIRES.get(req.protocol)
        if wire is None:
            return json_reply(
                404, {"error": {"message": "Unknown path %s" % req.path, "type": "invalid_request_error"}}
            )
        reply = wire.check_auth(req) or wire.validate(req) or self._check_files(req)
        if reply is not None:
            return reply
        step = self.next_step(req.protocol, req)
        if step.error:
            return wire.error(step.error, step, req)
        return Reply(
            200,
            headers={"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"},
            frames=wire.frames(step, req),
            body=json.dumps({"delivery": step.delivery, "delay": step.delay}).encode(),
        )

    def _check_files(self, req: RecordedRequest) -> Optional[Reply]:
        """Attachments in a shape the real service refuses get its 400 (devkit/fake_provider/attachment_wire.py)."""
        found = attachment_wire.problem(req.protocol, req.body)
        if found is None:
            return None
        if req.protocol == "anthropic":
            return anthropic_wire._err(400, "invalid_request_error", "messages: " + found)
        if req.protocol == "gemini":
            return gemini_wire._err(400, "INVALID_ARGUMENT", found)
        return chat_wire._err(400, "Invalid content: " + found)

    def _control(self, req: RecordedRequest) -> Reply:
        if req.path == "/_fake/script" and req.method == "POST":
            body = req.body or {}
            self.script(*body.get("steps", []), protocol=body.get("protocol"))
            return json_reply(200, {"queued": len(body.get("steps", []))})
        if req.path == "/_fake/reset" and req.method == "POST":
            self.reset()
            return json_reply(200, {"ok": True})
        if req.path == "/_fake/requests":
            return json_reply(
                200,
                [
                    {
                        "method": r.method,
                        "path": r.path,
                        "query": r.query,
                        "headers": r.headers,
                        "body": r.body,
                        "protocol": r.protocol,
                        "model": r.model,
                    }
                    for r in self.requests_for()
                ],
            )
        return json_reply(404, {"error": {"message": "unknown control path"}})

    def cors_headers(self, origin: Optional[str]) -> dict[str, str]:
        expose = "x-request-id, request-id"
        if self.expose_retry_after:
            expose = "retry-after, retry-after-ms, " + expose
        return {"access-control-allow-origin": origin or "*", "access-control-expose-headers": expose, "vary": "Origin"}


def _handler_for(server: FakeProviderServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeProvider/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _record(self, method: str) -> RecordedRequest:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            protocol, model = (
                route(parts.path) if method == "POST" else ("preflight" if method == "OPTIONS" else "get", "")
            )
            if parts.path.startswith("/_fake/"):
                protocol = "control"
            if not model and isinstance(body, dict) and isinstance(body.get("model"), str):
                model = body["model"]
            req = RecordedRequest(method, parts.path, dict(parse_qsl(parts.query)), headers, body, raw, protocol, model)
            with server._lock:
                server.requests.append(req)
            return req

        def do_OPTIONS(self) -> None:
            req = self._record("OPTIONS")
            self.send_response(200)
            origin = req.header("origin")
            self.send_header("access-control-allow-origin", origin or "*")
            self.send_header("access-control-allow-methods", "GET, POST, OPTIONS")
            asked = req.header("access-control-request-headers")
            if asked:
                self.send_header("access-control-allow-headers", asked)
            self.send_header("access-control-max-age", "600")
            self.send_header("vary", "Origin, Access-Control-Request-Headers")
            self.send_header("content-length", "0")
            self.send_header("connection", "close")
            self.end_headers()
            self.close_connection = True

        def do_GET(self) -> None:
            self._answer(self._record("GET"))

        def do_POST(self) -> None:
            self._answer(self._record("POST"))

        def _answer(self, req: RecordedRequest) -> None:
            try:
                reply = server.handle(req)
            except Exception as exc:  # noqa: BLE001 - a bug in the fake: say so loudly, in OpenAI's shape
                reply = json_reply(500, {"error": {"message": "fake server bug: %r" % exc, "type": "fake_bug"}})
            self.close_connection = True
            self.send_response(reply.status)
            headers = dict(reply.headers)
            headers.update(server.cors_headers(req.header("origin")))
            headers["x-request-id"] = "req_fake_%d" % len(server.requests)
            headers["connection"] = "close"
            if reply.frames is None:
                headers["content-length"] = str(len(reply.body))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            if reply.frames is None:
                self.wfile.write(reply.body)
                return
            opts = json.loads(reply.body or b"{}")
            delivery, delay = opts.get("delivery", "events"), float(opts.get("delay") or 0)
            if delivery == "slow" and not delay:
                delay = 0.05
            try:
                for frame in reply.frames:
                    if delivery == "bytes":
                        for i in range(len(frame)):
                            self.wfile.write(frame[i : i + 1])
                            self.wfile.flush()
                    else:
                        self.wfile.write(frame)
                        self.wfile.flush()
                    if delay:
                        time.sleep(delay)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client cancelled

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake OpenAI / Anthropic / Gemini / compatible provider server")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    server = FakeProviderServer(args.host, args.port)
    print(
        "fake providers on %s  (OpenAI base %s/v1, Anthropic %s, Gemini %s)"
        % (server.url, server.url, server.url, server.url),
        flush=True,
    )
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
