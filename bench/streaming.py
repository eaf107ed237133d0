#!/usr/bin/env python3
"""Streaming benchmark: a long markdown answer (~20k tokens in small chunks) rendered by the app, next to a plain
JS reader consuming the same stream, in the same page and run.

Both get the same scripted Responses-API stream from the fake provider (devkit/fake_provider/server.py), paced like a fast
model (`--delay` seconds between events of `--chunk` characters). The JS reader only reads and decodes bytes: its
time is the floor set by the network and the pacing. The app parses the SSE events, builds the message, saves the
conversation and renders markdown into the DOM. Reported: both times and their ratio (target: within 1.2x), and
the longest main-thread task during the app's run (PerformanceObserver "longtask"; target: none over 50 ms).

Then the same for a hostile answer (`--hostile`, on by default): 71,000 characters built to make a Markdown parser
work hardest (`![` and `[` runs, emphasis runs, a 3,000-item list), streamed in 200 pieces; the app formats within a budget and shows
the rest as plain text (app/web/markdown.py). Target: no main-thread task over 100 ms.

Usage: .venv/bin/python bench/streaming.py [--tokens 20000] [--chunk 24] [--delay 0.002] [--runs 1] [--no-hostile]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: app, devkit
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))  # serve
from devkit.chromium import launch
from devkit.fake_provider.script import Step
from devkit.fake_provider.server import FakeProviderServer
from devkit.fake_provider.settings import chat_settings
from serve import StaticServer

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage


def long_answer(tokens: int) -> str:
    """Markdown with headings, paragraphs, lists, tables and code: about `tokens` tokens (4 characters each)."""
    sections: list[str] = []
    i = 0
    while sum(len(s) for s in sections) < tokens * 4:
        i += 1
        sections.append(
            "## Section %d: articles and categories\n\n"
            "The collection **articles** has %d items; *published* ones show on the site. Each article links to an "
            "author and to categories through `articles_categories`, see [the docs](https://docs.directus.io).\n\n"
            "- first point about item %d\n- second point, with `code`\n- third point\n\n"
            "| id | title | status |\n|---|---|---|\n| %d | Hello world | published |\n| %d | Draft post | draft |\n\n"
            '```json\n{"collection": "articles", "keys": [%d, %d], "data": {"status": "published"}}\n```\n\n'
            "> Note: bulk changes ask for approval first.\n\n" % (i, i * 3, i, i, i + 1, i, i + 1)
        )
    return "".join(sections)


def hostile_answer() -> str:
    """What a hostile model or endpoint could send to freeze a Markdown renderer: 71,000 characters."""
    return "![" * 10_000 + "\n\n" + "[" * 15_000 + "\n\n" + "**a" * 5_000 + "\n\n" + "- item\n" * 3_000


JS_READER = """async ([url, key]) => {
  const t0 = performance.now();
  const resp = await fetch(url, {method: "POST", headers: {"content-type": "application/json", "authorization": "Bearer " + key},
    body: JSON.stringify({model: "gpt-5-mini", input: [{role: "user", content: "bench"}], stream: true})});
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0, text = "";
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    bytes += r.value.length;
    text += decoder.decode(r.value, {stream: true});
  }
  return {ms: performance.now() - t0, bytes, events: text.split("\\n\\n").length};
}"""

# One observer for the page (a second one would report every task twice); each run starts an empty list.
LONGTASKS = """() => {
  window.__longtasks = [];
  if (!window.__longtaskObserver) {
    window.__longtaskObserver = new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__longtasks.push([e.duration, e.startTime]);
    });
    window.__longtaskObserver.observe({type: "longtask", buffered: false});
  }
}"""


def report_console_error(message: ConsoleMessage) -> None:
    if message.type == "error":
        print("console error:", message.text[:300], file=sys.stderr)


class _Closing:
    def __init__(self, server):
        self.server = server

    def close(self) -> None:
        self.server.stop()


def run(tokens: int, chunk: int, delay: float, runs: int, answer: str = "") -> dict:
    from playwright.sync_api import sync_playwright

    answer = answer or long_answer(tokens)
    step = Step(
        text=answer, delivery="slow", delay=delay, chunk=chunk, usage={"input_tokens": 500, "output_tokens": tokens}
    )
    runs_: list[dict[str, Any]] = []
    results: dict[str, Any] = {"answer_chars": len(answer), "events": len(answer) // chunk + 1, "runs": runs_}
    import contextlib

    with (
        contextlib.closing(_Closing(FakeProviderServer().start())) as holder,
        StaticServer() as site,
        sync_playwright() as pw,
    ):
        fake = holder.server
        settings, secrets = chat_settings(fake.url)
        settings_doc = json.loads(settings)
        settings_doc["settings"]["model"] = "openai:gpt-5-mini"
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", report_console_error)
        page.goto(site.url)
        page.evaluate(
            "([s, k]) => { localStorage.setItem('da.settings', s); localStorage.setItem('da.secrets', k); }",
            [json.dumps(settings_doc), secrets],
        )
        page.reload()
        page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
        for _ in range(runs):
            fake.reset()
            fake.script(step, protocol="responses")
            js = page.evaluate(JS_READER, [fake.url + "/v1/responses", "sk-openai-test"])
            fake.script(step, protocol="responses")
            page.get_by_role("button", name="New conversation").click()
            page.evaluate(LONGTASKS)
            box = page.get_by_role("textbox", name="Message")
            box.fill("bench")
            t0 = page.evaluate("performance.now()")
            box.press("Enter")
            page.wait_for_function(
                "() => { const m = [...document.querySelectorAll('article.message.assistant')].pop();"
                " return m && m.dataset.status === 'done' && document.body.dataset.busy === '0'; }",
                timeout=600_000,
                polling=5,
            )
            app_ms = page.evaluate("performance.now()") - t0
            shown = page.locator("article.message.assistant .markdown").last.inner_text()
            tasks = page.evaluate("window.__longtasks")
            # Prove the observer sees long tasks at all: block the main thread for 80 ms and look.
            page.evaluate(
                "() => new Promise(r => setTimeout(() => { const t = performance.now(); "
                "while (performance.now() - t < 80) {} r(); }, 0))"
            )
            page.wait_for_timeout(200)
            observed = len(page.evaluate("window.__longtasks")) > len(tasks)
            runs_.append(
                {
                    "js_ms": round(js["ms"]),
                    "app_ms": round(app_ms),
                    "ratio": round(app_ms / js["ms"], 3),
                    "longest_task_ms": round(max(t[0] for t in tasks), 1) if tasks else 0.0,
                    "long_tasks": len(tasks),
                    "long_task_at_ms": [[round(d), round(start - t0)] for d, start in tasks],
                    "rendered_chars": len(shown),
                    "observer_ok": observed,
                }
            )
        browser.close()
    results["ratio_median"] = statistics.median(r["ratio"] for r in runs_)
    results["longest_task_ms"] = max(r["longest_task_ms"] for r in runs_)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=24, help="characters per text delta")
    parser.add_argument("--delay", type=float, default=0.002, help="seconds between events")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--no-hostile", dest="hostile", action="store_false", help="skip the hostile stream")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results = run(args.tokens, args.chunk, args.delay, args.runs)
    for r in results["runs"]:
        if not r["observer_ok"]:
            print("warning: the longtask observer did not see a deliberate 80 ms task; task numbers are not reliable")
        print(
            "JS reader %6d ms | app %6d ms | ratio %.2f | longest task %5.1f ms (%d long tasks) | %d chars shown"
            % (r["js_ms"], r["app_ms"], r["ratio"], r["longest_task_ms"], r["long_tasks"], r["rendered_chars"])
        )
    print(
        "answer: %d characters in ~%d events; ratio (median) %.2f (target <= 1.2); longest task %.1f ms (target <= 50)"
        % (results["answer_chars"], results["events"], results["ratio_median"], results["longest_task_ms"])
    )
    print(
        "machine load (1-min average): %.1f before, %.1f after; the first run is the first turn after a page load"
        % (load_before, os.getloadavg()[0])
    )
    if args.hostile:
        hostile = hostile_answer()
        results["hostile"] = run(len(hostile) // 4, len(hostile) // 200, args.delay, 1, answer=hostile)
        r = results["hostile"]["runs"][0]
        print(
            "hostile stream: %d characters in 200 pieces | app %d ms | longest task %.1f ms (target <= 100; %d long "
            "tasks) | %d chars shown"
            % (len(hostile), r["app_ms"], r["longest_task_ms"], r["long_tasks"], r["rendered_chars"])
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
