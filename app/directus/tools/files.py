"""`files`: the file library. Read, update metadata, import from a URL, delete.

    read    keys? + query?            GET /files[/id]
    update  keys + data | data array with ids | query.filter + data      PATCH /files...
    import  data {url, title?, folder?, ...} or an array of them           POST /files/import (one per URL)
    delete  keys                      DELETE /files[/id]

Raw bytes cannot be uploaded by a model; importing from a URL is the way in. An import always asks, naming the
host(s): the Directus server downloads the URL itself, so it could reach hosts the user's browser cannot, or carry
data out in the URL. File ids are UUIDs. Results leave out storage internals and EXIF metadata unless asked for
with query.fields.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import field_validator

from app.directus.paths import api_path
from app.directus.scope import Scope, union
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_keys, keys_text
from app.directus.tools.definition import CallPreview, ToolDef, blanks, count, read, with_related, write
from app.directus.tools.items import check_write_shape
from app.directus.tools.query import DataArg, KeysArg, Query, SameQueryArg, keys_validator
from app.directus.tools.results import prune
from app.directus.undo import capture_files

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "import: data {url, title?, folder?}. query as in items."

_INTERNAL = (
    "storage",
    "filename_disk",
    "metadata",
    "charset",
    "embed",
    "tus_id",
    "tus_data",
    "focal_point_x",
    "focal_point_y",
)


class FilesArgs(ArgsModel):
    action: Literal["read", "update", "import", "delete"]
    keys: KeysArg = None
    data: DataArg = None
    query: SameQueryArg = None

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        return keys_validator(value)

    def check(self) -> None:
        if self.action == "import":
            if self.keys:
                raise ArgumentProblem("keys", "not used by import")
            entries = self.data if isinstance(self.data, list) else [self.data] if self.data else []
            if not entries:
                raise ArgumentProblem("data", "import needs data: {url, title?, folder?} or an array of them")
            for i, entry in enumerate(entries):
                at = f"data[{i}]" if isinstance(self.data, list) else "data"
                url = entry.get("url")
                if not isinstance(url, str):
                    raise ArgumentProblem(at + ".url", "required: the http(s) URL of the file to import")
                problem = url_problem(url)
                if problem:
                    raise ArgumentProblem(at + ".url", problem)
            return
        check_keys(self.keys, uuid=True, what="a file id")
        check_write_shape(self.action, self.keys, self.data, self.query)

    def imports(self) -> list[dict]:
        entries = self.data if isinstance(self.data, list) else [self.data or {}]
        out = []
        for entry in entries:
            meta = {k: v for k, v in entry.items() if k not in ("url", "file", "data")}
            for nested in ("file", "data"):  # Directus's own tool nests the metadata under "file"
                if isinstance(entry.get(nested), dict):
                    meta.update(entry[nested])
            out.append({"url": entry["url"], "data": meta} if meta else {"url": entry["url"]})
        return out


def url_problem(url: str) -> str:
    """Why Directus must not be given this URL to download, or "" when it may. The approval prompt names the host
    as Python reads it; Directus (Node) must reach that same host, so nothing the two parsers read differently
    is let through: a backslash (Node reads it as "/": `https://evil.example\\@good.example/`), userinfo (an "@"
    before the host), whitespace or control characters (Node drops some), a "%" or a non-ASCII letter in the
    host (Node decodes them), and any scheme but http(s)."""
    if not url.lower().startswith(("http://", "https://")):
        return "required: the http(s) URL of the file to import"
    if "\\" in url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "a URL without backslashes, spaces or control characters (percent-encode them)"
    authority = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        return "a URL without a user name or password before the host"
    if "%" in authority or not authority.isascii():
        return "a URL whose host is plain ASCII (punycode for other letters, no percent-encoding)"
    if not _host(url):
        return "required: the http(s) URL of the file to import (with a host)"
    return ""


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # e.g. a port that is not a number
        return ""


_VERBS = {"read": "GET", "update": "PATCH", "delete": "DELETE"}


def scope(a: FilesArgs) -> Scope:
    if a.action == "import":
        return Scope.of("POST", "files", "import")
    methods = "GET " + _VERBS[a.action]
    return union([Scope.of(methods, "files"), *(Scope.of(methods, "files", k) for k in a.keys or [])])


def _it(n: int) -> str:
    return "it" if n == 1 else "them"


def _shape(value: Any, q: Query) -> Any:
    return prune(value) if q.fields else prune(value, drop=_INTERNAL)


async def run(client: DirectusApi, a: FilesArgs) -> Any:
    q = a.query or Query()
    params = {"fields": q.fields} if q.fields else None
    if a.action == "read":
        if a.keys and len(a.keys) == 1:
            one = {k: v for k, v in q.to_params().items() if k in ("fields", "deep")}
            return _shape(await client.request("GET", api_path("files", a.keys[0]), params=one), q)
        full = q.to_params()
        if a.keys:
            id_filter = {"id": {"_in": a.keys}}
            full["filter"] = {"_and": [id_filter, full["filter"]]} if full.get("filter") else id_filter
        body = await client.request_body("GET", "/files", params=full)
        if isinstance(body, dict) and "meta" in body:
            return {"data": _shape(body.get("data"), q), "meta": body["meta"]}
        return _shape(body.get("data") if isinstance(body, dict) else body, q)
    if a.action == "import":
        results = await asyncio.gather(
            *(client.request("POST", "/files/import", params=params, json=entry) for entry in a.imports()),
            return_exceptions=True,
        )
        out = []
        for entry, result in zip(a.imports(), results, strict=True):
            if isinstance(result, BaseException):
                if len(results) == 1:
                    raise result
                out.append({"url": entry["url"], "error": getattr(result, "message", str(result))})
            else:
                out.append(_shape(result, q))
        return out[0] if not isinstance(a.data, list) else out
    if a.action == "update":
        if isinstance(a.data, list):
            return _shape(await client.request("PATCH", "/files", params=params, json=a.data), q)
        if a.keys:
            if len(a.keys) == 1:
                return _shape(
                    await client.request("PATCH", api_path("files", a.keys[0]), params=params, json=a.data), q
                )
            return _shape(
                await client.request("PATCH", "/files", params=params, json={"keys": a.keys, "data": a.data}), q
            )
        if a.query and not a.query.writes_all:
            body = {"query": {k: v for k, v in q.to_body().items() if k in ("filter", "search")}, "data": a.data}
            return _shape(await client.request("PATCH", "/files", params=params, json=body), q)
        raise ArgumentProblem("keys", "update needs keys, query.filter, or an array of files with their ids")
    keys = a.keys or []
    if len(keys) == 1:
        await client.request("DELETE", api_path("files", keys[0]))
    else:
        await client.request("DELETE", "/files", json=keys)
    return {"deleted": keys}


def preview(a: FilesArgs) -> CallPreview:
    data = [entry.get("data", {}) for entry in a.imports()] if a.action == "import" else a.data
    return with_related(_preview(a), data)  # nested data writes related items too (a folder, a user): it always asks


def _preview(a: FilesArgs) -> CallPreview:
    q = a.query.describe() if a.query else None
    if a.action == "read":
        what = f" ({keys_text(a.keys)})" if a.keys else ""
        return read(f"Read files{what}", keys=a.keys, query=q)
    if a.action == "import":
        urls = [e["url"] for e in a.imports()]
        hosts = list(dict.fromkeys(_host(u) for u in urls))
        return write(
            f"Import {count(len(urls), 'file')} from {', '.join(hosts)} (Directus will download {_it(len(urls))})",
            action="import",
            writes=len(urls),
            always_ask=True,
            urls=urls,
            data=a.data,
        )
    if a.action == "update":
        empties = blanks(a.data)
        if isinstance(a.data, list):
            n = len(a.data)
            return write(f"Update {count(n, 'file')}", action="update", writes=n, destructive=empties, data=a.data)
        if a.keys:
            return write(
                f"Update {count(len(a.keys), 'file')} ({keys_text(a.keys)})",
                action="update",
                writes=len(a.keys),
                destructive=empties,
                keys=a.keys,
                data=a.data,
            )
        return write(
            "Update every file that matches a filter",
            action="update",
            writes=0,
            destructive=empties,
            bulk=True,
            query=q,
            data=a.data,
        )
    n = len(a.keys or [])
    return write(
        f"Delete {count(n, 'file')} ({keys_text(a.keys)})", action="delete", writes=n, destructive=True, keys=a.keys
    )


TOOL = ToolDef(
    name="files",
    description=DESCRIPTION,
    input_model=FilesArgs,
    run=run,
    preview=preview,
    scope=scope,
    capture=capture_files,
)
