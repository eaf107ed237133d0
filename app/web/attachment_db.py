"""The attachment store's blobs in IndexedDB (database "directus-assistant-files", object store "blobs").

IndexedDB has its own quota (a share of the disk, far more than localStorage's 5 MB), so attachments never compete
with the conversations. Values are base64 text. Every failure (blocked storage, a full disk, a closed database)
is raised as BlobError; app/store/attachment_store.py decides what to do.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Optional

import js
from pyodide.ffi import create_proxy

from app.store.attachment_store import BlobError

DATABASE = "directus-assistant-files"
STORE = "blobs"


def _settle(target: Any, ok: str, fail: tuple[str, ...], value: Callable[[], Any]) -> "asyncio.Future[Any]":
    """A future for an IndexedDB request or transaction: its `ok` event gives value(), any `fail` event an error."""
    future: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
    proxies: list[Any] = []

    def done(result: Any = None, error: Optional[str] = None) -> None:
        for proxy in proxies:
            proxy.destroy()
        if future.done():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(BlobError(error))

    def on_ok(_event: Any) -> None:
        done(value())

    def on_fail(_event: Any) -> None:
        err = getattr(target, "error", None)
        done(error=str(getattr(err, "name", None) or "IndexedDB error"))

    proxies.append(create_proxy(on_ok))
    target.addEventListener(ok, proxies[0])
    for name in fail:
        proxies.append(create_proxy(on_fail))
        target.addEventListener(name, proxies[-1])
    return future


class IndexedBlobs:
    def __init__(self) -> None:
        if not hasattr(js, "indexedDB") or js.indexedDB is None:
            raise BlobError("IndexedDB is not available")
        self._db: Any = None
        self._upgrade: Any = None

    async def _open(self) -> Any:
        if self._db is not None:
            return self._db
        try:
            request = js.indexedDB.open(DATABASE, 1)
        except Exception as exc:  # noqa: BLE001 - a SecurityError where storage is blocked
            raise BlobError(str(exc)) from None

        def upgrade(_event: Any) -> None:
            db = request.result
            if not db.objectStoreNames.contains(STORE):
                db.createObjectStore(STORE)

        self._upgrade = create_proxy(upgrade)
        request.addEventListener("upgradeneeded", self._upgrade)
        self._db = await _settle(request, "success", ("error", "blocked"), lambda: request.result)
        return self._db

    async def _run(self, mode: str, act: Callable[[Any], Any]) -> Any:
        db = await self._open()
        try:
            tx = db.transaction(STORE, mode)
            request = act(tx.objectStore(STORE))
        except Exception as exc:  # noqa: BLE001 - a DOMException from a closed database
            raise BlobError(str(exc)) from None
        result = _settle(request, "success", ("error",), lambda: request.result)
        try:
            await _settle(tx, "complete", ("error", "abort"), lambda: None)  # a full disk aborts the transaction
        finally:
            if result.done() and not result.cancelled():
                result.exception()  # read, so that a failed request is not reported as never retrieved
            else:
                result.cancel()
        return await result

    async def get(self, key: str) -> Optional[str]:
        value = await self._run("readonly", lambda store: store.get(key))
        return value if isinstance(value, str) else None

    async def put(self, key: str, value: str) -> None:
        await self._run("readwrite", lambda store: store.put(value, key))

    async def delete(self, key: str) -> None:
        await self._run("readwrite", lambda store: store.delete(key))
