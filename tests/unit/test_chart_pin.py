""" "Add to dashboard" (app/chart_results.py `pin`, app/directus/tools/dashboard.py): the page adds to the user's own
dashboard named "Assistant" only (one they may merely read is someone else's), the approval names the dashboard, and
a panel goes only to a dashboard of the name the approval showed."""

from __future__ import annotations

import types
from typing import Any, cast

import pytest

from app.chart_results import ChartResults
from app.directus.tools.arguments import ArgumentProblem
from app.directus.tools.dashboard import DashboardArgs, preview, run

PIE = {"collection": "articles", "chart": "pie", "query": {"aggregate": {"count": ["*"]}, "groupBy": ["status"]}}
MINE = "0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c"


class Client:
    def __init__(self, answers: dict[str, Any]):
        self.answers = answers
        self.asked: list[tuple] = []

    async def request(self, method: str, path: str, params: Any = None, json: Any = None) -> Any:
        self.asked.append((method, path, params, json))
        return self.answers[path]


async def test_the_page_looks_for_the_users_own_assistant_dashboard_only():
    client = Client({"/dashboards": [{"id": MINE}]})
    directus = cast(Any, types.SimpleNamespace(client=client))
    charts = ChartResults(cast(Any, None), directus, cast(Any, None), cast(Any, None))
    assert await charts._dashboard() == MINE
    ((_, _, params, _),) = client.asked
    assert params["filter"] == {"_and": [{"name": {"_eq": "Assistant"}}, {"user_created": {"_eq": "$CURRENT_USER"}}]}


def test_the_approval_names_the_dashboard():
    assert "to the existing Insights dashboard “Assistant”" in preview(DashboardArgs(**PIE, dashboard=MINE)).summary
    assert "to a new Insights dashboard “Reports”" in preview(DashboardArgs(**PIE, name="Reports")).summary


async def test_a_panel_goes_only_to_a_dashboard_of_the_name_approved():
    other = Client({"/dashboards/" + MINE: {"id": MINE, "name": "Finance"}, "/panels": {"id": "p1"}})
    with pytest.raises(ArgumentProblem, match="named 'Finance', not 'Assistant'"):
        await run(cast(Any, other), DashboardArgs(**PIE, dashboard=MINE))
    assert [a[:2] for a in other.asked] == [("GET", "/dashboards/" + MINE)]  # no panel was added
    same = Client({"/dashboards/" + MINE: {"id": MINE, "name": "Assistant"}, "/panels": {"id": "p1"}})
    assert (await run(cast(Any, same), DashboardArgs(**PIE, dashboard=MINE)))["panel"] == "p1"
