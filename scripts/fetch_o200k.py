"""Put OpenAI's o200k_base BPE file into .cache/tiktoken/ so CPython tests can run tiktoken offline.

The app never uses this file: it estimates tokens with a heuristic (app/chat/tokens.py). Tests use the
real tokenizer only to check that the heuristic stays close. tiktoken ships no BPE data and would
download it from a host we cannot reach; the PyPI `litellm` wheel bundles the official file, so this
script downloads that one wheel with pip (no install), extracts the file and checks its sha256.

    .venv/bin/python scripts/fetch_o200k.py        # prints the cache directory

Use it from Python with `ensure_o200k()`; set TIKTOKEN_CACHE_DIR to the returned directory.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "tiktoken"
LITELLM_VERSION = "1.110.2"
# tiktoken names cache files after sha1 of the blob URL; this is the name for o200k_base.
CACHE_NAME = "fb374d419588a4632f3f557e76b4b70aebbca790"
SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
MEMBER = "litellm/litellm_core_utils/tokenizers/" + CACHE_NAME


def _ok(path: Path) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == SHA256


def ensure_o200k() -> Path:
    """Return the tiktoken cache directory holding o200k_base, downloading it first if needed."""
    target = CACHE_DIR / CACHE_NAME
    if _ok(target):
        return CACHE_DIR
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
               "litellm==" + LITELLM_VERSION, "-d", tmp]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wheels = list(Path(tmp).glob("litellm-*.whl"))
        if done.returncode != 0 or not wheels:
            raise RuntimeError(
                "could not download the litellm wheel that bundles o200k_base (pip said: "
                + (done.stderr.strip()[-400:] or "nothing") + "); check that PyPI is reachable"
            )
        with zipfile.ZipFile(wheels[0]) as wheel:
            data = wheel.read(MEMBER)
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise RuntimeError("the o200k_base file in litellm " + LITELLM_VERSION + " does not have the official sha256")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return CACHE_DIR


if __name__ == "__main__":
    print(ensure_o200k())
