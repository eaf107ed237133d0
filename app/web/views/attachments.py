"""Attachment chips and the ways to attach: the "Attach files" button, drag and drop onto the conversation, an
image pasted into the message box.

A chip shows a file's thumbnail (images; a data: URL checked to be a plain base64 image, shown in an <img> only),
its name (as text) and size; above the box it has a remove button; in a sent message it says when the file is not
kept on this device, with "Attach again". Imported on first use (an attachment, a drop, a paste, the button).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Iterable, Optional

from app.chat.attachments import ACCEPT, limits, room_for
from app.chat.model import FilePart
from app.web.dom import Element, by_id, h, replace_keeping_focus

if TYPE_CHECKING:
    from app.assistant import Assistant
    from app.web.views.file_library import FileLibraryDialog

_THUMBNAIL = re.compile(r"^data:image/(jpeg|png|webp|gif);base64,[A-Za-z0-9+/]+=*$")
KIND_ICONS = {"application/pdf": "PDF"}


def size_text(size: int) -> str:
    if size < 1024:
        return "%d B" % size
    if size < 1024 * 1024:
        return "%d KB" % round(size / 1024)
    return "%.1f MB" % (size / 1024 / 1024)


def chip(part: FilePart, kept: Optional[bool], removable: bool) -> Element:
    if part.thumbnail and _THUMBNAIL.match(part.thumbnail):
        preview = h("img", {"class": "chip-thumb", "alt": ""})
        preview.src = part.thumbnail  # checked above: a base64 image, nothing else
    else:
        label = KIND_ICONS.get(
            part.media_type, part.name.rsplit(".", 1)[-1].upper()[:4] if "." in part.name else "FILE"
        )
        preview = h("span", {"class": "chip-thumb chip-kind", "aria-hidden": "true"}, label)
    item = h(
        "li",
        {"class": "chip" + (" not-kept" if kept is False else ""), "data-sha": part.sha256},
        preview,
        h("span", {"class": "chip-name", "title": part.name}, part.name),
        h("span", {"class": "chip-size"}, size_text(part.size)),
    )
    if removable:
        item.appendChild(
            h(
                "button",
                {"type": "button", "class": "chip-remove", "data-action": "remove-attachment", "data-id": part.sha256,
                 "aria-label": "Remove " + part.name},
                "×",
            )
        )  # fmt: skip
    elif kept is False:
        item.appendChild(h("span", {"class": "chip-note"}, "Not kept on this device"))
        item.appendChild(
            h(
                "button",
                {"type": "button", "class": "link", "data-action": "reattach", "data-id": part.sha256,
                 "aria-label": "Attach again: " + part.name},
                "Attach again",
            )
        )  # fmt: skip
    return item


def chips(files: Iterable[FilePart], kept: Callable[[str], Optional[bool]], removable: bool) -> list[Element]:
    return [chip(f, kept(f.sha256), removable) for f in files]


def sent_chips(files: list[FilePart], kept: Callable[[str], Optional[bool]]) -> Element:
    return h("ul", {"class": "chips message-chips", "aria-label": "Attached files"}, chips(files, kept, False))


class Attaching:
    """The chips above the box and the ways in: picker, drop, paste; "Attach again" for a file not kept."""

    def __init__(self, assistant: Assistant, spawn: Callable[[Coroutine[Any, Any, Any]], None]):
        self.assistant = assistant
        self.spawn = spawn
        self.row = by_id("composer-chips")
        self.input = by_id("attach-input")
        self.input.setAttribute("accept", ACCEPT)
        self._replacing: Optional[str] = None
        self._shown: tuple = ()
        self._library: Optional[FileLibraryDialog] = None

    @property
    def library(self) -> FileLibraryDialog:
        """The "Attach from Directus" dialog (app/web/views/file_library.py), made on first use."""
        if self._library is None:
            from app.web.views.file_library import FileLibraryDialog

            self._library = FileLibraryDialog(
                by_id("files-dialog"), self.assistant, self.spawn, self.attach_one, self.room
            )
        return self._library

    def render(self) -> None:
        files = self.assistant.files
        state = tuple((p.sha256, files.kept(p.sha256)) for p in files.parts)
        if state == self._shown:
            return
        self._shown = state
        pinned = list(self.row.querySelectorAll(".context-chip"))  # the row's other chips (views/context_chips.py)
        replace_keeping_focus(self.row, chips(files.parts, files.kept, True) + pinned)
        self.row.hidden = not self.row.firstElementChild

    def pick(self, replacing: Optional[str] = None) -> None:
        self._replacing = replacing
        self.input.multiple = replacing is None
        self.input.value = ""
        self.input.click()

    def picked(self) -> None:
        files = list(self.input.files)
        self.spawn(self.attach(files, self._replacing))
        self._replacing = None

    def dropped(self, files: Any) -> None:
        self.spawn(self.attach(list(files)))

    def room(self, offered: int) -> int:
        """How many of `offered` files may still be attached to this message (MAX_FILES); a notice for the rest,
        which are not read at all."""
        files = self.assistant.files
        taken, refused = room_for(len(files.parts) + files.preparing, offered)
        if refused:
            self.assistant.add_notice(refused, "error", "attachments")
        return taken

    async def attach(self, files: list[Any], replacing: Optional[str] = None) -> None:
        if replacing is None:
            files = files[: self.room(len(files))]
        for file in files:
            await self.attach_one(file, replacing=replacing)
            if replacing is not None:
                return

    async def attach_one(
        self, file: Any, name: Optional[str] = None, directus_id: Optional[str] = None, replacing: Optional[str] = None
    ) -> None:
        """Prepare one file (a File or Blob) and attach it, or put it in place of a file that was not kept."""
        from app.chat.events import ProviderError
        from app.providers.factory import resolve_model
        from app.web.files import Unreadable, prepare

        a = self.assistant
        ref = a.selected_model()
        try:
            protocol = resolve_model(ref, a.provider_settings()).protocol if ref else "anthropic"
        except ProviderError:
            protocol = "anthropic"
        edge = limits(protocol).image_long_edge  # the selected model's provider's recommended size
        a.files.preparing += 1
        try:
            part, data = await prepare(file, edge, name, directus_id)
        except Unreadable as exc:
            a.add_notice(str(exc), "error", "attachments")
            return
        finally:
            a.files.preparing -= 1
        if replacing is not None:
            a.reattach(replacing, part, data)
        else:
            a.files.add(part, data)
