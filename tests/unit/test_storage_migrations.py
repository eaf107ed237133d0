"""A version 1 entry (the first stored shape) loads as the current shape and is written back migrated."""

from __future__ import annotations

import json

from app.store.conversations import ConversationStore
from app.store.format import FORMAT_VERSION, conversation_key
from app.store.kv import MemoryStore
from app.store.migrations import v1_to_v2

V1 = {
    "v": 1,
    "id": "c_old",
    "title": "Old chat",
    "created": 1_700_000_000_000,
    "updated": 1_700_000_100_000,
    "model": "openai:gpt-4o",
    "messages": [
        {"id": "m_u", "role": "user", "content": "How many articles?", "ts": 1_700_000_000_000},
        {
            "id": "m_a",
            "role": "assistant",
            "content": "",
            "reasoning": "Count them.",
            "ts": 1_700_000_001_000,
            "tool_calls": [
                {"id": "call_1", "name": "items_read", "arguments": '{"collection":"articles"}'},
                {"id": "call_2", "name": "schema_read", "arguments": "{}"},
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "cached_tokens": 100},
        },
        {
            "id": "m_t1",
            "role": "tool",
            "tool_call_id": "call_1",
            "name": "items_read",
            "content": "[1,2,3]",
            "ts": 1_700_000_002_000,
        },
        {
            "id": "m_t2",
            "role": "tool",
            "tool_call_id": "call_2",
            "name": "schema_read",
            "content": "denied",
            "is_error": True,
            "ts": 1_700_000_002_500,
        },
        {"role": "assistant", "content": "There are 3.", "ts": 1_700_000_003_000},
    ],
}


def test_v1_entry_loads_as_current_conversation():
    kv = MemoryStore()
    kv.set(conversation_key("c_old"), json.dumps(V1))
    store = ConversationStore(kv)
    conv = store.load("c_old")
    assert conv is not None and store.problems == []
    assert conv.title == "Old chat" and conv.model == "openai:gpt-4o"
    assert conv.created_at == 1_700_000_000.0 and conv.updated_at == 1_700_000_100.0
    assert [m.role for m in conv.messages] == ["user", "assistant", "tool", "assistant"]
    first_answer = conv.messages[1]
    assert [p.kind for p in first_answer.parts] == ["reasoning", "tool_call", "tool_call"]
    usage = first_answer.usage
    assert usage is not None and usage.input_tokens == 120 and usage.cached_tokens == 100
    results = conv.messages[2].tool_results
    assert [(r.call_id, r.status) for r in results] == [("call_1", "ok"), ("call_2", "error")]
    assert conv.messages[3].text == "There are 3."
    # written back in the current format, and listed
    stored = json.loads(kv.data[conversation_key("c_old")])
    assert stored["v"] == FORMAT_VERSION
    assert [s.title for s in store.list()] == ["Old chat"]


def test_migration_is_deterministic_so_two_tabs_agree_on_ids():
    first, second = v1_to_v2(json.loads(json.dumps(V1))), v1_to_v2(json.loads(json.dumps(V1)))
    assert first == second
    generated = first["conversation"]["messages"][-1]["id"]
    assert generated.startswith("m_v1_c_old_")


def test_entry_without_version_but_with_messages_is_read_as_v1():
    doc = dict(V1)
    del doc["v"]
    kv = MemoryStore()
    kv.set(conversation_key("c_old"), json.dumps(doc))
    conv = ConversationStore(kv).load("c_old")
    assert conv is not None and conv.title == "Old chat"
