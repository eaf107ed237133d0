"""What the model reads back: compact JSON, cut to a budget with a note saying how to get the rest.

- `to_text(value)`: JSON without spaces; non-ASCII kept as is (fewer tokens).
- `prune(value)`: drop nulls, empty lists/objects and given keys, recursively (for system metadata; item
  data keeps its nulls, which mean "this field is empty").
- `fit(value)`: long strings are shortened first; then a list keeps as many leading rows as fit, with a
  note on paging (offset/limit) and asking for fewer fields.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

BUDGET = 8000  # characters of one tool result
LONG_TEXT = 1500  # a string field longer than this is shortened when a result is over budget


def to_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def prune(value: Any, drop: Iterable[str] = ()) -> Any:
    drop = set(drop)
    return _prune(value, drop)


def _prune(value: Any, drop: set) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in drop:
                continue
            v = _prune(v, drop)
            if v is None or v == {} or v == []:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_prune(v, drop) for v in value]
    return value


def fit(value: Any, budget: int = BUDGET, *, offset: Optional[int] = None) -> tuple[str, bool]:
    """The result as text within budget, and whether it was cut."""
    text = to_text(value)
    if len(text) <= budget:
        return text, False
    value, shortened = _shorten_strings(value)
    rows = value.get("data") if isinstance(value, dict) and isinstance(value.get("data"), list) else value
    if isinstance(rows, list):
        total = len(rows)
        start = offset or 0
        keep = _rows_that_fit(value, rows, budget)
        kept = rows[:keep]
        note = (
            f"Cut to fit: showing {keep} of {total} rows. For the rest, call again with offset={start + keep} and a "
            f"limit, or ask for fewer fields."
        )
        if shortened:
            note += f" Long texts were shortened to {LONG_TEXT} characters."
        if isinstance(value, dict):
            body = {**value, "data": kept, "note": note}
        else:
            body = {"data": kept, "note": note}
        return to_text(body), True
    text = to_text(value)
    if len(text) <= budget:
        if shortened:
            body = {
                "data": value,
                "note": f"Long texts were shortened to {LONG_TEXT} characters; ask for one field to read it whole.",
            }
            return to_text(body), True
        return text, False
    note = "Cut to fit: the result is too large. Ask for fewer fields, or use limit and offset."
    return to_text({"note": note, "partial": text[: budget - 200]}), True


def _rows_that_fit(value: Any, rows: list, budget: int) -> int:
    # Room left for the wrapper and the note, then add rows while they fit.
    overhead = len(to_text(value)) - len(to_text(rows)) + 260
    used = 2
    for i, row in enumerate(rows):
        used += len(to_text(row)) + 1
        if used + overhead > budget:
            return i
    return len(rows)


def _shorten_strings(value: Any) -> tuple[Any, bool]:
    changed = False

    def walk(v: Any) -> Any:
        nonlocal changed
        if isinstance(v, str) and len(v) > LONG_TEXT:
            changed = True
            return v[:LONG_TEXT] + f"… [{len(v) - LONG_TEXT} more characters]"
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value), changed
