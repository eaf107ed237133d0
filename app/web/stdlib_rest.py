"""The rest of the standard library, fetched the first time it is needed.

The page starts with only the modules the app imports, compiled (static/generated/python_stdlib.zip); every other
module of the standard library, and the parts of pydantic the app never imports (v1, deprecated, experimental), is
in static/generated/python_stdlib_rest.zip (both written by scripts/app_config.py). This finder, last on `sys.meta_path`, answers for those names only: the first such import
fetches the rest (one synchronous request, about 1.5 MB) and every later one reads it from memory.

Shipped twice: as `_stdlib_rest` inside python_stdlib.zip, installed by static/interpreter.mjs right after Pyodide
starts (before PyScript or the app import anything), and here, where it is read and checked. The copy also
carries the sha256 of the rest zip built with it: a page left open across a deploy refuses the new deploy's rest
(the import fails) rather than run a mix of two versions. (A synchronous request bypasses the service worker in
Chromium, so this check, not sw.js, is what keeps the versions apart here.)
"""

from __future__ import annotations

import sys
import zipimport
from importlib.machinery import ModuleSpec
from typing import Optional, Sequence

NAMES: frozenset[str] = frozenset()  # the modules in the rest zip (scripts/app_config.py fills it in the copy)
SHA256 = ""  # the rest zip's sha256, filled in the copy likewise
TARGET = "/lib/python_stdlib_rest.zip"


class RestOfStdlib:
    def __init__(self, url: str, names: frozenset[str]):
        self.url = url
        self.names = names
        self.fetched = False

    def find_spec(self, name: str, path: Optional[Sequence[str]] = None, target: object = None) -> Optional[ModuleSpec]:
        if name not in self.names or not self._fetch():
            return None
        folder = "/".join([TARGET, *name.split(".")[:-1]])
        return zipimport.zipimporter(folder).find_spec(name)

    def _fetch(self) -> bool:
        if not self.fetched:
            from js import XMLHttpRequest

            request = XMLHttpRequest.new()
            request.open("GET", self.url, False)  # an import cannot wait: synchronous, once
            # Bytes through a text response (a synchronous request in a page may not ask for binary): each byte
            # arrives as one UTF-16 unit whose low byte it is.
            request.overrideMimeType("text/plain; charset=x-user-defined")
            request.send()
            if request.status != 200:
                return False
            data = str(request.responseText).encode("utf-16-le")[::2]
            if not own_version(data):
                return False
            with open(TARGET, "wb") as out:
                out.write(data)
            self.fetched = True
        return True


def own_version(data: bytes, expected: Optional[str] = None) -> bool:
    """Whether `data` is the rest zip this page's version was built with (anything, where no hash was filled in)."""
    import hashlib  # here: it takes ~20 ms to import, and most starts never fetch the rest

    expected = SHA256 if expected is None else expected
    return not expected or hashlib.sha256(data).hexdigest() == expected


def install(url: str) -> None:
    if not any(isinstance(finder, RestOfStdlib) for finder in sys.meta_path):
        sys.meta_path.append(RestOfStdlib(url, NAMES))
