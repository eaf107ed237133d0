"""A real local Directus (12.4 by default, SQLite, seeded demo content) on a free port of 127.0.0.1, for tests and
benchmarks.

``start_instance(folder, version=None)`` installs that Directus version if needed (``scripts/directus install
--version X``, a no-op when done; None: the default, 12.4.0; the matrix: ``VERSIONS``), starts a server from the
pristine demo database in ``folder`` and returns a ``DirectusInstance``; it raises when it cannot. A watcher
process stops the server if this process dies; call ``stop()`` when done.

``DirectusInstance``: ``url`` (``"http://127.0.0.1:<port>"``, no trailing slash), ``port``, ``instance_dir``
(``server.log`` is in there), the demo credentials (``admin_token``, ``reader_token``, ``admin_email``,
``admin_password``, ``reader_email``, ``reader_password``, from scripts/directus_demo.json), ``version`` and
``at_least(11, 12)``, ``reset()`` (pristine
database and uploads, then a restart: about 2.5-3 s), ``client(token=...)`` (an ``httpx.Client`` on ``url`` with
that bearer token; default the admin's, ``None`` for none), ``stop()``. ``dirty`` is bookkeeping for the tests'
fixtures (tests/fixtures/directus.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import httpx

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "directus"
DEMO_FILE = ROOT / "scripts" / "directus_demo.json"
DEFAULT_VERSION = "12.4.0"
VERSIONS = ("10.13.4", "11.13.4", "11.17.4", "12.4.0")  # the compatibility matrix (scripts/directus VERSIONS)
CREDENTIALS = ("admin_token", "reader_token", "admin_email", "admin_password", "reader_email", "reader_password")


@dataclass
class DirectusInstance:
    url: str
    port: int
    instance_dir: Path
    admin_token: str
    reader_token: str
    admin_email: str
    admin_password: str
    reader_email: str
    reader_password: str
    version: str = DEFAULT_VERSION
    running: bool = field(default=False, repr=False)
    dirty: bool = field(default=False, repr=False)

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether this Directus is that version or newer (tests of what older versions lack check it)."""
        have = tuple(int(part) for part in self.version.split(".")[:2])
        return have >= (major, minor)

    def reset(self) -> None:
        """Pristine database and uploads, then a restart on the same port."""
        self.dirty = True  # until the reset has succeeded
        _script("reset", "--start", "--instance", str(self.instance_dir))
        self.running = True
        self.dirty = False

    def client(self, token: Optional[str] = "admin", **kwargs: Any) -> httpx.Client:
        token = self.admin_token if token == "admin" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=kwargs.pop("timeout", 30.0), **kwargs)

    def stop(self) -> None:
        if self.running:
            self.running = False
            _script("stop", "--instance", str(self.instance_dir), check=False)


def _script(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"`scripts/directus {' '.join(args)}` failed ({result.returncode}):\n"
            f"{result.stderr.strip()}\n{result.stdout.strip()}"
        )
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_instance(instance_dir: Union[str, Path], version: Optional[str] = None) -> DirectusInstance:
    """Install if needed, then start a server in instance_dir on a free port. Raises when it cannot."""
    version = version or DEFAULT_VERSION
    if version not in VERSIONS:
        raise RuntimeError(f"Directus {version} is not in the matrix: {', '.join(VERSIONS)}")
    _script("install", "--version", version)
    creds = json.loads(DEMO_FILE.read_text())
    last_error = None
    for _ in range(3):  # a free port can be taken between the probe and the start: try another
        port = _free_port()
        try:
            _script(
                "start",
                "--port",
                str(port),
                "--instance",
                str(instance_dir),
                "--fresh",
                "--owner-pid",
                str(os.getpid()),
                "--version",
                version,
            )  # a watcher stops it even if this process is killed
        except RuntimeError as error:
            last_error = error
            continue
        return DirectusInstance(
            url=f"http://127.0.0.1:{port}",
            port=port,
            instance_dir=Path(instance_dir),
            running=True,
            version=version,
            **{k: creds[k] for k in CREDENTIALS},
        )
    raise RuntimeError(f"could not start Directus for the tests: {last_error}")
