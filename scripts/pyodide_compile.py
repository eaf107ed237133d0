"""Runs inside the vendored Pyodide under Node (scripts/app_config.py starts it): the Python the page runs compiles
what the page imports, once, at set-up. Not imported by anything; Pyodide reads it as text.

The Node side starts Pyodide with the vendored standard library in which scripts/pyodide_package_loader.py stands in
for Pyodide's package installer (as in the page), records the modules loaded then (`STARTED`), mounts the vendored
Pyodide at /vendor, app/ at /home/pyodide/app (its path in the page) and an empty folder at /out, loads the
pure-Python packages the app uses (SITE_PACKAGES: pydantic, markdown-it and their dependencies) and sets
PYTHONNODEBUGRANGES, so no code object carries column positions (a quarter of a pyc's size; tracebacks keep their
line numbers). `SETTINGS` (a JSON object: skip, extra, pyscript) is put in globals first.

It writes, each pyc an unchecked-hash pyc (nothing to compare: no source ships with it), each zip the page loads at
start with stored entries (scripts/app_config.py gzips it whole):
- /out/python_stdlib.zip, loaded at start (static/interpreter.mjs hands it to Pyodide as its standard library):
  - the standard-library modules the app imports, at start or anywhere in app/ (and `extra`), but the frozen ones
    (the interpreter has them built in);
  - every module of the pure-Python packages (site-packages but pydantic_core, which has a binary part) but `skip`:
    pydantic imports some of its own only when a schema needs them;
  - both compiled with docstrings and asserts left out (optimize=2); and the finder of the rest
    (app/web/stdlib_rest.py as _stdlib_rest), with the rest's names and sha256 filled in.
- /out/python_stdlib_rest.zip: the sources of every other module of both (pydantic's v1, deprecated, ...), fetched
  the first time one is imported.
- /out/core.zip: pydantic_core's binary and its modules as sourceless pycs, which static/interpreter.mjs writes into
  site-packages.
- /out/app_pyc.zip: app/x.py as "app/x.pyc", docstrings of modules and functions left out (see `app_pyc`), and
  PyScript's own package (`pyscript`: {"pyscript/x.py": source}) as "pyscript/x.pyc" likewise.
- /out/result.json: the sha256 of each app/ source compiled (app.zip ships a pyc only for that exact source) and
  the counts.
"""

import ast
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]  # private, no stub

settings = json.loads(globals()["SETTINGS"])
STAMP = (1980, 1, 1, 0, 0, 0)
site = next(p for p in sys.path if p.endswith("site-packages"))
stdlib_path = next(p for p in sys.path if p.endswith(".zip"))
app_root = os.path.join(os.getcwd(), "app")


def pyc(data: bytes, filename: str, optimize: int) -> bytes:
    code = compile(data, filename, "exec", dont_inherit=True, optimize=optimize)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))


def app_pyc(data: bytes, filename: str) -> bytes:
    """The app's modules keep their asserts and their classes' docstrings (a model's docstring can be its JSON
    schema's description), but not the docstrings of modules and functions, which nothing reads at run time."""
    tree = ast.parse(data, filename)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node, False):
            if len(node.body) > 1:
                del node.body[0]  # (a module's `from __future__` import must then come first)
            else:
                node.body[0] = ast.copy_location(ast.Pass(), node.body[0])  # a body is never empty
    code = compile(tree, filename, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))


