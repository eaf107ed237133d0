"""Markdown -> safe HTML, incremental while streaming.

Model output and Directus content are untrusted. The renderer:
- has raw HTML disabled: `<script>` in the text comes out as the text `&lt;script&gt;`;
- keeps only absolute http(s) and mailto links, opened in a new tab with no referrer or opener;
- shows images as links: an `<img>` would load a URL the moment it is shown, which lets injected
  content send data to a third party without a click.

`MarkdownStream` re-renders only the last top-level block as text grows, so a long answer costs the
same per delta at its end as at its start.

A budget keeps any text, however hostile, from freezing the page. Parsing Markdown costs about linear time in
the text, but some inputs cost far more per character than prose (a run of `![`, `[`, `*a`: measured up to 4 µs a
character in CPython, where prose costs 0.3). `cost()` weighs the characters that drive that work, calibrated so
that one unit costs at most ~1.5 µs in CPython whatever the pattern. A message gets `MESSAGE_BUDGET` units of
Markdown; the blocks after it, and a still-growing last block over `TAIL_BUDGET`, are shown as plain text
(escaped, line breaks kept). Finding the blocks uses a block-only parse (no inline rules), which is linear.

Pure Python (markdown-it-py): no browser import, tested under CPython. markdown-it is imported on the first
render, not with this module: an empty conversation at start-up needs none of it (~40-80 ms in Pyodide);
app/web/warm_up.py loads it in idle time right after the page is ready.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, NamedTuple, Optional

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

SAFE_SCHEMES = ("http://", "https://", "mailto:")

# Units of `cost()` rendered as Markdown per message, and per render of a still-growing last block (per frame).
MESSAGE_BUDGET = 16_000  # ~20,000 characters of ordinary prose; at most ~25 ms of parsing in CPython
TAIL_BUDGET = 8_000
_WEIGHTS = (
    ("\n", 20),  # each line is block work: a list item or a heading costs ~15-30 µs in CPython
    ("[", 20),
    ("<", 12),
    ("*", 7),
    ("_", 7),
    ("(", 3),
    ("~", 3),
    ("&", 3),
    ("!", 3),
    ("\\", 2),
    ("`", 1),
)
PLAIN_NOTE = (
    '<p class="muted plain-note">The rest is shown as plain text: it is too long or too intricate to format.</p>'
)


def cost(text: str) -> int:
    """What rendering `text` as Markdown costs, in units of at most ~1.5 µs of CPython (see the module doc)."""
    return len(text) // 4 + sum(weight * text.count(char) for char, weight in _WEIGHTS)


def plain(text: str) -> str:
    """Text shown as it is: escaped, line breaks kept (the `plain` class has `white-space: pre-wrap`)."""
    return '<p class="plain">%s</p>' % escape(text) if text else ""


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _link_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    token.attrSet("target", "_blank")
    token.attrSet("rel", "noopener noreferrer nofollow")
    return self.renderToken(tokens, idx, options, env)


def _image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    if not _validate_link(src):
        return escape(alt)
    return '<a href="%s" target="_blank" rel="noopener noreferrer nofollow">%s</a>' % (
        escape(src, quote=True),
        escape("image: " + alt),
    )


HEADING_SHIFT = 2  # a message's own heading is an h2 (app/web/views/message.py): the model's "#" becomes an h3


def _heading(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """A heading the model wrote, one level below the message's own heading (h1 -> h3, ..., h6 at most), so the
    page's outline (its title is the h1) stays whole."""
    token = tokens[idx]
    token.tag = "h%d" % min(6, int(token.tag[1:]) + HEADING_SHIFT)
    return self.renderToken(tokens, idx, options, env)


def _focusable(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """A table opens focusable: it scrolls sideways when wide, and a keyboard user must be able to scroll it."""
    tokens[idx].attrSet("tabindex", "0")
    return self.renderToken(tokens, idx, options, env)


def _make_renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]  # markdown-it's hook: replace it on the instance
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    md.add_render_rule("table_open", _focusable)
    rules = md.renderer.rules if isinstance(md.renderer, RendererHTML) else {}
    for kind in ("fence", "code_block"):  # code scrolls sideways too: its <pre> is focusable
        md.add_render_rule(kind, _focusable_pre(rules[kind]))
    return md


def _focusable_pre(rule: Callable[..., str]) -> Callable[..., str]:
    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        html = rule(tokens, idx, options, env)
        return '<pre tabindex="0"' + html[4:] if html.startswith("<pre") else html

    return render


