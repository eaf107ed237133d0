"""The charts of the open conversation: a call's view (app/directus/tools/visualize.py), Refresh, Add to dashboard.

charts.view(call_id)        -> the checked view of the newest result of that call, or None
await charts.refresh(id)    # run the chart's query again with the user's permissions; saved, drawn
await charts.pin(id)        # an approval card: a `dashboard` call made by the page (tools/dashboard.py)
charts.csv(id, source)      # the data table as CSV ("chart": the chart's, "result": an items read's rows)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from app.autosave import Autosave
    from app.chat.model import ToolResultPart
    from app.connection import DirectusConnection
    from app.hub import Hub
    from app.turns import Turns


class ChartResults:
    def __init__(self, turns: Turns, directus: DirectusConnection, autosave: Autosave, hub: Hub):
        self.turns, self.directus, self.autosave, self.hub = turns, directus, autosave, hub

    def result(self, call_id: str) -> Optional[ToolResultPart]:
        for message in reversed(self.turns.conversation.messages):
            for part in message.tool_results:
                if part.call_id == call_id and part.status == "ok":
                    return part
        return None

    def view(self, call_id: str) -> Optional[dict]:
        from app.directus.tools.visualize import read_view

        part = self.result(call_id)
        return read_view(part.view) if part is not None else None

    async def refresh(self, call_id: str) -> bool:
        from app.directus.errors import DirectusError
        from app.directus.scope import Scope, scoped
        from app.directus.tools.query import Query
        from app.directus.tools.visualize import fetch_view

        part, view = self.result(call_id), self.view(call_id)
        client = self.directus.client
        if part is None or view is None:
            return False
        if client is None or self.directus.current.status != "connected":
            self.hub.add_notice("Connect to Directus (Settings) to refresh this chart.", "error", "chart")
            return False
        collection = str(view["collection"])
        try:
            reach = scoped(client, Scope.of("GET", "items", collection))
            part.view = await fetch_view(reach, collection, str(view["chart"]), Query.model_validate(view["query"]))
        except DirectusError as exc:
            self.hub.add_notice("Could not refresh the chart: " + exc.message, "error", "chart")
            return False
        self.hub.clear_notice("chart")
        self.autosave.save(self.turns.conversation)
        self.hub.notify("conversation")
        return True

    async def pin(self, call_id: str) -> bool:
        """Ask to add the chart to the user's own Insights dashboard named "Assistant" (created by the call if they
        have none), through an approval card like any write (it names the dashboard)."""
        from app.chat.model import Message, ToolCallPart, new_id
        from app.directus.tools.dashboard import panel_problem

        view = self.view(call_id)
        if view is None:
            return False
        problem = panel_problem(view)
        if problem:
            self.hub.add_notice(problem, "info", "chart")
            return False
        arguments = {"collection": view["collection"], "chart": view["chart"], "query": view["query"]}
        dashboard = await self._dashboard()
        if dashboard:
            arguments["dashboard"] = dashboard
        call = ToolCallPart(id=new_id("call_"), name="dashboard", arguments=json.dumps(arguments))
        return self.turns.run_page_calls(Message(role="assistant", parts=[call]))

    async def _dashboard(self) -> Optional[str]:
        """The id of the newest dashboard named "Assistant" the user created; None when there is none. (One they may
        only read is someone else's: a panel is never added to it.)"""
        from app.directus.errors import DirectusError
        from app.directus.paths import api_path
        from app.directus.tools.dashboard import DEFAULT_NAME

        client = self.directus.client
        if client is None:
            return None
        mine = {"_and": [{"name": {"_eq": DEFAULT_NAME}}, {"user_created": {"_eq": "$CURRENT_USER"}}]}
        params = {"filter": mine, "fields": ["id"], "sort": ["-date_created"], "limit": 1}
        try:
            found = await client.request("GET", api_path("dashboards"), params=params)
        except DirectusError:
            return None
        ident = found[0].get("id") if isinstance(found, list) and found and isinstance(found[0], dict) else None
        return ident if isinstance(ident, str) else None

    def csv(self, call_id: str, source: str) -> Optional[str]:
        from app.directus.chart_query import to_csv

        part = self.result(call_id)
        if part is None:
            return None
        table = view_table(part.view or {}) if source == "chart" else result_table(part.content)
        return to_csv(*table) if table is not None else None


def result_table(content: str) -> Optional[tuple[list[str], list[list]]]:
    """An items read's result as (columns, rows) when it is a list of objects; None otherwise."""
    from app.directus.chart_query import flatten
    from app.json_depth import load_json

    try:
        value = load_json(content)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value = value["data"]
    if not isinstance(value, list) or not value or not all(isinstance(r, dict) for r in value):
        return None
    rows = [flatten(r) for r in value]
    columns: list[str] = []
    for r in rows:
        columns.extend(c for c in r if c not in columns)
    return columns, [[r.get(c) for c in columns] for r in rows]


def view_table(view: dict) -> Optional[tuple[list[str], list[list]]]:
    """A chart's data table (columns, rows) from its stored view; None when the view is not one."""
    from app.directus.chart_query import make_frame
    from app.directus.tools.query import Query
    from app.directus.tools.visualize import read_view

    checked = read_view(view)
    if checked is None:
        return None
    frame = make_frame(str(checked["chart"]), Query.model_validate(checked["query"]), list(checked["rows"]))
    return frame.columns, frame.rows
