"""Tool arguments: parse the model's raw JSON once, forgive JSON-in-a-string, say exactly what is wrong.

    parse_arguments('{"action":"read","collection":"articles"}')  -> dict
    Args.model_validate(dict)  -> validated model, or pydantic errors -> ToolArgumentError via from_validation()

Models often send nested arguments as JSON text (`"keys": "[1,2]"`, `"query": "{\\"limit\\":5}"`): every
`ArgsModel` field that expects an object or an array accepts that text and parses it before validation.
Arguments nested deeper than MAX_DEPTH levels are refused with a message, before anything recurses into them.
Names and keys that go into a URL path are checked here too (`check_name`, `check_keys`: app/directus/paths.py).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from app.directus.paths import key_problem, name_problem
from app.json_depth import TooDeep, load_json

MAX_DEPTH = 64  # levels of objects and arrays in a call's arguments (Directus filters nest far less)


class ToolArgumentError(Exception):
    """Invalid tool arguments: each problem names the argument path (e.g. `query.limit`) and the fix."""

    def __init__(self, tool: str, problems: Iterable[tuple[str, str]]):
        self.tool = tool
        self.problems = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [(f"{path}: {text}" if path else text) for path, text in self.problems]
        return f"Invalid arguments for {self.tool}: " + "; ".join(parts)

    def body(self) -> dict:
        return {
            "error": {
                "code": "INVALID_ARGUMENTS",
                "message": self.message,
                "retryable": True,
                "next": "Fix the named arguments and call again.",
            }
        }


class ArgumentProblem(Exception):
    """Raised by a tool's per-action check; the registry turns it into a ToolArgumentError."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def parse_arguments(tool: str, arguments: Any) -> dict:
    """The raw arguments (JSON text, dict or None) as a dict; empty or null means {}."""
    value = arguments
    for _ in range(2):  # a model may double-encode: "\"{...}\""
        if value is None:
            return {}
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            break
        text = value.strip()
        if not text or text == "null":
            return {}
        try:
            value = load_json(text, MAX_DEPTH)  # measured before it is parsed: no recursion into deep text
        except TooDeep:
            raise ToolArgumentError(tool, [("", TOO_DEEP)]) from None
        except json.JSONDecodeError as exc:
            raise ToolArgumentError(
                tool,
                [("", f"the arguments are not valid JSON ({exc.msg} at character {exc.pos}); send one JSON object")],
            ) from None
        except ValueError:  # e.g. an integer of more than 4300 digits (Python's limit on converting them)
            raise ToolArgumentError(
                tool, [("", "the arguments hold a number too long to read; send shorter numbers")]
            ) from None
    if not isinstance(value, dict):
        raise ToolArgumentError(tool, [("", f"the arguments must be a JSON object, not {_kind(value)}")])
    if too_deep(value):
        raise ToolArgumentError(tool, [("", TOO_DEEP)])
    return value


TOO_DEEP = f"the arguments are nested more than {MAX_DEPTH} levels deep; send flatter JSON"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when objects and arrays nest more than `limit` levels (walked without recursion)."""
    level: list[Any] = [value]
    for _ in range(limit + 1):
        level = [v for item in level for v in (item.values() if isinstance(item, dict) else item)]
        level = [v for v in level if isinstance(v, (dict, list))]
        if not level:
            return False
    return True


def from_validation(tool: str, error: ValidationError) -> ToolArgumentError:
    problems = []
    for item in error.errors(include_url=False):
        loc = [str(p) for p in item.get("loc", ()) if not _is_union_tag(p)]
        path = _path(loc)
        kind = item.get("type", "")
        if kind == "extra_forbidden":
            problems.append((path, "unknown argument; remove it"))
        elif kind == "missing":
            problems.append((path, "required"))
        else:
            message = item.get("msg", "invalid")
            message = message[len("Value error, ") :] if message.startswith("Value error, ") else message
            if kind not in ("value_error", "assertion_error") and "input" in item:
                message += f" (got {_short(item['input'])})"
            problems.append((path, message))
    # One entry per path: union branches repeat the same location with different complaints.
    seen: dict[str, str] = {}
    for path, message in problems:
        seen.setdefault(path, message)
    return ToolArgumentError(tool, list(seen.items()))


def _path(loc: list[str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if part.isdigit() else (("." if out else "") + part)
    return out


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member's type name in the location (e.g. "list[str]", "function-before[...]")
    return isinstance(part, str) and any(ch in part for ch in "[(") and not part.isidentifier()


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_text(value: Any) -> Any:
    """A string that holds a JSON object or array, parsed; anything else unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "[") or text == "null":
            try:
                parsed = load_json(text, MAX_DEPTH)
            except TooDeep:
                raise ValueError(TOO_DEEP) from None
            except ValueError:
                return value
            if too_deep(parsed):
                raise ValueError(TOO_DEEP)
            return parsed
    return value


class ArgsModel(BaseModel):
    """Base of every tool input: unknown arguments are errors; object/array arguments may arrive as JSON text."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _coerce_json_text(cls, data: Any) -> Any:
        data = _json_text(data)
        if isinstance(data, dict):
            data = {k: _json_text(v) for k, v in data.items()}
            # A model sometimes sends `null` for "not given"; treat it as absent.
            data = {k: v for k, v in data.items() if v is not None}
        return data

    def check(self) -> None:
        """The rules one field's type cannot say (which arguments each action needs or refuses): raises
        ArgumentProblem. Tools with actions override it; app/directus/prepared.py calls it once, after validation."""


def as_list(value: Any, *, split_commas: bool = False) -> Any:
    """Leniency for list arguments: a lone value becomes a one-element list ("a,b" splits when asked)."""
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, str) and split_commas:
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, (str, int, float)):
        return [value]
    return value


def check_name(path: str, value: object, what: str = "a collection name", *, system: bool = True) -> None:
    """Raise ArgumentProblem unless `value` is a name that can go into a URL path (an identifier); with
    `system=False`, also refuse Directus's own collections (directus_*)."""
    problem = name_problem(value, what)
    if problem:
        raise ArgumentProblem(path, problem)
    if not system and isinstance(value, str) and value.startswith("directus_"):
        raise ArgumentProblem(
            path,
            "system collections (directus_*) are not available here; use the files, folders, flows or schema tools",
        )


def check_keys(keys: Optional[list], *, uuid: bool = False, what: str = "a key") -> None:
    """Raise ArgumentProblem for the first key that cannot go into a URL path (app/directus/paths.py key_problem)."""
    for i, key in enumerate(keys or []):
        problem = key_problem(key, uuid=uuid, what=what)
        if problem:
            raise ArgumentProblem(f"keys[{i}]", problem)


def keys_text(keys: Optional[list]) -> str:
    """`ids 4, 7` for a preview (at most 10 shown)."""
    if not keys:
        return ""
    shown = ", ".join(str(k) for k in keys[:10])
    more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
    return f"{'id' if len(keys) == 1 else 'ids'} {shown}{more}"
