"""The "Attach from Directus" dialog: the user's files in Directus (search, folder, kind), read with their own
permissions (app/directus/file_library.py); choosing one reads it through /assets/<id> and attaches it like a
file from the disk, with its Directus id (the model is told it).

Names, titles and folders are Directus content: text only (textContent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional

from app.web.dom import Element, Event, clear, h, listen, text

if TYPE_CHECKING:
    from app.assistant import Assistant
    from app.directus.file_library import LibraryFile

KINDS = [("", "All kinds"), ("image", "Images"), ("pdf", "PDFs"), ("text", "Text files")]


class FileLibraryDialog:
    def __init__(
        self,
        dialog: Element,
        assistant: Assistant,
        spawn: Callable[[Coroutine[Any, Any, Any]], None],
        attach: Callable[[Any, str, str], Coroutine[Any, Any, None]],
        room: Callable[[int], int],  # how many more files this message takes (a notice when none)
    ):
        self.dialog, self.assistant, self.spawn, self.attach, self.room = dialog, assistant, spawn, attach, room
        self.search = h("input", {"id": "library-search", "type": "search", "placeholder": "Search files"})
        self.folder = h("select", {"id": "library-folder"}, h("option", {"value": "*"}, "All folders"))
        self.kind = h("select", {"id": "library-kind"}, *[h("option", {"value": v}, label) for v, label in KINDS])
        self.status = h("p", {"class": "hint", "role": "status"})
        self.list = h("ul", {"class": "prompt-list library-list"})
        dialog.replaceChildren(
            h("h2", {"id": "library-title"}, "Attach from Directus"),
            h(
                "div",
                {"class": "prompts-body"},
                h("label", {"for": "library-search", "class": "visually-hidden"}, "Search files"),
                self.search,
                h("div", {"class": "library-filters"},
                  h("label", {"for": "library-folder"}, "Folder"), self.folder,
                  h("label", {"for": "library-kind"}, "Kind"), self.kind),
                self.status,
                self.list,
                h("div", {"class": "dialog-foot"}, h("button", {"type": "button", "data-library": "close"}, "Cancel")),
            ),
        )  # fmt: skip
        dialog.setAttribute("aria-labelledby", "library-title")
        self.files: dict[str, LibraryFile] = {}
        self._asked = 0  # the newest listing asked for; an older answer arriving late is dropped
        self._folders_loaded = False
        for el, event in ((self.search, "input"), (self.folder, "change"), (self.kind, "change")):
            listen(el, event, lambda e: self.spawn(self.refresh()))
        listen(dialog, "click", self._on_click)

    def open(self) -> None:
        self.dialog.showModal()
        self.search.focus()
        self.spawn(self.refresh())

    @property
    def client(self) -> Any:
        return self.assistant.directus.client

    async def refresh(self) -> None:
        from app.directus.errors import DirectusError
        from app.directus.file_library import list_files, list_folders

        client = self.client
        if client is None:
            text(self.status, "Connect to Directus in Settings to attach its files.")
            return
        self._asked += 1
        asked = self._asked
        text(self.status, "Loading…")
        folder: Optional[str] = str(self.folder.value)
        try:
            if not self._folders_loaded:
                self._folders_loaded = True
                for folder_id, name in await list_folders(client):
                    self.folder.appendChild(h("option", {"value": folder_id}, name))
                self.folder.appendChild(h("option", {"value": ""}, "No folder"))
            found = await list_files(
                client, str(self.search.value), None if folder == "*" else folder, str(self.kind.value) or None
            )
        except DirectusError as exc:
            if asked == self._asked:
                clear(self.list)
                text(self.status, "Directus did not list the files: " + exc.message)
            return
        if asked != self._asked:
            return
        self.files = {f.id: f for f in found}
        text(
            self.status,
            "%d file%s you may read." % (len(found), "" if len(found) == 1 else "s") if found else "No files.",
        )
        clear(self.list)
        for f in found:
            self.list.appendChild(
                h("li", None,
                  h("button", {"type": "button", "class": "prompt-choice", "data-file": f.id},
                    h("strong", None, f.name),
                    h("span", {"class": "muted"}, "%s · %s · %s" % (f.filename, f.media_type, _size(f.size)))))
            )  # fmt: skip

    def _on_click(self, event: Event) -> None:
        target: Element = event.target.closest("button") if hasattr(event.target, "closest") else None
        if not hasattr(target, "hasAttribute"):  # not on a button: closest() gave JS null
            return
        if target.hasAttribute("data-library"):
            self.dialog.close()
        elif target.hasAttribute("data-file"):
            chosen = self.files.get(str(target.getAttribute("data-file")))
            if chosen is not None:
                self.dialog.close()
                self.spawn(self._read(chosen))

    async def _read(self, chosen: LibraryFile) -> None:
        from js import File, Object, Uint8Array
        from pyodide.ffi import to_js

        from app.directus.errors import DirectusError
        from app.directus.file_library import read_file

        if not self.room(1):
            return
        self.assistant.files.preparing += 1
        try:
            data, media = await read_file(self.client, chosen)
        except DirectusError as exc:
            self.assistant.add_notice(
                "%s could not be read from Directus: %s" % (chosen.name, exc.message), "error", "attachments"
            )
            return
        finally:
            self.assistant.files.preparing -= 1
        blob = File.new(
            [Uint8Array.new(to_js(data))], chosen.filename, to_js({"type": media}, dict_converter=Object.fromEntries)
        )
        await self.attach(blob, chosen.filename, chosen.id)


def _size(size: Optional[int]) -> str:
    from app.web.views.attachments import size_text

    return "size unknown" if size is None else size_text(size)
