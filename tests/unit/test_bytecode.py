"""The precompiled bytecode the page loads (scripts/app_config.py): the standard library zip, with the pure-Python
packages, pydantic_core's files, and app.zip; each a zip of stored entries, gzipped whole."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import app_config
from app.web import stdlib_rest

ROOT = Path(__file__).resolve().parents[2]

PYC_MAGIC_314 = 3600  # first two bytes of every Python 3.14 .pyc (little-endian); 3.11 writes 3495


def unzipped(data: bytes) -> dict[str, bytes]:
    """The entries of a gzipped zip as static/interpreter.mjs reads it: every one stored, none compressed."""
    with zipfile.ZipFile(io.BytesIO(gzip.decompress(data))) as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        return {i.filename: zf.read(i) for i in zf.infolist()}


def entries_of(data: bytes) -> dict[str, bytes]:
    """The entries of a plain zip (the standard library's, which Pyodide loads as it is)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _pyc_header(data: bytes) -> tuple[int, int]:
    """(magic number, flags): flags 0b01 = hash-based, 0b10 = checked against the source."""
    return int.from_bytes(data[:2], "little"), int.from_bytes(data[4:8], "little")


def test_the_stdlib_ships_compiled_what_the_app_imports_and_the_rest_apart():
    assert app_config.write() in (True, False)  # builds .cache/bytecode when missing or stale
    with (
        zipfile.ZipFile(app_config.PYODIDE / "python_stdlib.zip") as vendored,
        zipfile.ZipFile(app_config.STDLIB_REST) as rest,
    ):
        theirs = {i.filename: vendored.read(i) for i in vendored.infolist()}
        later = {i.filename: rest.read(i) for i in rest.infolist()}
    shipped = entries_of(app_config.STDLIB.read_bytes())
    sources = {n for n in theirs if n.endswith(".py")}
    compiled = {n[:-1] for n in shipped if n.endswith(".pyc")} & sources
    # Every module is in exactly one place: compiled at start, or as its source in the rest; nothing else changed.
    assert compiled | (set(later) & sources) == sources and not compiled & set(later)
    assert all(later[n] == theirs[n] for n in later if n in theirs)
    assert {n for n in shipped if not n.endswith(".pyc")} == {n for n in theirs if not n.endswith(".py")}
    for module in ("asyncio/__init__", "typing", "json/__init__", "dataclasses", "uuid"):
        assert module + ".pyc" in shipped, f"{module}.py is imported at every start but ships uncompiled"
    assert "encodings/cp1252.py" in later and "pydoc.py" in later  # never imported by the app: not at start
    # the page installs no package through Pyodide's installer (static/interpreter.mjs writes pydantic_core's files):
    # what only the installer imports waits in the rest
    assert "tarfile.py" in later and "importlib/metadata/__init__.py" in later
    finder = shipped["_stdlib_rest.pyc"]  # compiled too (its list of names took ~30 ms to compile)
    assert b"encodings.cp1252" in finder and b"pydoc" in finder  # it knows the names it answers for
    # and takes only the rest built with it (a page left open across a deploy refuses the next one's)
    rest_bytes = app_config.STDLIB_REST.read_bytes()
    assert hashlib.sha256(rest_bytes).hexdigest().encode() in finder
    assert stdlib_rest.own_version(rest_bytes, hashlib.sha256(rest_bytes).hexdigest())
    assert not stdlib_rest.own_version(rest_bytes + b"\0", hashlib.sha256(rest_bytes).hexdigest())
    for name in shipped:
        if name.endswith(".pyc"):
            magic, flags = _pyc_header(shipped[name])
            assert magic >= PYC_MAGIC_314 and flags == 0b01, f"{name}: not an unchecked-hash pyc of Python 3.14+"


def test_the_pure_python_packages_ship_compiled_in_the_same_zip_and_pydantic_core_apart():
    app_config.write()
    ours = entries_of(app_config.STDLIB.read_bytes())
    shipped, finder = set(ours), ours["_stdlib_rest.pyc"]
    with zipfile.ZipFile(app_config.STDLIB_REST) as rest:
        later = set(rest.namelist())
    for module in ("pydantic/__init__", "pydantic/main", "markdown_it/__init__", "mdurl/__init__", "typing_extensions"):
        assert module + ".pyc" in shipped and module + ".py" not in shipped
    # pydantic_core has a binary part: its files go to site-packages (static/interpreter.mjs), none is in the zip
    assert not any(n.startswith("pydantic_core") for n in shipped | later)
    # the parts of pydantic the app never imports wait in the rest, and the finder answers for them
    assert "pydantic/v1/__init__.py" in later and "pydantic/deprecated/class_validators.py" in later
    assert b"pydantic.v1" in finder and b"pydantic.deprecated.class_validators" in finder
    assert not any(n.startswith(("pydantic/v1/", "pydantic/deprecated/")) for n in shipped)
    # like the standard library: a module the app never imports (nor any schema of its models) is in the rest
    assert "pydantic/color.py" in later and "pydantic/color.pyc" not in shipped


def test_app_zip_carries_a_pyc_only_for_a_source_as_served_and_the_source_otherwise():
    app_config.write()
    sources = {rel: (ROOT / rel).read_bytes() for rel in app_config.app_files()}
    edited = "app/assistant.py"
    sources[edited] += b"\n# edited after the build\n"

    entries = unzipped(app_config.bundle(lambda rel: sources.get(rel)))
    # stale: the page compiles the source it was sent, never runs old code
    assert entries[edited] == sources[edited] and "app/assistant.pyc" not in entries
    assert "app/settings.pyc" in entries and "app/settings.py" not in entries  # current: compiled, no source
    assert "app/__init__.pyc" in entries and "app/web/views/__init__.pyc" in entries  # sourceless packages import
    # PyScript's own package, compiled: first on sys.path, imported instead of the sources PyScript writes
    assert app_config.pyscript_sources(), "the vendored PyScript carries its package differently: update the build"
    assert {"pyscript/__init__.pyc", "pyscript/display.pyc"} <= set(entries)
    pycs = {n: data for n, data in entries.items() if n.endswith(".pyc")}
    assert len(pycs) == len(entries) - 1  # everything else is compiled
    for name, data in pycs.items():
        magic, flags = _pyc_header(data)
        assert magic >= PYC_MAGIC_314 and flags == 0b01, f"{name}: not an unchecked-hash pyc of Python 3.14+"


def test_interpreter_module_loads_what_the_build_wrote():
    text = (ROOT / "static" / "interpreter.mjs").read_text()
    assert 'const GENERATED = new URL("./generated/", import.meta.url)' in text
    for built in (
        app_config.STDLIB,
        app_config.CORE,
        app_config.BUNDLE,
    ):  # the standard library by URL, the others here
        assert built.parent == app_config.GENERATED and f'"{built.name}"' in text
    assert 'const VENDOR = new URL("./vendor/pyodide/", import.meta.url)' in text and "indexURL: VENDOR.href" in text


def test_pydantic_cores_files_are_its_binary_and_its_modules_compiled():
    app_config.write()
    name = next(p.name for p in app_config.PYODIDE.glob("pydantic_core-*.whl"))
    with zipfile.ZipFile(app_config.PYODIDE / name) as vendored:
        theirs = {n: vendored.read(n) for n in vendored.namelist()}
    shipped = unzipped(app_config.CORE.read_bytes())
    binary = next(n for n in theirs if n.endswith(".so"))
    modules = {n for n in theirs if n.endswith(".py")}
    assert modules and shipped[binary] == theirs[binary]  # the vendored binary, as it is
    # each module as a sourceless pyc where its source was; no sources, type stubs or metadata (nothing reads them)
    assert set(shipped) == {binary} | {n + "c" for n in modules}
    assert "pydantic_core/core_schema.pyc" in shipped
    for n in modules:  # used as they are: no compiling at each start
        magic, flags = _pyc_header(shipped[n + "c"])
        assert magic >= PYC_MAGIC_314 and flags == 0b01


def test_the_pages_package_loader_answers_pyodides_start_and_loads_the_installer_only_when_asked(tmp_path, monkeypatch):
    # scripts/pyodide_package_loader.py, shipped as pyodide._package_loader; Pyodide's own is in the rest
    assert "pyodide/_package_loader_full.py" in zipfile.ZipFile(app_config.STDLIB_REST).namelist()
    assert b"_package_loader_full" in entries_of(app_config.STDLIB.read_bytes())["pyodide/_package_loader.pyc"]
    import importlib.util
    import site
    import sys
    import types

    monkeypatch.setattr(site, "getsitepackages", lambda: [str(tmp_path)])
    spec = importlib.util.spec_from_file_location("page_loader", app_config.PACKAGE_LOADER)
    assert spec is not None and spec.loader is not None
    loader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    # what Pyodide reads at start: str() of each (it calls __str__ on them from JavaScript)
    assert str(loader.SITE_PACKAGES) == str(tmp_path)
    assert str(loader.DSO_DIR) == ("/usr/lib" if sys.base_prefix == sys.prefix else str(tmp_path.parents[1]))
    calls = []
    full = types.ModuleType("pyodide._package_loader_full")
    full.__path__ = []  # were dunders passed on, the stand-in would look like a package
    full.unpack_buffer = lambda *a: calls.append(("unpack_buffer", a))  # type: ignore[attr-defined]  # a stand-in module
    full.init_loaded_packages = lambda: calls.append(("init_loaded_packages", ()))  # type: ignore[attr-defined]  # a stand-in module
    package = types.ModuleType("pyodide")
    package._package_loader_full = full  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "pyodide", package)
    monkeypatch.setitem(sys.modules, "pyodide._package_loader_full", full)
    loader.init_loaded_packages()  # nothing installed: the installer is not needed
    assert calls == []
    (tmp_path / "x-1.0.dist-info").mkdir()
    loader.init_loaded_packages()  # something installed: Pyodide's own records it
    loader.unpack_buffer(b"wheel")  # anything else is the installer's
    assert calls == [("init_loaded_packages", ()), ("unpack_buffer", (b"wheel",))]
    assert not hasattr(loader, "__path__")  # an importer looking for it does not load the installer
