"""Export and import: JSON round trip, validation, merge by message id; Markdown."""

from __future__ import annotations

import json

import pytest

from app.chat.model import (
    Conversation,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
    assistant,
    tool_results,
    user,
)
from app.store.conversations import ConversationStore
from app.store.export import ImportFailed, export_markdown
from app.store.kv import MemoryStore


def sample(title="Drafts") -> Conversation:
    call = ToolCallPart(id="call_1", name="items_read", arguments='{"collection":"articles","limit":2}')
    conv = Conversation(
        title=title,
        model="openai:gpt-5",
        messages=[
            user("List drafts"),
            assistant(call),
            tool_results(ToolResultPart(call_id="call_1", name="items_read", content='{"data":[{"id":1}]}')),
            assistant("One draft: ```code``` inside.", usage=Usage(input_tokens=50, output_tokens=9, cached_tokens=20)),
        ],
    )
    for i, m in enumerate(conv.messages):
        m.created_at = 1_700_000_000 + i
    return conv


def test_export_import_round_trip_into_an_empty_store():
    source = ConversationStore(MemoryStore())
    a, b = sample("A"), sample("B")
    source.save(a)
    source.save(b)
    text = source.export_json()
    target = ConversationStore(MemoryStore())
    result = target.import_json(text)
    assert sorted(result.imported) == sorted([a.id, b.id]) and result.problems == []
    for conv in (a, b):
        imported, original = target.load(conv.id), source.load(conv.id)
        assert imported is not None and original is not None
        assert imported.model_dump() == original.model_dump()
    one = json.loads(source.export_json([a.id]))
    assert [c["id"] for c in one["conversations"]] == [a.id]


def test_import_merges_by_message_id_and_never_overwrites():
    store = ConversationStore(MemoryStore())
    conv = sample()
    store.save(conv)
    exported = store.export_json([conv.id])
    # locally: one message edited, one added
    question = conv.messages[0].parts[0]
    assert isinstance(question, TextPart)
    question.text = "List drafts (edited here)"
    conv.messages.append(user("local follow-up"))
    store.save(conv)
    # the export has a message the local copy lost
    doc = json.loads(exported)
    doc["conversations"][0]["messages"].append(json.loads(user("only in the file").model_dump_json()))
    doc["conversations"][0]["messages"][-1]["created_at"] = 1_700_000_010
    result = store.import_json(json.dumps(doc))
    assert result.merged == [conv.id] and result.imported == []
    merged = store.load(conv.id)
    assert merged is not None
    texts = [m.text for m in merged.messages if m.role == "user"]
    # local edit kept; the file's message slotted in by time (it is older than the local follow-up)
    assert texts == ["List drafts (edited here)", "only in the file", "local follow-up"]
    again = store.import_json(json.dumps(doc))
    assert again.unchanged == [conv.id]


def test_importing_an_older_export_does_not_bring_back_an_answer_kept_as_an_older_version():
    from app.chat.versions import keep_version

    store = ConversationStore(MemoryStore())
    conv = sample()
    store.save(conv)
    exported = store.export_json([conv.id])  # before the regenerate
    keep_version(conv.messages, 0)
    del conv.messages[1:]
    conv.messages.append(assistant("A new answer"))
    store.save(conv)
    result = store.import_json(exported)
    assert result.unchanged == [conv.id]
    kept = store.load(conv.id)
    assert kept is not None
    assert [m.text or m.role for m in kept.messages] == ["List drafts", "A new answer"]


@pytest.mark.parametrize(
    "text, words",
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "not an export"),
        ('{"format": "something-else", "conversations": []}', "not an export"),
        ('{"format": "directus-assistant/conversations", "v": 2, "conversations": {}}', "no list"),
        ('{"title": "x"}', "holds no conversations"),
    ],
)
def test_files_that_are_no_export_fail_with_a_clear_message(text, words):
    with pytest.raises(ImportFailed) as caught:
        ConversationStore(MemoryStore()).import_json(text)
    assert words in str(caught.value)


def test_bad_conversations_are_reported_and_good_ones_imported():
    good = sample("Good").model_dump(mode="json")
    bad = {"id": "c_bad", "title": "Broken", "messages": [{"role": "robot"}]}
    text = json.dumps({"format": "directus-assistant/conversations", "v": 2, "conversations": [bad, good]})
    store = ConversationStore(MemoryStore())
    result = store.import_json(text)
    assert result.imported == [good["id"]]
    [problem] = result.problems
    assert "Broken" in problem and "not imported" in problem
    assert store.load("c_bad") is None


def test_markdown_export_is_readable():
    md = export_markdown(sample())
    assert md.startswith("# Drafts\n")
    assert "## User\n\nList drafts" in md
    assert "<summary>Tool call: items_read</summary>" in md
    assert '"collection": "articles"' in md  # arguments pretty-printed
    assert "<summary>Result of items_read</summary>" in md
    assert "One draft: ```code``` inside." in md
    assert "_Tokens: 50 in (20 cached), 9 out_" in md
