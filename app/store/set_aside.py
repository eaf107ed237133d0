"""Stored conversations that could not be read: set aside, reported, never deleted unless the user says so.

An unreadable entry (broken JSON, an invalid conversation) is moved from `da.conv.<id>` to
`da.corrupt.<id>.<ms>` and reported as a `Problem` (app/store/format.py) that the UI shows as a notice with
"download" and "discard" buttons; its summary goes, so the list leaves it out. An entry written by a newer
version of the app is left where it is and only reported. When storage is too full to set an entry aside, it
stays in place and the problem says so.
"""

from __future__ import annotations

from typing import Callable, Optional

from app.store.format import (
    QUARANTINE_PREFIX,
    FormatError,
    Problem,
    conversation_id_of,
    meta_key,
    quarantine,
)
from app.store.kv import KeyValueStore, utf16_len


class SetAside:
    def __init__(self, store: KeyValueStore, clock: Callable[[], float]):
        self.store = store
        self.clock = clock
        self.problems: list[Problem] = []  # reported since the last `take_problems`, each once

    def take_problems(self) -> list[Problem]:
        problems, self.problems = self.problems, []
        return problems

    def conversation(self, key: str, raw: str, error: FormatError) -> None:
        """A conversation entry `key` holding `raw` could not be read: set it aside (or leave it) and report it."""
        cid = conversation_id_of(key) or key
        if error.kind == "newer_version":
            self._report(
                Problem(
                    key,
                    error.kind,
                    (
                        "A conversation (%s) was saved by a newer version of this app and is hidden here: %s. "
                        "Reload the page to get the newer version; the conversation is kept as it is."
                        % (cid, error.detail)
                    ),
                )
            )
            return
        target = quarantine(self.store, key, raw, cid, self.clock())
        if target is not None:
            self.store.remove(meta_key(cid))
            message = (
                "A stored conversation (%s) could not be read: %s. It was set aside, not deleted; you can "
                "download it or discard it with the buttons of this notice." % (cid, error.detail)
            )
        else:
            message = (
                "A stored conversation (%s) could not be read: %s. Storage is too full to set it aside, so it "
                "was left where it is; free some space and reload." % (cid, error.detail)
            )
        self._report(Problem(key, error.kind, message, target))

    def _report(self, problem: Problem) -> None:
        if not any(p.key == problem.key and p.kind == problem.kind for p in self.problems):
            self.problems.append(problem)

    def entries(self) -> list[tuple[str, int]]:
        """(key, characters) of every entry set aside as unreadable."""
        out = []
        for key in self.store.keys():
            if key.startswith(QUARANTINE_PREFIX):
                out.append((key, utf16_len(self.store.get(key) or "")))
        return out

    def read(self, key: str) -> Optional[str]:
        return self.store.get(key) if key.startswith(QUARANTINE_PREFIX) else None

    def discard(self, key: str) -> None:
        if key.startswith(QUARANTINE_PREFIX):
            self.store.remove(key)
