"""The vendored runtime and the PyScript config: pins, lock, file list, relative URLs."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import app_config
import vendor

ROOT = Path(__file__).resolve().parents[2]

PINS = tomllib.loads((ROOT / "scripts" / "pins.toml").read_text())
PYODIDE_DIR = ROOT / PINS["pyodide"]["dest"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def lock() -> dict:
    path = PYODIDE_DIR / "pyodide-lock.json"
    if not path.exists():
        pytest.fail("static/vendor/ is missing: run scripts/setup", pytrace=False)
    return json.loads(path.read_text())


def wheel_requirements(path: Path) -> set[str]:
    """Names a wheel requires outside any extra, from its METADATA."""
    with zipfile.ZipFile(path) as whl:
        meta_name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(whl.read(meta_name).decode())
    names = set()
    for req in meta.get_all("Requires-Dist") or []:
        if "extra ==" in req.replace("extra==", "extra =="):
            continue
        names.add(canonical(re.split(r"[ ;<>=!~(\[]", req.strip(), maxsplit=1)[0]))
    return names


@pytest.mark.parametrize("wheel", PINS["wheel"], ids=lambda w: w["name"])
def test_each_pinned_wheel_is_vendored_with_its_hash_and_its_real_dependencies(wheel, lock):
    path = PYODIDE_DIR / wheel["file"]
    assert path.is_file(), f"{wheel['file']} is not vendored: run scripts/setup"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == wheel["sha256"]
    assert set(map(canonical, wheel["depends"])) == wheel_requirements(path)
    entry = lock["packages"][wheel["name"]]
    assert (entry["file_name"], entry["sha256"], entry["version"]) == (wheel["file"], wheel["sha256"], wheel["version"])


def test_the_lock_lists_exactly_the_shipped_wheels_and_is_closed_under_depends(lock):
    assert set(lock["packages"]) == {w["name"] for w in PINS["wheel"]}
    for entry in lock["packages"].values():
        assert (PYODIDE_DIR / entry["file_name"]).is_file()
        assert set(entry["depends"]) <= set(lock["packages"])
    assert lock["info"]["python"].startswith(PINS["wheels"]["python_version"])


def test_every_package_the_page_loads_is_in_the_lock(lock):
    # PyScript loads none (it would go through micropip): the pure-Python ones are compiled into python_stdlib.zip,
    # static/interpreter.mjs writes pydantic_core's files from pydantic_core.zip.gzip (its binary and its modules,
    # compiled), and index.html starts that download early.
    assert "packages" not in tomllib.loads((ROOT / "static" / "pyscript.toml").read_text())
    for name in app_config.SITE_PACKAGES:
        assert canonical(name) in lock["packages"], f"{name} is compiled into the page but not pinned"
    assert "pydantic-core" in lock["packages"]
    core = app_config.CORE.relative_to(ROOT).as_posix()
    assert f'href="./{core}" as="fetch" crossorigin' in (ROOT / "index.html").read_text()


def test_app_zip_ships_every_app_file():
    config = tomllib.loads((ROOT / "static" / "pyscript.toml").read_text())
    # static/interpreter.mjs: the vendored Pyodide with what scripts/app_config.py compiled, app.zip included
    assert config["interpreter"] == "./static/interpreter.mjs" and "files" not in config
    vendored = "./" + PINS["pyodide"]["dest"].removeprefix("static/") + "/pyodide.mjs"
    assert f'from "{vendored}"' in (ROOT / "static" / "interpreter.mjs").read_text()
    with zipfile.ZipFile(io.BytesIO(gzip.decompress(app_config.bundle()))) as bundle:
        shipped = {name: bundle.read(name) for name in bundle.namelist()}
    on_disk = [p for p in (ROOT / "app").rglob("*.py") if "__pycache__" not in p.parts]
    assert len(on_disk) > 3
    for path in on_disk:  # each as its source, or compiled from it (tests/unit/test_bytecode.py)
        rel = path.relative_to(ROOT).as_posix()
        assert shipped.get(rel) == path.read_bytes() or rel[:-3] + ".pyc" in shipped
    assert app_config.bundle() == app_config.bundle()  # deterministic: unchanged sources, unchanged file


def test_no_root_absolute_or_remote_url_in_the_shell():
    html = (ROOT / "index.html").read_text()
    urls = re.findall(r'(?:src|href|config)="([^"]*)"', html)
    assert urls, "no URLs found: the check is broken"
    for url in urls:
        assert url.startswith("./") or url.startswith("data:"), f"index.html uses a non-relative URL: {url}"
        if url.startswith("./"):
            assert (ROOT / url[2:]).is_file(), f"index.html points at {url}, which does not exist (scripts/setup?)"
    config = tomllib.loads((ROOT / "static" / "pyscript.toml").read_text())
    assert config["interpreter"].startswith("./")


def test_a_wrong_download_is_refused_with_both_hashes(tmp_path):
    f = tmp_path / "x.whl"
    f.write_bytes(b"not the pinned file")
    with pytest.raises(vendor.VendorError) as info:
        vendor.check_sha256(f, "0" * 64, "x")
    assert "0" * 64 in str(info.value) and hashlib.sha256(b"not the pinned file").hexdigest() in str(info.value)


def test_the_fast_path_hashes_every_file_against_the_pinned_tree(tmp_path, monkeypatch):
    tree = tmp_path / "vendor"
    tree.mkdir()
    pins_file = tmp_path / "pins.toml"
    pins_file.write_text('[vendor]\ntree_sha256 = "?"\n')
    monkeypatch.setattr(vendor, "VENDOR", tree)
    monkeypatch.setattr(vendor, "STAMP", tree / ".stamp.json")
    monkeypatch.setattr(vendor, "PINS", pins_file)
    monkeypatch.setattr(vendor, "ROOT", tmp_path)
    (tree / "a.js").write_bytes(b"abc")
    files = vendor.tree_files(tree)
    assert files == {"a.js": (3, hashlib.sha256(b"abc").hexdigest())}
    pins = {"vendor": {"tree_sha256": vendor.tree_sha256(files)}}
    (tree / ".stamp.json").write_text(json.dumps({"pins": vendor.pins_digest(), "files": files}))
    assert vendor.up_to_date(pins)
    (tree / "a.js").write_bytes(b"abd")  # same size, other content: the size alone would not notice
    assert not vendor.up_to_date(pins)
    (tree / "a.js").write_bytes(b"abc")
    (tree / "b.js").write_bytes(b"")  # a file nobody pinned
    assert not vendor.up_to_date(pins)
    (tree / "b.js").unlink()
    assert vendor.up_to_date(pins)
    stamp = json.loads((tree / ".stamp.json").read_text())
    stamp["files"]["a.js"] = [3, hashlib.sha256(b"abd").hexdigest()]  # a stamp rewritten to match is not trusted
    (tree / "a.js").write_bytes(b"abd")
    (tree / ".stamp.json").write_text(json.dumps(stamp))
    assert not vendor.up_to_date(pins)
    (tree / "a.js").unlink()
    assert not vendor.up_to_date(pins)


def test_the_vendored_tree_is_the_pinned_one():
    files = vendor.tree_files(vendor.VENDOR)
    assert vendor.tree_sha256(files) == PINS["vendor"]["tree_sha256"], "static/vendor/ is not as pinned: scripts/setup"
    assert vendor.up_to_date(), "static/vendor/ is out of date: run scripts/setup"


def test_a_vendoring_that_does_not_match_the_pinned_tree_is_refused():
    files = {"pyodide/pyodide.mjs": (3, hashlib.sha256(b"abc").hexdigest())}
    with pytest.raises(vendor.VendorError) as info:
        vendor.check_tree(files, {"vendor": {"tree_sha256": "0" * 64}})
    assert "0" * 64 in str(info.value) and vendor.tree_sha256(files) in str(info.value)
