#!/usr/bin/env python3
"""Vendor Pyodide, PyScript, the Pyodide wheels and the browser libraries loaded on use ([[npm_file]]: the chart
library) into static/vendor/, as pinned in scripts/pins.toml.

Sources: the npm registry (`npm pack`) and PyPI (`pip download`); never a CDN. Every downloaded file is checked
against its sha256 pin. `pyodide-lock.json` is rewritten to list exactly the wheels we ship (Pyodide loads lock
entries with Subresource Integrity, so the stock entries would not match PyPI's files).

The whole vendored tree is pinned too: `[vendor] tree_sha256` in scripts/pins.toml is the sha256 of its listing
(one "<sha256>  <path>" line per file, sorted by path; .stamp.json left out), so a file changed, added or removed
after vendoring is noticed, whatever the stamp says. A new vendoring is checked against it before it replaces
static/vendor/.

Fast path: when static/vendor/.stamp.json was written for these pins and the tree hashes to the pinned
tree_sha256, nothing is downloaded. Every file is hashed each time (about 25 ms for the 16 MB). Otherwise the
tree is vendored again; a download or a tree that does not match its pin stops it with both hashes.
`--force` vendors again; `--check-only` exits 1 when out of date and downloads nothing; `--verify` is accepted
for older callers (hashing is always on).

Test-only assets (`[[test_asset]]`, e.g. axe-core for the accessibility tests) come from the npm registry the same
way, each file checked against its own sha256, and go to their `dest` under tests/vendor/, never to static/.

Usage: scripts/vendor.py [--force] [--check-only]
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "scripts" / "pins.toml"
VENDOR = ROOT / "static" / "vendor"
STAMP = VENDOR / ".stamp.json"


class VendorError(Exception):
    """Vendoring failed; the message says what and what to do."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_pins() -> dict:
    return tomllib.loads(PINS.read_text())


