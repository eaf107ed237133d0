#!/usr/bin/env python3
"""Issue 16's table in one run: each figure of the app next to its reference in the same run and its goal.

- cold (fresh browser context) and warm (a reload in it) navigation -> ready, medians of --runs: the app
  (`performance.mark("app-ready")`), bare Pyodide with our precompiled standard library (the floor: bench/startup.py's
  page) and the local Directus Data Studio's login form (its email field shown), each loaded the same way;
- the bytes of a first visit, raw and gzip (what the server sent, service worker install included, each file gzipped
  at level 6 as a compressing host would send it); a return visit's network (requests and bytes);
- storage in Chromium: save and load a 1 MB conversation (next to a raw `localStorage.setItem` of the same text),
  start with 200 stored conversations against none;
- the longest main-thread task (PerformanceObserver "longtask") while streaming 80k characters and the hostile stream
  (bench/streaming.py), opening a 1 MB conversation (a long history), switching back, searching 200 conversations.

Needs the local Directus (scripts/directus install; started here on a free port) and scripts/setup.

Usage: .venv/bin/python bench/table.py [--runs 5] [--json bench/results/table.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]
from app.store.conversations import ConversationStore  # noqa: E402 - after the path
from app.store.kv import MemoryStore  # noqa: E402 - after the path
from bench import startup, storage, streaming  # noqa: E402 - after the path
from devkit.chromium import CHROMIUM, CHROMIUM_ARGS, launch  # noqa: E402 - after the path
from devkit.directus import start_instance  # noqa: E402 - after the path
from serve import StaticServer  # noqa: E402 - after the path

ACTIVE = """async () => {
    if (!navigator.serviceWorker) return "none";
    const worker = (await navigator.serviceWorker.ready).active;
    while (worker.state !== "activated") await new Promise((r) => worker.addEventListener("statechange", r));
    return worker.state;
}"""
STUDIO_READY = """() => {
    const field = document.querySelector('input[type="email"]');
    return field && field.offsetParent !== null ? performance.now() : false;
}"""
RESOURCES = """() => [location.href, ...performance.getEntriesByType("resource").map((e) => e.name)]"""
TRANSFERRED = """() => {
    const all = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
    const net = all.filter((e) => e.transferSize > 0);
    return [net.length, net.reduce((n, e) => n + e.transferSize, 0)];
}"""
LONGTASKS = streaming.LONGTASKS
ALWAYS_ASKED = ("sw.js", "static/generated/assets.js", "config.json")


def ready_ms(page, kind: str, url: str, reload: bool = False) -> float:
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    if kind == "studio":
        return float(page.wait_for_function(STUDIO_READY, polling="raf", timeout=120_000).json_value())
    page.wait_for_selector("body[data-ready]", state="attached", timeout=120_000)
    return float(page.evaluate("performance.getEntriesByName('app-ready')[0].startTime"))


def gzipped(data: bytes) -> int:
    """What a compressing host sends: gzip at level 6; a file that is gzip already (ours: static/generated/*.gz) as it
    is (a host does not compress it again, and it would not get smaller)."""
    return len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 6))


def served_bytes(server: StaticServer, site_path: str) -> bytes:
    if site_path in server.overrides:
        return server.overrides[site_path]
    built = server.generated(site_path)
    if built is not None:
        return built
    path = server.resolve(site_path)
    return path.read_bytes() if path is not None else b""


def startup_rows(runs: int, directus_url: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {k: {"cold": [], "warm": []} for k in ("app", "floor", "studio")}
    first: list[tuple[str, int]] = []
    studio_urls: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp) / "floor.html"
        floor.write_text(startup.bare_page([], "./static/generated/python_stdlib.zip"))
        with StaticServer(extra={"bench-floor.html": floor}) as server, sync_playwright() as pw:
            urls = {
                "app": server.url,
                "floor": server.url + "bench-floor.html",
                "studio": directus_url + "/admin/login",
            }
            names = ("app", "floor", "studio")
            for run in range(runs):
                for kind in names[run % 3 :] + names[: run % 3]:
                    # A profile of its own on disk, like a real browser's (a context's in-memory HTTP cache
                    # drops big files, and the service worker's install would download them again).
                    profile = tempfile.mkdtemp(dir=tmp)
                    context = pw.chromium.launch_persistent_context(
                        profile,
                        executable_path=CHROMIUM,
                        headless=True,
                        args=CHROMIUM_ARGS,
                        service_workers="allow",
                    )
                    page = context.pages[0] if context.pages else context.new_page()
                    server.sent.clear()
                    out[kind]["cold"].append(ready_ms(page, kind, urls[kind]))
                    if kind == "app":
                        page.evaluate(ACTIVE)  # the service worker has the whole version
                        first = list(server.sent)
                        server.sent.clear()
                        server.log.clear()
                    elif kind == "studio":
                        studio_urls = page.evaluate(RESOURCES)
                    out[kind]["warm"].append(ready_ms(page, kind, urls[kind], reload=True))
                    if kind == "app":
                        out["app_return"] = {
                            "requests": [p for p in server.log if p[len(server.prefix) :] not in ALWAYS_ASKED],
                            "bytes": sum(n for _, n in server.sent),
                            "asked": len(server.log),
                        }
                        out["app_first"] = first
                    elif kind == "studio":
                        out["studio_return"] = page.evaluate(TRANSFERRED)
                    context.close()
                    print(
                        "run %d/%d %-6s cold %6.0f ms  warm %6.0f ms"
                        % (run + 1, runs, kind, out[kind]["cold"][-1], out[kind]["warm"][-1]),
                        flush=True,
                    )
            raw = sum(n for _, n in out["app_first"])
            zipped = sum(gzipped(served_bytes(server, p)) for p, _ in out["app_first"])
            out["app_bytes"] = (raw, zipped, len(out["app_first"]))
    import httpx

    studio_raw = studio_zip = 0
    with httpx.Client(headers={"Accept-Encoding": "identity"}, timeout=60) as http:
        for url in dict.fromkeys(studio_urls):
            body = http.get(url).content
            studio_raw += len(body)
            studio_zip += gzipped(body)
    out["studio_bytes"] = (studio_raw, studio_zip, len(set(studio_urls)))
    return out


IN_PAGE_RAW_SET = """(runs) => {
    const text = localStorage.getItem(window.benchKey) || window.benchBig;
    const times = [];
    for (let i = 0; i < runs; i++) {
        const t = performance.now(); localStorage.setItem("bench.raw", text); times.push(performance.now() - t);
        localStorage.removeItem("bench.raw");
    }
    return times;
}"""


def storage_and_task_rows(runs: int) -> dict[str, Any]:
    """Storage timings and the long tasks of opening, switching and searching, in one page of the app."""
    from playwright.sync_api import sync_playwright

    from devkit.chromium import open_app, run_python

    rnd = random.Random(1)
    big = storage.big(rnd, 1_000_000)
    big.title = "The 1 MB conversation"
    many = storage.stored_entries(200, 3)
    out: dict[str, Any] = {}
    with StaticServer() as server, sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_context(service_workers="block", viewport={"width": 1200, "height": 900}).new_page()
            open_app(page, server.url, 120_000)
            page.evaluate("(big) => { window.benchBig = big; }", big.model_dump_json())
            measured = json.loads(run_python(page, storage.IN_PAGE_SAVE_LOAD.replace("RUNS", str(runs)), 120_000))
            out["save"], out["load"], out["chars"] = measured["save"], measured["load"], measured["chars"]
            page.evaluate("() => { window.benchKey = null; }")
            out["raw_set"] = page.evaluate(IN_PAGE_RAW_SET, runs)

            starts: dict[str, list[float]] = {"none": [], "200": []}
            for run in range(runs):
                for variant in ("none", "200") if run % 2 == 0 else ("200", "none"):
                    page.evaluate(storage._WRITE, many if variant == "200" else {})
                    open_app(page, server.url, 120_000)
                    starts[variant].append(page.evaluate(storage._READY_AT))
            out["start"] = starts

            # A long history, switching, searching: 200 conversations and the 1 MB one, the newest a small one.
            entries = dict(many)
            holder = MemoryStore()
            big.updated_at = 1.0  # the oldest: the app opens another one at start
            ConversationStore(holder).save(big, touch=False)
            entries.update(holder.data)
            page.evaluate(storage._WRITE, entries)
            open_app(page, server.url, 120_000)
            first = page.locator(".conv-item.current").get_attribute("data-id")

            def longest(action: Callable[[], None]) -> float:
                page.evaluate(LONGTASKS)
                action()
                page.wait_for_timeout(300)
                tasks = page.evaluate("window.__longtasks")
                return max((t[0] for t in tasks), default=0.0)

            def open_big() -> None:
                page.locator('.conv-item[data-id="%s"] .conv-open' % big.id).click()
                page.locator("article.message").nth(len(big.messages) - 1).wait_for(state="attached", timeout=120_000)

            def switch_back() -> None:
                page.locator('.conv-item[data-id="%s"] .conv-open' % first).click()
                page.locator(".conv-item.current[data-id='%s']" % first).wait_for(timeout=60_000)

            def search() -> None:
                page.locator("#conversation-search").fill("campaign")
                page.wait_for_function(
                    "() => document.querySelector('#conversation-list .conv-meta')?.textContent.includes('ampaign')",
                    timeout=60_000,
                )

            # The observer itself: a deliberate 80 ms task of the page must show (else every 0 ms below means nothing).
            # (A page task, from a timer: what Playwright evaluates directly is no task the observer reports.)
            busy = "() => { setTimeout(() => { const t = performance.now(); while (performance.now() - t < 80) {} }); }"
            out["task_probe"] = longest(lambda: page.evaluate(busy))
            out["task_open_big"] = longest(open_big)
            out["task_switch"] = longest(switch_back)
            out["task_search"] = longest(search)
        finally:
            browser.close()
    return out


def fmt_ms(values: list[float]) -> str:
    return "%.0f ms" % statistics.median(values)


def mb(n: float) -> str:
    return "%.2f MB" % (n / 1e6)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as tmp:
        directus = start_instance(tmp)
        try:
            s = startup_rows(args.runs, directus.url)
        finally:
            directus.stop()
    st = storage_and_task_rows(args.runs)
    stream = streaming.run(20_000, 24, 0.002, 1)
    hostile_text = streaming.hostile_answer()
    hostile = streaming.run(len(hostile_text) // 4, len(hostile_text) // 200, 0.002, 1, answer=hostile_text)

    med = {k: {w: statistics.median(s[k][w]) for w in ("cold", "warm")} for k in ("app", "floor", "studio")}
    app_raw, app_zip, app_files = s["app_bytes"]
    studio_raw, studio_zip, studio_files = s["studio_bytes"]
    ret = s["app_return"]
    studio_ret = s["studio_return"]
    start_none, start_200 = statistics.median(st["start"]["none"]), statistics.median(st["start"]["200"])
    rows = [
        (
            "cold: navigation to ready",
            "%.0f ms" % med["app"]["cold"],
            "Data Studio %.0f ms; floor %.0f ms (ratio to Studio %.2f)"
            % (med["studio"]["cold"], med["floor"]["cold"], med["app"]["cold"] / med["studio"]["cold"]),
            "<= Data Studio (1.00)",
        ),
        (
            "warm: reload to ready",
            "%.0f ms" % med["app"]["warm"],
            "Data Studio %.0f ms (ratio %.2f); floor %.0f ms (ratio %.2f)"
            % (
                med["studio"]["warm"],
                med["app"]["warm"] / med["studio"]["warm"],
                med["floor"]["warm"],
                med["app"]["warm"] / med["floor"]["warm"],
            ),
            "<= 0.8x Studio, <= 1.2x floor",
        ),
        (
            "bytes of a first visit",
            "%s raw, %s gzip" % (mb(app_raw), mb(app_zip)),
            "Data Studio %s raw, %s gzip (%d files; ours %d)"
            % (mb(studio_raw), mb(studio_zip), studio_files, app_files),
            "<= 7 MB gzip",
        ),
        (
            "a return visit, network",
            "%d requests for unchanged assets; %d requests, %.1f kB in all"
            % (len(ret["requests"]), ret["asked"], ret["bytes"] / 1e3),
            "Data Studio %d requests, %.1f kB" % (studio_ret[0], studio_ret[1] / 1e3),
            "no request for an unchanged asset",
        ),
        (
            "save a 1 MB conversation",
            fmt_ms(st["save"]),
            "raw localStorage.setItem of the same text %s (%s chars)"
            % (fmt_ms(st["raw_set"]), format(st["chars"], ",")),
            "<= 60 ms",
        ),
        ("load a 1 MB conversation", fmt_ms(st["load"]), "", "<= 30 ms"),
        (
            "start with 200 stored conversations",
            "%+.0f ms over none" % (start_200 - start_none),
            "%.0f ms vs %.0f ms (warm)" % (start_200, start_none),
            "<= +100 ms",
        ),
        (
            "longest task, streaming 80k characters",
            "%.0f ms" % stream["longest_task_ms"],
            "%d chars; app/JS reader %.2f" % (stream["answer_chars"], stream["ratio_median"]),
            "<= 50 ms",
        ),
        (
            "longest task, hostile stream",
            "%.0f ms" % hostile["longest_task_ms"],
            "%d chars" % len(hostile_text),
            "<= 50 ms",
        ),
        ("longest task, a deliberate 80 ms task", "%.0f ms" % st["task_probe"], "the observer sees it", "about 80 ms"),
        ("longest task, opening a 1 MB conversation", "%.0f ms" % st["task_open_big"], "", "<= 50 ms"),
        ("longest task, switching conversations", "%.0f ms" % st["task_switch"], "", "<= 50 ms"),
        ("longest task, searching 200 conversations", "%.0f ms" % st["task_search"], "", "<= 50 ms"),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    print()
    print("Issue 16 figures, medians of %d, one run (%s)" % (args.runs, machine()))
    for r in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(r)))
    print("machine load (1-min average): %.1f before, %.1f after" % (load_before, os.getloadavg()[0]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "startup": s, "storage": st}, indent=1, default=str))
    return 0


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "?",
    )
    return "%s, %d cores, %s" % (cpu, os.cpu_count() or 0, platform.system())


if __name__ == "__main__":
    sys.exit(main())
