#!/usr/bin/env python3
"""Write static/generated/: app.zip.gzip with app/, and the compiled Python the page loads (static/interpreter.mjs).

app.zip.gzip holds the whole app package (one request instead of one per module), so a new module ships without
editing any list; the page imports app/ from it where it lies. scripts/setup writes these files for static hosting;
scripts/serve.py builds app.zip.gzip on each request, so what you serve in development is never stale.

Bytecode: Pyodide ships its standard library as sources only and installs wheels as sources, so every start
would compile every module it imports (~0.7 s for the standard library alone, ~0.3 s more for pydantic, markdown-it
and app/). So the build has the vendored Pyodide itself (run under Node: the same Python, the same bytecode format)
compile them (scripts/pyodide_compile.py), cached in .cache/bytecode/ and rebuilt when the vendored files, app/ or
the build scripts change (~5 s, and ~15 s of compressing when the standard library's part changed):
- static/generated/python_stdlib.zip: the standard-library modules the app imports and the pure-Python packages
  (pydantic, markdown-it, ...), as .pyc without their sources; static/interpreter.mjs hands it to Pyodide as its
  standard library. Pyodide's package installer is not among them: PACKAGE_LOADER stands in for it.
- static/generated/pydantic_core.zip.gzip: pydantic_core (it has a binary part, which cannot load from a zip): its
  binary and its modules compiled, which static/interpreter.mjs writes into site-packages.
- static/generated/python_stdlib_rest.zip: the sources of every other module, fetched on first import by
  app/web/stdlib_rest.py's finder (which the page installs). The wheels stay vendored (this build reads them) but
  are never sent to the browser.
- app.zip.gzip: each app/ module as its .pyc when that was compiled from the very source being served, else as its
  source (an app/ file edited since the last build simply ships as source, and never runs old code).
The .gzip files are zips of stored entries, gzipped whole (see `_gzip`), which the page gunzips. (Not named .gz:
some hosts send a .gz with "Content-Encoding: gzip", so the browser would gunzip it and the service worker would
find its sha256 changed.)
Node comes with npm, which scripts/setup installs to vendor Pyodide.

Usage: scripts/app_config.py            (prints what it compiled; rewrites only what changed)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "static" / "generated"
BUNDLE = GENERATED / "app.zip.gzip"
APP = ROOT / "app"
PYODIDE = ROOT / "static" / "vendor" / "pyodide"
BYTECODE = ROOT / ".cache" / "bytecode"  # app_pyc.zip (entries "app/x.pyc"), the two stdlib zips, manifest.json
COMPILER = ROOT / "scripts" / "pyodide_compile.py"  # what Pyodide runs to compile them
PACKAGE_LOADER = ROOT / "scripts" / "pyodide_package_loader.py"  # the page's pyodide._package_loader
PYSCRIPT = ROOT / "static" / "vendor" / "pyscript"
STDLIB = GENERATED / "python_stdlib.zip"  # the compiled standard library the page loads (static/interpreter.mjs)
CORE = GENERATED / "pydantic_core.zip.gzip"  # pydantic_core's binary and pycs, which the page writes to site-packages
STDLIB_REST = GENERATED / "python_stdlib_rest.zip"  # the modules it lacks, fetched on first import
# Standard-library modules the page imports that the build cannot see by importing app/ under Node.
EXTRA_STDLIB = ("encodings.utf_16_le", "encodings.latin_1", "encodings.ascii")
# Parts of those packages the app never imports: their sources go to the rest. Not counted by import like the standard
# library's: pydantic imports some of its own only when a schema needs them. So these are the parts nothing imports
# unless asked by name: pydantic's v1, deprecated and experimental APIs (and their stand-ins at v1's old names), its
# mypy plugin and Color, markdown-it's command line, annotated-types' test cases.
SKIP_COMPILE = (
    *("pydantic/v1/", "pydantic/deprecated/", "pydantic/experimental/", "pydantic/_internal/_decorators_v1.py"),
    *(
        "pydantic/%s.py" % n
        for n in ("class_validators", "datetime_parse", "decorator", "env_settings", "error_wrappers")
    ),
    *("pydantic/%s.py" % n for n in ("generics", "json", "parse", "schema", "tools", "typing", "utils", "validators")),
    *("pydantic/mypy.py", "pydantic/color.py", "pydantic/_internal/_git.py"),
    *("markdown_it/cli/", "annotated_types/test_cases.py"),
)
# The pure-Python packages compiled into python_stdlib.zip, with their dependencies (names in the vendored lock).
SITE_PACKAGES = ("pydantic", "markdown-it-py")


def app_files() -> list[str]:
    """Every file the browser needs from app/, as paths relative to the repository root."""
    files = []
    for path in APP.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}:
            files.append(path.relative_to(ROOT).as_posix())
    return sorted(files)


_bundles: dict[str, bytes] = {}  # recent bundles by the digest of their inputs (scripts/serve.py asks on each load)


def bundle(read: Optional[Callable[[str], Optional[bytes]]] = None, names: Optional[list[str]] = None) -> bytes:
    """app.zip.gzip: entries "app/..." in a fixed order with fixed times, so equal sources give equal bytes; a module
    compiled from the very source being served goes as its .pyc instead (see `compiled_app`).
    `read(path)` returns a file's bytes or None to leave it out (tests serve broken copies this way)."""
    read = read or (lambda rel: (ROOT / rel).read_bytes())
    sources: dict[str, bytes] = {}
    for rel in sorted(names if names is not None else app_files()):
        data = read(rel)
        if data is not None:
            sources[rel] = data
    digest = hashlib.sha256()
    for rel, data in sources.items():
        digest.update(b"%d:%s:%d:" % (len(rel), rel.encode(), len(data)) + data)
    manifest = BYTECODE / "manifest.json"
    digest.update(str(manifest.stat().st_mtime_ns if manifest.is_file() else 0).encode())
    digest.update(str(_lock_key()).encode())  # re-vendored: the cached pycs no longer count
    key = digest.hexdigest()
    if key not in _bundles:
        entries = {**sources}
        for name, pyc in compiled_app(sources).items():
            entries.pop(name[:-1], None)  # "app/x.pyc" stands in for its source "app/x.py"
            entries[name] = pyc
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:  # gzipped whole: see `_gzip`
            for name in sorted(entries):
                zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), entries[name], zipfile.ZIP_STORED)
        while len(_bundles) >= 8:
            _bundles.pop(next(iter(_bundles)))
        _bundles[key] = gzip.compress(out.getvalue(), 9, mtime=0)  # zlib: zopfli takes seconds, and this is per edit
    return _bundles[key]


