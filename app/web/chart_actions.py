"""What a chart's buttons do (data-action "chart", data-op): CSV and PNG downloads, Refresh, Add to dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.web.conversations import download

if TYPE_CHECKING:
    from app.web.controller import Controller


def chart_action(c: Controller, call_id: str, op: str, source: str) -> None:
    charts = c.assistant.charts
    if op == "csv":
        text = charts.csv(call_id, source if source == "result" else "chart")
        if text is not None:
            download(f"{_name(c, call_id)}.csv", text, "text/csv")
    elif op == "png":
        from js import document

        from app.web.charts import download_png

        canvas = document.querySelector(f'.chart-view[data-call="{_css(call_id)}"] canvas')
        if canvas is not None:
            download_png(canvas, f"{_name(c, call_id)}.png")
    elif op == "refresh":
        c.spawn(charts.refresh(call_id))
    elif op == "pin":
        c.spawn(charts.pin(call_id))


def _name(c: Controller, call_id: str) -> str:
    view = c.assistant.charts.view(call_id)
    base = f"{view['collection']}-{view['chart']}" if view else "result"
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in base)


def _css(value: str) -> str:
    return "".join(ch for ch in value if ch.isalnum() or ch in "-_")
