"""`pyodide._package_loader` as the page ships it (scripts/pyodide_compile.py compiles it in place of Pyodide's, whose
source goes to the rest of the standard library as `pyodide._package_loader_full`).

Pyodide imports its package installer at every start only to read three names of it. The page installs no package
(static/interpreter.mjs writes pydantic_core's files itself), so this stand-in answers those three, and imports the
installer (with shutil, tarfile, tempfile and zipfile: ~45 ms, ~0.1 MB of a first visit) only when anything
else of it is asked for. Not imported by anything here; the build reads it as text.
"""

import os
import sys
from pathlib import Path
from site import getsitepackages
from typing import Any

SITE_PACKAGES = Path(getsitepackages()[0])
# as the installer computes it: /usr/lib, or two folders above site-packages in a virtual environment
DSO_DIR = Path("/usr/lib") if sys.base_prefix == sys.prefix else SITE_PACKAGES.parents[1]


def init_loaded_packages() -> None:
    """Pyodide's record of the packages already installed: none unless a *.dist-info folder is there."""
    if any(name.endswith(".dist-info") for name in os.listdir(SITE_PACKAGES)):
        _installer().init_loaded_packages()


def _installer() -> Any:
    import importlib

    return importlib.import_module("pyodide._package_loader_full")  # Pyodide's own, renamed by the build


def __getattr__(name: str) -> Any:
    if name.startswith("__"):  # `__path__` and the like, which importers look for: this is a module, as the real one
        raise AttributeError(name)
    return getattr(_installer(), name)
