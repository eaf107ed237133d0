"""`visualize`: a chart (or a table) of a query, drawn by the page from the rows Directus returns.

It rides on the items tool, as its read-only action `chart` with a `chart` kind
(`{"action": "chart", "collection": "articles", "chart": "stacked", "query": {"aggregate": {"count": "*"},
"groupBy": ["year(publish_date)", "month(publish_date)", "status"]}}`): a tool of its own would cost every request
about 55 tokens for its name, description and schema; as an action of items, whose collection and query it
shares, about 20.

The page runs the query with the user's permissions (GET /items/<collection>, bounded: app/directus/chart_query.py)
and draws from the rows; the model supplies no values and no markup, and reads back a summary (rows, min, max,
totals), never the rows. The rows go into the call's result as its `view` (the spec and a bounded snapshot),
kept with the conversation and never sent to the model, so the chart is drawn again after a reload or an import;
"Refresh" runs the same query again (`fetch_view`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

from app.directus.chart_query import (
    CHART_KINDS,
    bounded_params,
    kind_name,
    make_frame,
    snapshot,
    summary,
)
from app.directus.paths import api_path
from app.directus.tools.arguments import ArgumentProblem
from app.directus.tools.definition import CallPreview, WithView, read
from app.directus.tools.query import Query

if TYPE_CHECKING:
    from app.directus.client import DirectusApi
    from app.directus.tools.items import ItemsArgs

VIEW_VERSION = 1


def check_chart(a: "ItemsArgs") -> None:
    if a.action != "chart":
        if a.chart is not None:
            raise ArgumentProblem("chart", "only used by action chart; remove it")
        return
    if a.chart is None:
        raise ArgumentProblem("chart", "required for action chart: one of " + ", ".join(CHART_KINDS))
    if a.keys or a.data is not None:
        raise ArgumentProblem("keys" if a.keys else "data", "not used by chart; select rows with query.filter")
    q = a.query or Query()
    if q.aggregate and not q.groupBy and a.chart != "table":
        raise ArgumentProblem("query.groupBy", "a chart of an aggregate needs groupBy (x first, then series)")
    if not q.aggregate and a.chart != "table" and len(q.fields or []) < 2:
        raise ArgumentProblem("query.fields", "name the x field first, then the value fields (or aggregate + groupBy)")


def preview(a: "ItemsArgs") -> CallPreview:
    return read(f"Draw a {kind_name(a.chart or 'table')} of {a.collection}", collection=a.collection, chart=a.chart)


async def fetch_view(client: "DirectusApi", collection: str, kind: str, query: Query) -> dict:
    """Run the chart's query (bounded) and return its view: the spec and a snapshot of the rows."""
    params, limit = bounded_params(query)
    body = await client.request_body("GET", api_path("items", collection), params=params)
    data = body.get("data") if isinstance(body, dict) else body
    rows = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
    meta = body.get("meta") if isinstance(body, dict) else None
    total = meta.get("filter_count") if isinstance(meta, dict) else None
    more = len(rows) > limit
    rows = rows[:limit]
    kept, cut = snapshot(rows)
    return {
        "v": VIEW_VERSION,
        "collection": collection,
        "chart": kind,
        "query": query.describe(),
        "rows": kept,
        "shown": len(kept),
        "total": total if isinstance(total, int) else None,
        "more": more or cut,
        "at": time.time(),
    }


def view_summary(view: dict) -> dict:
    query = Query.model_validate(view.get("query") or {})
    frame = make_frame(str(view.get("chart")), query, list(view.get("rows") or []))
    return summary(frame, shown=int(view.get("shown") or 0), total=view.get("total"), more=bool(view.get("more")))


async def run(client: "DirectusApi", a: "ItemsArgs") -> Any:
    view = await fetch_view(client, a.collection, a.chart or "table", a.query or Query())
    return WithView(view_summary(view), view)


def read_view(value: Any) -> Optional[dict]:
    """A stored view as the page may use it (it may come from an imported file): its shape checked, else None."""
    if not isinstance(value, dict) or value.get("v") != VIEW_VERSION or value.get("chart") not in CHART_KINDS:
        return None
    if not isinstance(value.get("rows"), list) or not isinstance(value.get("collection"), str):
        return None
    try:
        Query.model_validate(value.get("query") or {})
    except ValueError:
        return None
    return value
