"""The precompiled bytecode the page loads (scripts/app_config.py): the standard library zip and app.zip's pyc/."""

from __future__ import annotations

import hashlib
import io
import json
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
    compiled = {n[:-1] for n in shipped if n.endswith(".pyc")}
    # Every module is in exactly one place: compiled at start, or as its source in the rest; nothing else changed.
    assert compiled | set(later) == sources and not compiled & set(later)
    assert all(later[n] == theirs[n] for n in later)
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


def test_app_zip_carries_checked_pycs_only_for_sources_as_served():
    app_config.write()
    manifest = json.loads((app_config.BYTECODE / "manifest.json").read_text())
    sources = {rel: (ROOT / rel).read_bytes() for rel in app_config.app_files()}
    edited = "app/assistant.py"
    sources[edited] += b"\n# edited after the build\n"

    with zipfile.ZipFile(io.BytesIO(app_config.bundle(lambda rel: sources.get(rel)))) as bundle:
        names = set(bundle.namelist())
        pycs = {n: bundle.read(n) for n in names if n.startswith("pyc/")}
    assert manifest["app"][edited]["pyc"] not in names  # stale: the page compiles the source, never runs old code
    assert manifest["app"]["app/settings.py"]["pyc"] in names
    assert any(n.startswith("pyc/lib/python3.14/site-packages/pydantic/") for n in names)
    for name, data in pycs.items():
        magic, flags = _pyc_header(data)
        assert magic >= PYC_MAGIC_314 and flags == 0b11, f"{name}: not a checked-hash pyc of Python 3.14+"


def test_interpreter_module_gives_pyodide_the_compiled_stdlib():
    text = (ROOT / "static" / "interpreter.mjs").read_text()
    stdlib = app_config.STDLIB.relative_to(ROOT / "static").as_posix()
    assert f'stdLibURL: new URL("./{stdlib}", import.meta.url)' in text
    assert 'indexURL: new URL("./vendor/pyodide/", import.meta.url)' in text
