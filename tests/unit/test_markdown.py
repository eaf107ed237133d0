"""Markdown rendering: safe for untrusted text, and incremental while streaming."""

import re

import pytest

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


def test_tables_code_and_lists_render():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nx = 1\n```\n\n- one\n- two\n")
    assert "<table>" in html and "<td>2</td>" in html
    assert '<code class="language-py">x = 1' in html
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
    assert finished + update.tail == render(DOC)


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
