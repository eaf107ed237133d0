#!/usr/bin/env python3
"""`make run`: serve the app on 127.0.0.1 and print where to open it; Ctrl-C stops everything.

Each service is a context manager entered on one ExitStack, so adding one (the demo Directus) is one more
`stack.enter_context(...)` plus a line in `links`; everything is stopped in reverse order on Ctrl-C.

Usage: scripts/run.py [--port 8000] [--prefix /]
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import StaticServer


def start_app_server(stack: contextlib.ExitStack, port: int, prefix: str) -> StaticServer:
    try:
        server = StaticServer(port=port, prefix=prefix)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"run: port {port} is busy, using a free one", file=sys.stderr)
        server = StaticServer(port=0, prefix=prefix)
    return stack.enter_context(server)


@contextlib.contextmanager
def demo_directus(owner_pid: int):
    """Start the local demo Directus (scripts/directus; stopped when this process exits) and yield its status."""
    import json
    import subprocess

    script = Path(__file__).resolve().parent / "directus"
    result = subprocess.run(
        [sys.executable, str(script), "start", "--owner-pid", str(owner_pid)], capture_output=True, text=True
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit("run: the demo Directus did not start:\n" + result.stderr.strip())
    status = json.loads(lines[-1])
    try:
        yield status
    finally:
        subprocess.run([sys.executable, str(script), "stop"], capture_output=True, text=True)


def demo_config(status: dict) -> bytes:
    """config.json for `make run`: the app points at the demo Directus and signs in with its DEMO token.
    Demo only: a real deployment must never put a token in config.json (it is a public file)."""
    import json

    return json.dumps({"directus_url": status["url"], "demo_directus_token": status["admin_token"]}, indent=2).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="port of the app (a free one if busy)")
    parser.add_argument("--prefix", default="/", help="serve the app under this sub-path")
    parser.add_argument("--no-directus", action="store_true", help="do not start the demo Directus")
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        app = start_app_server(stack, args.port, args.prefix)
        links = [("App", app.url)]
        if not args.no_directus:
            import os

            status = stack.enter_context(demo_directus(os.getpid()))
            app.overrides["config.json"] = demo_config(status)
            links.append(("Directus", status["url"]))
            links.append(
                (
                    "Demo sign-in",
                    "%s / %s (token %s; demo only)"
                    % (status["admin_email"], status["admin_password"], status["admin_token"]),
                )
            )

        width = max(len(name) for name, _ in links)
        for name, url in links:
            print(f"  {name.ljust(width)}  {url}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopping.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
