"""The service worker's list of files (scripts/assets.py): made from the build, and from exactly what is served."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import assets
from serve import StaticServer


def listed(js: bytes) -> dict:
    text = js.decode()
    return json.loads(text[text.index("{") : text.rindex("}") + 1])


def test_the_list_is_the_build_not_a_hand_kept_list(tmp_path: Path):
    for rel in (
        "index.html",
        "static/app.css",
        "static/offline.js",
        "static/vendor/pyodide/pyodide.asm.wasm",
        "static/vendor/pyodide/python_stdlib.zip",  # never loaded: the page loads the precompiled one
        "static/vendor/pyodide/pydantic-2.0-py3-none-any.whl",  # pure Python: compiled into python_stdlib.zip
        "static/vendor/pyodide/pydantic_core-2.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl",  # its files, compiled:
        "static/generated/pydantic_core.zip.gzip",
        "static/vendor/charts/chart.umd.js",  # vendored by another change: covered without an edit
        "static/vendor/charts/LICENSE.md",
        "static/vendor/.stamp.json",
        "static/generated/app.zip.gzip",
        "static/generated/python_stdlib_rest.zip",  # fetched on a rare import: listed, cached on first use
        "static/generated/assets.js",  # the list itself
        "app/main.py",  # shipped inside app.zip.gzip, not fetched
        "sw.js",  # the browser keeps the service worker itself
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    data = listed(assets.build(tmp_path))
    assert sorted(data["files"]) == [
        "index.html",
        "static/app.css",
        "static/generated/app.zip.gzip",
        "static/generated/pydantic_core.zip.gzip",
        "static/generated/python_stdlib_rest.zip",
        "static/offline.js",
        "static/vendor/charts/chart.umd.js",
        "static/vendor/pyodide/pyodide.asm.wasm",
    ]
    assert data["lazy"] == ["static/generated/python_stdlib_rest.zip"]
    assert data["files"]["static/app.css"] == hashlib.sha256(b"static/app.css").hexdigest()
    rest = data["files"]["static/generated/python_stdlib_rest.zip"]
    assert rest == hashlib.sha256(b"static/generated/python_stdlib_rest.zip").hexdigest()
    versions = {data["version"]}
    for rel in ("static/app.css", "static/generated/python_stdlib_rest.zip"):  # one changed byte is a new version
        (tmp_path / rel).write_text("changed " + rel)
        versions.add(listed(assets.build(tmp_path))["version"])
    assert len(versions) == 3


def test_the_server_lists_what_it_serves_so_a_changed_file_is_a_deploy():
    with StaticServer(hidden=("static/boot.js",)) as server:
        now = listed(server.asset_list())
        assert "static/boot.js" not in now["files"]
        assert (
            now["files"]["static/generated/app.zip.gzip"]
            == hashlib.sha256(server.generated("static/generated/app.zip.gzip") or b"").hexdigest()
        )
        server.overrides["static/app.css"] = b"body { color: red }"
        after = listed(server.asset_list())
        assert after["files"]["static/app.css"] == hashlib.sha256(b"body { color: red }").hexdigest()
        assert after["version"] != now["version"]
        assert {k: v for k, v in after["files"].items() if k != "static/app.css"} == {
            k: v for k, v in now["files"].items() if k != "static/app.css"
        }


def test_pyscripts_chunks_the_page_does_not_load_are_cached_on_first_use_not_at_install():
    page = (
        '<script type="module" src="./static/vendor/pyscript/core.js"></script>\n'
        '<link rel="modulepreload" href="./static/vendor/pyscript/core-A1.js">'
    )
    paths = ["index.html", *("static/vendor/pyscript/%s" % n for n in ("core.js", "core-A1.js", "zip-B2.js", "x.css"))]
    data = assets.manifest(paths, lambda rel: hashlib.sha256(rel.encode()).hexdigest(), page)
    assert sorted(data["files"]) == sorted(paths)  # all listed and hash-checked
    assert data["lazy"] == ["static/vendor/pyscript/x.css", "static/vendor/pyscript/zip-B2.js"]
    # the real page: what it loads at start is installed; PyScript's zip reader (which it never loads) is not
    real = listed(assets.build())
    assert "static/vendor/pyscript/core.js" not in real["lazy"] and any("/zip-" in p for p in real["lazy"])
