"""Markdown rendering: safe for untrusted text, and incremental while streaming."""

import re
from typing import Optional

import pytest
from markdown_it.utils import EnvType

from app.web.markdown import MarkdownStream, render

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click]( javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)">',
    "`<b>` and <b onclick=alert(1)>bold</b>",
]


@pytest.mark.parametrize("payload", XSS)
def test_untrusted_markdown_never_yields_markup_of_its_own(payload):
    html = render(payload)
    assert "<script" not in html and "<svg" not in html and "<img" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html), html  # no event-handler attribute on any tag
    assert not re.search(r'href="(?!https?:|mailto:)', html), html


def test_safe_links_open_in_a_new_tab_without_referrer():
    html = render("[docs](https://directus.io/docs)")
    assert '<a href="https://directus.io/docs" target="_blank" rel="noopener noreferrer nofollow">docs</a>' in html


def test_images_become_links_so_nothing_loads_without_a_click():
    html = render("![chart](https://example.com/c.png)")
    assert "<img" not in html
    assert 'href="https://example.com/c.png"' in html and "image: chart" in html


def test_model_headings_sit_below_the_messages_own_heading():
    html = render("# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\nSetext\n===")
    assert re.findall(r"<(h\d)>", html) == ["h3", "h4", "h5", "h6", "h6", "h3"]
    assert "<h1" not in html and "<h2" not in html
    assert html.count("</h6>") == 2


def test_tables_code_and_lists_render():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nx = 1\n```\n\n- one\n- two\n")
    assert '<table tabindex="0">' in html and "<td>2</td>" in html  # focusable: a wide table scrolls
    assert '<pre tabindex="0"><code class="language-py">x = 1' in html
    assert "<li>one</li>" in html


DOC = """# Articles

Here are **3 articles**, newest first:

| title | views |
|---|---|
| Enigma | 300 |
| Engines | 120 |

1. first
2. second

   continued paragraph

```json
{"a": 1}
```

Setext heading
==============

> quoted <b>not bold</b>
done."""


@pytest.mark.parametrize("step", [1, 3, 7, 40])
def test_streamed_rendering_equals_whole_rendering(step):
    stream = MarkdownStream()
    finished = ""
    for end in range(step, len(DOC) + step, step):
        update = stream.update(DOC[:end])
        if update.reset:
            finished = ""
        finished += update.stable
    assert finished + update.tail == render(DOC)  # type: ignore[possibly-undefined]  # the loop runs at least once


def test_finished_blocks_are_not_rendered_again():
    stream = MarkdownStream()
    stream.update("para one\n\npara two")
    first = stream.update("para one\n\npara two\n\npara three")
    assert "para one" not in first.stable and "para two" in first.stable
    assert "para three" in first.tail


def test_replaced_text_starts_over():
    stream = MarkdownStream()
    stream.update("alpha\n\nbeta\n\ngamma")
    update = stream.update("other")
    assert update.reset and "other" in update.tail


# ----- hostile text: a budget, then plain text -------------------------------------------------------------------

HOSTILE = {
    "images": "![" * 40_000,
    "brackets": "[" * 50_000,
    "emphasis": "**a" * 20_000,
    "links": "[a](" * 20_000,
    "autolinks": "<a@b.c>" * 10_000,
    "list": "- item\n" * 5_000,  # one block: each line is block work
    "headings": "# x\n" * 30_000,
}


@pytest.fixture
def markdown_work(monkeypatch):
    """The cost of every text handed to markdown-it's renderer (the expensive part), in `cost()` units."""
    from app.web import markdown

    spent: list[int] = []
    md = markdown.renderer()
    original = md.render

    def counted(text: str, env: Optional[EnvType] = None) -> str:
        spent.append(markdown.cost(text))
        result: str = original(text, env)
        return result

    monkeypatch.setattr(md, "render", counted)
    return spent


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_is_formatted_within_the_budget_and_the_rest_is_plain_text(name, markdown_work):
    from app.web.markdown import MESSAGE_BUDGET

    text = HOSTILE[name]
    html = render(text)
    assert sum(markdown_work) <= MESSAGE_BUDGET
    assert "shown as plain text" in html
    assert html.count("&lt;") == text.count("<")  # nothing is lost or turned into markup
    assert "<a " not in html and "<img" not in html


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_stream_never_renders_more_than_a_frame_budget_at_once(name, markdown_work):
    from app.web.markdown import MESSAGE_BUDGET, TAIL_BUDGET

    text = HOSTILE[name]
    stream = MarkdownStream()
    stable, tail = "", ""
    for i in range(1, 201):  # 200 deltas, as a model streams
        before = len(markdown_work)
        update = stream.update(text[: len(text) * i // 200])
        stable, tail = stable + update.stable, update.tail
        # one frame: a finished part within the message's budget, the growing block within the frame's
        assert sum(markdown_work[before:]) <= MESSAGE_BUDGET + TAIL_BUDGET
    assert sum(markdown_work) <= MESSAGE_BUDGET + 200 * TAIL_BUDGET
    assert (stable + tail).count("&lt;") == text.count("<")  # all of it shown, none of it markup
    assert "<a " not in stable + tail


def test_a_long_ordinary_answer_keeps_its_formatting_up_to_the_budget():
    block = "## Part\n\nSome **bold** text and a [link](https://directus.io).\n\n"
    html = render(block * 40)
    assert "plain text" not in html and html.count("<h4>") == 40
    long_html = render(block * 2000)
    assert long_html.count("<h4>") > 100  # the first blocks keep their headings...
    assert "shown as plain text" in long_html and "## Part" in long_html  # ...and the rest is there, plain


def test_the_stream_and_the_whole_render_agree_on_an_ordinary_answer():
    text = "# Title\n\nA paragraph with *emphasis*.\n\n- one\n- two\n\n```\ncode\n```\n\nThe end."
    stream = MarkdownStream()
    stable = ""
    for i in range(1, len(text) + 1):
        update = stream.update(text[:i])
        stable += update.stable
    assert stable + update.tail == render(text)  # type: ignore[possibly-undefined]  # the loop runs at least once
