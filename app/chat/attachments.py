"""Attachments without the browser: what kinds exist, what each model takes, the limits of each wire protocol,
and what a file costs in tokens.

    kind_of("image/png") -> "image";  kind_of("text/csv") -> "text";  kind_of("application/zip") -> None
    problem(files, protocol, takes) -> None, or a sentence for the user that names the limit
    file_tokens(part, protocol) -> the tokens the provider will count for it (approximately)

Kinds: images (PNG, JPEG, WebP, GIF), PDF, and text-like files (txt, md, csv, json, html), which every model
takes as text. Images are scaled in the page to `Limits.image_long_edge` before they are kept (app/web/files.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Literal, Optional

from app.chat.model import FilePart

Kind = Literal["image", "pdf", "text"]

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
PDF_TYPE = "application/pdf"
TEXT_TYPES = ("text/plain", "text/markdown", "text/csv", "application/json", "text/html")
TEXT_EXTENSIONS = {
    "txt": "text/plain",
    "md": "text/markdown",
    "markdown": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "html": "text/html",
    "htm": "text/html",
}
EXTENSIONS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}
EXTENSIONS.update({"pdf": PDF_TYPE}, **TEXT_EXTENSIONS)
ACCEPT = ",".join(IMAGE_TYPES + (PDF_TYPE,) + TEXT_TYPES + tuple("." + e for e in EXTENSIONS))
KIND_LABELS = {"image": "images", "pdf": "PDFs", "text": "text files"}
MAX_FILES = 10  # per message
MAX_TEXT_BYTES = 512 * 1024  # a text file larger than this is too big to be sent as text
LEFT_OUT = ""  # in ModelRequest.files: an older file left out of this request to stay within the provider's limits


def media_type(name: str, declared: str = "") -> Optional[str]:
    """The media type we treat a file as: its declared type when we know it, else from its extension."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared in IMAGE_TYPES or declared == PDF_TYPE or declared in TEXT_TYPES:
        return declared
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSIONS.get(extension)


def kind_of(media: str) -> Optional[Kind]:
    if media in IMAGE_TYPES:
        return "image"
    if media == PDF_TYPE:
        return "pdf"
    if media in TEXT_TYPES:
        return "text"
    return None


@dataclass(frozen=True)
class Limits:
    """What one wire protocol accepts; bytes are the raw file size (base64 adds a third on the wire)."""

    label: str
    image_long_edge: int  # images are scaled to fit this (the provider's recommended size)
    image_bytes: int  # one image
    pdf_bytes: int  # one PDF
    pdf_pages: int
    request_bytes: int  # all the attachments a request carries
    images_per_request: int


MB = 1024 * 1024
LIMITS: dict[str, Limits] = {
    "responses": Limits("OpenAI", 2048, 20 * MB, 32 * MB, 100, 32 * MB, 500),
    "chat": Limits("an OpenAI-compatible endpoint", 2048, 20 * MB, 32 * MB, 100, 20 * MB, 50),
    "anthropic": Limits("Anthropic", 1568, 5 * MB, 32 * MB, 100, 24 * MB, 100),
    "gemini": Limits("Gemini", 3072, 20 * MB, 20 * MB, 1000, 15 * MB, 3000),
}


def limits(protocol: str) -> Limits:
    return LIMITS.get(protocol, LIMITS["chat"])


def megabytes(n: int) -> str:
    return "%g MB" % round(n / MB, 1)


