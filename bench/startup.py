#!/usr/bin/env python3
"""Start-up benchmark: navigation -> ready, ours vs a bare Pyodide page with no packages, same run, same server.

cold = a fresh browser context (empty HTTP cache); warm = a reload in that context. All pages mark
`performance.mark("app-ready")` when ready, so the times are measured by the page from navigation start.
Two more pages, for reference only: bare Pyodide loading the stock wheels of the packages the app uses (what they
would cost; the app loads them compiled, see scripts/app_config.py), and bare Pyodide with our precompiled standard library (static/generated/python_stdlib.zip, see
scripts/app_config.py: stock Pyodide compiles its standard library at every start, which our app does not). Also
reports first contentful paint of our shell (target: under 200 ms). Targets (issue 2): warm within 1.3x of bare
Pyodide, cold within 1.5x.

Run `scripts/setup` (or `scripts/app_config.py`) first: it builds the precompiled modules the page loads.

Usage: .venv/bin/python bench/startup.py [--runs 5] [--json bench/results/startup.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from app_config import SITE_PACKAGES
from serve import StaticServer

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/lib/chromium/chromium"
BARE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>bare Pyodide</title></head>
<body><p>bare Pyodide</p>
<script type="module">
import { loadPyodide } from "./static/vendor/pyodide/pyodide.mjs";
const stdlib = STDLIB; // our standard library ("": Pyodide's own)
const pyodide = await loadPyodide({ indexURL: "./static/vendor/pyodide/", packages: PACKAGES, stdLibURL: stdlib || undefined });
pyodide.runPython("1 + 1");
performance.mark("app-ready");
document.body.dataset.ready = "1";
</script></body></html>
"""

MEASURE = """() => ({
    ready: performance.getEntriesByName("app-ready")[0].startTime,
    fcp: (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime ?? null,
})"""


def bare_page(packages: list[str], stdlib: str = "") -> str:
    return BARE_PAGE.replace("PACKAGES", json.dumps(packages)).replace("STDLIB", json.dumps(stdlib))


def load(page, url: str, reload: bool = False) -> dict:
    if reload:
        page.reload()
    else:
        page.goto(url)
    page.wait_for_selector("body[data-ready]", state="attached", timeout=120_000)
    return page.evaluate(MEASURE)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]
    packages = list(SITE_PACKAGES)
    names = ("app", "bare", "bare+pkgs", "bare+pyc")
    results: dict[str, dict[str, list[float]]] = {
        name: {"cold": [], "warm": [], "fcp_cold": [], "fcp_warm": []} for name in names
    }
    with tempfile.TemporaryDirectory() as tmp:
        bare, bare_pkgs, bare_pyc = Path(tmp) / "bare.html", Path(tmp) / "bare-pkgs.html", Path(tmp) / "bare-pyc.html"
        bare.write_text(bare_page([]))
        bare_pkgs.write_text(bare_page(packages))
        bare_pyc.write_text(bare_page([], "./static/generated/python_stdlib.zip"))
        extra = {"bench-bare.html": bare, "bench-bare-pkgs.html": bare_pkgs, "bench-bare-pyc.html": bare_pyc}
        with StaticServer(extra=extra) as server, sync_playwright() as pw:
            urls = {
                "app": server.url,
                "bare": server.url + "bench-bare.html",
                "bare+pkgs": server.url + "bench-bare-pkgs.html",
                "bare+pyc": server.url + "bench-bare-pyc.html",
            }
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                for run in range(args.runs):
                    for name in names[run % len(names) :] + names[: run % len(names)]:  # rotate the order
                        context = browser.new_context()
                        page = context.new_page()
                        cold = load(page, urls[name])
                        warm = load(page, urls[name], reload=True)
                        context.close()
                        r = results[name]
                        r["cold"].append(cold["ready"])
                        r["warm"].append(warm["ready"])
                        r["fcp_cold"].append(cold["fcp"])
                        r["fcp_warm"].append(warm["fcp"])
                        print(
                            f"run {run + 1}/{args.runs} {name:9}: cold {cold['ready']:6.0f} ms  "
                            f"warm {warm['ready']:6.0f} ms  first paint {cold['fcp']:.0f}/{warm['fcp']:.0f} ms",
                            flush=True,
                        )
            finally:
                browser.close()

    app, base = results["app"], results["bare"]
    cold_ratio = median(app["cold"]) / median(base["cold"])
    warm_ratio = median(app["warm"]) / median(base["warm"])
    fcp = median(app["fcp_cold"])
    print()
    print(f"median of {args.runs}     {'cold ms':>9} {'warm ms':>9}")
    print(f"bare Pyodide      {median(base['cold']):9.0f} {median(base['warm']):9.0f}")
    pkgs = results["bare+pkgs"]
    print(
        f"bare + packages   {median(pkgs['cold']):9.0f} {median(pkgs['warm']):9.0f}   ({', '.join(packages)}; for reference)"
    )
    pyc = results["bare+pyc"]
    print(
        f"bare + our stdlib {median(pyc['cold']):9.0f} {median(pyc['warm']):9.0f}   (precompiled standard library; for reference)"
    )
    print(f"our app           {median(app['cold']):9.0f} {median(app['warm']):9.0f}")
    print(f"ratio app/bare    {cold_ratio:9.2f} {warm_ratio:9.2f}   (targets: cold <= 1.5, warm <= 1.3)")
    print(f"shell first contentful paint: cold {fcp:.0f} ms, warm {median(app['fcp_warm']):.0f} ms  (target < 200)")
    print(
        f"machine load (1-min average, 2 cores here): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
        "other work on the machine makes every number noisier"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
