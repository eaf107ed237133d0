"""Chart benchmark: the time to draw a chart of 100, 1,000 and 10,000 points in the app, and the longest main-thread
task while it draws (the goal: none over 50 ms at 1,000 points).

    .venv/bin/python bench/chart.py [--runs 3] [--points 100,1000,10000]

In Chromium (Debian's, through Playwright; the app served by scripts/serve.py's StaticServer): the chart library is
loaded once first (its load time is printed too), then for each size a chart view (app/web/views/chart.py) is
drawn from a view of that many rows, as a tool card draws it: rows -> frame -> text summary, data table (at most
1,000 rows in the page), Chart.js on a canvas. The draw starts in a task of its own; "render" is from its start to
the chart on screen, "longest task" the longest PerformanceObserver long task (>= 50 ms) in that time, or "< 50 ms"
when there was none. Measuring starts once the page has had no long task for 3 s (after the app's idle-time
warm-up).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OBSERVE = """() => {
  window.__longTasks = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
    .observe({type: "longtask", buffered: false});
}"""

# True once the page has had no long task for 3 s (the app prepares the first turn in idle time after start).
QUIET = """() => {
  const tasks = window.__longTasks, now = performance.now();
  window.__quietSince = window.__quietSince || now;
  const last = tasks.length ? tasks[tasks.length - 1][0] + tasks[tasks.length - 1][1] : 0;
  return now - Math.max(last, window.__quietSince) > 3000;
}"""

LOAD = """
import time
from js import performance
from app.web import charts
start = performance.now()
await charts.load_library()
result = performance.now() - start
"""

DRAW = """
import asyncio, json
from js import document, performance, setTimeout
from pyodide.ffi import create_once_callable
from app.web.views.chart import ChartView

rows = [{"day": "2026-%05d" % i, "views": (i * 37) % 1000, "status": "s%d" % (i % 3)} for i in range(POINTS)]
view = {"v": 1, "collection": "articles", "chart": "KIND", "query": {"fields": ["day", "views"]}, "rows": rows,
        "shown": POINTS, "total": POINTS, "more": False, "at": performance.now()}
box = document.createElement("div")
box.className = "tool-card"
document.querySelector("main, body").appendChild(box)
chart = ChartView("bench")
box.appendChild(chart.el)
started = asyncio.get_event_loop().create_future()

def go():
    started.set_result(performance.now())
    chart.update(view, None)

setTimeout(create_once_callable(go), 0)
t0 = await started
while not chart.el.hasAttribute("data-drawn"):
    await asyncio.sleep(0.001)
t1 = performance.now()
box.remove()
result = json.dumps({"start": t0, "end": t1})
"""


def measure(points: list[int], runs: int, kind: str) -> list[tuple[int, float, float]]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "scripts"))
    from devkit.chromium import launch, open_app, run_python
    from serve import StaticServer

    out = []
    with StaticServer() as server, sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
            open_app(page, server.url, 120_000)
            loaded = float(run_python(page, LOAD, 60_000))
            print(f"chart library loaded in {loaded:.0f} ms (first chart only)", flush=True)
            page.evaluate(OBSERVE)
            page.wait_for_function(QUIET, timeout=60_000, polling=250)  # the app's idle-time warm-up is over
            for n in points:
                renders, longest = [], []
                for _ in range(runs):
                    code = DRAW.replace("POINTS", str(n)).replace("KIND", kind)
                    span = json.loads(run_python(page, code, 120_000))
                    tasks = page.evaluate("() => window.__longTasks")
                    inside = [d for s, d in tasks if s + d >= span["start"] and s <= span["end"]]
                    renders.append(span["end"] - span["start"])
                    longest.append(max(inside, default=0.0))
                out.append((n, statistics.median(renders), max(longest)))
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--points", default="100,1000,10000")
    parser.add_argument("--kind", default="bar", help="bar, line, area, ... (the chart kind drawn)")
    args = parser.parse_args(argv)
    points = [int(p) for p in args.points.split(",")]
    rows = measure(points, args.runs, args.kind)
    print(f"\n  {'points':>7}  {'render (median)':>16}  {'longest task':>13}")
    for n, render, longest in rows:
        task = f"{longest:.0f} ms" if longest else "< 50 ms"
        print(f"  {n:>7,}  {render:>13.0f} ms  {task:>13}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
