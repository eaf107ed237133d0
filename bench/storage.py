"""Storage benchmark: capacity of the ~5 Mi-character localStorage quota, save/load time, start with 200.

    .venv/bin/python bench/storage.py

Runs on CPython over MemoryStore (the same code the browser runs, minus localStorage's own cost).
Browser numbers (setItem/getItem through Pyodide) come from the e2e side; see
shared/reference/pyscript-offline.md §6: setItem of 1 MB ~12-52 ms, getItem ~12 ms in Chromium.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.chat.model import Conversation, ToolCallPart, ToolResultPart, Usage, assistant, tool_results, user  # noqa: E402
from app.storage import DEFAULT_QUOTA_CHARS, ConversationStore, MemoryStore, StorageFull  # noqa: E402

WORDS = ("article draft published collection field item status title summer campaign update schema user "
         "role permission flow folder file translation").split()


def sentence(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + "."


def typical(rnd: random.Random) -> Conversation:
    """About 20 messages: 5 turns of question, tool call, tool result (a page of items), answer."""
    conv = Conversation(model="openai:gpt-5")
    for turn in range(5):
        conv.messages.append(user(sentence(rnd, 20)))
        call = ToolCallPart(id="call_%d_%d" % (turn, rnd.randint(0, 1 << 30)), name="items_read",
                            arguments=json.dumps({"collection": "articles", "limit": 10, "filter": {"status": {"_eq": "draft"}}}))
        conv.messages.append(assistant(call, model="openai:gpt-5", usage=Usage(input_tokens=3000, output_tokens=60)))
        rows = [{"id": i, "title": sentence(rnd, 6), "status": "draft", "date_created": "2026-05-01T10:00:00Z",
                 "summary": sentence(rnd, 25)} for i in range(10)]
        conv.messages.append(tool_results(ToolResultPart(call_id=call.id, name="items_read", content=json.dumps({"data": rows}))))
        conv.messages.append(assistant(sentence(rnd, 80), model="openai:gpt-5", usage=Usage(input_tokens=4500, output_tokens=200)))
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


def main() -> None:
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
    rows.append(("typical conversations (20 messages, 5 tool calls) in 5 Mi chars", "%d" % count, "%s chars each" % format(one, ",")))

    kv = MemoryStore()
    store = ConversationStore(kv)
    conv = big(rnd, 1_000_000)
    store.save(conv)
    size = store.list()[0].chars
    rows.append(("save 1 MB conversation (%s chars, %d messages)" % (format(size, ","), len(conv.messages)),
                 "%.1f ms" % timed(lambda: store.save(conv)), "encode + merge check + set"))
    rows.append(("load 1 MB conversation", "%.1f ms" % timed(lambda: ConversationStore(kv).load(conv.id)), "get + parse + validate"))

    kv = MemoryStore()
    store = ConversationStore(kv)
    for _ in range(200):
        store.save(typical(rnd))
    rows.append(("list 200 conversations (app start)", "%.1f ms" % timed(lambda: ConversationStore(kv).list()), "summary keys only"))

    def start() -> None:
        fresh = ConversationStore(kv)
        fresh.load(fresh.list()[0].id)

    rows.append(("start: list 200 + open the newest", "%.1f ms" % timed(start), ""))
    rows.append(("search 200 conversations (hit in content)", "%.1f ms" % timed(lambda: store.search("campaign"), 3), ""))
    rows.append(("search 200 conversations (no hit)", "%.1f ms" % timed(lambda: store.search("zzzz-nothing"), 3), ""))
    rows.append(("usage report, 200 conversations", "%.1f ms" % timed(store.usage_report), ""))

    width = max(len(r[0]) for r in rows)
    print("Storage benchmark (CPython %s over MemoryStore; browser numbers come from the e2e side)" % sys.version.split()[0])
    print("-" * (width + 40))
    for name, value, note in rows:
        print("%-*s  %12s  %s" % (width, name, value, note))


if __name__ == "__main__":
    main()
