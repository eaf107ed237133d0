"""Warm-up right after the page is ready, in small idle-time slices, so that the first turn runs as smoothly as
the later ones.

What a first turn would otherwise pay inside its frames (bench/streaming.py, first turn after a page load):
- the browser resolving the fonts of every new text style (heading sizes, bold, italic, code, table cells,
  badges): ~100-250 ms in one frame on Linux, where each new size/weight is a round trip to the browser process;
- importing markdown-it and building the renderer (app/web/markdown.py imports it lazily, so an empty
  conversation starts without it);
- importing the agent and provider modules.

Each slice is one idle callback (`requestIdleCallback`, `setTimeout` where there is none), so typing and a turn
that starts meanwhile are not held up; the sample elements are added and removed within one slice, so they are
never painted. When all slices ran, `body[data-warm]` is set. A failing slice is reported with
`console.warn` and skipped: warming is an optimisation, never a reason for the app not to work.
"""

from __future__ import annotations

import gc
import importlib
from typing import TYPE_CHECKING, Callable

from js import document, setTimeout, window
from pyodide.ffi import create_once_callable

from app.providers.registry import COMPATIBLE, FIRST_PARTY

if TYPE_CHECKING:
    from app.web.dom import Element

# What the first turn imports (the provider modules all, as app/providers/registry.py names them: the model can
# change before the first send).
FIRST_TURN_MODULES = (
    "app.chat.agent",
    "app.chat.context",
    "app.chat.prompt",
    "app.providers.factory",
    "app.providers.streaming",
    "app.chat.builder",
    "app.providers.history",
    "app.providers.retry",
    "app.providers.sse",
    *(p.module for p in (*FIRST_PARTY, COMPATIBLE)),
    "app.directus.registry",
    "app.directus.toolbox",
    "encodings.utf_16_le",
)

# Every text style an answer uses, a few per slice (each new font size or weight costs a few ms to tens of ms).
MARKDOWN_SAMPLES = (
    "# Heading 1\n\n## Heading 2\n\n### Heading 3\n\n#### Heading 4\n",
    "Text with **bold**, *italic*, ***both***, ~~struck~~, `code` and [a link](https://example.com).\n\n"
    "- a point\n- another\n\n1. first\n2. second\n\n> A quote.\n",
    '| id | title |\n|---|---|\n| 1 | **Hello** `x` |\n\n```json\n{"collection": "articles"}\n```\n',
)


def _sample_messages(markdown_html: str) -> Element:
    from app.web.dom import h, set_trusted_html

    body = h("div", {"class": "markdown"})
    set_trusted_html(body, markdown_html)
    return h(
        "div",
        {"class": "messages warm-up-sample", "aria-hidden": "true"},
        h(
            "article",
            {"class": "message user"},
            h("div", {"class": "message-body"}, h("div", {"class": "user-text"}, "x")),
        ),
        h(
            "article",
            {"class": "message assistant", "data-status": "streaming"},
            h(
                "div",
                {"class": "message-body"},
                h(
                    "details",
                    {"class": "reasoning"},
                    h("summary", None, "Reasoning"),
                    h("div", {"class": "reasoning-text"}, "x"),
                ),
                h(
                    "div",
                    {"class": "tool-card"},
                    h(
                        "div",
                        {"class": "tool-head"},
                        h("code", {"class": "tool-name"}, "read_items"),
                        h("span", {"class": "tool-summary"}, "x"),
                        h("span", {"class": "tool-status"}, "Running…"),
                    ),
                ),
                body,
            ),
            h(
                "div",
                {"class": "message-footer"},
                h("span", {"class": "badge"}, "Stopped"),
                h("span", {"class": "badge warn"}, "Cut off"),
                h("button", {"type": "button", "class": "link"}, "↻ Regenerate"),
                h("span", {"class": "usage"}, "1,234 in · 56 out · ≈ $0.0012"),
            ),
        ),
    )


def _lay_out(element: Element, parent_id: str) -> None:
    """Add `element` under #parent_id, let the browser lay it out (fonts resolved), remove it: never painted."""
    parent = document.getElementById(parent_id)
    if parent is None:
        return
    parent.appendChild(element)
    try:
        element.offsetHeight  # noqa: B018 - reading it forces style and layout now
    finally:
        element.remove()


def _renderer() -> None:
    from app.web.markdown import MarkdownStream, renderer

    renderer()
    MarkdownStream().update(MARKDOWN_SAMPLES[0] + MARKDOWN_SAMPLES[1])


def _fonts(sample: str) -> Callable[[], None]:
    def run() -> None:
        from app.web.markdown import render

        _lay_out(_sample_messages(render(sample)), "conversation")

    return run


def _sidebar() -> None:
    from app.web.dom import h

    item = h(
        "li",
        {"aria-hidden": "true", "class": "warm-up-sample"},
        h(
            "button",
            {"type": "button", "class": "conv-open"},
            h("span", {"class": "conv-title"}, "x"),
            h("span", {"class": "conv-meta"}, "x"),
        ),
    )
    _lay_out(item, "conversation-list")


def _import(name: str) -> Callable[[], None]:
    def run() -> None:
        importlib.import_module(name)

    run.__name__ = "import " + name
    return run


def slices() -> list[Callable[[], None]]:
    return [
        _renderer,
        _sidebar,
        *[_fonts(s) for s in MARKDOWN_SAMPLES],
        *[_import(name) for name in FIRST_TURN_MODULES],
        gc.freeze,
    ]


def _when_idle(fn: Callable[[], None]) -> None:
    callback = create_once_callable(lambda *_: fn())
    if hasattr(window, "requestIdleCallback"):
        window.requestIdleCallback(callback)
    else:
        setTimeout(callback, 0)


def start_warm_up() -> None:
    """Run `slices()` one per idle period; mark `body[data-warm]` when done."""
    pending = slices()

    def step() -> None:
        work = pending.pop(0)
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - see the module docstring
            window.console.warn(
                "warm-up step %s failed (harmless; the first turn may be slower): %s: %s"
                % (getattr(work, "__name__", work), type(exc).__name__, exc)
            )
        if pending:
            _when_idle(step)
        else:
            document.body.dataset.warm = "1"

    _when_idle(step)
