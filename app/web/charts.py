"""Charts on a canvas with the vendored Chart.js (static/vendor/chartjs/, pinned in scripts/pins.toml).

    await load_library()                       # once, on the first chart: never at start-up
    chart = draw(canvas, frame)                 # a Chart.js chart of a Frame (app/directus/chart_query.py)
    chart.destroy()

The library is added as a <script src> from the site itself (the CSP allows no inline script); it draws labels as
pixels on a canvas, never as markup, and sets sizes through element.style (CSSOM, which the CSP allows), so a
label such as `<img onerror=...>` stays text. No animation, and category ticks skip what does not fit, so 1,000
points draw well under 50 ms; line charts of more points are decimated. Colours come from the page's CSS custom
properties (--chart-1 ... --chart-8, --fg, --muted, --line), so a chart follows light and dark.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Optional

from js import Object, document, window
from pyodide.ffi import create_once_callable, to_js

from app.web.dom import Element, h

if TYPE_CHECKING:
    from app.directus.chart_query import Frame

LIBRARY = "static/vendor/chartjs/chart.umd.min.js"
DRAWN_LABEL = 40  # characters of a label drawn on the canvas; the data table keeps it whole
_loading: Optional[asyncio.Future] = None


def loaded() -> bool:
    return bool(getattr(window, "Chart", None))


async def load_library() -> None:
    """Add the library's script once; every chart waits for the same load. Raises RuntimeError if it fails."""
    global _loading
    if loaded():
        return
    if _loading is None or (_loading.done() and _loading.exception() is not None):
        future: asyncio.Future = asyncio.get_event_loop().create_future()
        script = h("script", {"src": LIBRARY, "data-library": "chartjs"})

        def done(event: Any) -> None:
            if not future.done():
                future.set_result(None)

        def failed(event: Any) -> None:
            if not future.done():
                future.set_exception(RuntimeError("the chart library could not be loaded"))

        script.addEventListener("load", create_once_callable(done), to_js({"once": True}))
        script.addEventListener("error", create_once_callable(failed), to_js({"once": True}))
        document.head.appendChild(script)
        _loading = future
    await _loading


def _colours() -> dict[str, Any]:
    style = window.getComputedStyle(document.documentElement)

    def var(name: str, fallback: str) -> str:
        value = str(style.getPropertyValue(name) or "").strip()
        return value or fallback

    palette = [var(f"--chart-{i}", "#6644ff") for i in range(1, 9)]
    return {
        "palette": palette,
        "fg": var("--fg", "#1d1d1f"),
        "muted": var("--muted", "#6b6b76"),
        "line": var("--line", "#e1e1e7"),
    }


def _short(label: str) -> str:
    return label if len(label) <= DRAWN_LABEL else label[: DRAWN_LABEL - 1] + "…"


def config(frame: "Frame", colours: dict[str, Any]) -> dict:
    """The Chart.js configuration of a frame (plain data: labels are text the canvas draws)."""
    palette = colours["palette"]
    kind = frame.kind
    pie = kind in ("pie", "donut")
    many = len(frame.labels) > 1000
    if kind == "scatter":
        datasets = [
            {
                "label": _short(name),
                "data": [{"x": x, "y": y} for x, y in points],
                "backgroundColor": palette[i % len(palette)],
                "pointRadius": 2,
            }
            for i, (name, points) in enumerate(frame.points)
        ]
    else:
        datasets = []
        for i, (name, values) in enumerate(frame.series):
            colour = palette[i % len(palette)]
            dataset: dict[str, Any] = {"label": _short(name), "data": values, "borderColor": colour}
            if pie:
                dataset["backgroundColor"] = [palette[j % len(palette)] for j in range(len(values))]
                dataset["borderColor"] = colours["line"]
            elif kind in ("line", "area"):
                dataset.update(fill=kind == "area", backgroundColor=colour + "55", pointRadius=0 if many else 2)
                dataset["borderWidth"] = 2
            else:
                dataset["backgroundColor"] = colour
            datasets.append(dataset)
    chart_type = {"stacked": "bar", "area": "line", "donut": "doughnut"}.get(kind, kind)
    grid = {"color": colours["line"]}
    ticks = {
        "color": colours["muted"],
        "autoSkip": True,
        "maxRotation": 45,
        "sampleSize": 40,
    }  # measure 40 labels, not all
    options: dict[str, Any] = {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "normalized": True,
        "color": colours["fg"],
        "plugins": {
            "legend": {"display": pie or len(datasets) > 1, "labels": {"color": colours["fg"]}},
            "decimation": {"enabled": many and kind in ("line", "area"), "algorithm": "lttb"},
        },
    }
    if not pie:
        stacked = kind == "stacked"
        options["scales"] = {
            "x": {
                "stacked": stacked,
                "grid": grid,
                "ticks": ticks,
                "type": "linear" if kind == "scatter" else "category",
            },
            "y": {"stacked": stacked, "grid": grid, "ticks": {"color": colours["muted"]}, "beginAtZero": True},
        }
    labels = [] if kind == "scatter" else [_short(label) for label in frame.labels]
    return {"type": chart_type, "data": {"labels": labels, "datasets": datasets}, "options": options}


_live: list[tuple[Element, "Frame"]] = []  # the charts drawn, drawn again when the colour scheme changes
_watching = False


def draw(canvas: Element, frame: "Frame") -> None:
    """A chart of `frame` on `canvas` (the library must be loaded)."""
    global _watching
    release(canvas)
    window.Chart.new(canvas, to_js(config(frame, _colours()), dict_converter=Object.fromEntries))
    _live.append((canvas, frame))
    if not _watching:
        from app.web.dom import listen

        _watching = True
        listen(window.matchMedia("(prefers-color-scheme: dark)"), "change", lambda event: _recolour())


def release(canvas: Element) -> None:
    """Destroy the chart on `canvas`, if any (before drawing another there, or when it leaves the page)."""
    chart = window.Chart.getChart(canvas) if loaded() else None
    if chart is not None:
        chart.destroy()
    _live[:] = [(c, f) for c, f in _live if c is not canvas and c != canvas]


def _recolour() -> None:
    """Light or dark changed: every chart still on the page is drawn again in the new colours."""
    for canvas, frame in list(_live):
        if canvas.isConnected:
            draw(canvas, frame)
        else:
            release(canvas)


def download_png(canvas: Element, name: str) -> None:
    """Hand the chart to the browser as a PNG file download (through a blob: URL)."""
    from app.web.conversations import download_blob

    def save(blob: Any) -> None:
        if blob is not None:
            download_blob(name, blob)

    canvas.toBlob(create_once_callable(save), "image/png")
