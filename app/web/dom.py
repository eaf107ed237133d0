"""Tiny, safe DOM building: elements, text and attributes; never HTML from strings.

    button = h("button", {"type": "button", "data-action": "retry"}, "Retry")
    box.append(h("p", {"class": "hint"}, "Plain ", h("strong", None, "text"), " only."))

Text goes in as text nodes, attributes through setAttribute; event-handler attributes (on*) and URLs with a
scheme other than http(s), mailto and blob (read as the browser reads them: app/web/safe_urls.py) are refused,
so model output and Directus content can never become markup or script.
The one way to put HTML into the page is `set_trusted_html`, reserved for app/web/markdown.py's output
(which escapes raw HTML and keeps only safe links).

Events are handled by delegation: a view marks its controls with `data-action` (and `data-id`), and one
listener per region dispatches them (see app/web/controller.py), so no per-element proxies pile up.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeAlias, Union

from js import document
from pyodide.ffi import create_proxy

from app.web.safe_urls import URL_ATTRIBUTES, is_safe_url

# What Pyodide hands over from the page: JsProxy objects, for which no type stubs exist (so Any, under a name).
Element: TypeAlias = Any  # a DOM element
Event: TypeAlias = Any  # a DOM event
Child = Union[str, Element, None]

_listeners: list = []  # proxies of long-lived listeners, kept alive for the page's lifetime


class UnsafeAttribute(ValueError):
    pass


def _check_attribute(name: str, value: str) -> None:
    low = name.lower()
    if low.startswith("on") or low == "srcdoc":
        raise UnsafeAttribute("refusing attribute %r" % name)
    if low in URL_ATTRIBUTES and not is_safe_url(value):  # read as the browser reads it ("java\tscript:")
        raise UnsafeAttribute("refusing unsafe URL in %r" % name)


def h(tag: str, attrs: Optional[dict] = None, *children: Child) -> Element:
    """A new element with attributes (None/False values are left out, True = present) and children."""
    el = document.createElement(tag)
    if attrs:
        for name, value in attrs.items():
            set_attr(el, name, value)
    append(el, *children)
    return el


def set_attr(el: Element, name: str, value: object) -> None:
    if value is None or value is False:
        el.removeAttribute(name)
        return
    text = "" if value is True else str(value)
    _check_attribute(name, text)
    el.setAttribute(name, text)


def append(el: Element, *children: Child) -> Element:
    for child in children:
        if child is None:
            continue
        if isinstance(child, str):
            el.appendChild(document.createTextNode(child))
        elif isinstance(child, (list, tuple)):
            append(el, *child)
        else:
            el.appendChild(child)
    return el


def text(el: Element, value: str) -> None:
    """Set the element's text (textContent) if it changed."""
    if el.textContent != value:
        el.textContent = value


def clear(el: Element) -> None:
    el.replaceChildren()


def replace_keeping_focus(el: Element, children: list[Element]) -> None:
    """Replace el's children; a control inside that had the focus hands it to its successor (the one with the same
    accessible name), so that a keyboard user is not thrown back to the top of the page."""

    def accessible_name(node: Element) -> str:
        label = node.getAttribute("aria-label")  # a JS null (not None) when there is none
        return label if isinstance(label, str) else str(node.textContent)

    focused = document.activeElement
    name = accessible_name(focused) if hasattr(focused, "getAttribute") and el.contains(focused) else None
    el.replaceChildren(*children)
    if name is None:
        return
    for candidate in el.querySelectorAll("button, a"):
        if accessible_name(candidate) == name and not candidate.hasAttribute("disabled"):
            candidate.focus()
            return
    for candidate in el.querySelectorAll("button:not([disabled]), a"):
        candidate.focus()  # its successor is gone or disabled ("›" on the last version): the nearest control
        return


def set_trusted_html(el: Element, html: str) -> None:
    """ONLY for app/web/markdown.py output (raw HTML escaped, links checked)."""
    el.innerHTML = html


def append_trusted_html(el: Element, html: str) -> None:
    """ONLY for app/web/markdown.py output: add finished blocks at the end without touching the others."""
    el.insertAdjacentHTML("beforeend", html)


def by_id(element_id: str) -> Element:
    return document.getElementById(element_id)


def listen(target: Element, event: str, handler: Callable[[Event], object], **options: bool) -> None:
    """A listener that lives as long as the page."""
    proxy = create_proxy(handler)
    _listeners.append(proxy)
    if options:
        from js import Object
        from pyodide.ffi import to_js

        target.addEventListener(event, proxy, to_js(options, dict_converter=Object.fromEntries))
    else:
        target.addEventListener(event, proxy)


def closest_action(event: Event, root: Element) -> Optional[Element]:
    """The element with data-action the event happened in (inside root), or None."""
    node = event.target
    if node is None or not hasattr(node, "closest"):
        return None
    found = node.closest("[data-action]")
    if found is None or not root.contains(found):
        return None
    return found
