"""`KeyValueStore` over window.localStorage / sessionStorage (the port of app/store/kv.py).

A full storage (the browser's QuotaExceededError) becomes app.store.kv.QuotaExceeded. When the browser refuses
storage altogether (some privacy modes throw SecurityError on access), `open_store` falls back to an
in-memory store and says so, so the app still runs for this tab.

Large values (a long conversation) cross from Python to the page as UTF-16 bytes decoded by the page's TextDecoder:
about 3x faster than handing Pyodide the string. The page side remembers the last large value this tab wrote or read
under a key, so `matches` (did anyone change this entry since?) compares in the page instead of reading it into
Python again.
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


# The page side of large values: (storage, large) -> {get, set, same, forget}. Built once per storage with Function
# (the CSP allows eval for Pyodide); it only moves strings between the storage and a Map, never into the DOM.
_LARGE_JS = """
const kept = new Map();
const decoder = new TextDecoder("utf-16le", { ignoreBOM: true });
return {
  get(key) {  // one read: a large value is remembered as it is handed over
    const text = storage.getItem(key);
    if (text !== null && text.length >= large) kept.set(key, text); else kept.delete(key);
    return text;
  },
  set(key, bytes) { const text = decoder.decode(bytes); storage.setItem(key, text); kept.set(key, text); },
  same(key) { return kept.has(key) && storage.getItem(key) === kept.get(key); },
  forget(key) { kept.delete(key); },
};
"""
LARGE_CHARS = 16_384  # from this size on, a value takes the bytes path and is remembered in the page
_KEEP = 8  # large values remembered (the open conversation and a few recent ones)


class WebStorage:
    def __init__(self, storage: Any):
        self.storage = storage  # window.localStorage or sessionStorage, a JsProxy (no type stubs exist)
        self._large: Any = None  # the page side (_LARGE_JS), made on first use
        self._kept: dict[str, str] = {}  # key -> the large value the page side remembers for it

    def _page(self) -> Any:
        if self._large is None:
            from js import Function

            self._large = Function.new("storage", "large", _LARGE_JS)(self.storage, LARGE_CHARS)
        return self._large

    def _keep(self, key: str, value: Optional[str]) -> None:
        self._kept.pop(key, None)
        if value is None:
            return
        self._kept[key] = value
        while len(self._kept) > _KEEP:
            oldest = next(iter(self._kept))
            del self._kept[oldest]
            self._page().forget(oldest)

    def get(self, key: str) -> Optional[str]:
        value = self._page().get(key)  # the page keeps its own copy of a large value, for `matches`
        value = value if isinstance(value, str) else None  # JS null arrives as None or pyodide's jsnull
        if value is not None and len(value) >= LARGE_CHARS:
            self._keep(key, value)
        else:
            if value is not None and 2 * len(value) >= LARGE_CHARS:
                self._page().forget(key)  # long in UTF-16 units (the page's measure), short in characters
            self._keep(key, None)
        return value

    def set(self, key: str, value: str) -> None:
        data = None
        if len(value) >= LARGE_CHARS:
            try:
                data = value.encode("utf-16-le")
            except UnicodeEncodeError:  # a lone surrogate: only the string path keeps it as it is
                data = None
        try:
            if data is not None:
                from pyodide.ffi import to_js

                self._page().set(key, to_js(data))
                self._keep(key, value)
            else:
                self.storage.setItem(key, value)
                if key in self._kept:
                    self._keep(key, None)
                    self._page().forget(key)
        except JsException as exc:
            if _is_quota(exc):
                raise QuotaExceeded("the browser's storage for this site is full") from None
            raise

    def matches(self, key: str, value: str) -> bool:
        """True when the entry under `key` is `value` (compared in the page when this tab wrote or read it)."""
        kept = self._kept.get(key)
        if kept is not None and (kept is value or kept == value):
            return bool(self._page().same(key))
        return self.get(key) == value

    def remove(self, key: str) -> None:
        self.storage.removeItem(key)
        if key in self._kept:
            self._keep(key, None)
            self._page().forget(key)

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
