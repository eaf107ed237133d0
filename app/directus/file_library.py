"""Directus's file library, read with the user's own permissions, for "Attach from Directus".

    files = await list_files(client, search="logo", folder=None, kind="image")   # newest first, at most `limit`
    folders = await list_folders(client)                                          # [(id, name)] by name
    data, media = await read_file(client, file_id)                                # GET /assets/<id>

Only the kinds the assistant can attach are listed (images, PDFs, text files); a file the user may not read is
simply not listed (Directus filters), and /assets answers 403 for it. The model is told the file's id
(app/providers/user_content.py), so it can refer to it in tool calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from app.chat.attachments import IMAGE_TYPES, PDF_TYPE, TEXT_TYPES, kind_of, megabytes, read_limit, too_large
from app.directus.client import DirectusClient
from app.directus.errors import DirectusError
from app.directus.paths import api_path, key_problem

KIND_FILTERS: dict[str, dict[str, Any]] = {
    "image": {"type": {"_in": list(IMAGE_TYPES)}},
    "pdf": {"type": {"_eq": PDF_TYPE}},
    "text": {"type": {"_in": list(TEXT_TYPES)}},
}
ALL_KINDS = {"type": {"_in": list(IMAGE_TYPES) + [PDF_TYPE] + list(TEXT_TYPES)}}
FIELDS = "id,title,filename_download,type,filesize,width,height,folder,uploaded_on"


@dataclass(frozen=True)
class LibraryFile:
    id: str
    name: str  # the title, else the download name
    filename: str
    media_type: str
    size: Optional[int]  # bytes, as Directus lists it; None when unknown
    folder: Optional[str]


def _file(row: Any) -> Optional[LibraryFile]:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        return None
    filename = str(row.get("filename_download") or row["id"])
    folder = row.get("folder")
    return LibraryFile(
        id=row["id"],
        name=str(row.get("title") or filename),
        filename=filename,
        media_type=str(row.get("type") or ""),
        size=_size(row.get("filesize")),
        folder=folder if isinstance(folder, str) else None,
    )


def _size(value: Any) -> Optional[int]:
    """A listed file size in bytes; None when Directus gives none, or something that is no size."""
    if isinstance(value, bool):
        return None
    try:
        size = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return size if size >= 0 else None


async def list_files(
    client: DirectusClient,
    search: str = "",
    folder: Optional[str] = None,
    kind: Optional[str] = None,
    limit: int = 50,
) -> list[LibraryFile]:
    """The files the user may read, newest first; `folder` "" means the root (no folder), None any folder."""
    conditions: list[dict[str, Any]] = [KIND_FILTERS.get(kind or "", ALL_KINDS)]
    if folder == "":
        conditions.append({"folder": {"_null": True}})
    elif folder is not None:
        conditions.append({"folder": {"_eq": folder}})
    params: dict[str, Any] = {
        "fields": FIELDS,
        "filter": {"_and": conditions},
        "sort": "-uploaded_on",
        "limit": limit,
    }
    if search.strip():
        params["search"] = search.strip()
    rows = await client.request("GET", api_path("files"), params=params)
    return [f for f in (_file(r) for r in rows or []) if f is not None]


async def list_folders(client: DirectusClient) -> list[tuple[str, str]]:
    rows = await client.request("GET", api_path("folders"), params={"fields": "id,name", "sort": "name", "limit": -1})
    return [(r["id"], str(r.get("name") or r["id"])) for r in rows or [] if isinstance(r, dict) and r.get("id")]


async def read_file(client: DirectusClient, file: LibraryFile) -> tuple[bytes, str]:
    """The file's bytes through /assets/<id> (the user's permissions) and its media type. A file larger than its
    kind may be (app/chat/attachments.py too_large) is refused from its listed size, and its download is stopped
    once the body passes that limit (Directus may list a size the body does not keep to)."""
    problem = key_problem(file.id, uuid=True, what="a file id")
    if problem:
        raise DirectusError(0, "INVALID_ID", problem)
    kind = kind_of(file.media_type)
    refused = too_large(file.name, kind, file.size or 0)
    if refused:
        raise DirectusError(0, "TOO_LARGE", refused)
    try:
        data, media = await client.download(api_path("assets", file.id), read_limit(kind))
    except DirectusError as exc:
        if exc.code != "TOO_LARGE":
            raise
        limit = megabytes(read_limit(kind))
        message = "%s is larger than %s (not the size Directus lists); reading it stopped there." % (file.name, limit)
        raise DirectusError(0, "TOO_LARGE", message) from None
    return data, (media.split(";")[0].strip() or file.media_type)
