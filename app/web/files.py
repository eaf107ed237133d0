"""A file from the page (a picker, a drop, a paste, a Directus asset) made ready to attach.

    part, data_b64 = await prepare(file, long_edge=1568)    # or raises Unreadable with a sentence for the user

Images are decoded by the browser (createImageBitmap, so a broken or hostile file fails there, not in Python),
scaled down in a canvas so that the longer side is at most `long_edge` (the provider's recommended size) and
re-encoded (PNG and GIF as PNG, JPEG as JPEG, WebP as WebP); an image already small enough keeps its bytes. A file
larger than any provider takes (app/chat/attachments.py too_large) is refused from its size, before it is read. A
small JPEG thumbnail (a data URL) goes into the conversation; the bytes go to the attachment store. PDFs have
their pages counted; text-like files are kept as they are.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Optional

from js import Object, OffscreenCanvas, createImageBitmap
from pyodide.ffi import JsException, to_js

from app.chat.attachments import Kind, kind_of, media_type, pdf_pages, scaled_size, too_large
from app.chat.model import FilePart

THUMBNAIL_EDGE = 96
REENCODE = {"image/png": "image/png", "image/gif": "image/png", "image/jpeg": "image/jpeg", "image/webp": "image/webp"}


class Unreadable(Exception):
    """The file cannot be attached; the message says why, for the user."""


async def _bytes(blob: Any) -> bytes:
    return bytes((await blob.arrayBuffer()).to_py())


async def _encode(bitmap: Any, width: int, height: int, media: str, quality: float, fill: bool = False) -> bytes:
    canvas = OffscreenCanvas.new(width, height)
    ctx = canvas.getContext("2d")
    if fill:  # a JPEG has no transparency: white behind it, not black
        ctx.fillStyle = "#ffffff"
        ctx.fillRect(0, 0, width, height)
    ctx.drawImage(bitmap, 0, 0, width, height)
    options = to_js({"type": media, "quality": quality}, dict_converter=Object.fromEntries)
    return await _bytes(await canvas.convertToBlob(options))


async def _read(
    file: Any, name: str, media: str, kind: Kind, long_edge: int
) -> tuple[bytes, Optional[int], Optional[int], Optional[int], Optional[str], str]:
    """(bytes, width, height, pages, thumbnail, media type) of a file; images scaled and re-encoded when too big."""
    data = await _bytes(file)
    refused = too_large(name, kind, len(data))  # a Blob whose size said otherwise
    if refused:
        raise Unreadable(refused)
    width = height = pages = None
    thumbnail = None
    if kind == "image":
        try:
            bitmap = await createImageBitmap(file)
        except JsException:
            raise Unreadable("%s could not be read as an image." % name) from None
        width, height = int(bitmap.width), int(bitmap.height)
        new_w, new_h = scaled_size(width, height, long_edge)
        if (new_w, new_h) != (width, height):
            media = REENCODE[media]
            data = await _encode(bitmap, new_w, new_h, media, 0.85, fill=media == "image/jpeg")
            width, height = new_w, new_h
        thumb_w, thumb_h = scaled_size(width, height, THUMBNAIL_EDGE)
        thumb = await _encode(bitmap, thumb_w, thumb_h, "image/jpeg", 0.7, fill=True)
        thumbnail = "data:image/jpeg;base64," + base64.b64encode(thumb).decode("ascii")
        bitmap.close()
    elif kind == "pdf":
        pages = pdf_pages(data)
    return data, width, height, pages, thumbnail, media


async def prepare(
    file: Any, long_edge: int, name: Optional[str] = None, directus_id: Optional[str] = None
) -> tuple[FilePart, str]:
    """(the file part, its bytes as base64). `file` is a File or Blob; `name` overrides its name (a Blob has none)."""
    name = name or str(getattr(file, "name", "") or "") or "pasted-image.png"
    media = media_type(name, str(file.type or ""))
    kind = kind_of(media) if media else None
    if media is None or kind is None:
        raise Unreadable("%s is not a kind of file the assistant can send (images, PDF or text files)." % name)
    refused = too_large(name, kind, int(getattr(file, "size", 0) or 0))  # before a byte of it is read
    if refused:
        raise Unreadable(refused)
    try:
        data, width, height, pages, thumbnail, media = await _read(file, name, media, kind, long_edge)
    except JsException as exc:  # the file went away, or the browser could not decode or encode it
        raise Unreadable("%s could not be read (%s)." % (name, getattr(exc, "name", None) or "browser error")) from None
    part = FilePart(
        name=name,
        media_type=media,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        pages=pages,
        thumbnail=thumbnail,
        directus_id=directus_id,
    )
    return part, base64.b64encode(data).decode("ascii")
