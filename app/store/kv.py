"""The key-value port the stores stand on: `window.localStorage` in the browser (app/web/local_storage.py),
`MemoryStore` in tests and when localStorage is unavailable. Like browsers, a quota counts UTF-16 units of keys
plus values, and a write that does not fit raises `QuotaExceeded` (the old value stays).
"""

from __future__ import annotations

from typing import Optional, Protocol


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of the browser's localStorage quota."""
    return len(text.encode("utf-16-le")) // 2


# Browsers allow about 5 Mi UTF-16 code units per origin, keys and values together.
DEFAULT_QUOTA_CHARS = 5 * 1024 * 1024


class QuotaExceeded(Exception):
    """The store refused a write because it is full (the browser's QuotaExceededError)."""


class KeyValueStore(Protocol):
    def get(self, key: str) -> Optional[str]: ...

    def set(self, key: str, value: str) -> None:
        """Store `value` under `key`; raise QuotaExceeded when it does not fit (the old value stays)."""
        ...

    def remove(self, key: str) -> None: ...

    def keys(self) -> list[str]: ...

    def matches(self, key: str, value: str) -> bool:
        """True when the entry under `key` is exactly `value` (cheaper than `get` for a large entry this side
        wrote or read: a save checks that no other tab wrote since)."""
        ...


class MemoryStore:
    """A dict with an optional quota counted like browsers do: UTF-16 units of keys plus values."""

    def __init__(self, quota_chars: Optional[int] = None, data: Optional[dict[str, str]] = None):
        self.quota_chars = quota_chars
        self.data: dict[str, str] = dict(data or {})
        self._used = sum(utf16_len(k) + utf16_len(v) for k, v in self.data.items())

    @property
    def used_chars(self) -> int:
        return self._used

    def get(self, key: str) -> Optional[str]:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("values are strings")
        old = self.data.get(key)
        after = self._used + utf16_len(value) - (utf16_len(old) if old is not None else -utf16_len(key))
        if self.quota_chars is not None and after > self.quota_chars:
            raise QuotaExceeded(
                "storing %d characters under %r would exceed the quota of %d" % (len(value), key, self.quota_chars)
            )
        self.data[key] = value
        self._used = after

    def remove(self, key: str) -> None:
        old = self.data.pop(key, None)
        if old is not None:
            self._used -= utf16_len(key) + utf16_len(old)

    def keys(self) -> list[str]:
        return list(self.data)

    def matches(self, key: str, value: str) -> bool:
        return self.data.get(key) == value
