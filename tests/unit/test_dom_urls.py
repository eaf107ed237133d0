"""URLs in attributes are judged as the browser reads them (app/web/safe_urls.py, applied by app/web/dom.py): the
WHATWG URL parser strips leading and trailing C0 controls and spaces and drops tabs and newlines anywhere before
it reads the scheme, so "\\x01javascript:" and "java\\tscript:" are javascript: URLs. The same evasions are refused
where dom.py sets an attribute, also for the "Open in Directus" links of a tool card (app/directus/links.py).
tests/e2e/test_dom_urls.py holds the verdicts below to what Chromium's own parser says."""

from __future__ import annotations

import json
import sys
import types
from typing import Iterator

import pytest

from app.directus.links import admin_links
from app.directus.prepared import prepare
from app.web.safe_urls import browser_normalised, is_safe_url, scheme

# Each is a javascript:, vbscript: or data: URL to the browser.
EVASIONS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\x01javascript:alert(1)",
    "\x00javascript:alert(1)",
    "\x1fjavascript:alert(1)",
    "\x0bjavascript:alert(1)",
    "\x0cjavascript:alert(1)",
    " \x08 javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "\tj\na\rv\ta\ns\rc\tript:alert(1)",
    "javascript\t:alert(1)",
    "javascript:alert(1)\x00 \x1f",
    "\x01\x02\x03 JAVA\tSCRIPT:alert(1)",
    "vbscript:msgbox(1)",
    "v\tbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "\x01data:text/html,<script>alert(1)</script>",
    "da\nta:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
]

SAFE = [
    "https://cms.example.com/admin/content/articles/3",
    "HTTPS://cms.example.com/",
    "http://localhost:8055/admin/files/f1",
    "\x01https://cms.example.com/",  # the browser strips the control: an ordinary https link
    "mailto:someone@example.com",
    "blob:https://app.example.com/5f0c7b0e-8f5b-4a53-9c6e-2f4c0a1f2b3c",
    "/relative/path",
    "./download.json",
    "#section",
    "?q=1",
    "",
    "java script:alert(1)",  # a space inside: no scheme, a relative path
    "javascript\x00:alert(1)",  # a NUL inside: no scheme, a relative path
    "\uff4aavascript:alert(1)",  # a full-width "ｊ": not an ASCII letter, a relative path
]


@pytest.mark.parametrize("url", EVASIONS)
def test_evasions_are_refused(url):
    assert scheme(url) in {"javascript", "vbscript", "data", "file"}
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", SAFE)
def test_links_the_page_uses_are_allowed(url):
    assert is_safe_url(url)


def test_the_normalisation_is_the_browsers():
    assert browser_normalised("\x01\x1f java\tscr\nipt\r:x \x00") == "javascript:x"
    assert browser_normalised("  https://a.example/b c  ") == "https://a.example/b c"  # inner spaces stay
    assert scheme("\x01JavaScript:x") == "javascript"
    assert scheme("/a:b") is None and scheme("a b:c") is None


# --- where the page sets attributes: app/web/dom.py, with a stand-in for the browser's `js` and `pyodide` ---


class FakeElement:
    def __init__(self) -> None:
        self.attributes: dict[str, str] = {}
        self.children: list[object] = []

    def setAttribute(self, name: str, value: str) -> None:
        self.attributes[name] = value

    def removeAttribute(self, name: str) -> None:
        self.attributes.pop(name, None)

    def appendChild(self, child: object) -> None:
        self.children.append(child)


@pytest.fixture
def dom(monkeypatch) -> Iterator[types.ModuleType]:
    js = types.ModuleType("js")
    document = types.SimpleNamespace(createElement=lambda tag: FakeElement(), createTextNode=lambda text: text)
    js.document = document  # type: ignore[attr-defined]  # a stand-in module
    pyodide = types.ModuleType("pyodide")
    ffi = types.ModuleType("pyodide.ffi")
    ffi.create_proxy = lambda fn: fn  # type: ignore[attr-defined]  # a stand-in module
    pyodide.ffi = ffi  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setitem(sys.modules, "pyodide", pyodide)
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    monkeypatch.delitem(sys.modules, "app.web.dom", raising=False)
    import app.web.dom as module

    yield module
    sys.modules.pop("app.web.dom", None)  # the stand-ins go; the next import is the real one


@pytest.mark.parametrize("url", EVASIONS)
@pytest.mark.parametrize("attribute", ["href", "HREF", "src", "action", "formaction", "xlink:href"])
def test_dom_refuses_the_evasions_in_every_url_attribute(dom, attribute, url):
    el = dom.h("a")
    with pytest.raises(dom.UnsafeAttribute):
        dom.set_attr(el, attribute, url)
    assert el.attributes == {}
    with pytest.raises(dom.UnsafeAttribute):
        dom.h("a", {attribute: url})


def test_dom_keeps_ordinary_links(dom):
    el = dom.h("a", {"href": "https://cms.example.com/admin/content/articles/3", "title": "javascript:not a url"})
    assert el.attributes["href"] == "https://cms.example.com/admin/content/articles/3"
    assert el.attributes["title"] == "javascript:not a url"  # not a URL attribute: text


# --- the "Open in Directus" links: made from the Directus URL in the settings ---

UPDATE = json.dumps({"action": "update", "collection": "articles", "keys": [3], "data": {"title": "x"}})


@pytest.mark.parametrize("directus_url", EVASIONS + ["\x01javascript://cms.example.com/%0aalert(1)//"])
def test_open_in_directus_links_from_a_hostile_directus_url_are_never_script(dom, directus_url):
    for link in admin_links(directus_url, prepare("items", UPDATE)):  # none, or safe ones
        assert is_safe_url(link.url), link
        dom.h("a", {"href": link.url, "target": "_blank", "rel": "noopener noreferrer"}, link.label)


def test_open_in_directus_links_pass_the_check(dom):
    (link,) = admin_links("https://cms.example.com/", prepare("items", UPDATE))
    assert is_safe_url(link.url)
    assert dom.h("a", {"href": link.url}).attributes["href"] == "https://cms.example.com/admin/content/articles/3"
