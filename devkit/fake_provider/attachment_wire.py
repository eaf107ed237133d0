"""Attachments in each protocol's own shape: checked the way the real services do, and echoed.

    problem(protocol, body) -> None, or what the real service would say (the server answers 400 in the
                               provider's own error shape)
    received(protocol, body) -> [(media type, bytes)] of the images and documents in the last user message

Shapes accepted (user messages only; anything else with bytes is refused):
    responses  {"type": "input_image", "image_url": "data:<image>;base64,...", "detail"?}
               {"type": "input_file", "filename": "...", "file_data": "data:application/pdf;base64,..."}
    chat       {"type": "image_url", "image_url": {"url": "data:<image>;base64,..."}}
               {"type": "file", "file": {"filename": "...", "file_data": "data:application/pdf;base64,..."}}
    anthropic  {"type": "image", "source": {"type": "base64", "media_type": "<image>", "data": "..."}}
               {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "..."}}
    gemini     {"inline_data": {"mime_type": "...", "data": "..."}} (or inlineData / mimeType)
Images are PNG, JPEG, WebP or GIF; the base64 must decode.

The echo answer (no script queued) ends with "[received: image/png 1234 bytes, ...]" so an end-to-end test can
see on the page that the bytes arrived.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Optional

IMAGES = ("image/png", "image/jpeg", "image/webp", "image/gif")
PDF = "application/pdf"
_DATA_URL = re.compile(r"^data:([\w.+/-]+);base64,(.*)$", re.DOTALL)

File = tuple[str, int]  # media type, decoded size


def _decode(data: Any) -> Optional[int]:
    if not isinstance(data, str) or not data:
        return None
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return None


def _data_url(url: Any, allowed: tuple[str, ...]) -> File | str:
    match = _DATA_URL.match(url) if isinstance(url, str) else None
    if match is None:
        return "expected a base64 data URL"
    media, data = match.group(1).lower(), match.group(2)
    if media not in allowed:
        return "unsupported media type %s" % media
    size = _decode(data)
    return (media, size) if size is not None else "invalid base64 data"


def _block(protocol: str, block: Any) -> File | str | None:
    """A file block's (media type, size), a problem, or None when the block is not a file."""
    if not isinstance(block, dict):
        return None
    kind = block.get("type")
    if protocol == "responses":
        if kind == "input_image":
            if block.get("detail", "auto") not in ("low", "high", "auto"):
                return "invalid detail"
            return _data_url(block.get("image_url"), IMAGES)
        if kind == "input_file":
            if not isinstance(block.get("filename"), str):
                return "input_file needs a filename"
            return _data_url(block.get("file_data"), (PDF,))
        return None
    if protocol in ("chat", "azure"):
        if kind == "image_url":
            return _data_url((block.get("image_url") or {}).get("url"), IMAGES)
        if kind == "file":
            f = block.get("file") or {}
            return _data_url(f.get("file_data"), (PDF,))
        return None
    if protocol == "anthropic":
        if kind not in ("image", "document"):
            return None
        source = block.get("source") or {}
        allowed = IMAGES if kind == "image" else (PDF,)
        if source.get("type") != "base64":
            return "source.type: expected base64"
        if source.get("media_type") not in allowed:
            return "source.media_type: Input should be %s" % " or ".join(repr(a) for a in allowed)
        size = _decode(source.get("data"))
        return (source["media_type"], size) if size is not None else "source.data: invalid base64 data"
    if protocol == "gemini":
        inline = block.get("inline_data") or block.get("inlineData")
        if inline is None:
            return None
        media = inline.get("mime_type") or inline.get("mimeType")
        if media not in IMAGES + (PDF,):
            return "Unsupported MIME type: %s" % media
        size = _decode(inline.get("data"))
        return (media, size) if size is not None else "Invalid value at inline_data.data (TYPE_BYTES)"
    return None


def _user_blocks(protocol: str, body: Any) -> list[list[Any]]:
    """The content blocks of each user message, oldest first."""
    if not isinstance(body, dict):
        return []
    if protocol == "gemini":
        return [c.get("parts") or [] for c in body.get("contents") or [] if c.get("role", "user") == "user"]
    key = "input" if protocol == "responses" else "messages"
    items = body.get(key)
    if not isinstance(items, list):
        return []
    return [
        m["content"]
        for m in items
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), list)
    ]


def problem(protocol: str, body: Any) -> Optional[str]:
    for i, blocks in enumerate(_user_blocks(protocol, body)):
        for j, block in enumerate(blocks):
            found = _block(protocol, block)
            if isinstance(found, str):
                return "user message %d, block %d: %s" % (i, j, found)
    return None


def received(protocol: str, body: Any) -> list[File]:
    messages = _user_blocks(protocol, body)
    if not messages:
        return []
    files = [_block(protocol, b) for b in messages[-1]]
    return [f for f in files if isinstance(f, tuple)]


def echo_suffix(protocol: str, body: Any) -> str:
    files = received(protocol, body)
    if not files:
        return ""
    return " [received: %s]" % ", ".join("%s %d bytes" % f for f in files)
