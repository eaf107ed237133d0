"""Markdown -> safe HTML, incremental while streaming.

Model output and Directus content are untrusted. The renderer:
- has raw HTML disabled: `<script>` in the text comes out as the text `&lt;script&gt;`;
- keeps only absolute http(s) and mailto links, opened in a new tab with no referrer or opener;
- shows images as links: an `<img>` would load a URL the moment it is shown, which lets injected
  content send data to a third party without a click.

`MarkdownStream` re-renders only the last top-level block as text grows, so a long answer costs the
same per delta at its end as at its start.

Pure Python (markdown-it-py): no browser import, tested under CPython. markdown-it is imported on the first
render, not with this module: an empty conversation at start-up needs none of it (~40-80 ms in Pyodide);
app/web/warm_up.py loads it in idle time right after the page is ready.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, NamedTuple, Optional

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _link_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    token = tokens[idx]
    token.attrSet("target", "_blank")
    token.attrSet("rel", "noopener noreferrer nofollow")
    return self.renderToken(tokens, idx, options, env)


def _image(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    if not _validate_link(src):
        return escape(alt)
    return '<a href="%s" target="_blank" rel="noopener noreferrer nofollow">%s</a>' % (
        escape(src, quote=True),
        escape("image: " + alt),
    )


def _make_renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_md: Optional[MarkdownIt] = None


def renderer() -> MarkdownIt:
    global _md
    if _md is None:
        _md = _make_renderer()
    return _md


def render(text: str) -> str:
    """The whole text as safe HTML."""
    return renderer().render(text)


class StreamUpdate(NamedTuple):
    reset: bool  # the text was replaced rather than extended: clear the finished blocks first
    stable: str  # HTML of blocks that just became final: append it to the finished blocks
    tail: str  # HTML of the last, still-growing block: replace the tail element's content with it


class MarkdownStream:
    """Renders growing text; blocks that can no longer change are rendered once."""

    def __init__(self) -> None:
        self.text = ""
        self._stable = 0  # characters of text already rendered as finished blocks

    def update(self, text: str) -> StreamUpdate:
        reset = not text.startswith(self.text[: self._stable])
        if reset:
            self._stable = 0
        self.text = text
        tail = text[self._stable :]
        new_stable = ""
        md = renderer()
        starts = [t.map[0] for t in md.parse(tail) if t.level == 0 and t.nesting >= 0 and t.map]
        if len(starts) >= 2:
            cut = _offset_of_line(tail, starts[-1])
            new_stable = md.render(tail[:cut])
            self._stable += cut
            tail = tail[cut:]
        return StreamUpdate(reset, new_stable, md.render(tail))


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        newline = text.find("\n", offset)
        if newline < 0:
            return len(text)
        offset = newline + 1
    return offset
