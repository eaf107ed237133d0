#!/usr/bin/env python3
"""Serve the app as static files on 127.0.0.1: exactly what a static host / CDN would serve.

Only the deployed set is served (index.html, static/, ...), optionally under a sub-path such as
/some/path/. static/generated/app.zip.gzip (and the service worker's list) is built from the sources on each request,
so an edit under app/ ships on the next reload. Tests use `StaticServer` with `hidden` / `overrides` to serve a broken copy.

Usage: scripts/serve.py [--port 8000] [--prefix /some/path/]
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import mimetypes
import os
import posixpath
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Mapping, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import app_config
import assets

ROOT = Path(__file__).resolve().parent.parent

# What a static host gets (see README "Hosting"). Everything else in the repository is not served.
PUBLIC = ("index.html", "config.json", "sw.js", "app/", "static/")
TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".toml": "text/plain; charset=utf-8",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".gzip": "application/octet-stream",
    ".json": "application/json",
    ".py": "text/plain; charset=utf-8",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
}


class StaticServer:
    """A threaded static server. `prefix` mounts the site under a sub-path; `hidden` paths answer 404;
    `overrides` maps a site path (e.g. "app/web/boot.py") to the bytes served instead of the file;
    `delays` maps a site path to seconds to wait before answering (to watch the page while it loads);
    `extra` maps a site path to a file outside the public set (bench pages)."""

    def __init__(
        self,
        root: Path = ROOT,
        port: int = 0,
        prefix: str = "/",
        hidden: tuple[str, ...] = (),
        overrides: Optional[Mapping[str, bytes]] = None,
        extra: Optional[Mapping[str, Path]] = None,
        delays: Optional[Mapping[str, float]] = None,
    ):
        self.root = Path(root)
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.hidden = set(hidden)
        self.overrides = dict(overrides or {})
        self.extra = dict(extra or {})
        self.delays = dict(delays or {})
        self.log: list[str] = []  # request paths, for tests
        self.sent: list[tuple[str, int]] = []  # (site path, body bytes) of each full answer, for benchmarks
        handler = type("Handler", (_Handler,), {"site": self})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The site's URL, ending in '/'."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "StaticServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="static-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "StaticServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def generated(self, site_path: str) -> Optional[bytes]:
        """static/generated/*, built from the sources now (honouring hidden / overrides under app/)."""
        if self.root != ROOT:
            return None
        if site_path == _rel(assets.TARGET):
            return self.asset_list()
        if site_path == _rel(app_config.BUNDLE):
            names = sorted(set(app_config.app_files()) | {p for p in self.overrides if p.startswith("app/")})

            def read(rel: str) -> Optional[bytes]:
                if rel in self.hidden:
                    return None
                return self.overrides[rel] if rel in self.overrides else (ROOT / rel).read_bytes()

            return app_config.bundle(read, names)
        return None

    def asset_list(self) -> bytes:
        """static/generated/assets.js for exactly what this server serves now (hidden, overrides, generated)."""
        extra = [p for p in self.overrides if p.startswith("static/") or p in assets.SHELL]

        def digest(rel: str) -> Optional[str]:
            if rel in self.hidden:
                return None
            if rel in self.overrides:
                return hashlib.sha256(self.overrides[rel]).hexdigest()
            built = None if rel == _rel(assets.TARGET) else self.generated(rel)
            if built is not None:
                return hashlib.sha256(built).hexdigest()
            path = self.resolve(rel)
            return assets.file_digest(path) if path is not None else None

        shell = self.resolve("index.html")
        page = self.overrides.get("index.html") or (shell.read_bytes() if shell is not None else b"")
        return assets.render(assets.manifest(assets.asset_paths(self.root, extra), digest, page.decode()))

    def resolve(self, site_path: str) -> Optional[Path]:
        """The file for a path inside the site, or None when it is not part of the public set."""
        if site_path in self.extra:
            return self.extra[site_path]
        if site_path == "":
            site_path = "index.html"
        if not any(site_path == p or (p.endswith("/") and site_path.startswith(p)) for p in PUBLIC):
            return None
        path = (self.root / site_path).resolve()
        if self.root.resolve() not in path.parents or not path.is_file():
            return None
        return path


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # browsers drop connections
            super().handle_error(request, client_address)


class _Handler(http.server.SimpleHTTPRequestHandler):
    site: StaticServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        self.site.log.append(path)
        if not path.startswith(self.site.prefix):
            if path + "/" == self.site.prefix:
                self._redirect(self.site.prefix)
            else:
                self._not_found()
            return
        site_path = posixpath.normpath(path[len(self.site.prefix) :]).lstrip("/")
        site_path = "" if site_path == "." else site_path
        if path.endswith("/") and site_path:
            site_path += "/index.html"
        if site_path in self.site.delays:
            time.sleep(self.site.delays[site_path])
        if site_path in self.site.hidden:
            self._not_found()
            return
        if site_path in self.site.overrides:
            self._send(site_path, self.site.overrides[site_path], head)
            return
        generated = self.site.generated(site_path)
        if generated is not None:
            self._send(site_path, generated, head, etag=True)
            return
        file = self.site.resolve(site_path)
        if file is None:
            self._not_found()
            return
        # SimpleHTTPRequestHandler's conditional GET (Last-Modified / 304) keeps warm reloads cheap.
        self.path = "/" + urllib.parse.quote(str(file.relative_to(file.anchor)))
        self.directory = file.anchor
        f = self.send_head()
        if f:
            self.site.sent.append((site_path, os.fstat(f.fileno()).st_size))
            try:
                if not head:
                    self.copyfile(f, self.wfile)
            finally:
                f.close()

    def translate_path(self, path: str) -> str:  # used by send_head with our absolute path
        return urllib.parse.unquote(urllib.parse.urlsplit(path).path)

    def guess_type(self, path) -> str:
        suffix = Path(str(path)).suffix
        return TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"

    def end_headers(self) -> None:
        # Revalidate every time (304 when unchanged): stale app files after an edit are worse than a round trip.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def _send(self, site_path: str, body: bytes, head: bool, etag: bool = False) -> None:
        tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if etag and self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.site.sent.append((site_path, len(body)))
        if etag:
            self.send_header("ETag", tag)
        self.send_header("Content-Type", self.guess_type(site_path))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self) -> None:
        body = b"not found\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # quiet; errors still reach stderr via log_error
        pass

    def log_error(self, format: str, *args) -> None:
        if "404" not in (format % args):
            sys.stderr.write("serve: " + (format % args) + "\n")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--prefix", default="/", help="serve the site under this sub-path, e.g. /some/path/")
    args = parser.parse_args(argv)
    with StaticServer(port=args.port, prefix=args.prefix) as server:
        print(f"Serving the app at {server.url}  (Ctrl-C stops)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
