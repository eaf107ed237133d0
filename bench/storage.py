"""Storage benchmark: capacity of the ~5 Mi-character localStorage quota, save/load time, start with 200.

    .venv/bin/python bench/storage.py [--runs 5] [--no-browser] [--json bench/results/storage.json]

Part 1 runs on CPython over MemoryStore (the same code the browser runs, minus localStorage's own cost).
Part 2 runs in Chromium (Debian's, through Playwright, the app served by scripts/serve.py's StaticServer): the same
ConversationStore over the real localStorage through app/web/local_storage.py, timed inside Pyodide, and app start
(navigation to body[data-ready], the "app-ready" mark) with 200 stored conversations against none.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.chat.model import (
    Conversation,
    ToolCallPart,
    ToolResultPart,
    Usage,
    assistant,
    tool_results,
    user,
)
from app.store.conversations import ConversationStore
from app.store.kv import DEFAULT_QUOTA_CHARS, MemoryStore
from app.store.usage import StorageFull

WORDS = (
    "article draft published collection field item status title summer campaign update schema user "
    "role permission flow folder file translation"
).split()


def sentence(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + "."


def typical(rnd: random.Random, turns: int = 5) -> Conversation:
    """4 messages per turn (question, tool call, tool result with a page of items, answer); 5 turns: 20 messages."""
    conv = Conversation(model="openai:gpt-5")
    for turn in range(turns):
        conv.messages.append(user(sentence(rnd, 20)))
        call = ToolCallPart(
            id="call_%d_%d" % (turn, rnd.randint(0, 1 << 30)),
            name="items_read",
            arguments=json.dumps({"collection": "articles", "limit": 10, "filter": {"status": {"_eq": "draft"}}}),
        )
        conv.messages.append(assistant(call, model="openai:gpt-5", usage=Usage(input_tokens=3000, output_tokens=60)))
        rows = [
            {
                "id": i,
                "title": sentence(rnd, 6),
                "status": "draft",
                "date_created": "2026-05-01T10:00:00Z",
                "summary": sentence(rnd, 25),
            }
            for i in range(10)
        ]
        conv.messages.append(
            tool_results(ToolResultPart(call_id=call.id, name="items_read", content=json.dumps({"data": rows})))
        )
        conv.messages.append(
            assistant(sentence(rnd, 80), model="openai:gpt-5", usage=Usage(input_tokens=4500, output_tokens=200))
        )
    return conv


def big(rnd: random.Random, chars: int) -> Conversation:
    """About `chars` characters: 1000-char messages, mixed Cyrillic and ASCII like the reference test."""
    conv = Conversation()
    text = ("Привет, это проверка. " + sentence(rnd, 12) + " ") * 40
    while len(conv.model_dump_json()) < chars:
        conv.messages.append(user(text[:1000]) if len(conv.messages) % 2 == 0 else assistant(text[:1000]))
    return conv


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def cpython_rows() -> list[tuple[str, str, str]]:
    rnd = random.Random(1)
    rows = []

    kv = MemoryStore(quota_chars=DEFAULT_QUOTA_CHARS)
    store = ConversationStore(kv)
    count = 0
    try:
        while True:
            store.save(typical(rnd))
            count += 1
    except StorageFull:
        pass
    one = store.list()[0].chars
    rows.append(
        (
            "typical conversations (20 messages, 5 tool calls) in 5 Mi chars",
            "%d" % count,
            "%s chars each" % format(one, ","),
        )
    )

    kv = MemoryStore()
    store = ConversationStore(kv)
    conv = big(rnd, 1_000_000)
    store.save(conv)
    size = store.list()[0].chars
    rows.append(
        (
            "save 1 MB conversation (%s chars, %d messages)" % (format(size, ","), len(conv.messages)),
            "%.1f ms" % timed(lambda: store.save(conv)),
            "encode + merge check + set",
        )
    )
    rows.append(
        (
            "load 1 MB conversation",
            "%.1f ms" % timed(lambda: ConversationStore(kv).load(conv.id)),
            "get + parse + validate",
        )
    )

    kv = MemoryStore()
    store = ConversationStore(kv)
    for _ in range(200):
        store.save(typical(rnd))
    rows.append(
        (
            "list 200 conversations (app start)",
            "%.1f ms" % timed(lambda: ConversationStore(kv).list()),
            "summary keys only",
        )
    )

    def start() -> None:
        fresh = ConversationStore(kv)
        fresh.load(fresh.list()[0].id)

    rows.append(("start: list 200 + open the newest", "%.1f ms" % timed(start), ""))
    rows.append(
        ("search 200 conversations (hit in content)", "%.1f ms" % timed(lambda: store.search("campaign"), 3), "")
    )
    rows.append(("search 200 conversations (no hit)", "%.1f ms" % timed(lambda: store.search("zzzz-nothing"), 3), ""))
    rows.append(("usage report, 200 conversations", "%.1f ms" % timed(store.usage_report), ""))

    return rows


# ----- in Chromium -------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent

IN_PAGE_SAVE_LOAD = """
import json, time
from js import localStorage, window
from app.chat.model import Conversation
from app.store.conversations import ConversationStore
from app.web.local_storage import WebStorage
localStorage.clear()
kv = WebStorage(localStorage)
conv = Conversation.model_validate_json(str(window.benchBig))
store = ConversationStore(kv)
saves, loads = [], []
for _ in range(RUNS):
    t = time.perf_counter(); store.save(conv); saves.append((time.perf_counter() - t) * 1000)
