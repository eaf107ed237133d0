"""`dashboard`: pin a chart to a Directus Insights dashboard, as a panel of the matching kind.

The page makes this call when the user presses "Add to dashboard" on a chart (app/chart_results.py); it is asked
and run like any write (the approval card), and undone like one: Undo deletes the panel, or the dashboard when
the call created it (its panels go with it). The model is offered the tool only once a conversation has used it.

    {"collection": "articles", "chart": "pie", "query": {...}, "title": "Articles by status",
     "dashboard": "<uuid>" | absent (a new dashboard named `name`), "name": "Assistant"}

The approval names the dashboard; an existing one must have that name (`run` checks it before adding the panel).

Panel ids and options are Directus's own (its source, app/src/panels/*/index.ts; tested against 12.4):
  bar-chart    collection, xAxis, yAxis, function, filter, horizontal, decimals   one group, one aggregate
  time-series  collection, dateField, valueField, function, precision, range      a date function, one aggregate
  pie-chart    collection, column, function (count), donut, showLabels, legend    count per value of one field
  metric-list  collection, groupByField, aggregateField, aggregateFunction, limit a table of one aggregate
  list         collection, limit, sortField, sortDirection, displayTemplate       a table of fields
Other charts (stacked or grouped series, scatter, a pie of a sum) have no matching panel: `panel_for` says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional, Union

from app.directus.chart_query import ChartKind, kind_name
from app.directus.paths import api_path
from app.directus.scope import Scope
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_keys, check_name
from app.directus.tools.definition import CallPreview, ToolDef, write
from app.directus.tools.query import Query, SameQueryArg

if TYPE_CHECKING:
    from app.directus.client import DirectusApi
    from app.directus.undo import UndoPlan

DESCRIPTION = "Pin a chart (as in items chart) to an Insights dashboard: an id, or a new one named name."
DEFAULT_NAME = "Assistant"
_DATE = re.compile(r"^(year|month|week|day|hour)\((\w+)\)$")
_FUNCTIONS = {"count", "countDistinct", "avg", "avgDistinct", "sum", "sumDistinct", "min", "max"}
_SNAKE = {"countDistinct": "count_distinct", "avgDistinct": "avg_distinct", "sumDistinct": "sum_distinct"}


class DashboardArgs(ArgsModel):
    collection: str
    chart: ChartKind
    query: SameQueryArg = None
    title: str = ""
    dashboard: Optional[str] = None
    name: str = DEFAULT_NAME

    def check(self) -> None:
        check_name("collection", self.collection, system=False)
        if self.dashboard is not None:
            check_keys([self.dashboard], uuid=True, what="a dashboard id")
        problem = panel_for(self.chart, self.collection, self.query or Query())
        if isinstance(problem, str):
            raise ArgumentProblem("chart", problem)


def panel_for(kind: str, collection: str, query: Query) -> Union[tuple[str, dict], str]:
    """(Directus panel type, its options) drawing the same chart; or why no panel kind matches."""
    groups = list(query.groupBy or [])
    aggregates = [(fn, col) for fn, cols in (query.aggregate or {}).items() for col in cols]
    base: dict[str, Any] = {"collection": collection}
    if query.filter:
        base["filter"] = query.filter
    no = f"Directus has no dashboard panel for a {kind_name(kind)}"
    if kind == "table":
        if not query.aggregate:
            fields = [f for f in query.fields or [] if "*" not in f and "(" not in f]
            if not fields:
                return no + " of all fields; name the fields."
            sort = (query.sort or [fields[0]])[0]
            options = {
                **base,
                "limit": min(query.limit or 10, 100),
                "sortField": sort.lstrip("-"),
                "sortDirection": "desc" if sort.startswith("-") else "asc",
                "displayTemplate": " · ".join("{{%s}}" % f for f in fields),
            }
            return "list", options
        if len(groups) == 1 and len(aggregates) == 1 and not _DATE.match(groups[0]):
            fn, col = aggregates[0]
            options = {**base, "groupByField": groups[0], "aggregateFunction": fn, "limit": query.limit or 10}
            options.update(aggregateField=None if col == "*" else col, sortDirection="desc")
            return "metric-list", options
        return no + " of more than one group or aggregate."
    if kind in ("stacked", "scatter") or len(aggregates) != 1 or not groups:
        return no + (" (its panels draw one series of one aggregate)." if kind != "scatter" else ".")
    fn, col = aggregates[0]
    if fn not in _FUNCTIONS:
        return no + f" of {fn}."
    dates = [_DATE.match(g) for g in groups]
    if all(dates) and len({m.group(2) for m in dates if m}) == 1 and kind in ("line", "area", "bar"):
        field = dates[0].group(2) if dates[0] else ""
        precision = [m.group(1) for m in dates if m][-1]
        options = {**base, "dateField": field, "valueField": field if col == "*" else col, "range": "auto"}
        options.update(function=_SNAKE.get(fn, fn), precision=precision, decimals=0)
        return "time-series", options
    if len(groups) != 1 or any(dates):
        return no + " with a second group (series)."
    group = groups[0]
    if kind in ("pie", "donut"):
        if fn != "count":
            return no + f" of {fn}: the pie panel counts the values of one field."
        return "pie-chart", {**base, "column": group, "function": "count", "donut": kind == "donut", "legend": "right"}
    if kind == "bar":
        options = {**base, "xAxis": group, "yAxis": group if col == "*" else col, "function": fn, "decimals": 0}
        return "bar-chart", options
    return no + f" grouped by {group} (the line panel needs a date)."


def panel_problem(view: dict) -> Optional[str]:
    """Why a chart's view has no matching panel; None when it has one."""
    try:
        found = panel_for(str(view.get("chart")), str(view.get("collection")), Query.model_validate(view["query"]))
    except (KeyError, ValueError):
        return "This chart cannot be pinned."
    return found if isinstance(found, str) else None


