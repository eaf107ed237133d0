"""Offline token estimates: a fast heuristic, no tokenizer data.

The estimate counts a few kinds of characters with C-speed regular expressions and weighs them with
factors fitted against OpenAI's o200k_base tokenizer on English prose, Markdown, Python, compact and
indented JSON, German, Russian, Greek, Arabic, Chinese, Japanese and Korean (tests/unit/
test_tokens_samples.json; tests/unit/test_tokens_o200k.py keeps every sample within 25 %). Dense scripts
count more per character: CJK about 0.8 token per character, Cyrillic about 0.26, Latin prose about
0.23. Other providers tokenize differently; `provider_factor` scales the o200k estimate for them
(Anthropic and Gemini give no offline tokenizer; the factors are the reference document's ranges).

Estimates of long texts are cached by the text itself (strings cache their hash), so re-estimating a
history before every request costs only the new messages.
"""

from __future__ import annotations

import json
import re
from typing import Iterable, Optional, assert_never

from app.chat.model import (
    FilePart,
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)

_WORDS = re.compile(r"[A-Za-z]+")
_DIGIT_GROUPS = re.compile(r"[0-9]{1,3}")  # o200k splits numbers into groups of up to 3 digits
_PUNCT = re.compile(r"[!-/:-@\[-`{-~]")
_NEWLINES = re.compile(r"\n[ \t]*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_GREEK_SEMITIC = re.compile(r"[\u0370-\u03ff\u0590-\u06ff]")

# Tokens per occurrence, fitted against o200k_base (see the module docstring).
_PER_WORD = 0.295
_PER_LETTER = 0.165
_PER_DIGIT_GROUP = 1.0
_PER_PUNCT = 0.703
_PER_NEWLINE = 0.809
_PER_CJK = 0.791
_PER_CYRILLIC = 0.261
_PER_GREEK_SEMITIC = 0.384
_PER_OTHER = 1.0  # accented Latin, symbols, emoji (usually 1-2 tokens each)

# Framing a provider adds around each message and each tool call (role markers, ids, names).
MESSAGE_OVERHEAD = 4
TOOL_CALL_OVERHEAD = 8

# o200k estimate -> provider tokens. Claude's tokenizer yields about 1.2-1.35x, Gemini 1.0-1.1x.
_PROVIDER_FACTORS = {"anthropic": 1.3, "gemini": 1.1, "google": 1.1}

_CACHE: dict[str, int] = {}
_CACHE_LIMIT = 4096
_CACHE_MIN_CHARS = 256


def estimate_tokens(text: str) -> int:
    """Estimated o200k token count of `text` (0 for an empty string)."""
    if not text:
        return 0
    if len(text) >= _CACHE_MIN_CHARS:
        cached = _CACHE.get(text)
        if cached is not None:
            return cached
    n = len(text)
    ascii_chars = len(text.encode("ascii", "ignore"))
    words = _WORDS.findall(text)
    estimate = _PER_WORD * len(words) + _PER_LETTER * sum(map(len, words))
    estimate += _PER_DIGIT_GROUP * len(_DIGIT_GROUPS.findall(text)) + _PER_PUNCT * len(_PUNCT.findall(text))
    estimate += _PER_NEWLINE * len(_NEWLINES.findall(text))
    if ascii_chars < n:
        cjk = len(_CJK.findall(text))
        cyrillic = len(_CYRILLIC.findall(text))
        greek_semitic = len(_GREEK_SEMITIC.findall(text))
        other = max(0, n - ascii_chars - cjk - cyrillic - greek_semitic)
        estimate += _PER_CJK * cjk + _PER_CYRILLIC * cyrillic + _PER_GREEK_SEMITIC * greek_semitic
        estimate += _PER_OTHER * other
    tokens = max(1, int(estimate + 0.5))
    if n >= _CACHE_MIN_CHARS:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[text] = tokens
    return tokens


def estimate_message_tokens(message: Message, protocol: str = "responses") -> int:
    """Estimated tokens of one message as a provider would count it in the prompt (attachments by the rule of
    the wire `protocol`, app/chat/attachments.py)."""
    total = MESSAGE_OVERHEAD
    for part in message.parts:
        match part:
            case TextPart():
                total += estimate_tokens(part.text)
            case ToolCallPart():
                total += TOOL_CALL_OVERHEAD + estimate_tokens(part.name) + estimate_tokens(part.arguments)
            case ToolResultPart():
                total += TOOL_CALL_OVERHEAD + estimate_tokens(part.content)
            case ReasoningPart():
                # Replayed reasoning is counted by most providers; an encrypted blob is roughly its length / 4.
                total += estimate_tokens(part.text)
                blob = part.provider_details.get("encrypted_content") if part.provider_details else None
                if isinstance(blob, str):
                    total += len(blob) // 4
            case FilePart():
                from app.chat.attachments import file_tokens

                total += file_tokens(part, protocol)
            case _:
                assert_never(part)
    return total


def estimate_messages_tokens(messages: Iterable[Message]) -> int:
    return sum(estimate_message_tokens(m) for m in messages)


def estimate_json_tokens(value: object) -> int:
    """Estimated tokens of a JSON-able value, e.g. a tool's schema or a list of tool specs."""
    return estimate_tokens(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def provider_factor(model_id: Optional[str]) -> float:
    """Multiplier from an o200k estimate to the tokens of the provider in "provider:model"."""
    if not model_id:
        return 1.0
    provider = model_id.split(":", 1)[0].lower()
    if provider in _PROVIDER_FACTORS:
        return _PROVIDER_FACTORS[provider]
    name = model_id.lower()
    if "claude" in name:
        return _PROVIDER_FACTORS["anthropic"]
    if "gemini" in name or "gemma" in name:
        return _PROVIDER_FACTORS["gemini"]
    return 1.0