def write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Stored, not deflated, unless the zip deflates by default (the rest's): scripts/app_config.py gzips the whole
    zip at once, ~15% smaller than each small pyc deflated alone (and zipimport then reads each as it is)."""
    zf.writestr(zipfile.ZipInfo(name, date_time=STAMP), data, zf.compression)


def python_files(base: str, prune: tuple[str, ...] = ()) -> list[str]:
    """Every .py under `base`, relative to it, sorted ("__pycache__", "*.dist-info" and `prune` left out)."""
    found = []
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".dist-info") and d not in prune)
        found += [os.path.relpath(os.path.join(root, n), base) for n in files if n.endswith(".py")]
    return sorted(found)


def module_name(rel: str) -> str:
    return rel[:-3].replace(os.sep, ".").replace("/", ".").removesuffix(".__init__")


# The app: each module compiled as it is now.
app_hashes = {}
with zipfile.ZipFile("/out/app_pyc.zip", "w") as out:
    for rel in python_files(app_root):
        with open(os.path.join(app_root, rel), "rb") as f:
            data = f.read()
        try:
            compiled = app_pyc(data, os.path.join(app_root, rel))
        except SyntaxError:
            continue  # shipped as its source: the page reports the error as before
        write(out, "app/" + rel[:-3] + ".pyc", compiled)
        app_hashes["app/" + rel] = hashlib.sha256(data).hexdigest()
    for rel, source in settings["pyscript"].items():  # PyScript's package, where PyScript writes it in the page
        write(out, rel[:-3] + ".pyc", app_pyc(source.encode(), "/home/pyodide/" + rel))

# Pyodide's package loader (tarfile, shutil, importlib.metadata, ...) ran here to install the packages; the page does
# not run it (static/interpreter.mjs writes pydantic_core's files itself): forget what it alone imported.
started = set(json.loads(globals()["STARTED"]))
for name, loaded in list(sys.modules.items()):
    if name not in started and (getattr(loaded, "__file__", None) or "").startswith(stdlib_path + "/"):
        del sys.modules[name]

# An import pydantic makes at every start for a feature the page turns off (plugins: PYDANTIC_DISABLE_PLUGINS, set in
# app/web/boot.py), moved into the function that uses it: importlib.metadata imports zipfile, shutil, pathlib, bz2,
# lzma, ... (~50 ms of every start, ~0.1 MB of a first visit). Patched where it is installed, before anything imports
# it, so what is counted below and what is compiled are the patched module. A pydantic without this text fails the
# build: look at it again.
PATCHES = {
    "pydantic/plugin/_loader.py": [
        ("from importlib.metadata import entry_points\n", ""),
        ("        _plugins = {}\n", "        from importlib.metadata import entry_points\n\n        _plugins = {}\n"),
    ],
}
for rel, edits in PATCHES.items():
    with open(os.path.join(site, rel), encoding="utf-8") as original:
        patched = original.read()
    for old, new in edits:
        if patched.count(old) != 1:
            raise SystemExit("%s no longer has %r once: update PATCHES in scripts/pyodide_compile.py" % (rel, old))
        patched = patched.replace(old, new)
    with open(os.path.join(site, rel), "w", encoding="utf-8") as changed:
        changed.write(patched)

# What the app imports: every app/ module but the browser edge (which needs a page), and every module app/ (or
# PyScript's package) names in an import statement anywhere (even inside a function), plus `extra`.
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "1"
sys.path.insert(0, os.getcwd())
for rel in python_files(app_root, prune=("web",)):
    if rel != "main.py":
        try:
            __import__("app." + module_name(rel))
        except Exception:  # noqa: BLE001 - a module that cannot import under Node is compiled, just not counted
            pass
app_sources = []
for rel in python_files(app_root):
    with open(os.path.join(app_root, rel), "rb") as f:
        app_sources.append(f.read())
for source in app_sources + [text.encode() for text in settings["pyscript"].values()]:  # PyScript's imports too
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = [(a.name, "") for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found = [(node.module, a.name) for a in node.names]  # the name too: pydantic imports some on access
        else:
            continue
        for module, name in found:
            try:
                getattr(__import__(module, fromlist=["_"]), name or "__name__")
            except Exception:  # noqa: BLE001 - a module only the browser has: not needed at start
                pass
for module in settings["extra"]:
    __import__(module)
# Frozen modules (os, codecs, importlib.util, ...) come from inside the interpreter, never from the zip: their sources
# go to the rest, like those of modules never imported.
wanted = {
    n
    for n, m in list(sys.modules.items())
    if (getattr(m, "__file__", None) or "").startswith((stdlib_path + "/", site + "/"))
    and importlib.machinery.FrozenImporter.find_spec(n) is None
}

counts = {"stdlib": 0, "site": 0}
rest_names = []
with (
    zipfile.ZipFile(stdlib_path) as src,  # the vendored one, with the page's package loader (scripts/app_config.py)
    zipfile.ZipFile("/out/python_stdlib.zip", "w", zipfile.ZIP_DEFLATED) as out,  # Pyodide loads it as it is
    zipfile.ZipFile("/out/python_stdlib_rest.zip", "w", zipfile.ZIP_DEFLATED) as rest,
):
    for info in src.infolist():
        data, name = src.read(info), info.filename
        if not name.endswith(".py"):
            write(out, name, data)
        elif module_name(name) in wanted:
            write(out, name[:-3] + ".pyc", pyc(data, stdlib_path + "/" + name, 2))
            counts["stdlib"] += 1
        else:
            write(rest, name, data)
            rest_names.append(module_name(name))
    for root, _dirs, files in os.walk(site):
        binary = [n for n in files if n.endswith(".so") and "pydantic_core" not in root]
        if binary:  # it could not load from a zip: it needs files of its own, like pydantic_core's
            raise SystemExit("a package with a binary part besides pydantic_core: %s/%s" % (root, binary[0]))
    for rel in python_files(site, prune=("pydantic_core",)):
        with open(os.path.join(site, rel), "rb") as f:
            data = f.read()
        if rel.startswith(tuple(settings["skip"])):
            write(rest, rel, data)
            rest_names.append(module_name(rel))
        else:
            write(out, rel[:-3] + ".pyc", pyc(data, os.path.join(site, rel), 2))
            counts["site"] += 1
    rest.close()  # its sha256 goes into the finder: a page takes only its own version's rest
    with open("/out/python_stdlib_rest.zip", "rb") as f:
        rest_sha256 = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(app_root, "web", "stdlib_rest.py"), encoding="utf-8") as text:
        finder = text.read().replace(
            "NAMES: frozenset[str] = frozenset()", "NAMES = frozenset(%r)" % sorted(rest_names)
        )
        finder = finder.replace('SHA256 = ""', "SHA256 = %r" % rest_sha256)
    write(out, "_stdlib_rest.pyc", pyc(finder.encode(), stdlib_path + "/_stdlib_rest.py", 2))

# pydantic_core, for static/interpreter.mjs to write into site-packages: its binary and its modules as sourceless pycs
# (its core_schema.py alone took ~70 ms to compile at each start), without the wheel's sources, type stubs and
# metadata, which nothing reads at run time (its dependencies' metadata is not shipped either).
with open("/vendor/pyodide-lock.json", encoding="utf-8") as lock:
    core_wheel = json.load(lock)["packages"]["pydantic-core"]["file_name"]
with zipfile.ZipFile("/vendor/" + core_wheel) as src, zipfile.ZipFile("/out/core.zip", "w") as out:
    for info in src.infolist():
        if info.filename.endswith(".so"):
            write(out, info.filename, src.read(info))
        elif info.filename.endswith(".py"):
            write(out, info.filename + "c", pyc(src.read(info), os.path.join(site, info.filename), 2))

with open("/out/result.json", "w", encoding="utf-8") as result:
    json.dump({"app": app_hashes, **counts, "python": sys.version.split()[0]}, result)
