"""ConversationStore over a MemoryStore: save/load, list, title, rename, delete, search, corruption, quota."""

from __future__ import annotations

import json

import pytest

from app.chat.model import (
    Conversation,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    assistant,
    tool_results,
    user,
)
from app.store.conversations import ConversationStore, NewerFormat
from app.store.format import conversation_key, meta_key
from app.store.kv import MemoryStore, QuotaExceeded, utf16_len
from app.store.usage import StorageFull


class Clock:
    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def chat(first: str = "List the draft articles", n_steps: int = 1, result: str = '{"data": []}') -> Conversation:
    conv = Conversation()
    t = 1_700_000_000.0
    conv.messages.append(user(first))
    for step in range(n_steps):
        call = ToolCallPart(id="call_%s_%d" % (conv.id, step), name="items_read", arguments='{"collection":"articles"}')
        conv.messages.append(assistant(call))
        conv.messages.append(tool_results(ToolResultPart(call_id=call.id, name="items_read", content=result)))
    conv.messages.append(assistant("There are no drafts."))
    for i, m in enumerate(conv.messages):
        m.created_at = t + i
    return conv


@pytest.fixture
def kv():
    return MemoryStore()


@pytest.fixture
def store(kv):
    return ConversationStore(kv, clock=Clock())


def test_memory_store_counts_keys_and_values_in_utf16_units():
    kv = MemoryStore(quota_chars=10)
    kv.set("ab", "cdef")  # 6
    assert kv.used_chars == 6
    kv.set("ab", "😀")  # an emoji is 2 UTF-16 units: 2 + 2
    assert kv.used_chars == 4
    with pytest.raises(QuotaExceeded):
        kv.set("x", "0123456789")
    assert kv.get("x") is None and kv.used_chars == 4
    kv.remove("ab")
    assert kv.used_chars == 0 and kv.keys() == []


def test_save_then_load_round_trips_every_part(store):
    conv = chat()
    conv.messages[1].parts.insert(0, TextPart(text="Let me look."))
    store.save(conv)
    loaded = ConversationStore(store.store).load(conv.id)
    assert loaded is not None
    assert loaded.model_dump() == conv.model_dump()


def test_save_sets_title_from_first_user_message_and_updated_at(store):
    conv = chat(first="  Show me\n the   newest articles that are still in draft and were written in May  ")
    before = conv.updated_at
    store.save(conv)
    assert conv.title == "Show me the newest articles that are still in draft and wer…"
    assert len(conv.title) <= 60
    assert conv.updated_at > before
    conv.title = "Mine"
    store.save(conv)
    assert store.load(conv.id).title == "Mine"


def test_list_is_newest_first_with_sizes(store, kv):
    a, b, c = chat("first"), chat("second"), chat("third")
    for conv in (a, b, c):
        store.save(conv)
    store.save(a)  # touched last
    summaries = store.list()
    assert [s.title for s in summaries] == ["first", "third", "second"]
    assert summaries[0].chars == utf16_len(conversation_key(a.id)) + utf16_len(kv.get(conversation_key(a.id)))
    assert summaries[0].messages == len(a.messages)


def test_list_rebuilds_a_missing_or_bad_summary_and_drops_orphans(store, kv):
    conv = chat("kept")
    store.save(conv)
    kv.set(meta_key(conv.id), "{broken")
    kv.set(meta_key("c_gone"), kv.get(meta_key(conv.id)))
    assert [s.title for s in store.list()] == ["kept"]
    assert json.loads(kv.get(meta_key(conv.id)))["title"] == "kept"
    assert kv.get(meta_key("c_gone")) is None
    assert store.problems == []  # a summary is only a cache: nothing to report


def test_rename_keeps_order_and_delete_removes_both_keys(store, kv):
    a, b = chat("a"), chat("b")
    store.save(a)
    store.save(b)
    store.rename(a.id, "  Renamed   conversation ")
    assert [s.title for s in store.list()] == ["b", "Renamed conversation"]
    store.delete(a.id)
    assert store.load(a.id) is None
    assert [k for k in kv.keys() if a.id in k] == []


