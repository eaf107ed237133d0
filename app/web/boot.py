"""Start-up in the page: run the app's start function, then mark the page ready or show the failure.

The loading state and the error box live in static/boot.js (they must work before Python exists);
this module reports to it through `window.appBoot`.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from typing import Awaitable, Callable

from js import document, window


def enable_composer() -> None:
    for element_id in ("composer-input", "composer-send"):
        element = document.getElementById(element_id)
        if element is not None:
            element.disabled = False


class PackageMissing(Exception):
    """A package listed in pyscript.toml did not install (its wheel is missing or damaged on the server)."""


def installed_distributions() -> set[str]:
    """Normalised names of the installed distributions, from the *.dist-info folders in site-packages.

    (importlib.metadata would do, but importing it costs ~150 ms at every start in Pyodide.)
    """
    names = set()
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            for name in os.listdir(entry):
                if name.endswith(".dist-info"):
                    names.add(_canonical(name[: -len(".dist-info")].rsplit("-", 1)[0]))
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_packages() -> None:
    """Fail the start when a configured package did not install: Pyodide only logs that to the console."""
    from pyscript import config

    installed = installed_distributions()
    missing = [name for name in config.get("packages", []) if _canonical(name) not in installed]
    if missing:
        raise PackageMissing(
            f"the Python package(s) {', '.join(missing)} did not load. Their wheels are missing or damaged "
            "on the server: run scripts/setup and copy static/vendor/ again."
        )


def mark_ready() -> bool:
    """`body[data-ready]` is what tests and the start-up benchmark wait for. Not set when static/boot.js
    already showed a start-up failure (e.g. a script that did not load): the page stays failed."""
    if window.appBoot.ready():
        document.body.dataset.ready = "1"
        return True
    return False


def show_failure(exc: BaseException) -> None:
    if isinstance(exc, PackageMissing):
        summary = f"A Python package is missing: {exc}"
    elif isinstance(exc, ModuleNotFoundError):
        summary = f"A part of the app is missing: the Python module '{exc.name}' was not found."
    else:
        summary = f"Python raised an error while starting: {type(exc).__name__}: {exc}"
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    window.appBoot.fail(summary, details)


async def run_boot(start: Callable[[], Awaitable[None]]) -> None:
    # We ship no pydantic plugins: skip pydantic's scan of every installed package's entry points (through
    # importlib.metadata) the first time a model is built.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    try:
        check_packages()
        await start()
    except Exception as exc:  # noqa: BLE001 - everything must reach the page, not only the console
        show_failure(exc)
        return
    if mark_ready():
        from app.web.warm_up import start_warm_up

        start_warm_up()
