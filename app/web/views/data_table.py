"""A table of rows, sortable by any column (click its header) and downloadable as CSV, for a chart's "Show data"
and an items read. Cells are text nodes: every value is Directus content.

    table = data_table(["status", "count"], [["draft", 2], ["published", 8]], call_id="c1", source="chart")
    sort_table(header_button)      # what a click on a header does: sort by that column, then the other way

At most SHOWN_ROWS rows go into the page, CHUNK rows per task (each row is a few calls into the page, so 1,000
rows in one task would hold the page for about half a second); the CSV download has them all.
"""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

from app.directus.chart_query import cell_text
from app.web.dom import Element, h

SHOWN_ROWS = 1000
CHUNK = 40
_filling: set[asyncio.Future] = set()  # the tables still being filled (kept until done)


def _sort_key(value: Any) -> str:
    """What a row sorts by, as text the page compares: numbers first, by value; then text."""
    if isinstance(value, bool) or value is None:
        return "2" + cell_text(value)
    if isinstance(value, (int, float)):
        return "0%032.6f" % (min(max(value, -1e15), 1e15) + 1e15)  # zero-padded, shifted: text order is number order
    return "1" + cell_text(value).lower()


def data_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, call_id: str, source: str) -> Element:
    head = h(
        "tr",
        None,
        *(
            h(
                "th",
                {"scope": "col", "aria-sort": "none"},
                h(
                    "button",
                    {"type": "button", "class": "link", "data-action": "table-sort", "data-col": str(i)},
                    name or "(x)",
                ),
            )
            for i, name in enumerate(columns)
        ),
    )
    body = h("tbody")
    table = h("table", {"class": "data-table"}, h("thead", None, head), body)
    shown = rows[:SHOWN_ROWS]
    _add_rows(body, shown[:CHUNK])
    if len(shown) > CHUNK:
        table.setAttribute("aria-busy", "true")
        task = asyncio.ensure_future(_fill(table, body, shown[CHUNK:]))
        _filling.add(task)
        task.add_done_callback(_filling.discard)
    parts: list = [table]
    if len(rows) > SHOWN_ROWS:
        parts.append(h("p", {"class": "muted"}, f"Showing {SHOWN_ROWS:,} of {len(rows):,} rows here; the CSV has all."))
    parts.append(
        h(
            "button",
            {
                "type": "button",
                "class": "link",
                "data-action": "chart",
                "data-op": "csv",
                "data-id": call_id,
                "data-source": source,
            },
            "⤓ CSV",
        )
    )
    return h("div", {"class": "data-table-box", "tabindex": "0"}, *parts)


def _add_rows(body: Element, rows: Sequence[Sequence[Any]]) -> None:
    for row in rows:
        tr = h("tr")
        for value in row:
            tr.appendChild(h("td", {"data-sort": _sort_key(value)}, cell_text(value)))
        body.appendChild(tr)


async def _fill(table: Element, body: Element, rows: Sequence[Sequence[Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await asyncio.sleep(0)  # a task of its own: the page stays responsive
        _add_rows(body, rows[start : start + CHUNK])
    table.removeAttribute("aria-busy")


def sort_table(button: Element) -> None:
    """Sort the table of a header button by its column: ascending first, then the other way."""
    th = button.closest("th")
    table = button.closest("table")
    if th is None or table is None:
        return
    col = int(str(button.getAttribute("data-col") or "0"))
    ascending = th.getAttribute("aria-sort") != "ascending"
    for other in table.querySelectorAll("thead th"):
        other.setAttribute("aria-sort", "none")
    th.setAttribute("aria-sort", "ascending" if ascending else "descending")
    body = table.querySelector("tbody")
    rows = list(body.children)

    def key(tr: Element) -> str:
        cell = tr.children.item(col)
        return str(cell.getAttribute("data-sort") or "") if cell is not None else ""

    rows.sort(key=key, reverse=not ascending)
    body.replaceChildren(*rows)