# ----- bytecode -----------------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_keys: dict[tuple, str] = {}


def _lock_key() -> Optional[str]:
    """What the bytecode was built from: the vendored lock, stdlib and PyScript, and how."""
    files = [PYODIDE / "pyodide-lock.json", PYODIDE / "python_stdlib.zip", *sorted(PYSCRIPT.glob("core-*.js"))]
    files += [COMPILER, PACKAGE_LOADER]  # how: the build's own scripts
    try:
        stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except OSError:
        return None
    if stamp not in _keys:
        how = (_COMPILE_JS + repr((SKIP_COMPILE, EXTRA_STDLIB, SITE_PACKAGES))).encode()
        _keys[stamp] = _sha256(b"".join(f.read_bytes() for f in files) + how)
    return _keys[stamp]


def pyscript_sources() -> dict[str, str]:
    """PyScript's own Python package ({"pyscript/x.py": source}), which PyScript carries as an object literal in its
    core bundle and writes into the page's file system at each start; {} when this PyScript carries it otherwise."""
    marker = '{pyscript:{"__init__.py":'
    for path in sorted(PYSCRIPT.glob("core-*.js")):
        text = path.read_text()
        start = text.find(marker)
        if start < 0:
            continue
        depth, end, quoted = 0, start, False
        while end < len(text):  # to the brace that closes it; its strings are JSON strings
            char = text[end]
            if quoted:
                end += 2 if char == "\\" else 1
                quoted = char != '"'
                continue
            quoted = char == '"'
            depth += {"{": 1, "}": -1}.get(char, 0)
            end += 1
            if depth == 0:
                break
        try:
            package = json.loads('{"pyscript"' + text[start + len("{pyscript") : end])["pyscript"]
        except ValueError:
            return {}
        if all(isinstance(v, str) for v in package.values()):
            return {"pyscript/" + name: source for name, source in package.items() if name.endswith(".py")}
    return {}


