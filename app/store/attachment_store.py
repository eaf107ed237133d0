"""The bytes of attachments, kept apart from the conversations, by content address, within a budget of their own.

    store = AttachmentStore(blobs)          # blobs: IndexedDB in the page (app/web/attachment_db.py), a dict in tests
    await store.open()                      # reads the index: which files are kept
    await store.put(sha, data_b64, size)    # True when kept on this device (oldest unused files make room)
    store.kept(sha)                         # known without waiting, once open
    await store.get_many([sha, ...])        # {sha: base64} of those kept (or attached in this page)

Conversations live in localStorage (about 5 MB per origin); an attachment there would fill it and push
conversations out. So a conversation keeps only a file's metadata and a small thumbnail (app/chat/model.py
FilePart), and the bytes live here under the SHA-256 of their content (the same file attached twice is kept once).
The store has its own budget (`BUDGET`); when a new file does not fit, the files used longest ago are dropped
first. A file larger than the whole budget, or refused by a full disk, is not kept: it is sent from memory while
the page stays open, and the conversation says that it is not kept on this device (the user can attach it again).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Callable, Iterable, Optional, Protocol

BUDGET = 200 * 1024 * 1024  # bytes of attachments kept on this device
INDEX = "index"  # the blob holding {sha: [size, last used]}


class BlobError(Exception):
    """A blob store could not do what was asked (blocked, full disk, gone): raised by every BlobStore."""


class BlobStore(Protocol):
    """Text values by key, asynchronously (IndexedDB in the page). Failures raise BlobError (a full disk too)."""

    async def get(self, key: str) -> Optional[str]: ...

    async def put(self, key: str, value: str) -> None: ...

    async def delete(self, key: str) -> None: ...


class MemoryBlobs:
    """Blobs in a dict: tests, and the page when IndexedDB is not available (nothing survives a reload)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> Optional[str]:
        return self.values.get(key)

    async def put(self, key: str, value: str) -> None:
        self.values[key] = value

    async def delete(self, key: str) -> None:
        self.values.pop(key, None)


class AttachmentStore:
    def __init__(self, blobs: BlobStore, budget: int = BUDGET, clock: Callable[[], float] = time.time):
        self.blobs = blobs
        self.budget = budget
        self.clock = clock
        self.index: dict[str, list[float]] = {}  # sha -> [size, last used]
        self.session: dict[str, str] = {}  # files attached in this page that could not be kept: sent from memory
        self.ready = False  # the index has been read: kept() answers
        self._loading: Optional[asyncio.Future[None]] = None

    @property
    def opened(self) -> bool:
        """open() has started (it may still be reading the index)."""
        return self._loading is not None

    async def open(self) -> None:
        """Read the index once; callers that come while it is being read wait for the same read."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        await self._loading

    async def _load(self) -> None:
        try:
            raw = await self.blobs.get(INDEX)
            loaded = json.loads(raw) if raw else {}
        except (BlobError, ValueError):  # an unreadable index: the files are unknown (they show as not kept)
            loaded = {}
        if isinstance(loaded, dict):
            self.index = {
                str(k): [float(v[0]), float(v[1])]
                for k, v in loaded.items()
                if isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)
            }
        self.ready = True

    @property
    def used(self) -> int:
        return int(sum(size for size, _ in self.index.values()))

    def kept(self, sha: str) -> bool:
        return sha in self.index

    def available(self, sha: str) -> bool:
        """Whether a request can carry the file now: kept, or attached in this page."""
        return sha in self.index or sha in self.session

    async def put(self, sha: str, data: str, size: int) -> bool:
        """Keep a file's base64 bytes; False when it is not kept on this device (too big, disk full): then it is
        held in memory for this page (a kept one is read back from the store, so the page's memory stays small)."""
        await self.open()
        kept = await self._keep(sha, data, size)
        if kept:
            self.session.pop(sha, None)
        else:
            self.session[sha] = data
        return kept

    async def _keep(self, sha: str, data: str, size: int) -> bool:
        if sha in self.index:
            self.index[sha][1] = self.clock()
            await self._save_index()
            return True
        if size > self.budget:
            return False
        await self._make_room(size, keep=())
        while True:
            try:
                await self.blobs.put(sha, data)
                break
            except BlobError:  # full disk: drop the oldest file and try again, or give up
                if not await self._drop_oldest(keep=(sha,)):
                    return False
        self.index[sha] = [float(size), self.clock()]
        await self._save_index()
        return True

    async def get_many(self, shas: Iterable[str]) -> dict[str, str]:
        """The base64 bytes of the files available (kept or attached in this page); marks them used now."""
        await self.open()
        found: dict[str, str] = {}
        touched = False
        for sha in dict.fromkeys(shas):
            data = self.session.get(sha)
            if data is None and sha in self.index:
                try:
                    data = await self.blobs.get(sha)
                except BlobError:
                    data = None
                if data is None:  # gone (cleared by the browser): no longer kept
                    del self.index[sha]
                    touched = True
            if data is not None:
                found[sha] = data
                if sha in self.index:
                    self.index[sha][1] = self.clock()
                    touched = True
        if touched:
            await self._save_index()
        return found

    async def _make_room(self, size: int, keep: Iterable[str]) -> None:
        while self.index and self.used + size > self.budget:
            if not await self._drop_oldest(keep):
                return

    async def _drop_oldest(self, keep: Iterable[str]) -> bool:
        keep = set(keep)
        candidates = [(used, sha) for sha, (_, used) in self.index.items() if sha not in keep]
        if not candidates:
            return False
        _, sha = min(candidates)
        del self.index[sha]
        try:
            await self.blobs.delete(sha)
        except BlobError:
            pass
        await self._save_index()
        return True

    async def _save_index(self) -> None:
        try:
            await self.blobs.put(INDEX, json.dumps(self.index, separators=(",", ":")))
        except BlobError:
            pass  # the index is rebuilt as files are attached; a stale one only says "not kept" too often
