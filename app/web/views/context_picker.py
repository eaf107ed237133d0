"""The "Add context" dialog: pick a collection and search its items by their display template, or paste a Data
Studio item URL; the item chosen is pinned to the next message (app/web/views/context_chips.py).

    picker = ContextPicker(assistant, spawn)   # #context-dialog; picker.chips: the items pinned to the next message
    picker.open()                         # lists the user's collections (read with their permissions)
    picker.pin_from_hash("#context=articles/3&context=pages/home")   # a deep link (untrusted: checked)

Searches run as the user types; an answer that arrives after a newer search started is dropped. Names, labels and
keys come from Directus content or the page's address: text only, and every path is built from checked parts
(app/directus/context_items.py, app/directus/paths.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine

from app.web.dom import Element, Event, by_id, clear, h, listen, text

if TYPE_CHECKING:
    from app.assistant import Assistant


class ContextPicker:
    def __init__(self, assistant: Assistant, spawn: Callable[[Coroutine[Any, Any, Any]], None]):
        from app.web.views.context_chips import ContextChips

        self.dialog = dialog = by_id("context-dialog")
        self.assistant, self.spawn = assistant, spawn
        self.chips = ContextChips(by_id("composer-chips"))  # shared with the attachments' chips
        by_id("add-context").disabled = False  # (index.html has it disabled until the app runs)
        self.collection = h("select", {"id": "context-collection"})
        self.query = h("input", {"id": "context-search", "type": "search", "autocomplete": "off"})
        self.results = h("ul", {"class": "context-results", "aria-label": "Items"})
        self.status = h("p", {"class": "hint", "role": "status"})
        self.url = h("input", {"id": "context-url", "type": "url", "autocomplete": "off"})
        self.url_status = h("p", {"class": "hint", "role": "status"})  # (apart: a search ending must not hide it)
        self.found: list[tuple[str, str, str]] = []  # (collection, key, label) as listed
        self._search_id = 0
        dialog.setAttribute("aria-labelledby", "context-title")
        dialog.replaceChildren(
            h("h2", {"id": "context-title"}, "Add context"),
            h(
                "div",
                {"class": "context-body"},
                h(
                    "p",
                    {"class": "hint"},
                    "Pin Directus items to your next message: the assistant reads them as "
                    "they are when you send (the fields you may read), with a link to each.",
                ),
                h("div", {"class": "field"}, h("label", {"for": "context-collection"}, "Collection"), self.collection),
                h("div", {"class": "field"}, h("label", {"for": "context-search"}, "Search items"), self.query),
                self.status,
                self.results,
                h(
                    "form",
                    {"class": "field context-url-form"},
                    h("label", {"for": "context-url"}, "Or paste an item's URL from Directus"),
                    self.url,
                    h("button", {"type": "submit"}, "Pin URL"),
                    self.url_status,
                ),
                h("div", {"class": "dialog-foot"}, h("button", {"type": "button", "data-context": "close"}, "Done")),
            ),
        )
        listen(dialog, "click", self._on_click)
        listen(dialog, "submit", self._on_submit)
        listen(self.collection, "change", lambda e: self._search())
        listen(self.query, "input", lambda e: self._search())

    def open(self) -> None:
        self.url.value = ""
        text(self.status, "")
        text(self.url_status, "")
        self.dialog.showModal()
        self.collection.focus()
        self.spawn(self._load_collections())

    async def _load_collections(self) -> None:
        from app.directus.context_items import readable_collections
        from app.directus.errors import DirectusError

        client = self.assistant.directus.client
        if client is None:
            text(self.status, "Connect to Directus (Settings) to pin items.")
            return
        try:
            names = await readable_collections(client)
        except DirectusError as exc:
            text(self.status, "Could not list the collections: " + exc.message)
            return
        chosen = str(self.collection.value)
        self.collection.replaceChildren(*(h("option", {"value": n}, n) for n in names))
        if chosen in names:
            self.collection.value = chosen
        self._search()

    def _search(self) -> None:
        self._search_id += 1
        self.spawn(self._run_search(self._search_id, str(self.collection.value), str(self.query.value)))

    async def _run_search(self, search_id: int, collection: str, query: str) -> None:
        from app.directus.context_items import search_items
        from app.directus.errors import DirectusError

        client = self.assistant.directus.client
        if client is None or not collection:
            return
        try:
            found = await search_items(client, collection, query)
        except DirectusError as exc:
            if search_id == self._search_id:
                text(self.status, "Could not search %s: %s" % (collection, exc.message))
            return
        if search_id != self._search_id:
            return  # a newer search is under way
        self.found = [(collection, key, label) for key, label in found]
        clear(self.results)
        for i, (_, key, label) in enumerate(self.found):
            self.results.appendChild(
                h(
                    "li",
                    None,
                    h(
                        "button",
                        {"type": "button", "class": "context-choice", "data-found": str(i)},
                        h("span", None, label),
                        h("span", {"class": "muted"}, " · " + key),
                    ),
                )
            )
        text(self.status, "%d found" % len(found) if found else "Nothing found.")

    def _pinned(self, collection: str, key: str, label: str, status: Element) -> None:
        if self.chips.pin(collection, key, label):
            text(status, "Pinned %s." % label)
        else:
            text(status, "Not pinned: it is pinned already, or 10 items are.")

    async def _label(self, collection: str, key: str) -> None:
        """A chip pinned by its key shows the item's label once read (it stays the key when it cannot be read)."""
        from app.directus.context_items import ItemRef, item_label
        from app.directus.errors import DirectusError

        await self.assistant.directus.settled()
        client = self.assistant.directus.client
        try:
            shown = await item_label(client, ItemRef(collection, key)) if client is not None else ""
        except DirectusError:
            return
        self.chips.relabel(collection, key, shown)

    def _on_click(self, event: Event) -> None:
        target: Any = event.target.closest("button") if hasattr(event.target, "closest") else None
        if not hasattr(target, "hasAttribute"):
            return
        if target.hasAttribute("data-found"):
            index = int(str(target.getAttribute("data-found")))
            if 0 <= index < len(self.found):
                self._pinned(*self.found[index], self.status)
        elif target.hasAttribute("data-context"):
            self.dialog.close()

    def _on_submit(self, event: Event) -> None:
        event.preventDefault()
        from app.directus.context_items import item_from_url

        directus_url = self.assistant.directus_url()
        ref = item_from_url(str(self.url.value), directus_url)
        if ref is None:
            text(self.url_status, "That is not an item's URL in %s (…/admin/content/<collection>/<id>)." % directus_url)
            return
        self.url.value = ""
        self._pinned(ref.collection, ref.key, ref.label, self.url_status)
        self.spawn(self._label(ref.collection, ref.key))

    def follow_address(self) -> None:
        """Pin the items of the `#context=…` address the page opens with; the address is then cleared (a reload does
        not pin them again once sent). A later change of the address pins nothing: any window holding a reference to
        this one (it opened it) can change it at any time, so the user is told and may reload to pin them."""
        from js import window

        fragment = str(window.location.hash or "")
        if fragment.startswith("#") and "context=" in fragment:
            self.pin_from_hash(fragment)
            window.history.replaceState(None, "", str(window.location.pathname) + str(window.location.search))

        def changed(event: object = None) -> None:
            if "context=" in str(window.location.hash or ""):
                self.assistant.add_notice(
                    "The address changed to pin Directus items; they were not pinned (only the address the page "
                    "opens with pins items). To pin them, reload the page.",
                    "warning",
                    "context-link",
                )

        listen(window, "hashchange", changed)

    def pin_from_hash(self, fragment: str) -> None:
        """Pin the items of a `#context=<collection>/<id>` address; say how many entries were not item references."""
        from app.directus.context_items import items_from_hash

        refs, refused = items_from_hash(fragment)
        for ref in refs:
            if self.chips.pin(ref.collection, ref.key, ref.label):
                self.spawn(self._label(ref.collection, ref.key))
        if refused:
            self.assistant.add_notice(
                "%d context entries in the address were not item references (collection/id) and were left out."
                % refused,
                "warning",
                "context-link",
            )
