"""Tool cards' summaries and links, without loading the tools on the way to "ready".

Describing a call prepares it with its tool, and the first one loads them all (app/directus/registry.py imports every
tool module and builds their argument models: about 0.15 s, more on a slow machine). A conversation opened at start
that holds tool calls would pay that before the page is ready. Until the tools are loaded, cards are drawn without a
summary; the tools then load in a task of their own and the conversation is drawn again, with them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from js import setTimeout
from pyodide.ffi import create_once_callable

if TYPE_CHECKING:
    from app.chat.model import ToolCallPart

Summary = tuple[Optional[str], Sequence[tuple[str, str]]]


def tools_loaded() -> bool:
    registry = sys.modules.get("app.directus.registry")
    return registry is not None and getattr(registry, "_tools", None) is not None


class ToolSummaries:
    def __init__(self, describe: Callable[[ToolCallPart], Summary], redraw: Callable[[], None]):
        self.describe = describe  # the assistant's describe_call
        self.redraw = redraw
        self.loading = False

    def __call__(self, call: ToolCallPart) -> Summary:
        if tools_loaded():
            return self.describe(call)
        if not self.loading:
            self.loading = True
            setTimeout(create_once_callable(self._load), 0)
        return None, []

    def _load(self) -> None:
        from app.directus.registry import all_tools

        all_tools()
        self.redraw()