for _ in range(RUNS):
    t = time.perf_counter(); ConversationStore(kv).load(conv.id); loads.append((time.perf_counter() - t) * 1000)
chars = store.list()[0].chars
store.delete(conv.id)
result = json.dumps({"save": saves, "load": loads, "chars": chars})
"""

IN_PAGE_CAPACITY = """
import json, time
from js import localStorage, window
from app.chat.model import Conversation, new_id
from app.store.conversations import ConversationStore
from app.store.usage import StorageFull
from app.web.local_storage import WebStorage
localStorage.clear()
kv = WebStorage(localStorage)
store = ConversationStore(kv)
template = Conversation.model_validate_json(str(window.benchTypical))
count = 0
t = time.perf_counter()
try:
    while count < 2000:
        copy = template.model_copy()
        copy.id = new_id("c_")
        store.save(copy)
        count += 1
except StorageFull:
    pass
seconds = time.perf_counter() - t
report = store.usage_report()
chars = report.conversations[0].chars if report.conversations else 0
store.clear_all()
result = json.dumps({"count": count, "chars": chars, "total": report.total_chars, "seconds": seconds})
"""

IN_PAGE_START = """
import json, time
from js import localStorage
from app.store.conversations import ConversationStore
from app.web.local_storage import WebStorage
runs = []
for _ in range(RUNS):
    t = time.perf_counter()
    store = ConversationStore(WebStorage(localStorage))
    summaries = store.list()
    store.load(summaries[0].id)
    runs.append((time.perf_counter() - t) * 1000)
