"""The files attached to the message being written, and where every attachment's bytes are kept.

    files.add(part, data_b64)     # a prepared file (app/web/files.py): a chip above the box; its bytes go to the store
    files.remove(sha)             # the chip's remove button
    files.take()                  # the parts to send with the message (the chips are cleared)
    files.kept(sha)               # True / False once the store has been read, None before (the view asks again)
    await files.load(history)     # the bytes a request carries (the agent's `files`)

The store (app/store/attachment_store.py) is opened on first use, so a page without attachments never touches it.
A file the store could not keep is still sent from memory while the page is open; the chip says it is not kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from app.chat.model import FilePart, Message

if TYPE_CHECKING:
    from app.hub import Hub
    from app.store.attachment_store import AttachmentStore, BlobStore


class PendingFiles:
    def __init__(self, hub: Hub, open_blobs: Optional[Callable[[], BlobStore]] = None):
        self.hub = hub
        self.open_blobs = open_blobs  # None: the bytes are kept in memory only (tests, no IndexedDB)
        self.parts: list[FilePart] = []
        self.preparing = 0  # files being read and scaled in the page (app/web/views/attachments.py)
        self._store: Optional[AttachmentStore] = None

    @property
    def store(self) -> AttachmentStore:
        if self._store is None:
            from app.store.attachment_store import AttachmentStore, BlobError, MemoryBlobs

            blobs: BlobStore = MemoryBlobs()
            if self.open_blobs is not None:
                try:
                    blobs = self.open_blobs()
                except BlobError:
                    self.hub.add_notice(
                        "This browser does not let the page keep attachments (IndexedDB is blocked): they are sent "
                        "while the page is open and not kept after a reload.",
                        "warning",
                        "attachments-store",
                    )
            self._store = AttachmentStore(blobs)
        return self._store

    def add(self, part: FilePart, data: str) -> None:
        if any(p.sha256 == part.sha256 for p in self.parts):
            return
        self.parts.append(part)
        self.hub.notify("conversation")
        self.hub.spawn(self._keep(part, data))

    async def _keep(self, part: FilePart, data: str) -> None:
        kept = await self.store.put(part.sha256, data, part.size)
        if not kept:
            self.hub.add_notice(
                "%s is not kept on this device (too large for the attachment storage, or the disk is full). It is "
                "sent while this page stays open; after a reload, attach it again." % part.name,
                "warning",
                "attachment-not-kept",
            )
        self.hub.notify("conversation")

    def remove(self, sha: str) -> None:
        self.parts = [p for p in self.parts if p.sha256 != sha]
        self.hub.notify("conversation")

    def take(self) -> list[FilePart]:
        parts, self.parts = self.parts, []
        if parts:
            self.hub.notify("conversation")
        return parts

    def kept(self, sha: str) -> Optional[bool]:
        """Whether a file's bytes are on this device; None until the store has been read (then it is read)."""
        store = self.store
        if not store.opened:
            self.hub.spawn(self._open())
            return None
        return store.available(sha)

    async def _open(self) -> None:
        if not self.store.opened:
            await self.store.open()
            self.hub.notify("conversation")

    async def load(self, history: list[Message]) -> dict[str, str]:
        shas = [f.sha256 for m in history for f in m.files]
        return await self.store.get_many(shas) if shas else {}

    def replace(self, messages: list[Message], old: str, part: FilePart, data: str) -> int:
        """Attach a file again in place of one that was not kept: every part with the old content address takes
        the new file's. How many parts changed."""
        changed = 0
        for message in messages:
            for i, p in enumerate(message.parts):
                if isinstance(p, FilePart) and p.sha256 == old:
                    message.parts[i] = part
                    changed += 1
        if changed:
            self.hub.spawn(self._keep(part, data))
        return changed