_md: Optional[MarkdownIt] = None
_blocks: Optional[MarkdownIt] = None


def renderer() -> MarkdownIt:
    global _md
    if _md is None:
        _md = _make_renderer()
    return _md


def block_starts(text: str) -> list[int]:
    """The line numbers where the top-level blocks of `text` start (a block-only parse: linear, no inline rules)."""
    global _blocks
    if _blocks is None:
        _blocks = _make_renderer()
        _blocks.disable("inline")
    return [t.map[0] for t in _blocks.parse(text) if t.level == 0 and t.nesting >= 0 and t.map]


def render(text: str, budget: int = MESSAGE_BUDGET) -> str:
    """The whole text as safe HTML; what is over the budget as plain text."""
    if cost(text) <= budget:
        return renderer().render(text)
    fits = _fitting_prefix(text, budget)
    return (renderer().render(text[:fits]) if fits else "") + PLAIN_NOTE + plain(text[fits:])


def _fitting_prefix(text: str, budget: int) -> int:
    """The length of the longest run of whole top-level blocks from the start whose cost is within `budget`. Only
    the part within the budget is parsed (a block-only parse costs about as much per line as rendering)."""
    within = _within(text, budget)
    if within == len(text):
        return within
    starts = block_starts(text[:within])  # the last one is cut by the budget: the blocks before it fit
    return _offset_of_line(text, starts[-1]) if len(starts) >= 2 else 0


def _within(text: str, budget: int) -> int:
    """The length of the longest prefix of `text` whose cost is within `budget` (a binary search over C counts)."""
    if cost(text) <= budget:
        return len(text)
    low, high = 0, min(len(text), 4 * budget + 4)  # cost >= len // 4
    while low < high:
        middle = (low + high + 1) // 2
        if cost(text[:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


class StreamUpdate(NamedTuple):
    reset: bool  # the text was replaced rather than extended: clear the finished blocks first
    stable: str  # HTML of blocks that just became final: append it to the finished blocks
    tail: str  # HTML of the last, still-growing block: replace the tail element's content with it


class MarkdownStream:
    """Renders growing text; blocks that can no longer change are rendered once, within the message's budget."""

    def __init__(self) -> None:
        self.text = ""
        self._stable = 0  # characters of text already rendered as finished blocks
        self._spent = 0  # budget units those blocks cost
        self._plain_from: Optional[int] = None  # from here on, plain text (the budget ran out)

    def update(self, text: str) -> StreamUpdate:
        reset = not text.startswith(self.text[: self._stable])
        if reset:
            self._stable, self._spent, self._plain_from = 0, 0, None
        self.text = text
        if self._plain_from is not None:
            return StreamUpdate(reset, "", plain(text[self._plain_from :]))
        tail = text[self._stable :]
        new_stable = ""
        room = MESSAGE_BUDGET - self._spent
        window = _within(tail, room + TAIL_BUDGET)  # what could still be formatted; only that is parsed
        starts = block_starts(tail[:window])
        if len(starts) < 2 and window < len(tail):  # one block larger than what is left of the budget
            self._plain_from = self._stable
            return StreamUpdate(reset, PLAIN_NOTE, plain(text[self._plain_from :]))
        if len(starts) >= 2:
            cut = _offset_of_line(tail, starts[-1])
            finished, tail = tail[:cut], tail[cut:]
            fits = _fitting_prefix(finished, room)
            if fits:
                new_stable = renderer().render(finished[:fits])
                self._spent += cost(finished[:fits])
            if fits < len(finished):  # the budget ran out: the rest of the message is plain text
                self._plain_from = self._stable + fits
                self._stable += fits
                return StreamUpdate(reset, new_stable + PLAIN_NOTE, plain(text[self._plain_from :]))
            self._stable += cut
        if cost(tail) <= min(TAIL_BUDGET, MESSAGE_BUDGET - self._spent):  # (`_spent` may have grown above)
            return StreamUpdate(reset, new_stable, renderer().render(tail))
        return StreamUpdate(reset, new_stable, plain(tail))  # Markdown again once it is finished, if it fits


def _offset_of_line(text: str, line: int, start: int = 0) -> int:
    """Where line `line` (0-based) of `text` starts; counting from `start`, which must be a line start."""
    offset = start
    for _ in range(line - text.count("\n", 0, start)):
        newline = text.find("\n", offset)
        if newline < 0:
            return len(text)
        offset = newline + 1
    return offset
