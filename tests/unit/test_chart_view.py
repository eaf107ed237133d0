"""A chart that cannot be drawn says so on its card (app/web/views/chart.py `ChartView.update`, under a stand-in DOM)
instead of raising out of the conversation's render, which would leave every later message undrawn."""

from __future__ import annotations

import sys

from tests.unit.test_chart_results import VIEW
from tests.unit.test_dom_urls import FakeElement, dom  # noqa: F401 - `dom` is the stand-in DOM fixture


class Element(FakeElement):
    def __init__(self) -> None:
        super().__init__()
        self.textContent = ""
        self.hidden = False

    def replaceChildren(self, *children: object) -> None:
        self.children = list(children)


def test_a_chart_that_cannot_be_drawn_says_so(dom, monkeypatch):  # noqa: F811 - the fixture imported above
    import app.directus.chart_query as chart_query

    monkeypatch.setattr(sys.modules["js"].document, "createElement", lambda tag: Element())
    monkeypatch.delitem(sys.modules, "app.web.views.chart", raising=False)
    monkeypatch.delitem(sys.modules, "app.web.views.data_table", raising=False)

    def overflow(*args: object) -> None:
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(chart_query, "make_frame", overflow)
    from app.web.views.chart import ChartView

    chart = ChartView("call_1")
    chart.update(VIEW, None)  # does not raise
    assert chart.summary_el.textContent == "This chart cannot be drawn (OverflowError)."
    assert chart.canvas_box.hidden and chart.actions.children == []
