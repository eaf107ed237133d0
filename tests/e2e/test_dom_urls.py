"""app/web/safe_urls.py reads a URL's scheme the way Chromium does: for every evasion and every safe URL of
tests/unit/test_dom_urls.py, the scheme it finds is the one the browser's own URL parser finds (a relative URL takes
the page's). A blank page, no app: it costs a page, not a start."""

from __future__ import annotations

import pytest

from app.web.safe_urls import scheme
from tests.unit.test_dom_urls import EVASIONS, SAFE

pytestmark = pytest.mark.e2e

BASE = "https://app.example/"


def test_the_scheme_is_the_one_chromium_reads(page):
    urls = EVASIONS + SAFE
    read = page.evaluate("([urls, base]) => urls.map(u => new URL(u, base).protocol)", [urls, BASE])
    ours = [(scheme(u) or "https") + ":" for u in urls]
    assert [(repr(u), p) for u, p in zip(urls, read, strict=True)] == [
        (repr(u), p) for u, p in zip(urls, ours, strict=True)
    ]