def scope(a: DashboardArgs) -> Scope:
    dashboards = Scope.of("GET", "dashboards", a.dashboard) if a.dashboard else Scope.of("POST", "dashboards")
    return dashboards | Scope.of("POST", "panels")


async def run(client: DirectusApi, a: DashboardArgs) -> Any:
    found = panel_for(a.chart, a.collection, a.query or Query())
    if isinstance(found, str):  # never: check() refused it
        raise ArgumentProblem("chart", found)
    kind, options = found
    dashboard = a.dashboard
    if dashboard is None:
        made = await client.request("POST", api_path("dashboards"), json={"name": a.name, "icon": "insights"})
        dashboard = made["id"]
    else:  # the approval named it: a panel goes to a dashboard of that name only
        found = await client.request("GET", api_path("dashboards", dashboard), params={"fields": ["id", "name"]})
        named = found.get("name") if isinstance(found, dict) else None
        if named != a.name:
            raise ArgumentProblem("name", f"dashboard {dashboard} is named {named!r}, not {a.name!r}: pass its name")
    panel = {
        "dashboard": dashboard,
        "name": (a.title or kind_name(a.chart).capitalize())[:200],
        "type": kind,
        "icon": "insights",
        "show_header": True,
        "position_x": 1,
        "position_y": 1,
        "width": 24,
        "height": 16,
        "options": options,
    }
    made_panel = await client.request("POST", api_path("panels"), json=panel)
    return {"dashboard": dashboard, "panel": made_panel.get("id"), "type": kind, "new_dashboard": a.dashboard is None}


def preview(a: DashboardArgs) -> CallPreview:
    found = panel_for(a.chart, a.collection, a.query or Query())
    kind = found[0] if isinstance(found, tuple) else "?"
    where = f"{'a new' if a.dashboard is None else 'the existing'} Insights dashboard “{a.name}”"
    title = f" “{a.title}”" if a.title else ""
    return write(f"Add a {kind} panel{title} of {a.collection} to {where}", action="create", writes=1)


async def capture(client: DirectusApi, a: DashboardArgs) -> Optional[UndoPlan]:
    """Undo deletes what the call made: the new dashboard (with its panels), or the panel it added."""
    from app.directus.undo import UndoPlan

    if a.dashboard is None:
        return UndoPlan(
            kind="create",
            summary="",
            collection="directus_dashboards",
            endpoint="/dashboards",
            noun="dashboard",
            pk="dashboard",
        )
    return UndoPlan(
        kind="create", summary="", collection="directus_panels", endpoint="/panels", noun="panel", pk="panel"
    )


TOOL = ToolDef(
    name="dashboard",
    description=DESCRIPTION,
    input_model=DashboardArgs,
    run=run,
    preview=preview,
    scope=scope,
    capture=capture,
    on_use=True,
)
