"""Hide API keys in the text of a provider's error, before it is shown, stored in the conversation or exported.

Providers echo keys: OpenAI's 401 says "Incorrect API key provided: sk-proj-****…abcd", Google's says
"Consumer 'api_key:AIza…' has been suspended", a proxy may print "Received API Key = sk-...5678", and a hostile
endpoint can send the whole key back. `hide_keys(text, secrets)` replaces with HIDDEN:

- each of `secrets` (the key this request sent, the values of auth headers) wherever it appears;
- any word that shares KEY_FRAGMENT characters in a row with one of them (a key cut short, or its tail);
- words shaped like a key, whoever's: a known prefix (sk-, AIza, gsk_, xai-, hf_, ...), a masked key
  (letters around `***`), a long run of letters and digits, a bearer token, a `key=`/`token=` URL parameter.

A "word" is a run of the characters keys are written with (letters, digits, `-_+/=~*`, the mask `•`, and `.`, `...` or `…`
between them; a sentence's full stop is not part of it). The rest of the text is left as it came, so the provider's explanation stays readable.
"""

from __future__ import annotations

import re
from typing import Iterable

HIDDEN = "[key hidden]"
KEY_FRAGMENT = 8  # shared characters in a row that make a word part of the key
SHORTEST_SECRET = 8  # a "key" shorter than this ("ollama", "none") is a placeholder, not a secret

_WORD = re.compile(r"[A-Za-z0-9_\-+/=~*\u2022]+(?:(?:\.\.\.|\u2026|\.)[A-Za-z0-9_\-+/=~*\u2022]+)*")
_PREFIXES = (
    "sk-",  # OpenAI (sk-proj-, sk-svcacct-), Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek, LiteLLM
    "sk_",
    "pk-",
    "rk-",
    "AIza",  # Google
    "gsk_",  # Groq
    "xai-",  # xAI
    "hf_",  # Hugging Face
    "nvapi-",  # NVIDIA
    "pplx-",  # Perplexity
    "fw_",  # Fireworks
    "r8_",  # Replicate
    "ghp_",  # GitHub
    "github_pat_",
    "glpat-",  # GitLab
)
_MASKED = re.compile(r"\*{3,}|\u2022{3,}|\.\.\.|\u2026")  # sk-proj-****abcd, sk-...5678, AIza…xyz
_OPAQUE = re.compile(r"[A-Za-z0-9]{32,}")  # Azure (32 hex), Mistral (32 alphanumerics), most bearer tokens
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',;)]{%d,}" % SHORTEST_SECRET)
_URL_KEY = re.compile(r"(?i)([?&](?:key|api_key|api-key|apikey|access_token|token)=)[^&\s\"'#]+")


def _secrets(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        value = (value or "").strip()
        if len(value) >= SHORTEST_SECRET:
            out.append(value)
            scheme, _, token = value.partition(" ")  # an Authorization header: "Bearer <token>"
            if token.strip() and scheme.isalpha() and len(token.strip()) >= SHORTEST_SECRET:
                out.append(token.strip())
    return sorted(set(out), key=len, reverse=True)


def _shares_fragment(word: str, secrets: list[str]) -> bool:
    if len(word) < KEY_FRAGMENT:
        return False
    for secret in secrets:
        for i in range(len(word) - KEY_FRAGMENT + 1):
            if word[i : i + KEY_FRAGMENT] in secret:
                return True
    return False


def _key_shaped(word: str) -> bool:
    if any(word.startswith(p) and len(word) > len(p) + 3 for p in _PREFIXES):
        return True
    if _MASKED.search(word) and sum(c.isalnum() for c in word) >= 4 and not word.replace(".", "").isalpha():
        return True  # letters around a mask: "****abcd", "sk-...5678"; not prose ("wait...what")
    run = _OPAQUE.search(word)
    return run is not None and any(c.isdigit() for c in run.group()) and any(c.isalpha() for c in run.group())


def hide_keys(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every key, key fragment and key-shaped word replaced by HIDDEN."""
    if not text:
        return text
    known = _secrets(secrets)
    for secret in known:
        text = text.replace(secret, HIDDEN)
    text = _BEARER.sub(lambda m: m.group(1) + HIDDEN, text)
    text = _URL_KEY.sub(lambda m: m.group(1) + HIDDEN, text)

    def word(match: re.Match[str]) -> str:
        w = match.group()
        return HIDDEN if _shares_fragment(w, known) or _key_shaped(w) else w

    return _WORD.sub(word, text)
