"""Start-up in the page: run the app's start function, then mark the page ready or show the failure.

The loading state and the error box live in static/boot.js (they must work before Python exists);
this module reports to it through `window.appBoot`.
"""

from __future__ import annotations

import os
import traceback
from typing import Awaitable, Callable

from js import document, window


def enable_composer() -> None:
    for element_id in ("composer-input", "composer-send"):
        element = document.getElementById(element_id)
        if element is not None:
            element.disabled = False


def mark_ready() -> bool:
    """`body[data-ready]` is what tests and the start-up benchmark wait for. Not set when static/boot.js
    already showed a start-up failure (e.g. a script that did not load): the page stays failed."""
    if window.appBoot.ready():
        document.body.dataset.ready = "1"
        return True
    return False


def show_failure(exc: BaseException) -> None:
    if isinstance(exc, ModuleNotFoundError):
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
        await start()
    except Exception as exc:  # noqa: BLE001 - everything must reach the page, not only the console
        show_failure(exc)
        return
    if mark_ready():
        from app.web.warm_up import start_warm_up

        start_warm_up()
