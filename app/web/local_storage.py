"""`KeyValueStore` over window.localStorage / sessionStorage (the port of app/store/kv.py).

A full storage (the browser's QuotaExceededError) becomes app.store.kv.QuotaExceeded. When the browser refuses
storage altogether (some privacy modes throw SecurityError on access), `open_store` falls back to an
in-memory store and says so, so the app still runs for this tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from pyodide.ffi import JsException

from app.store.kv import MemoryStore, QuotaExceeded

if TYPE_CHECKING:
    from app.store.kv import KeyValueStore


def _is_quota(exc: BaseException) -> bool:
    error = getattr(exc, "js_error", None)
    try:
        return error is not None and (error.name == "QuotaExceededError" or int(error.code) in (22, 1014))
    except Exception:  # noqa: BLE001 - a JS error without a usable name or code: judge by its message
        return "quota" in str(exc).lower()


class WebStorage:
    def __init__(self, storage: Any):
        self.storage = storage  # window.localStorage or sessionStorage, a JsProxy (no type stubs exist)

    def get(self, key: str) -> Optional[str]:
        value = self.storage.getItem(key)
        return value if isinstance(value, str) else None  # JS null arrives as None or pyodide's jsnull

    def set(self, key: str, value: str) -> None:
        try:
            self.storage.setItem(key, value)
        except JsException as exc:
            if _is_quota(exc):
                raise QuotaExceeded("the browser's storage for this site is full") from None
            raise

    def remove(self, key: str) -> None:
        self.storage.removeItem(key)

    def keys(self) -> list[str]:
        storage = self.storage
        return [str(storage.key(i)) for i in range(int(storage.length))]


def open_store(name: str) -> tuple[KeyValueStore, str]:
    """(store, problem): "localStorage" or "sessionStorage", or a MemoryStore and why."""
    from js import window

    try:
        storage = getattr(window, name)
        storage.getItem("da.probe")
        return WebStorage(storage), ""
    except Exception as exc:  # noqa: BLE001 - SecurityError, missing storage
        return MemoryStore(), (
            "The browser does not let this page use %s (%s): conversations and settings last only "
            "until this tab closes." % (name, str(exc).splitlines()[0] if str(exc) else "blocked")
        )


def ask_to_persist() -> None:
    """Ask the browser to keep this site's storage under storage pressure instead of evicting it (what a
    "best-effort" origin risks). Asked on the first message a tab sends, not at start: Firefox shows a prompt."""
    from js import navigator

    storage = getattr(navigator, "storage", None)
    if storage is None or not hasattr(storage, "persist"):
        return
    try:
        storage.persist()  # a promise; whether it is granted changes nothing here
    except Exception:  # noqa: BLE001 - an old or locked-down browser: the storage stays best-effort
        pass