def test_clear_all_keeps_settings_and_set_aside_entries(store, kv):
    store.save(chat("a"))
    store.save(chat("b"))
    kv.set("da.settings", '{"v":1,"settings":{}}')
    kv.set("da.conv.bad", "{nope")
    store.list()  # sets the bad one aside
    assert store.clear_all() == 2
    assert store.list() == []
    assert kv.get("da.settings") is not None
    assert len(store.set_aside()) == 1


def test_search_titles_and_content_including_tool_results(store):
    a = chat("Publish the summer campaign")
    b = chat("Count users", result='{"data": [{"email": "Mila@Example.com"}]}')
    c = chat("Something else")
    c.messages[-1].parts = [TextPart(text="The answer mentions the\nSUMMER   campaign too.")]
    for conv in (a, b, c):
        store.save(conv)
    hits = {h.id: h for h in store.search("summer campaign")}
    assert set(hits) == {a.id, c.id}
    assert hits[a.id].in_title and not hits[c.id].in_title
    assert "SUMMER campaign" in hits[c.id].snippet
    assert [h.id for h in store.search("mila@example")] == [b.id]
    assert store.search("   ") == []
    assert store.search("nowhere to be found") == []


# -- corruption ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, kind",
    [
        ('{"v": 2, "conversation": {"id": "c_x", "messages": [', "bad_json"),
        ("[1, 2, 3]", "invalid"),
        ('{"v": 2, "conversation": {"id": "c_x", "messages": [{"role": "robot"}]}}', "invalid"),
        ('{"v": 2}', "invalid"),
        ('{"v": 1, "id": "c_x", "messages": [{"role": "wizard", "content": "x"}]}', "invalid"),
        ('{"hello": "world"}', "invalid"),
    ],
)
def test_unreadable_entry_is_set_aside_with_a_message_never_deleted(store, kv, raw, kind):
    good = chat("good one")
    store.save(good)
    kv.set("da.conv.c_x", raw)
    summaries = store.list()  # does not raise
    assert [s.id for s in summaries] == [good.id]
    [problem] = store.take_problems()
    assert problem.kind == kind and problem.key == "da.conv.c_x"
    assert "set aside" in problem.message and "c_x" in problem.message
    assert kv.get("da.conv.c_x") is None
    assert kv.get(problem.quarantine_key) == raw  # the exact text is kept
    assert store.set_aside() == [(problem.quarantine_key, utf16_len(raw))]
    assert store.read_set_aside(problem.quarantine_key) == raw
    assert store.load("c_x") is None
    store.discard_set_aside(problem.quarantine_key)
    assert store.set_aside() == []


def test_entry_from_a_newer_version_is_left_in_place_and_not_overwritten(store, kv):
    raw = '{"v": 99, "conversation": {"id": "c_new", "shiny": true}}'
    kv.set("da.conv.c_new", raw)
    assert store.list() == []
    [problem] = store.problems
    assert problem.kind == "newer_version" and "newer version" in problem.message
    assert kv.get("da.conv.c_new") == raw  # a newer tab can still read it
    conv = chat()
    conv.id = "c_new"
    with pytest.raises(NewerFormat):
        store.save(conv)
    assert kv.get("da.conv.c_new") == raw


def test_corrupt_entry_that_cannot_be_set_aside_stays_and_is_not_overwritten():
    kv = MemoryStore(quota_chars=400)
    store = ConversationStore(kv, clock=Clock())
    bad = "{" + "x" * 250
    kv.set("da.conv.c_bad", bad)
    assert store.load("c_bad") is None
    [problem] = store.problems
    assert problem.quarantine_key is None and "left where it is" in problem.message
    assert kv.get("da.conv.c_bad") == bad
    conv = Conversation(id="c_bad", messages=[user("hi")])
    with pytest.raises(StorageFull):
        store.save(conv)
    assert kv.get("da.conv.c_bad") == bad


