"""The precompiled bytecode the page loads (scripts/app_config.py): the standard library zip and app.zip's pyc/."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import app_config

ROOT = Path(__file__).resolve().parents[2]

PYC_MAGIC_314 = 3600  # first two bytes of every Python 3.14 .pyc (little-endian); 3.11 writes 3495


def _pyc_header(data: bytes) -> tuple[int, int]:
    """(magic number, flags): flags 0b01 = hash-based, 0b10 = checked against the source."""
    return int.from_bytes(data[:2], "little"), int.from_bytes(data[4:8], "little")


def test_the_compiled_stdlib_is_the_vendored_one_plus_pycs_of_the_modules_the_app_imports():
    assert app_config.write() in (True, False)  # builds .cache/bytecode when missing or stale
    with (
        zipfile.ZipFile(app_config.PYODIDE / "python_stdlib.zip") as vendored,
        zipfile.ZipFile(app_config.STDLIB) as ours,
    ):
        theirs = {i.filename: vendored.read(i) for i in vendored.infolist()}
        shipped = {i.filename: ours.read(i) for i in ours.infolist()}
    for name, data in theirs.items():
        assert shipped[name] == data, f"{name} differs from the vendored standard library"
    extra = set(shipped) - set(theirs)
    assert extra and all(n.endswith(".pyc") and n[:-1] in theirs for n in extra)  # "x.pyc" next to "x.py"
    for module in ("asyncio/__init__", "typing", "json/__init__", "dataclasses", "uuid", "zipfile/__init__"):
        assert module + ".pyc" in shipped, f"{module}.py is imported at every start but ships uncompiled"
    for name in extra:
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