result = json.dumps({"ms": runs, "count": len(summaries)})
"""

_WRITE = (
    "(entries) => { localStorage.clear(); for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v); }"
)
_READY_AT = "() => performance.getEntriesByName('app-ready')[0].startTime"


def stored_entries(count: int, turns: int) -> dict[str, str]:
    """What `count` conversations of `turns` turns look like in localStorage (da.conv.* and da.meta.*)."""
    rnd = random.Random(2)
    kv = MemoryStore()
    store = ConversationStore(kv)
    for _ in range(count):
        store.save(typical(rnd, turns))
    return dict(kv.data)


def browser_rows(runs: int) -> list[tuple[str, str, str]]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "scripts"))
    from devkit.chromium import launch, open_app, run_python
    from serve import StaticServer

    def in_page(page, code: str, timeout_ms: int) -> dict:
        """Run `code` in the app's Python and read the JSON it left in `result`."""
        return json.loads(run_python(page, code, timeout_ms))

    rnd = random.Random(1)
    big_json = big(rnd, 1_000_000).model_dump_json()
    typical_json = typical(rnd).model_dump_json()
    many = stored_entries(200, 3)
    many_chars = sum(len(k) + len(v) for k, v in many.items())
    rows = []
    with StaticServer() as server, sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context()
            page = context.new_page()
            open_app(page, server.url, 120_000)
            print("app ready; timing in the page", flush=True)
            page.evaluate(
                "([big, typical]) => { window.benchBig = big; window.benchTypical = typical; }",
                [big_json, typical_json],
            )
            measured = in_page(page, IN_PAGE_SAVE_LOAD.replace("RUNS", str(runs)), 120_000)
            rows.append(
                (
                    "Chromium: save 1 MB conversation (%s chars) to localStorage" % format(measured["chars"], ","),
                    "%.1f ms" % statistics.median(measured["save"]),
                    "Pyodide: encode + setItem",
                )
            )
            rows.append(
                (
                    "Chromium: load 1 MB conversation from localStorage",
                    "%.1f ms" % statistics.median(measured["load"]),
                    "Pyodide: getItem + parse + validate",
                )
            )
            capacity = in_page(page, IN_PAGE_CAPACITY, 300_000)
            rows.append(
                (
                    "Chromium: typical conversations that fit in localStorage",
                    "%d" % capacity["count"],
                    "%s chars each; %s chars stored when full"
                    % (format(capacity["chars"], ","), format(capacity["total"], ",")),
                )
            )

            # App start: warm HTTP cache (one load above), localStorage empty vs 200 stored conversations.
            starts: dict[str, list[float]] = {"none": [], "200": []}
            for run in range(runs):
                for variant in ("none", "200") if run % 2 == 0 else ("200", "none"):
                    page.evaluate(_WRITE, many if variant == "200" else {})
                    open_app(page, server.url, 120_000)
                    starts[variant].append(page.evaluate(_READY_AT))
                    expected = 200 if variant == "200" else 0
                    page.wait_for_function(  # the first items come with the start, the rest in later tasks
                        "n => document.querySelectorAll('#conversation-list .conv-item').length === n", arg=expected
                    )
            page.evaluate(_WRITE, many)
            listed = in_page(page, IN_PAGE_START.replace("RUNS", str(runs)), 120_000)
            page.evaluate("() => localStorage.clear()")
            rows.append(
                (
                    "Chromium: list %d stored conversations + open the newest" % listed["count"],
                    "%.1f ms" % statistics.median(listed["ms"]),
                    "Pyodide, what the app does at start",
                )
            )
            none, with_many = statistics.median(starts["none"]), statistics.median(starts["200"])
            rows.append(
                (
                    "Chromium: app start, no stored conversation",
                    "%.0f ms" % none,
                    "navigation -> body[data-ready], warm cache",
                )
            )
            rows.append(
                (
                    "Chromium: app start, 200 stored conversations",
                    "%.0f ms" % with_many,
                    "%+.0f ms; 12 messages each, %s chars in all" % (with_many - none, format(many_chars, ",")),
                )
            )
            context.close()
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="only the CPython part")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    rows = cpython_rows()
    if not args.no_browser:
        rows += browser_rows(args.runs)
    width = max(len(r[0]) for r in rows)
    print(
        "Storage benchmark (CPython %s over MemoryStore, then Chromium with the real localStorage)"
        % sys.version.split()[0]
    )
    print("-" * (width + 40))
    for name, value, note in rows:
        print("%-*s  %12s  %s" % (width, name, value, note))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps([{"what": n, "value": v, "note": note} for n, v, note in rows], indent=1) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