# -- quota --------------------------------------------------------------------------------------


def test_full_storage_raises_storage_full_with_report_and_keeps_the_message():
    kv = MemoryStore(quota_chars=6000)
    store = ConversationStore(kv, clock=Clock(), quota_chars=6000)
    old = chat("old and big", result=json.dumps({"data": ["x" * 40] * 60}))
    store.save(old)
    current = chat("current")
    store.save(current)
    stored_before = kv.get(conversation_key(current.id))
    current.messages.append(user("a long new message " * 200))
    with pytest.raises(StorageFull) as caught:
        store.save(current)
    error = caught.value
    assert current.messages[-1].text.startswith("a long new message")  # still in memory
    assert kv.get(conversation_key(current.id)) == stored_before  # old stored copy intact
    report = error.report
    assert [c.id for c in report.conversations] == [old.id, current.id]  # largest first
    assert report.conversations[0].chars > report.conversations[1].chars
    assert report.total_chars == kv.used_chars and report.quota_chars == 6000
    assert error.needed_chars > 0
    assert "old and big" in str(error) and "Export or delete" in str(error)
    store.delete(old.id)
    store.save(current)  # after making room the same object saves
    saved = store.load(current.id)
    assert saved is not None and saved.messages[-1].text.startswith("a long new message")


def test_usage_report_splits_conversations_settings_and_set_aside(store, kv):
    conv = chat()
    store.save(conv)
    kv.set("da.settings", '{"v":1,"settings":{"model":"openai:gpt-5"}}')
    kv.set("da.corrupt.c_y.1", "garbage")
    kv.set("someone.else", "1")
    report = store.usage_report()
    assert report.settings_chars == utf16_len("da.settings") + utf16_len(kv.get("da.settings"))
    assert report.quarantine_chars == len("da.corrupt.c_y.1garbage")
    assert report.total_chars == kv.used_chars
    assert [c.id for c in report.conversations] == [conv.id]
    assert 0 < report.fraction < 0.01


# -- compaction ---------------------------------------------------------------------------------


def test_large_tool_results_are_compacted_in_storage_only(kv):
    store = ConversationStore(kv, clock=Clock(), max_tool_result_chars=1000)
    big = json.dumps({"data": [{"id": i, "title": "Article %d" % i} for i in range(400)]})
    conv = chat(result=big)
    saved = store.save(conv)
    assert saved.compacted == 1
    assert conv.messages[2].tool_results[0].content == big  # the open conversation is intact
    reread = ConversationStore(kv).load(conv.id)
    assert reread is not None
    stored = reread.messages[2].tool_results[0].content
    assert len(stored) <= 1000
    assert stored.startswith(big[:700])
    assert "left out when the conversation was saved" in stored
    assert format(len(big), ",") in stored
    # saving again does not cut twice or lose the in-memory copy
    assert store.save(conv).compacted == 1
    assert conv.messages[2].tool_results[0].content == big


class CountingStore(MemoryStore):
    """A MemoryStore that counts reads of conversation entries (what a save of a large entry must avoid)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key):
        self.reads += key.startswith("da.conv.")
        return super().get(key)


def test_a_save_reads_the_stored_entry_back_only_when_someone_else_changed_it():
    kv = CountingStore()
    store = ConversationStore(kv, clock=Clock())
    conv = chat()
    store.save(conv)
    conv.messages.append(user("And the published ones?"))
    kv.reads = 0
    store.save(conv)
    assert kv.reads == 0  # unchanged since this tab wrote it: compared, not read back
    kv.data[conversation_key(conv.id)] = "{broken"  # written behind this tab's back (a broken extension)
    conv.messages.append(assistant("Two."))
    store.save(conv)
    assert kv.reads > 0  # changed: read, and judged
    assert [p.key for p in store.take_problems()] == [conversation_key(conv.id)]  # set aside, not overwritten
    loaded = store.load(conv.id)
    assert loaded is not None and [m.text for m in loaded.messages][-2:] == ["And the published ones?", "Two."]
