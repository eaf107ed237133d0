"""Pinned Directus items as chips: above the message box before sending (with a remove button each), and in a sent
message (each a link that opens the item in Directus).

    chips = ContextChips(by_id("composer-chips"), on_change)
    chips.pin("articles", "3", "Hello world")   # False when it is pinned already or MAX_ITEMS are
    chips.items                                  # [(collection, key, label)] for Assistant.send
    chips.clear()                                # the message was sent
    pinned_chips(message.pinned, directus_url)   # the chips of a sent message (None without pinned items)

The row `#composer-chips` (a list) is shared with the attachment chips (app/web/views/attachments.py): these chips
are the `.context-chip` items in it, and only those are touched here (the attachments' render keeps them). Labels come from Directus content: text only; a sent chip's link is built from the connected Directus's URL and
the checked collection and key (the URL stored with the message is not used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from app.web.dom import Element, Event, h, listen
from app.web.safe_urls import is_safe_url

if TYPE_CHECKING:
    from app.chat.model import TextPart


class ContextChips:
    def __init__(self, row: Element, on_change: Callable[[], None] = lambda: None):
        self.row = row
        self.on_change = on_change
        self.items: list[tuple[str, str, str]] = []
        listen(row, "click", self._on_click)

    def pin(self, collection: str, key: str, label: str) -> bool:
        from app.directus.context_items import MAX_ITEMS

        if len(self.items) >= MAX_ITEMS or any((c, k) == (collection, key) for c, k, _ in self.items):
            return False
        self.items.append((collection, key, label or "%s/%s" % (collection, key)))
        self.render()
        return True

    def relabel(self, collection: str, key: str, label: str) -> None:
        """Show the item by its display template once it is known (it was pinned by its key)."""
        self.items = [(c, k, label if (c, k) == (collection, key) and label else shown) for c, k, shown in self.items]
        self.render()

    def clear(self) -> None:
        self.items = []
        self.render()

    def render(self) -> None:
        for old in self.row.querySelectorAll(".context-chip"):
            old.remove()
        for i, (collection, key, label) in enumerate(self.items):
            self.row.appendChild(
                h(
                    "li",
                    {"class": "chip context-chip", "title": "%s/%s" % (collection, key)},
                    h("span", {"class": "chip-kind"}, collection),
                    h("span", {"class": "chip-name"}, label),
                    h(
                        "button",
                        {"type": "button", "class": "chip-remove", "data-pin": str(i), "aria-label": "Remove " + label},
                        "×",
                    ),
                )
            )
        self.row.hidden = not self.row.firstElementChild
        self.on_change()

    def _on_click(self, event: Event) -> None:
        target: Any = event.target.closest("[data-pin]") if hasattr(event.target, "closest") else None
        if not hasattr(target, "getAttribute"):
            return
        index = int(str(target.getAttribute("data-pin")))
        if 0 <= index < len(self.items):
            del self.items[index]
            self.render()


def pinned_chips(pinned: Sequence[TextPart], directus_url: str) -> Optional[Element]:
    """The chips of a sent message's pinned items: each opens the item in Directus (in a new tab). The link is made
    here from the connected Directus's URL and the checked collection and key, never taken from the stored message
    (an imported one says what it likes); an item that is not a valid reference, or no Directus URL, has no link."""
    from app.directus.context_items import admin_url, checked

    chips = []
    for part in pinned:
        item = part.item
        if item is None:
            continue
        label = item.label or "%s/%s" % (item.collection, item.key)
        body = [h("span", {"class": "chip-kind"}, item.collection), h("span", {"class": "chip-name"}, label)]
        ref = checked(item.collection, item.key)
        url = admin_url(directus_url, ref) if ref is not None else ""
        url = url if is_safe_url(url) else ""
        link = h("a", {"href": url, "target": "_blank", "rel": "noopener noreferrer"}, *body) if url else None
        chips.append(
            h("li", {"class": "chip context-chip", "title": "%s/%s" % (item.collection, item.key)}, link or body)
        )
    return (
        h("ul", {"class": "chips message-chips context-chips", "aria-label": "Pinned items"}, *chips) if chips else None
    )
