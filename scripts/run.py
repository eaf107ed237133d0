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
from serve import StaticServer  # noqa: E402


def start_app_server(stack: contextlib.ExitStack, port: int, prefix: str) -> StaticServer:
    try:
        server = StaticServer(port=port, prefix=prefix)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"run: port {port} is busy, using a free one", file=sys.stderr)
        server = StaticServer(port=0, prefix=prefix)
    return stack.enter_context(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="port of the app (a free one if busy)")
    parser.add_argument("--prefix", default="/", help="serve the app under this sub-path")
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        app = start_app_server(stack, args.port, args.prefix)
        links = [("App", app.url)]
        # More services go here, e.g. the demo Directus: stack.enter_context(...) and links.append((...)).

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
