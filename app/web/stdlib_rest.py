"""The rest of the standard library, fetched the first time it is needed.

The page starts with only the modules the app imports, compiled (static/generated/python_stdlib.zip); every other
module of the standard library is in static/generated/python_stdlib_rest.zip (both written by
scripts/app_config.py). This finder, last on `sys.meta_path`, answers for those names only: the first such import
fetches the rest (one synchronous request, a few hundred kB) and every later one reads it from memory.

Shipped twice: as `_stdlib_rest` inside python_stdlib.zip, installed by static/interpreter.mjs right after Pyodide
starts (before PyScript or the app import anything), and here, where it is read and checked.
"""

from __future__ import annotations

import sys
import zipimport
from importlib.machinery import ModuleSpec
from typing import Optional, Sequence

NAMES: frozenset[str] = frozenset()  # the modules in the rest zip (scripts/app_config.py fills it in the copy)
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
            with open(TARGET, "wb") as out:
                out.write(str(request.responseText).encode("utf-16-le")[::2])
            self.fetched = True
        return True


def install(url: str) -> None:
    if not any(isinstance(finder, RestOfStdlib) for finder in sys.meta_path):
        sys.meta_path.append(RestOfStdlib(url, NAMES))
