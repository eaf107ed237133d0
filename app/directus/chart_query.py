"""A chart drawn from real rows: the bounded query, the rows made into labels and series, and what the model reads.

    params, limit = bounded_params(query)           # the query as sent: a row limit (+1 to know there is more)
    frame = make_frame("stacked", query, rows)      # labels, series, the data table (what the page draws)
    summary(frame, shown=..., total=...)            # what the model reads: rows, min, max, total; never the rows

Which field goes where follows the query, so the model names no axis: x is the first groupBy (or the first
field), a second groupBy splits the series, and y is each aggregate (or every other field). A date function
(`year(d)`, `month(d)`, `day(d)`, ...) comes back from Directus as `d_month`; a `month(d)` next to a
`year(d)` of the same field is drawn as one label, "2024-03". Values are numbers only; a label is text (it is
Directus content: the page shows it as text, never as markup).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Optional, get_args

if TYPE_CHECKING:
    from app.directus.tools.query import Query

ChartKind = Literal["bar", "stacked", "line", "area", "pie", "donut", "scatter", "table"]
CHART_KINDS: tuple[str, ...] = get_args(ChartKind)
NAMES = {"stacked": "stacked bar chart", "donut": "donut chart", "table": "table", "scatter": "scatter plot"}

MAX_ROWS = 5000  # rows fetched at most (aggregate first: a group per row)
SNAPSHOT_CHARS = 100_000  # the rows kept with the conversation, as JSON, at most
MAX_LABEL = 200  # characters of a label drawn (the data table and CSV keep it whole)

_FUNCTION = re.compile(r"^(year|month|week|day|weekday|hour|minute|second)\((\w+)\)$")


def kind_name(kind: str) -> str:
    return NAMES.get(kind, kind + " chart")


def bounded_params(query: "Query") -> tuple[dict, int]:
    """The GET parameters and the number of rows to show: the query's own limit up to MAX_ROWS. One more row is
    asked for, so the page knows there is more; plain rows also ask for the count of matches."""
    params = query.to_params()
    asked = query.limit if query.limit is not None and query.limit > 0 else MAX_ROWS
    limit = min(asked, MAX_ROWS)
    params["limit"] = limit + 1
    params.pop("page", None)
    if not query.aggregate:
        params["meta"] = "filter_count"
    return params, limit


def column_of(name: str) -> str:
    """The row key Directus answers with for a field or a date function: `month(publish_date)` -> publish_date_month."""
    found = _FUNCTION.match(name.replace(" ", ""))
    return f"{found.group(2)}_{found.group(1)}" if found else name


def flatten(row: Any) -> dict:
    """One row as flat columns: `{"sum": {"views": 3}}` -> `{"sum.views": 3}`; a related object by its dotted keys."""
    out: dict = {}

    def walk(prefix: str, value: Any, depth: int) -> None:
        if isinstance(value, dict) and depth < 3:
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v, depth + 1)
        else:
            out[prefix] = value

    if isinstance(row, dict):
        walk("", row, 0)
    return out


@dataclass
class Frame:
    kind: str
    x: str  # the x column's title
    y: str  # what the values are ("count", "sum.views")
    labels: list[str] = field(default_factory=list)  # x values as text, in order
    series: list[tuple[str, list[Optional[float]]]] = field(default_factory=list)  # (name, a value per label)
    points: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)  # scatter: (name, [(x, y)])
    columns: list[str] = field(default_factory=list)  # the data table
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def values(self) -> list[float]:
        if self.points:
            return [y for _, pts in self.points for _, y in pts]
        return [v for _, vs in self.series for v in vs if v is not None]


def number(value: Any) -> Optional[float]:
    """A value as a number (Directus sends big sums and decimals as strings); None when it is not one, or not a
    finite one ("inf", "nan", "1e999", an integer beyond a float): no axis, label or sum can hold it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def text_of(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _axes(query: "Query", columns: list[str]) -> tuple[list[str], Optional[str], list[str]]:
    """(the x columns, the series column, the value columns) the query implies."""
    groups = [column_of(g) for g in query.groupBy or []]
    if query.aggregate:
        values = [c for c in columns if c not in groups]
        rest = list(groups)
    else:
        fields = [column_of(f) for f in query.fields or [] if "*" not in f]
        rest = [c for c in fields if c in columns] or list(columns)
        values = []
    if not rest:
        return [], None, values
    x = [rest[0]]
    base = re.sub(r"_year$", "", rest[0])
    if base != rest[0]:  # year(d), month(d), day(d) of one field: one label "2024-03" or "2024-03-07"
        for part in ("_month", "_day"):
            if base + part in rest and len(x) == (2 if part == "_day" else 1):
                x.append(base + part)
    left = [c for c in rest if c not in x]
    if query.aggregate:
        return x, (left[0] if left else None), values
    return x, None, left


def _label(row: dict, x: list[str]) -> str:
    if len(x) > 1:
        parts = [number(row.get(c)) for c in x]
        if any(p is None or not math.isfinite(p) for p in parts):  # (number() gives finite ones only: int() is safe)
            return "(empty)"
        return "-".join(f"{int(p or 0):02d}" for p in parts)
    return text_of(row.get(x[0])) if x else ""


def make_frame(kind: str, query: "Query", raw_rows: list) -> Frame:
    rows = [flatten(r) for r in raw_rows]
    columns: list[str] = []
    for r in rows:
        for c in r:
            if c not in columns:
                columns.append(c)
    if kind == "table":
        return Frame(kind, "", "", columns=columns, rows=[[r.get(c) for c in columns] for r in rows])
    x, split, values = _axes(query, columns)
    if not values:
        values = [c for c in columns if c not in x and c != split and any(number(r.get(c)) is not None for r in rows)]
    x_title = x[-1] if x else ""
    y_title = values[0] if len(values) == 1 else ", ".join(values)
    if kind == "scatter":
        return _scatter(x, split, values, rows, x_title, y_title)
    labels: list[str] = []
    seen: set[str] = set()
    cells: dict[tuple[str, str], float] = {}
    names: list[str] = []
    for r in rows:
        label = _label(r, x)
        if label not in seen:
            seen.add(label)
            labels.append(label)
        for v in values:
            name = text_of(r.get(split)) if split else v
            if split and len(values) > 1:
                name = f"{name} {v}"
            if name not in names:
                names.append(name)
            n = number(r.get(v))
            if n is not None:
                cells[(label, name)] = cells.get((label, name), 0.0) + n
    if len(x) > 1:
        labels.sort(key=lambda s: (s == "(empty)", s))
    series = [(name, [cells.get((label, name)) for label in labels]) for name in names]
    table = [[label, *(cells.get((label, name)) for name in names)] for label in labels]
    return Frame(kind, x_title, y_title, labels, series, columns=[x_title, *names], rows=table)


def _scatter(x: list[str], split: Optional[str], values: list[str], rows: list[dict], xt: str, yt: str) -> Frame:
    col = x[-1] if x else ""
    groups: dict[str, list[tuple[float, float]]] = {}
    table = []
    for r in rows:
        xv = number(r.get(col))
        for v in values[:1]:
            yv = number(r.get(v))
            if xv is None or yv is None:
                continue
            name = text_of(r.get(split)) if split else v
            groups.setdefault(name, []).append((xv, yv))
            table.append([name, xv, yv])
    return Frame("scatter", xt, yt, points=list(groups.items()), columns=["series", xt, yt], rows=table)


def summary(frame: Frame, *, shown: int, total: Optional[int], more: bool) -> dict:
    """What the model reads back: the shape of what was drawn and its numbers in brief, never the rows."""
    out: dict[str, Any] = {"drawn": kind_name(frame.kind), "rows": shown}
    if more:
        out["showing"] = f"{shown} of {total if total is not None else 'more'}"
    if frame.kind == "table":
        out["columns"] = frame.columns[:20]
        return out
    values = frame.values
    if frame.labels:
        out["x"] = {
            "field": frame.x,
            "first": frame.labels[0][:60],
            "last": frame.labels[-1][:60],
            "n": len(frame.labels),
        }
    if values:
        out["y"] = {
            "field": frame.y,
            "min": _short(min(values)),
            "max": _short(max(values)),
            "total": _short(sum(values)),
        }
    names = [name for name, _ in (frame.points or frame.series)]
    if len(names) > 1 or frame.points:
        out["series"] = {name[:60]: _short(_total(frame, name)) for name in names[:12]}
    out["note"] = "The user sees the chart and its data; do not repeat the numbers as a table."
    return out


def _total(frame: Frame, name: str) -> float:
    for n, vs in frame.series:
        if n == name:
            return sum(v for v in vs if v is not None)
    for n, pts in frame.points:
        if n == name:
            return float(len(pts))
    return 0.0


def _short(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def snapshot(rows: list) -> tuple[list, bool]:
    """The rows kept with the conversation: as many leading rows as fit SNAPSHOT_CHARS; and whether it was cut."""
    from app.directus.tools.results import to_text

    used, kept = 2, 0
    for row in rows:
        used += len(to_text(row)) + 1
        if used > SNAPSHOT_CHARS:
            return rows[:kept], True
        kept += 1
    return rows, False


def to_csv(columns: list[str], rows: list[list[Any]]) -> str:
    """The data table as CSV. A cell that a spreadsheet would read as a formula (=, +, -, @) is prefixed with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def cell_text(value: Any) -> str:
    """A data table's cell as text: empty for null, 3 for 3.0, JSON for an object or a list."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        from app.directus.tools.results import to_text

        return to_text(value)
    return str(value)


def _cell(value: Any) -> str:
    text = cell_text(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and number(text) is None:
        return "'" + text
    return text


def describe(frame: Frame, collection: str, *, shown: int, total: Optional[int], more: bool) -> str:
    """The chart in one or two plain sentences: what the text summary and the canvas's accessible name say."""
    what = f"{kind_name(frame.kind).capitalize()} of {collection}"
    if frame.kind == "table":
        text = f"{what}: {shown} rows, columns {', '.join(frame.columns[:8])}."
    elif not frame.values:
        text = f"{what}: no values to draw."
    else:
        values = frame.values
        names = [name for name, _ in (frame.points or frame.series)]
        span = f"{len(frame.labels)} {frame.x or 'labels'} from {frame.labels[0][:40]} to {frame.labels[-1][:40]}"
        text = f"{what}: " + (f"{len(values)} points" if frame.points else span)
        if len(names) > 1:
            text += f", {len(names)} series ({', '.join(n[:40] for n in names[:6])}{', …' if len(names) > 6 else ''})"
        text += f"; {frame.y} from {_short(min(values))} to {_short(max(values))}, total {_short(sum(values))}."
    if more:
        text += f" Showing {shown} of {total if total is not None else 'more'} rows."
    return text
