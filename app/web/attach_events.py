"""The page events that attach files: the picker's choice, a drop onto the conversation, an image pasted into the
message box. Wired at start; what they do (app/web/views/attachments.py) is imported on the first one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional

from app.web.dom import Element, Event, by_id, listen

if TYPE_CHECKING:
    from app.assistant import Assistant
    from app.store.attachment_store import BlobStore
    from app.web.views.attachments import Attaching


def open_indexed_blobs() -> BlobStore:
    """The attachment store's blobs in IndexedDB (app/web/attachment_db.py), imported when first needed."""
    from app.web.attachment_db import IndexedBlobs

    return IndexedBlobs()


class AttachEvents:
    """The events wired at start; the view that handles them (and draws the chips above the box) made on first use."""

    def __init__(
        self,
        assistant: Assistant,
        spawn: Callable[[Coroutine[Any, Any, Any]], None],
        drop_zone: Element,
        textarea: Element,
    ):
        self.assistant, self.spawn = assistant, spawn
        self._view: Optional[Attaching] = None
        wire_attach_events(by_id("attach-input"), drop_zone, textarea, lambda: self.view)

    @property
    def view(self) -> Attaching:
        if self._view is None:
            from app.web.views.attachments import Attaching

            self._view = Attaching(self.assistant, self.spawn)
        return self._view

    def render(self) -> None:
        if self._view is not None or self.assistant.files.parts:
            self.view.render()


def wire_attach_events(
    picker: Element, drop_zone: Element, textarea: Element, attaching: Callable[[], Attaching]
) -> None:
    def on_drag(event: Event) -> None:
        types = event.dataTransfer.types if event.dataTransfer else None
        if types is not None and "Files" in list(types):
            event.preventDefault()  # allows the drop
            drop_zone.classList.add("drop-target")

    def on_drop(event: Event) -> None:
        drop_zone.classList.remove("drop-target")
        files = event.dataTransfer.files if event.dataTransfer else None
        if files is not None and files.length:
            event.preventDefault()  # the browser would open the file instead
            attaching().dropped(files)

    def on_paste(event: Event) -> None:
        files = event.clipboardData.files if event.clipboardData else None
        images = [f for f in (list(files) if files else []) if str(f.type).startswith("image/")]
        if images:
            event.preventDefault()  # the image is attached; a text pastes as usual
            attaching().dropped(images)

    listen(picker, "change", lambda e: attaching().picked())
    listen(drop_zone, "dragover", on_drag)
    listen(drop_zone, "dragleave", lambda e: drop_zone.classList.remove("drop-target"))
    listen(drop_zone, "drop", on_drop)
    listen(textarea, "paste", on_paste)
