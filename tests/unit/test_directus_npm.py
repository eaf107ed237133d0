"""The local Directus is installed from committed lockfiles (scripts/npm/, scripts/directus_npm.py), never resolved."""

from __future__ import annotations

import json
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import directus_npm

ROOT = Path(__file__).resolve().parents[2]


def directus_script() -> ModuleType:
    """scripts/directus (no .py suffix) as a module, for its version constants."""
    loader = SourceFileLoader("directus_script", str(ROOT / "scripts" / "directus"))
    module = ModuleType(loader.name)
    module.__file__ = loader.path
    loader.exec_module(module)
    return module


def test_the_committed_lockfiles_pin_the_versions_the_script_installs_with_hashes():
    script = directus_script()
    wanted = directus_npm.manifests(script.NODE_VERSION, script.DIRECTUS_VERSION, script.DIRECTUS_APP_OVERRIDE)
    assert set(wanted) == {"node", "directus"}
    for name, manifest in wanted.items():
        folder = directus_npm.committed(name, manifest)  # raises when package.json or the lock is off
        lock = json.loads((folder / directus_npm.LOCK).read_text())
        assert lock["lockfileVersion"] == 3
        assert lock["packages"][""]["dependencies"] == manifest["dependencies"]
        for key, entry in lock["packages"].items():
            if key:
                assert entry["integrity"].startswith("sha512-"), key
                assert "resolved" not in entry, key  # fetched by name from the configured registry, checked by hash
    directus = json.loads((directus_npm.NPM_DIR / "directus" / directus_npm.LOCK).read_text())["packages"]
    assert directus["node_modules/directus"]["version"] == script.DIRECTUS_VERSION
    assert directus["node_modules/@directus/app"]["version"] == script.DIRECTUS_APP_OVERRIDE


def test_a_package_json_that_disagrees_with_the_script_or_an_unhashed_lock_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(directus_npm, "NPM_DIR", tmp_path)
    manifest = directus_npm.manifests("22.0.0", "12.0.0", "18.0.0")["directus"]
    folder = tmp_path / "directus"
    folder.mkdir()
    (folder / "package.json").write_text(json.dumps({**manifest, "dependencies": {"directus": "12.0.1"}}))
    with pytest.raises(directus_npm.NpmError, match="scripts/directus lock"):
        directus_npm.committed("directus", manifest)
    (folder / "package.json").write_text(json.dumps(manifest))
    lock = {"packages": {"": {}, "node_modules/directus": {"version": "12.0.0"}}}
    (folder / "package-lock.json").write_text(json.dumps(lock))
    with pytest.raises(directus_npm.NpmError, match="without a sha512 integrity"):
        directus_npm.committed("directus", manifest)
    lock["packages"]["node_modules/directus"]["integrity"] = "sha512-abc"
    (folder / "package-lock.json").write_text(json.dumps(lock))
    assert directus_npm.committed("directus", manifest) == folder


def write(path: Path, packages: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"lockfileVersion": 3, "packages": packages}))


def test_an_install_is_kept_only_when_it_holds_exactly_the_locked_packages(tmp_path):
    folder, target = tmp_path / "pins", tmp_path / "install"
    locked = {
        "": {"dependencies": {"a": "1.0.0"}},
        "node_modules/a": {"version": "1.0.0", "integrity": "sha512-A"},
        "node_modules/@esbuild/darwin-arm64": {"version": "0.1.0", "integrity": "sha512-D", "optional": True},
    }
    write(folder / "package-lock.json", locked)
    installed = {"node_modules/a": {"version": "1.0.0", "integrity": "sha512-A"}}
    hidden = target / "node_modules" / ".package-lock.json"
    assert not directus_npm.installed_matches(target, folder)  # nothing installed
    write(hidden, installed)
    assert directus_npm.installed_matches(target, folder)  # another platform's optional package may be absent
    write(
        hidden,
        {**installed, "node_modules/@types/x": {"version": "1.0.0", "integrity": "sha512-X", "extraneous": True}},
    )
    assert directus_npm.installed_matches(target, folder)  # nothing locked requires it
    write(hidden, {**installed, "node_modules/b": {"version": "1.0.0", "integrity": "sha512-B"}})
    assert not directus_npm.installed_matches(target, folder)
    write(hidden, {"node_modules/a": {"version": "1.0.0", "integrity": "sha512-other"}})
    assert not directus_npm.installed_matches(target, folder)
    write(hidden, {"node_modules/a": {"version": "1.0.1", "integrity": "sha512-A"}})
    assert not directus_npm.installed_matches(target, folder)
    write(folder / "package-lock.json", {**locked, "node_modules/c": {"version": "2.0.0", "integrity": "sha512-C"}})
    write(hidden, installed)
    assert not directus_npm.installed_matches(target, folder)  # a locked package is missing