def _stdlib_sources() -> bytes:
    """The vendored standard library with PACKAGE_LOADER as `pyodide._package_loader`, and Pyodide's own under the
    name that stand-in imports it by: Pyodide runs the build with it, so the build counts what the page imports."""
    out = io.BytesIO()
    with zipfile.ZipFile(PYODIDE / "python_stdlib.zip") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "pyodide/_package_loader.py":
                dst.writestr(info, PACKAGE_LOADER.read_bytes())
                info = zipfile.ZipInfo("pyodide/_package_loader_full.py", info.date_time)
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _manifest() -> Optional[dict]:
    try:
        return json.loads((BYTECODE / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def compiled_app(sources: dict[str, bytes]) -> dict[str, bytes]:
    """{"app/x.pyc": ...} for each app/ module whose source (as served: `sources`) is the one it was compiled from,
    by the Pyodide vendored now; and {"pyscript/x.pyc": ...}, PyScript's package (`pyscript_sources`) compiled:
    first on sys.path, it is imported instead of the sources PyScript writes (and would compile) at each start."""
    manifest = _manifest()
    if manifest is None or manifest.get("lock") != _lock_key() or not (BYTECODE / "app_pyc.zip").is_file():
        return {}
    hashes = manifest.get("app", {})  # "app/x.py" -> the sha256 of the source it was compiled from
    current = [rel for rel, data in sources.items() if hashes.get(rel) == _sha256(data)]
    with zipfile.ZipFile(BYTECODE / "app_pyc.zip") as zf:
        names = set(zf.namelist())
        wanted = {rel[:-3] + ".pyc" for rel in current} | {n for n in names if n.startswith("pyscript/")}
        return {name: zf.read(name) for name in sorted(wanted & names)}


_COMPILE_JS = r"""
import { loadPyodide } from "PYODIDE_MJS";
import fs from "node:fs";
const [indexURL, stdLibURL, appDir, outDir, packages, script, settings] = process.argv.slice(2);
const pyodide = await loadPyodide({
  indexURL, stdLibURL, env: { PYTHONNODEBUGRANGES: "1" }, stdout: () => {}, stderr: () => {},
});
// What Pyodide's package loader imports (the page does not use it) is told apart from what the app imports.
const started = pyodide.runPython("import sys; sorted(sys.modules)").toJs();
await pyodide.loadPackage(JSON.parse(packages), { messageCallback() {} });
const FS = pyodide.FS;
FS.mkdirTree("/home/pyodide/app");
FS.mount(FS.filesystems.NODEFS, { root: appDir }, "/home/pyodide/app");
FS.mkdirTree("/out");
FS.mount(FS.filesystems.NODEFS, { root: outDir }, "/out");
FS.mkdirTree("/vendor");
FS.mount(FS.filesystems.NODEFS, { root: indexURL }, "/vendor");
pyodide.globals.set("SETTINGS", fs.readFileSync(settings, "utf8"));
pyodide.globals.set("STARTED", JSON.stringify(started));
try {
  pyodide.runPython(fs.readFileSync(script, "utf8"));
} catch (error) {
  process.stderr.write(String(error.message || error)); // the Python traceback (Node would print the minified line)
  process.exit(1);
}
"""
_OUTPUTS = ("app_pyc.zip", "python_stdlib.zip", "python_stdlib_rest.zip", "core.zip")


def compile_bytecode(force: bool = False) -> str:
    """Refresh .cache/bytecode/ when the lock or an app/ source changed. Returns what it did, in one line."""
    lock = _lock_key()
    if lock is None:
        return "bytecode: no vendored Pyodide yet (scripts/setup); skipped"
    current = {rel: _sha256((ROOT / rel).read_bytes()) for rel in app_files() if rel.endswith(".py")}
    manifest = _manifest()
    if (
        not force
        and manifest is not None
        and manifest.get("lock") == lock
        and all((BYTECODE / name).is_file() for name in _OUTPUTS)
        and manifest.get("app") == current
    ):
        return ""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise SystemExit(
            "app_config: Node.js is needed to precompile the Python modules (Debian: apt-get install "
            "nodejs); then run scripts/setup again"
        )
    settings = json.dumps({"skip": SKIP_COMPILE, "extra": EXTRA_STDLIB, "pyscript": pyscript_sources()})
    BYTECODE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BYTECODE) as tmp:
        script = Path(tmp) / "compile.mjs"
        script.write_text(_COMPILE_JS.replace("PYODIDE_MJS", (PYODIDE / "pyodide.mjs").as_uri()))
        out = Path(tmp) / "out"
        out.mkdir()
        (Path(tmp) / "settings.json").write_text(settings)
        stdlib = Path(tmp) / "python_stdlib.zip"
        stdlib.write_bytes(_stdlib_sources())
        args = [
            str(PYODIDE) + "/",
            str(stdlib),
            str(APP),
            str(out),
            json.dumps(SITE_PACKAGES),
            str(COMPILER),
            tmp + "/settings.json",
        ]
        try:
            subprocess.run([node, str(script), *args], check=True, capture_output=True, timeout=300)
            result = json.loads((out / "result.json").read_text())
        except (subprocess.SubprocessError, OSError, ValueError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise SystemExit(
                "app_config: compiling the Python modules with Pyodide under Node failed (%s): %s"
                % (type(exc).__name__, detail.decode(errors="replace")[-3000:])
            ) from None
        result["lock"] = lock
        for name in _OUTPUTS:
            (out / name).replace(BYTECODE / name)
        (BYTECODE / "manifest.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    return "bytecode: compiled %d standard-library, %d package and %d app modules for Python %s" % (
        result["stdlib"],
        result["site"],
        len(result["app"]),
        result["python"],
    )


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def _gzip(name: str) -> bytes:
    """.cache/bytecode/`name` (a zip of stored entries), gzipped by zopfli, kept beside it until it changes.

    The page gunzips it (static/interpreter.mjs): one stream over every entry is ~15% smaller than each entry deflated
    alone, and zopfli's is ~5% smaller than zlib's best (~15 s for the standard library, once)."""
    import zopfli  # type: ignore[import-untyped]  # no stubs
    import zopfli.gzip  # type: ignore[import-untyped]  # no stubs

    raw = (BYTECODE / name).read_bytes()
    how = "zopfli %s, 1 iteration" % getattr(zopfli, "__version__", "?")
    done = BYTECODE / ("%s.%s.gz" % (name, _sha256(raw + how.encode())[:16]))
    if not done.is_file():
        for old in BYTECODE.glob(name + ".*.gz"):
            old.unlink()
        _write_if_changed(done, zopfli.gzip.compress(raw, numiterations=1))
    return done.read_bytes()


def write() -> bool:
    """Write the generated files where they changed; True when something was written."""
    message = compile_bytecode()
    if message:
        print(message)
    stdlib = _write_if_changed(STDLIB, (BYTECODE / "python_stdlib.zip").read_bytes())
    stdlib |= _write_if_changed(CORE, _gzip("core.zip"))
    stdlib |= _write_if_changed(STDLIB_REST, (BYTECODE / "python_stdlib_rest.zip").read_bytes())
    ours = {BUNDLE, STDLIB, CORE, STDLIB_REST, GENERATED / "assets.js"}
    for old in GENERATED.iterdir():
        if old not in ours and old.is_file() and not old.name.endswith(".tmp"):
            old.unlink()  # written by another version of this script (an old name or layout): never served
    zipped = _write_if_changed(BUNDLE, bundle())
    import assets  # scripts/assets.py: the service worker's list of files, hashed last (it hashes the others)

    listed = assets.write()
    return zipped or stdlib or listed


if __name__ == "__main__":
    write()
    sys.exit(0)
