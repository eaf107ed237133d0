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

from typing import TYPE_CHECKING, Callable, Iterable, Optional

from app.chat.model import Conversation, FilePart, Message

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
        if not store.ready:
            if not store.opened:
                self.hub.spawn(self._open())
            return None
        return store.available(sha)

    async def _open(self) -> None:
        await self.store.open()
        self.hub.notify("conversation")  # the chips can now say which files are kept

    async def load(self, history: list[Message], protocol: str = "responses") -> dict[str, str]:
        """The bytes a request carries: newest files first, within the protocol's limits per request (older images
        and PDFs past them are marked LEFT_OUT; the model reads a note instead, app/providers/user_content.py)."""
        from app.chat.attachments import LEFT_OUT, kind_of, limits

        files = [f for m in reversed(history) for f in reversed(m.files)]
        if not files:
            return {}
        found = await self.store.get_many(f.sha256 for f in files)
        lim = limits(protocol)
        total = images = 0
        for f in files:
            kind = kind_of(f.media_type)
            if f.sha256 not in found or kind not in ("image", "pdf"):
                continue
            total += f.size
            images += kind == "image"
            if total > lim.request_bytes or images > lim.images_per_request:
                found[f.sha256] = LEFT_OUT
        return found

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


def _file_shas(value: object) -> list[str]:
    """The content addresses of every file part in exported JSON (messages, and the versions kept with them)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("kind") == "file" and isinstance(item.get("sha256"), str):
                found.append(item["sha256"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return list(dict.fromkeys(found))


async def with_attachments(export_text: str, store: AttachmentStore) -> str:
    """A JSON export with the bytes of its attachments kept on this device under "attachments" ({sha: base64});
    a file not kept here is left out (its conversation says so after an import, as here)."""
    import json

    from app.store.format import dumps

    doc = json.loads(export_text)
    doc["attachments"] = await store.get_many(_file_shas(doc.get("conversations")))
    return dumps(doc)


async def keep_imported(text: str, store: AttachmentStore, imported: Iterable[Conversation]) -> int:
    """Keep the attachments an imported export carries for the conversations actually imported (`imported`: none
    when the import failed). Only bytes a file part of those refers to are taken, whose SHA-256 is their key (a file
    cannot claim another's address) and whose length is the part's size. How many were kept."""
    import base64
    import binascii
    import hashlib

    from app.json_depth import load_json

    try:
        doc = load_json(text)
    except ValueError:
        return 0
    files = doc.get("attachments") if isinstance(doc, dict) else None
    if not isinstance(files, dict):
        return 0
    sizes = {p.sha256: p.size for c in imported for m in c.messages for p in m.parts if isinstance(p, FilePart)}
    kept = 0
    for sha, data in files.items():
        if not isinstance(sha, str) or not isinstance(data, str) or sha not in sizes:
            continue
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(raw) != sizes[sha] or hashlib.sha256(raw).hexdigest() != sha:
            continue
        if await store.put(sha, data, len(raw)):
            kept += 1
    return kept
