"""The conversations stored in this browser, as the page handles them: the sidebar's list and its search, open,
rename, delete, export (JSON, Markdown) and import, clear all; and the entries set aside as unreadable (download,
discard), which the notices offer.

The controller creates one and calls it from its action table (app/web/actions.py) and when the "conversations"
topic changed; questions go through the page's AskDialog, and every change through the assistant.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional

from js import URL, Blob, Object, document, setTimeout
from pyodide.ffi import create_once_callable, to_js

from app.web.dom import Element, Event, h, listen
from app.web.views.conversation_list import FIRST_ITEMS, Item, append_items, render_conversation_list

if TYPE_CHECKING:
    from app.assistant import Assistant
    from app.web.views.ask_dialog import AskDialog


_SEARCH_SLICE = 10  # conversations searched between two looks at the clock
_SEARCH_STEP_S = 0.02  # then the page gets its turn
_SEARCH_LIMIT = 50


def download(name: str, content: str, mime: str) -> None:
    """Hand `content` to the browser as a file download named `name`."""
    download_blob(name, Blob.new(to_js([content]), to_js({"type": mime}, dict_converter=Object.fromEntries)))


def download_blob(name: str, blob: Any) -> None:
    """Hand a Blob (a file's bytes: a chart's PNG, say) to the browser as a download named `name`."""
    url = URL.createObjectURL(blob)
    link = h("a", {"href": url, "download": name})
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(create_once_callable(lambda: URL.revokeObjectURL(url)), 1000)


class Conversations:
    def __init__(
        self,
        assistant: Assistant,
        ask: AskDialog,
        list_ul: Element,
        search_input: Element,
        import_input: Element,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
    ):
        self.assistant = assistant
        self.ask = ask
        self.list_ul, self.search_input, self.import_input = list_ul, search_input, import_input
        self.spawn = spawn
        self._search = ""
        self._generation = 0  # of the list on screen: a newer render stops the steps of an older one
        listen(search_input, "input", lambda e: self._on_search())
        listen(import_input, "change", self._on_import)

    def render(self) -> None:
        """The list, or the hits of the search typed: both in steps of a few milliseconds, a newer render
        cancelling an older one, so that no keystroke or long list blocks the page."""
        a = self.assistant
        self._generation += 1
        if self._search.strip():
            self.spawn(self._search_in_steps(self._search, self._generation))
            return
        self._show(render_conversation_list(self.list_ul, a.conversations(), a.conversation.id), self._generation)

    def _show(self, rest: list[Item], generation: int) -> None:
        if not rest or generation != self._generation:
            return

        def more() -> None:
            if generation == self._generation:
                append_items(self.list_ul, rest[:FIRST_ITEMS], self.assistant.conversation.id)
                self._show(rest[FIRST_ITEMS:], generation)

        setTimeout(create_once_callable(more), 0)

    async def _search_in_steps(self, text: str, generation: int) -> None:
        a = self.assistant
        summaries, hits = a.conversations(), []
        step = time.perf_counter()
        for start in range(0, len(summaries), _SEARCH_SLICE):
            hits += a.search(text, summaries[start : start + _SEARCH_SLICE])
            if len(hits) >= _SEARCH_LIMIT:
                break
            if time.perf_counter() - step > _SEARCH_STEP_S:
                await asyncio.sleep(0)  # let the page handle input and paint
                if generation != self._generation:
                    return
                step = time.perf_counter()
        if generation == self._generation:
            rest = render_conversation_list(self.list_ul, summaries, a.conversation.id, hits[:_SEARCH_LIMIT])
            self._show(rest, generation)

    def open(self, cid: str) -> None:
        self.assistant.open(cid)
        document.body.classList.remove("sidebar-open")

    def rename(self, cid: str) -> None:
        self.ask.prompt(
            "Rename the conversation",
            "Title",
            self.title_of(cid) or "",
            "Rename",
            lambda title: self.assistant.rename(cid, title) if title.strip() else None,
        )

    def delete(self, cid: str) -> None:
        title = self.title_of(cid)
        self.ask.confirm(
            'Delete "%s"? This cannot be undone.' % (title if title is not None else "this conversation"),
            "Delete",
            lambda: self.assistant.delete(cid),
            danger=True,
        )

    def clear_all(self) -> None:
        self.ask.confirm(
            "Delete ALL conversations stored in this browser? Export them first if you want to keep them.",
            "Delete all",
            lambda: self.assistant.clear_all(),
            danger=True,
        )

    def export(self, cid: Optional[str]) -> None:
        content = self.assistant.export_json([cid] if cid else None)
        download("directus-assistant-%s.json" % (cid or "all"), content, "application/json")

    def export_with_attachments(self) -> None:
        """Every conversation, with the bytes of the attachments kept on this device (a bigger file)."""
        from app.pending_files import with_attachments

        async def build() -> None:
            content = await with_attachments(self.assistant.export_json(None), self.assistant.files.store)
            download("directus-assistant-all-with-attachments.json", content, "application/json")

        self.spawn(build())

    def export_markdown(self) -> None:
        a = self.assistant
        title = (a.conversation.title or "conversation").replace("/", "-")[:60]
        download(title + ".md", a.export_markdown(), "text/markdown")

    def choose_import(self) -> None:
        self.import_input.click()

    def download_set_aside(self, key: str) -> None:
        download(key.replace(".", "-") + ".txt", self.assistant.read_set_aside(key), "text/plain")

    def discard_set_aside(self, key: str) -> None:
        self.ask.confirm(
            "Discard the unreadable entry? Download it first if you may want it back.",
            "Discard",
            lambda: self.assistant.discard_set_aside(key),
            danger=True,
        )

    def title_of(self, cid: str) -> Optional[str]:
        summary = next((s for s in self.assistant.conversations() if s.id == cid), None)
        return summary.title if summary is not None else None

    def _on_search(self) -> None:
        self._search = str(self.search_input.value)
        self.render()

    def _on_import(self, event: Event) -> None:
        files = event.target.files
        if files is None or files.length == 0:
            return

        async def read() -> None:
            content = str(await files.item(0).text())
            self.assistant.import_json(content)
            event.target.value = ""
            if '"attachments"' in content:  # an export with attachments: keep their bytes here too
                from app.pending_files import keep_imported

                if await keep_imported(content, self.assistant.files.store, self.assistant.library.imported):
                    self.assistant.hub.notify("conversation")

        self.spawn(read())