def problem(files: Iterable[FilePart], protocol: str, takes: Iterable[str], model_name: str = "") -> Optional[str]:
    """Why these attachments cannot go to this model, in words that name the limit; None when they can."""
    files = list(files)
    if len(files) > MAX_FILES:
        return "At most %d files can be attached to one message." % MAX_FILES
    taken = set(takes)
    who = model_name or "The selected model"
    for media in ("image", "pdf"):
        named = [f.name for f in files if kind_of(f.media_type) == media]
        if named and media not in taken:
            return "%s does not take %s (%s). Remove %s or choose a model that reads %s." % (
                who,
                KIND_LABELS[media],
                ", ".join(named),
                "it" if len(named) == 1 else "them",
                KIND_LABELS[media],
            )
    lim = limits(protocol)
    images = [f for f in files if kind_of(f.media_type) == "image"]
    if len(images) > lim.images_per_request:
        return "%s takes at most %d images per request." % (lim.label, lim.images_per_request)
    for f in files:
        kind = kind_of(f.media_type)
        if kind is None:
            return "%s is not a kind of file the assistant can send (images, PDF or text files)." % f.name
        if kind == "image" and f.size > lim.image_bytes:
            return "%s is %s; %s takes images up to %s." % (
                f.name,
                megabytes(f.size),
                lim.label,
                megabytes(lim.image_bytes),
            )
        if kind == "pdf" and f.size > lim.pdf_bytes:
            return "%s is %s; %s takes PDFs up to %s." % (
                f.name,
                megabytes(f.size),
                lim.label,
                megabytes(lim.pdf_bytes),
            )
        if kind == "pdf" and f.pages and f.pages > lim.pdf_pages:
            return "%s has %d pages; %s takes PDFs of up to %d pages." % (f.name, f.pages, lim.label, lim.pdf_pages)
        if kind == "text" and f.size > MAX_TEXT_BYTES:
            return "%s is %s; text files are sent up to %s." % (f.name, megabytes(f.size), megabytes(MAX_TEXT_BYTES))
    total = sum(f.size for f in files if kind_of(f.media_type) != "text")
    if total > lim.request_bytes:
        return "These attachments add up to %s; %s takes up to %s per request." % (
            megabytes(total),
            lim.label,
            megabytes(lim.request_bytes),
        )
    return None


def read_limit(kind: Optional[Kind]) -> int:
    """The most bytes of a file of this kind worth reading into the page: what the most generous provider takes
    (text: what is sent as text). A file past it is refused before it is read."""
    if kind == "text":
        return MAX_TEXT_BYTES
    if kind == "image":
        return max(lim.image_bytes for lim in LIMITS.values())
    return max(lim.pdf_bytes for lim in LIMITS.values())


def too_large(name: str, kind: Optional[Kind], size: int) -> Optional[str]:
    """Why a file of `size` bytes is refused before it is read, naming the limit; None when it may be read."""
    limit = read_limit(kind)
    if size <= limit:
        return None
    what = KIND_LABELS.get(kind or "", "files")
    return "%s is %s; %s can be attached up to %s." % (name, megabytes(size), what, megabytes(limit))


def room_for(attached: int, offered: int) -> tuple[int, Optional[str]]:
    """How many of `offered` files may join the `attached` ones (MAX_FILES per message), and what to say when some
    may not."""
    room = max(0, MAX_FILES - attached)
    if offered <= room:
        return offered, None
    left = offered - room
    return room, "At most %d files can be attached to one message; %d file%s not attached." % (
        MAX_FILES,
        left,
        " was" if left == 1 else "s were",
    )


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(data: bytes) -> int:
    """The pages of a PDF, counted from its page objects (approximate: compressed object streams hide some)."""
    return max(1, len(_PAGE.findall(data)))


def scaled_size(width: int, height: int, long_edge: int) -> tuple[int, int]:
    """(width, height) scaled down (never up) so that the longer side is at most `long_edge`."""
    longest = max(width, height)
    if longest <= long_edge or longest <= 0:
        return width, height
    ratio = long_edge / longest
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def image_tokens(width: int, height: int, protocol: str) -> int:
    """Each provider's published rule for an image, approximately."""
    if width <= 0 or height <= 0:
        return 1000
    if protocol == "anthropic":  # (w * h) / 750 after fitting 1568 px / 1.15 megapixels
        w, h = scaled_size(width, height, 1568)
        return min(1600, max(1, (w * h) // 750))
    if protocol == "gemini":  # 258 per image up to 384 px, else per 768 px tile
        if width <= 384 and height <= 384:
            return 258
        return 258 * math.ceil(width / 768) * math.ceil(height / 768)
    # OpenAI high detail: fit 2048, shortest side 768, 170 per 512 px tile + 85
    w, h = scaled_size(width, height, 2048)
    short = min(w, h)
    if short > 768:
        w, h = round(w * 768 / short), round(h * 768 / short)
    return 85 + 170 * math.ceil(w / 512) * math.ceil(h / 512)


PDF_PAGE_TOKENS = {"anthropic": 2000, "gemini": 258, "responses": 1500, "chat": 1500}


def file_tokens(part: FilePart, protocol: str = "responses") -> int:
    """Tokens a provider counts for one attachment, approximately (text files: about 4 bytes a token)."""
    kind = kind_of(part.media_type)
    if kind == "image":
        return image_tokens(part.width or 0, part.height or 0, protocol)
    if kind == "pdf":
        return PDF_PAGE_TOKENS.get(protocol, 1500) * (part.pages or max(1, part.size // 60_000))
    return max(1, part.size // 4)
