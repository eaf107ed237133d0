"""Settings and secrets in the browser's storage.

The settings document (a JSON-able dict: selected model, tool modes, panel state, endpoints, system
prompt...; its shape is app/settings.py's business) lives in localStorage under `da.settings`. Secrets
(API keys, Directus credentials) live under `da.secrets` either in localStorage, when the user ticks
"remember on this device", or in sessionStorage, which the browser forgets when the tab closes.
Choosing not to remember removes them from localStorage at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from app.json_depth import TooDeep, load_json
from app.store.format import SECRETS_KEY, SETTINGS_KEY, Problem, dumps, quarantine
from app.store.kv import KeyValueStore, MemoryStore, QuotaExceeded

SETTINGS_VERSION = 1


class SettingsNotSaved(Exception):
    """The browser's storage is full; the settings stay in effect for this tab only."""


@dataclass
class StoredSettings:
    settings: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)
    remember: bool = False  # secrets were found in localStorage
    problems: list[Problem] = field(default_factory=list)


class SettingsStore:
    def __init__(
        self, local: KeyValueStore, session: Optional[KeyValueStore] = None, *, clock: Callable[[], float] = time.time
    ):
        self.local = local
        self.session = session if session is not None else MemoryStore()
        self.clock = clock

    def load(self) -> StoredSettings:
        result = StoredSettings()
        result.settings = self._read(self.local, SETTINGS_KEY, "settings", result.problems) or {}
        remembered = self._read(self.local, SECRETS_KEY, "secrets", result.problems)
        if remembered is not None:
            result.secrets, result.remember = remembered, True
        else:
            result.secrets = self._read(self.session, SECRETS_KEY, "secrets", result.problems) or {}
        return result

    def save(self, settings: dict, secrets: dict, remember: bool) -> None:
        """Store both. remember=False keeps secrets in this tab only and removes them from localStorage."""
        settings_text = dumps({"v": SETTINGS_VERSION, "settings": settings})
        secrets_text = dumps({"v": SETTINGS_VERSION, "secrets": secrets})
        try:
            self.local.set(SETTINGS_KEY, settings_text)
            if remember:
                self.local.set(SECRETS_KEY, secrets_text)
                self.session.remove(SECRETS_KEY)
            else:
                self.local.remove(SECRETS_KEY)
                self.session.set(SECRETS_KEY, secrets_text)
        except QuotaExceeded:
            raise SettingsNotSaved(
                "Could not save the settings: browser storage for this site is full. They stay in effect in this "
                "tab; export or delete old conversations to make room, then save again."
            ) from None

    def forget_secrets(self) -> None:
        self.local.remove(SECRETS_KEY)
        self.session.remove(SECRETS_KEY)

    def _read(self, store: KeyValueStore, key: str, field_name: str, problems: list[Problem]) -> Optional[dict]:
        raw = store.get(key)
        if raw is None:
            return None
        detail = None
        try:
            doc = load_json(raw)
        except TooDeep as exc:
            doc, detail = None, str(exc)
        except ValueError as exc:
            doc, detail = None, "not valid JSON (" + str(exc) + ")"
        if detail is None:
            if not isinstance(doc, dict) or not isinstance(doc.get(field_name), dict):
                detail = "not a settings document"
            elif not isinstance(doc.get("v"), int) or doc["v"] > SETTINGS_VERSION:
                detail = "written by a newer version of the app" if isinstance(doc.get("v"), int) else "no version"
        if detail is None:
            return doc[field_name]
        moved = quarantine(store, key, raw, field_name, self.clock())
        what = "saved keys and passwords" if field_name == "secrets" else "saved settings"
        problems.append(
            Problem(
                key,
                "invalid",
                (
                    "The %s could not be read: %s. Defaults are used; %s"
                    % (
                        what,
                        detail,
                        "the old text was set aside, not deleted." if moved else "the old text was left in place.",
                    )
                ),
                moved,
            )
        )
        return None
