"""Every URL path sent to Directus is built here, from checked and encoded segments, and checked again as a browser
would resolve it before it leaves (app/directus/scope.py holds a call to the paths it declared).

    api_path("items", "articles", 3)          -> "/items/articles/3"    (each segment checked, then quote(safe=""))
    api_path("items", "..")                   -> PathRefused            (also "%2e%2E", ".%2e", " .. " ...)
    final_path("/items/x/%2e%2E/../users")    -> "/users"               (what the browser would request)
    name_problem("articles")                  -> ""                     (else what is wrong, for the model)
    key_problem("../users/me", uuid=True)     -> "... is not a UUID ..."

Why so strict: the browser resolves `.` and `..` segments (also percent-encoded ones, and `\\` as `/`) before it
sends a request, and proxies in front of Directus may decode `%2F`; a collection name or a key that carried them
would reach another endpoint than the one the user approved (`/users`, or `GET /flows/trigger/<id>`, which runs a
webhook flow). So names are identifiers, keys hold no `/`, `\\`, `%` or control characters and are never dot
segments, and files, folders, flows and operations (UUIDs in Directus) take UUIDs only.
"""

from __future__ import annotations

import re
from typing import Union
from urllib.parse import quote, unquote

from app.directus.errors import DirectusError

Segment = Union[str, int]

MAX_NAME = 64  # MySQL's limit for table and column names (Postgres: 63)
MAX_KEY = 255
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_IGNORED = re.compile(r"[\t\n\r]")  # a browser drops these from a URL before parsing it
_DOT = {".", "%2e"}
_DOTDOT = {"..", ".%2e", "%2e.", "%2e%2e"}


class PathRefused(DirectusError):
    """A request that would reach another path than the call is for: it is not sent. The model reads why."""

    def __init__(self, message: str):
        super().__init__(0, "PATH_REFUSED", message)


def name_problem(value: object, what: str = "a collection name") -> str:
    """ "" when `value` is a collection or field name (letters, digits, `_` and `-`); else what is wrong."""
    if not isinstance(value, str) or not value:
        return f"{what} is required (letters, digits, _ and -)"
    if len(value) > MAX_NAME:
        return f"{what} has at most {MAX_NAME} characters"
    if not _NAME.fullmatch(value):
        return f"{what} has only letters, digits, _ and - (got {_shown(value)}); call schema() for the names"
    return ""


def key_problem(value: object, *, uuid: bool = False, what: str = "a key") -> str:
    """ "" when `value` can be a primary key in a path: an integer or a string without `/`, `\\`, `%` or control
    characters that is not `.` or `..` (with `uuid`: a UUID, as files, folders, flows and operations have)."""
    if uuid:
        if isinstance(value, str) and _UUID.fullmatch(value):
            return ""
        return f"{what} is a UUID like 0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c (got {_shown(value)}); read the ids first"
    if isinstance(value, int) and not isinstance(value, bool):
        return ""
    if not isinstance(value, str) or not value:
        return f"{what} is a number or a non-empty string (got {_shown(value)})"
    if len(value) > MAX_KEY:
        return f"{what} has at most {MAX_KEY} characters"
    if any(ch in value for ch in "/\\%") or _CONTROL.search(value) or value.strip() in _DOT | _DOTDOT:
        return f"{what} cannot contain /, \\, % or control characters, nor be . or .. (got {_shown(value)})"
    return ""


def segment_problem(value: object) -> str:
    """ "" when `value` is one path segment that stays one segment, whatever decodes or resolves it."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"a path segment is a string or a number, not {_shown(value)}"
    text = str(value)
    if not text:
        return "a path segment cannot be empty"
    if _CONTROL.search(text):
        return f"a path segment cannot hold control characters (got {_shown(value)})"
    decoded = text
    for _ in range(3):  # a proxy may decode once more than the server does
        decoded = unquote(decoded)
    if any(ch in decoded for ch in "/\\") or decoded.strip().lower() in _DOT | _DOTDOT:
        return f"{_shown(value)} would leave its place in the path (a /, a \\, or a . or .. segment)"
    return ""


def api_path(*segments: Segment) -> str:
    """ "/a/b/c" from checked segments, each percent-encoded (nothing left as a separator). Raises PathRefused."""
    out = []
    for segment in segments:
        problem = segment_problem(segment)
        if problem:
            raise PathRefused(f"Refused before sending: {problem}.")
        out.append(quote(str(segment), safe=""))
    return "/" + "/".join(out)


def final_path(path: str) -> str:
    """The path a browser requests for `path` (its query and fragment left off): tabs and newlines dropped, `\\` read
    as `/`, and `.` and `..` segments (also `%2e` forms, any case) resolved, as the URL standard says."""
    text = _IGNORED.sub("", path).replace("\\", "/").split("#", 1)[0].split("?", 1)[0]
    parts = text.split("/")
    if parts and parts[0] == "":
        parts = parts[1:]
    out: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        low = part.lower()
        if low in _DOTDOT:
            if out:
                out.pop()
            if last:
                out.append("")
        elif low in _DOT:
            if last:
                out.append("")
        else:
            out.append(part)
    return "/" + "/".join(out)


def is_canonical(path: str) -> bool:
    """True when the browser would request `path` as it is: it starts with `/`, holds no query or fragment, and
    nothing in it is resolved away."""
    return path.startswith("/") and "?" not in path and "#" not in path and final_path(path) == path


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
