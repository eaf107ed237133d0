"""A chart on a tool card: a text summary, the canvas, "Show data" (a sortable table), and its buttons: CSV, PNG,
Refresh (runs the query again) and Add to dashboard (a Directus Insights panel, through the approval card).

Drawn from the call's view (app/directus/tools/visualize.py: the spec and a snapshot of Directus's rows), so it
comes back after a reload, in another tab and after an import. The chart library loads on the first chart only
(app/web/charts.py). Everything shown is text: labels are Directus content.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from app.web.dom import Element, clear, h, text
from app.web.views.data_table import data_table


class ChartView:
    def __init__(self, call_id: str):
        self.call_id = call_id
        self.summary_el = h("p", {"class": "chart-summary"})
        self.canvas_box = h("div", {"class": "chart-box"})
        self.data_el = h("details", {"class": "chart-data"}, h("summary", None, "Show data"))
        self.pin_note = h("p", {"class": "muted chart-pin-note", "hidden": True})
        self.actions = h("div", {"class": "chart-actions"})
        self.el = h(
            "section",
            {"class": "chart-view", "aria-label": "Chart", "data-call": call_id},
            self.summary_el,
            self.canvas_box,
            self.data_el,
            self.actions,
            self.pin_note,
        )
        self._shown: Any = None
        self._drawing: Optional[asyncio.Future] = None

    def update(self, view: dict, panel_problem: Optional[str]) -> None:
        """Draw `view` (a checked view) if it is not the one shown; `panel_problem`: why no panel matches, if so."""
        key = (view.get("at"), len(view.get("rows") or []), panel_problem)
        if key == self._shown:
            return
        self._shown = key
        try:
            self._show(view, panel_problem)
        except Exception as exc:  # noqa: BLE001 - a view that cannot be drawn says so; the rest of the page renders
            self.canvas_box.hidden = True
            self.actions.replaceChildren()
            self.pin_note.hidden = True
            text(self.summary_el, "This chart cannot be drawn (%s)." % type(exc).__name__)

    def _show(self, view: dict, panel_problem: Optional[str]) -> None:
        from app.directus.chart_query import describe, make_frame
        from app.directus.tools.query import Query

        frame = make_frame(str(view["chart"]), Query.model_validate(view.get("query") or {}), list(view["rows"]))
        words = describe(
            frame,
            str(view["collection"]),
            shown=int(view.get("shown") or 0),
            total=view.get("total"),
            more=bool(view.get("more")),
        )
        text(self.summary_el, words)
        box = self.data_el
        while box.children.length > 1:
            box.lastElementChild.remove()
        box.appendChild(data_table(frame.columns, frame.rows, call_id=self.call_id, source="chart"))
        self._buttons(frame.kind != "table", panel_problem)
        if frame.kind == "table":
            self.canvas_box.hidden = True
            self.data_el.open = True
            return
        self.canvas_box.hidden = False
        old = self.canvas_box.querySelector("canvas")
        if old is not None:
            from app.web.charts import release

            release(old)
        clear(self.canvas_box)
        canvas = h("canvas", {"role": "img", "aria-label": words})
        self.canvas_box.appendChild(canvas)
        self._drawing = asyncio.ensure_future(self._draw(canvas, frame))

    async def _draw(self, canvas: Element, frame: Any) -> None:
        from app.web import charts

        try:
            await charts.load_library()
        except RuntimeError as exc:
            text(self.pin_note, f"The chart could not be drawn ({exc}); its data is below.")
            self.pin_note.hidden = False
            self.data_el.open = True
            return
        if canvas.isConnected:
            charts.draw(canvas, frame)
            self.el.setAttribute("data-drawn", "")

    def _buttons(self, image: bool, panel_problem: Optional[str]) -> None:
        def button(op: str, label: str, **extra: Any) -> Element:
            attrs = {"type": "button", "class": "link", "data-action": "chart", "data-op": op, "data-id": self.call_id}
            attrs.update(extra)
            return h("button", attrs, label)

        items = [button("csv", "⤓ CSV", **{"data-source": "chart"})]
        if image:
            items.append(button("png", "⤓ PNG"))
        items.append(button("refresh", "↻ Refresh"))
        items.append(button("pin", "＋ Add to dashboard", disabled=panel_problem is not None))
        self.actions.replaceChildren(*items)
        self.pin_note.hidden = panel_problem is None
        text(self.pin_note, panel_problem or "")
