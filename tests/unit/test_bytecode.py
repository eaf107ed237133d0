"""The precompiled bytecode the page loads (scripts/app_config.py): the standard library zip, with the pure-Python
packages, and app.zip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import app_config
from app.web import stdlib_rest

ROOT = Path(__file__).resolve().parents[2]

PYC_MAGIC_314 = 3600  # first two bytes of every Python 3.14 .pyc (little-endian); 3.11 writes 3495


def _pyc_header(data: bytes) -> tuple[int, int]:
    """(magic number, flags): flags 0b01 = hash-based, 0b10 = checked against the source."""
    return int.from_bytes(data[:2], "little"), int.from_bytes(data[4:8], "little")


def test_the_stdlib_ships_compiled_what_the_app_imports_and_the_rest_apart():
    assert app_config.write() in (True, False)  # builds .cache/bytecode when missing or stale
    with (
        zipfile.ZipFile(app_config.PYODIDE / "python_stdlib.zip") as vendored,
        zipfile.ZipFile(app_config.STDLIB) as ours,
        zipfile.ZipFile(app_config.STDLIB_REST) as rest,
    ):
        theirs = {i.filename: vendored.read(i) for i in vendored.infolist()}
        shipped = {i.filename: ours.read(i) for i in ours.infolist()}
        later = {i.filename: rest.read(i) for i in rest.infolist()}
    sources = {n for n in theirs if n.endswith(".py")}
    compiled = {n[:-1] for n in shipped if n.endswith(".pyc")} & sources
    # Every module is in exactly one place: compiled at start, or as its source in the rest; nothing else changed.
    assert compiled | (set(later) & sources) == sources and not compiled & set(later)
    assert all(later[n] == theirs[n] for n in later if n in theirs)
    assert {n for n in shipped if not n.endswith(".pyc")} == {n for n in theirs if not n.endswith(".py")} | {
        "_stdlib_rest.py"
    }
    for module in ("asyncio/__init__", "typing", "json/__init__", "dataclasses", "uuid", "zipfile/__init__"):
        assert module + ".pyc" in shipped, f"{module}.py is imported at every start but ships uncompiled"
    assert "encodings/cp1252.py" in later and "pydoc.py" in later  # never imported by the app: not at start
    finder = shipped["_stdlib_rest.py"].decode()
    assert "'encodings.cp1252'" in finder and "'pydoc'" in finder  # it knows the names it answers for
    # and takes only the rest built with it (a page left open across a deploy refuses the next one's)
    rest_bytes = app_config.STDLIB_REST.read_bytes()
    assert "SHA256 = %r" % hashlib.sha256(rest_bytes).hexdigest() in finder
    assert stdlib_rest.own_version(rest_bytes, hashlib.sha256(rest_bytes).hexdigest())
    assert not stdlib_rest.own_version(rest_bytes + b"\0", hashlib.sha256(rest_bytes).hexdigest())
    for name in shipped:
        if name.endswith(".pyc"):
            magic, flags = _pyc_header(shipped[name])
            assert magic >= PYC_MAGIC_314 and flags == 0b01, f"{name}: not an unchecked-hash pyc of Python 3.14+"


def test_the_pure_python_packages_ship_compiled_in_the_same_zip_and_pydantic_core_stays_a_wheel():
    app_config.write()
    with zipfile.ZipFile(app_config.STDLIB) as ours, zipfile.ZipFile(app_config.STDLIB_REST) as rest:
        shipped, later = set(ours.namelist()), set(rest.namelist())
        finder = ours.read("_stdlib_rest.py").decode()
    for module in ("pydantic/__init__", "pydantic/main", "markdown_it/__init__", "mdurl/__init__", "typing_extensions"):
        assert module + ".pyc" in shipped and module + ".py" not in shipped
    # pydantic_core has a binary part: its wheel is loaded (static/interpreter.mjs), nothing of it is in the zip
    assert not any(n.startswith("pydantic_core") for n in shipped | later)
    # the parts of pydantic the app never imports wait in the rest, and the finder answers for them
    assert "pydantic/v1/__init__.py" in later and "pydantic/deprecated/class_validators.py" in later
    assert "'pydantic.v1'" in finder and "'pydantic.deprecated.class_validators'" in finder
    assert not any(n.startswith(("pydantic/v1/", "pydantic/deprecated/")) for n in shipped)


def test_app_zip_carries_a_pyc_only_for_a_source_as_served_and_the_source_otherwise():
    app_config.write()
    sources = {rel: (ROOT / rel).read_bytes() for rel in app_config.app_files()}
    edited = "app/assistant.py"
    sources[edited] += b"\n# edited after the build\n"

    with zipfile.ZipFile(io.BytesIO(app_config.bundle(lambda rel: sources.get(rel)))) as bundle:
        entries = {n: bundle.read(n) for n in bundle.namelist()}
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


def test_interpreter_module_gives_pyodide_the_compiled_stdlib():
    text = (ROOT / "static" / "interpreter.mjs").read_text()
    stdlib = app_config.STDLIB.relative_to(ROOT / "static").as_posix()
    assert f'stdLibURL: new URL("./{stdlib}", import.meta.url)' in text
    assert 'const VENDOR = new URL("./vendor/pyodide/", import.meta.url)' in text and "indexURL: VENDOR.href" in text
    assert 'new URL(`./generated/${py.lockfile.packages["pydantic-core"].file_name}`, import.meta.url)' in text


def test_pydantic_cores_wheel_is_the_vendored_one_with_its_modules_compiled():
    app_config.write()
    name = app_config.core_wheel()
    with (
        zipfile.ZipFile(app_config.PYODIDE / name) as vendored,
        zipfile.ZipFile(app_config.GENERATED / name) as ours,
    ):
        theirs = {n: vendored.read(n) for n in vendored.namelist()}
        shipped = {n: ours.read(n) for n in ours.namelist()}
    added = {n: data for n, data in shipped.items() if n not in theirs}
    assert all(shipped[n] == data for n, data in theirs.items())  # the vendored wheel whole, the binary included
    assert set(added) == {
        "pydantic_core/__pycache__/%s.cpython-314.pyc" % n[len("pydantic_core/") : -3]
        for n in theirs
        if n.startswith("pydantic_core/") and n.count("/") == 1 and n.endswith(".py")
    }
    assert "pydantic_core/__pycache__/core_schema.cpython-314.pyc" in added
    for data in added.values():  # used without a look at the source: no compiling at each start
        magic, flags = _pyc_header(data)
        assert magic >= PYC_MAGIC_314 and flags == 0b01