def pins_digest() -> str:
    """Changes whenever the pins or this script change, so a stale vendor dir is rebuilt."""
    h = hashlib.sha256(PINS.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def check_sha256(path: Path, expected: str, what: str) -> None:
    got = sha256_of(path)
    if got != expected:
        raise VendorError(
            f"sha256 mismatch for {what} ({path.name}):\n  pinned   {expected}\n  download {got}\n"
            f"If you changed the version in {PINS.relative_to(ROOT)} on purpose, put the new hash there; "
            "otherwise the registry served a different file: do not ship it."
        )


def tree_files(root: Path) -> dict[str, tuple[int, str]]:
    """Every file under root (but the stamp): relative path -> (size, sha256)."""
    files: dict[str, tuple[int, str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p != root / STAMP.name):
        files[path.relative_to(root).as_posix()] = (path.stat().st_size, sha256_of(path))
    return files


def tree_sha256(files: dict[str, tuple[int, str]]) -> str:
    """The sha256 of the tree's listing: one "<sha256>  <path>" line per file, sorted by path."""
    listing = "".join(f"{digest}  {rel}\n" for rel, (_, digest) in sorted(files.items()))
    return hashlib.sha256(listing.encode()).hexdigest()


def pinned_tree(pins: dict) -> str:
    try:
        return str(pins["vendor"]["tree_sha256"])
    except KeyError:
        raise VendorError(
            f"{PINS.name} has no [vendor] tree_sha256: run scripts/vendor.py and pin the hash it prints"
        ) from None


def check_tree(files: dict[str, tuple[int, str]], pins: dict) -> None:
    got, expected = tree_sha256(files), pinned_tree(pins)
    if got != expected:
        raise VendorError(
            f"sha256 mismatch for the vendored tree:\n  pinned   {expected}\n  vendored {got}\n"
            f"If you changed a version in {PINS.relative_to(ROOT)} on purpose, put the new tree_sha256 there; "
            "otherwise what was downloaded or unpacked differs from what was pinned: do not ship it."
        )


def changes(recorded: dict[str, list], files: dict[str, tuple[int, str]]) -> list[str]:
    """What differs between the stamp's record and the tree as it is, for the message."""
    out = [f"{rel} changed" for rel in sorted(set(recorded) & set(files)) if list(files[rel]) != list(recorded[rel])]
    out += [f"{rel} is missing" for rel in sorted(set(recorded) - set(files))]
    return out + [f"{rel} was added" for rel in sorted(set(files) - set(recorded))]


def up_to_date(pins: dict | None = None) -> bool:
    """True when static/vendor/ was vendored for these pins and every file in it hashes as pinned."""
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("pins") != pins_digest():
        return False
    files = tree_files(VENDOR)
    try:
        check_tree(files, pins if pins is not None else load_pins())
    except VendorError:
        what = changes(stamp.get("files") or {}, files) or ["the tree does not hash to its pin"]
        print(f"vendor: {VENDOR.relative_to(ROOT)}/ differs from {PINS.name}: {', '.join(what[:5])}", file=sys.stderr)
        return False
    return bool(files)


def run(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise VendorError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout.strip()}")


def npm_pack(spec: str, tarball_sha256: str, work: Path) -> Path:
    """`npm pack` one package from the registry, check the tarball, return the unpacked package dir."""
    if shutil.which("npm") is None:
        raise VendorError("npm is not installed; install Node.js (Debian: apt-get install npm) and run again.")
    out = work / "npm"
    out.mkdir(exist_ok=True)
    before = set(out.iterdir())
    run(["npm", "pack", spec, "--silent", "--pack-destination", str(out)], cwd=work)
    new = [p for p in out.iterdir() if p not in before and p.name.endswith(".tgz")]
    if len(new) != 1:
        raise VendorError(f"npm pack {spec} produced {len(new)} tarballs, expected one")
    tarball = new[0]
    check_sha256(tarball, tarball_sha256, spec)
    dest = work / tarball.stem
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def vendor_pyodide(pins: dict, work: Path, out: Path) -> None:
    pkg = npm_pack(pins["npm"], pins["tarball_sha256"], work)
    out.mkdir(parents=True)
    for name in pins["files"]:
        src = pkg / name
        if not src.is_file():
            raise VendorError(f"{pins['npm']} has no {name}; check the files list in {PINS.name}")
        shutil.copy2(src, out / name)


def vendor_pyscript(pins: dict, work: Path, out: Path) -> None:
    pkg = npm_pack(pins["npm"], pins["tarball_sha256"], work)
    out.mkdir(parents=True)
    for src in sorted((pkg / "dist").iterdir()):
        if src.is_file() and not any(fnmatch.fnmatch(src.name, pat) for pat in pins["exclude"]):
            shutil.copy2(src, out / src.name)


def vendor_npm_files(pins: list[dict], work: Path, staged: Path) -> None:
    """Browser libraries loaded on use ([[npm_file]]): the listed files of each pinned npm package, as they are."""
    for entry in pins:
        pkg = npm_pack(entry["npm"], entry["tarball_sha256"], work)
        out = staged / Path(entry["dest"]).relative_to("static/vendor")
        out.mkdir(parents=True, exist_ok=True)
        for name in entry["files"]:
            src = pkg / name
            if not src.is_file():
                raise VendorError(f"{entry['npm']} has no {name}; check the files list in {PINS.name}")
            shutil.copy2(src, out / Path(name).name)


def download_wheels(pins: dict, work: Path) -> Path:
    req = work / "wheels.txt"
    req.write_text("".join(f"{w['name']}=={w['version']} --hash=sha256:{w['sha256']}\n" for w in pins["wheel"]))
    dest = work / "wheels"
    cfg = pins["wheels"]
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    only = ["--no-deps", "--only-binary=:all:", "--require-hashes", "--implementation", "cp"]
    target = ["--platform", cfg["platform"], "--python-version", cfg["python_version"], "--abi", cfg["abi"]]
    run([*pip, *only, *target, "-r", str(req), "-d", str(dest)], cwd=work)
    return dest


def lock_entry(wheel: dict) -> dict:
    return {
        "name": wheel["name"],
        "version": wheel["version"],
        "file_name": wheel["file"],
        "install_dir": "site",
        "sha256": wheel["sha256"],
        "package_type": "package",
        "imports": wheel["imports"],
        "depends": wheel["depends"],
        "unvendored_tests": False,
        "tool": {},
    }


def write_lock(stock_lock: Path, wheels: list[dict]) -> None:
    """Replace the stock package table by exactly the wheels we ship."""
    lock = json.loads(stock_lock.read_text())
    names = {w["name"] for w in wheels}
    for w in wheels:
        missing = [d for d in w["depends"] if d not in names]
        if missing:
            raise VendorError(f"{w['name']} depends on {missing}, which {PINS.name} does not pin; add them")
    lock["packages"] = {w["name"]: lock_entry(w) for w in wheels}
    stock_lock.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")


def vendor(pins: dict) -> None:
    VENDOR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vendor-", dir=VENDOR.parent) as tmp:
        work = Path(tmp)
        staged = work / "vendor"
        pyodide_out = staged / Path(pins["pyodide"]["dest"]).relative_to("static/vendor")
        pyscript_out = staged / Path(pins["pyscript"]["dest"]).relative_to("static/vendor")
        vendor_pyodide(pins["pyodide"], work, pyodide_out)
        vendor_pyscript(pins["pyscript"], work, pyscript_out)
        vendor_npm_files(pins.get("npm_file", []), work, staged)
        downloaded = download_wheels(pins, work)
        for wheel in pins["wheel"]:
            src = downloaded / wheel["file"]
            if not src.is_file():
                raise VendorError(f"pip did not download {wheel['file']}; is the file name in {PINS.name} right?")
            check_sha256(src, wheel["sha256"], wheel["name"])
            shutil.copy2(src, pyodide_out / wheel["file"])
        write_lock(pyodide_out / "pyodide-lock.json", pins["wheel"])
        files = tree_files(staged)
        check_tree(files, pins)
        (staged / STAMP.name).write_text(json.dumps({"pins": pins_digest(), "files": files}, indent=1) + "\n")
        # Swap in the new tree in one rename, so an interrupted run never leaves a half-vendored dir.
        old = work / "old"
        if VENDOR.exists():
            os.rename(VENDOR, old)
        os.rename(staged, VENDOR)
    total = sum(size for size, _ in files.values())
    print(f"vendor: wrote {len(files)} files ({total / 1e6:.1f} MB) to {VENDOR.relative_to(ROOT)}/")


def test_assets_present(pins: dict) -> bool:
    """True when every pinned test asset is in place with its pinned hash."""
    for asset in pins.get("test_asset", []):
        path = ROOT / asset["dest"] / asset["file"]
        if not path.is_file() or sha256_of(path) != asset["sha256"]:
            return False
    return True


def vendor_test_assets(pins: dict, force: bool = False) -> None:
    """Each `[[test_asset]]`: `npm pack`, the tarball and then the file checked, the file written to its dest."""
    for asset in pins.get("test_asset", []):
        path = ROOT / asset["dest"] / asset["file"]
        if not force and path.is_file() and sha256_of(path) == asset["sha256"]:
            continue
        with tempfile.TemporaryDirectory(prefix="vendor-test-") as tmp:
            pkg = npm_pack(asset["npm"], asset["tarball_sha256"], Path(tmp))
            src = pkg / asset["file"]
            if not src.is_file():
                raise VendorError(f"{asset['npm']} has no {asset['file']}; check [[test_asset]] in {PINS.name}")
            check_sha256(src, asset["sha256"], f"{asset['npm']} {asset['file']}")
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, path)
        print(f"vendor: wrote {path.relative_to(ROOT)} (test asset)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="vendor again even if up to date")
    parser.add_argument("--verify", action="store_true", help="no-op: every vendored file is always hashed")
    parser.add_argument("--check-only", action="store_true", help="exit 1 when out of date, download nothing")
    args = parser.parse_args(argv)
    try:
        pins = load_pins()
        if args.check_only:
            return 0 if up_to_date(pins) and test_assets_present(pins) else 1
        if args.force or not up_to_date(pins):
            vendor(pins)
        vendor_test_assets(pins, force=args.force)
    except VendorError as exc:
        print(f"vendor: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
