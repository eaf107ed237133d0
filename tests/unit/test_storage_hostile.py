"""Hostile input to the store (issue 12): an import never runs anything, JSON nested 30,000 levels deep never stops the
app, and the Markdown export cannot carry HTML into a viewer that renders it."""

from __future__ import annotations

import json
import time
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from app.chat.model import (
    Conversation,
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Version,
    Versions,
    assistant,
    tool_results,
    user,
)
from app.json_depth import MAX_DEPTH, TooDeep, load_json, nesting
from app.store.conversations import ConversationStore
from app.store.export import EXPORT_FORMAT, ImportFailed, export_markdown
from app.store.format import SECRETS_KEY, SETTINGS_KEY
from app.store.kv import MemoryStore
from app.store.leases import LiveTurns
from app.store.settings import SettingsStore

NOW = 1_800_000_000.0
FUTURE = NOW + 10 * 365 * 86400


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def export_of(*conversations: Conversation) -> str:
    return json.dumps(
        {
            "format": EXPORT_FORMAT,
            "v": 2,
            "exported_at": FUTURE,
            "conversations": [c.model_dump(mode="json") for c in conversations],
        }
    )


# ----- an import never runs anything -----------------------------------------------------------------------------


def waiting() -> Conversation:
    """The attack: a conversation dated in the future whose last answer has calls waiting (one was running), an
    older answer cut off mid-stream, and a result with an undo plan."""
    update = ToolCallPart(
        id="call_w", name="items", arguments='{"action":"update","collection":"articles","keys":[1],"data":{}}'
    )
    running = ToolCallPart(id="call_r", name="items", arguments='{"action":"delete"}', started=True)
    undone = ToolResultPart(call_id="call_u", name="items", content="{}", undo={"summary": "put it back", "steps": []})
    conversation = Conversation(
        title="Innocent",
        created_at=FUTURE,
        updated_at=FUTURE,
        messages=[
            user("hello"),
            assistant(ToolCallPart(id="call_u", name="items", arguments="{}")),
            tool_results(undone),
            assistant(ToolCallPart(id="call_s", name="items", arguments='{"action":"upd'), status="streaming"),
            user("go on"),
            assistant("Doing it", update, running),
        ],
    )
    for message in conversation.messages:
        message.created_at = FUTURE
    return conversation


def test_an_import_settles_waiting_calls_as_stopped_clamps_times_and_drops_undo_plans():
    store = ConversationStore(MemoryStore(), clock=lambda: NOW)
    result = store.import_json(export_of(waiting()))
    assert result.stopped == 3 and result.imported
    imported = store.load(result.imported[0])
    assert imported is not None
    roles = [m.role for m in imported.messages]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "user", "assistant", "tool"]
    cut, last = imported.messages[3], imported.messages[6]
    assert cut.status == "stopped" and cut.tool_calls[0].arguments == "{}"  # cut mid-stream: no half arguments
    assert last.status == "stopped"
    stopped = {p.call_id: p for p in imported.messages[7].tool_results}
    assert set(stopped) == {"call_w", "call_r"} and all(p.status == "stopped" for p in stopped.values())
    assert json.loads(stopped["call_w"].content)["error"]["code"] == "STOPPED"
    assert "may or may not have been applied" in stopped["call_r"].content
    assert imported.messages[2].tool_results[0].undo is None  # no Undo from someone else's plan
    assert imported.updated_at == NOW and imported.created_at == NOW
    assert all(m.created_at <= NOW for m in imported.messages)
    assert store.list()[0].updated_at == NOW


def test_calls_waiting_in_a_kept_version_are_settled_too():
    kept = Version(parts=[TextPart(text="old")], tail=[assistant(ToolCallPart(id="call_v", name="items"))])
    head = user("new")
    head.versions = Versions(others=[kept], current=1)
    store = ConversationStore(MemoryStore(), clock=lambda: NOW)
    result = store.import_json(export_of(Conversation(messages=[head, assistant("fine")])))
    assert result.stopped == 1
    imported = store.load(result.imported[0])
    assert imported is not None and imported.messages[0].versions is not None
    tail = imported.messages[0].versions.others[0].tail
    assert [m.role for m in tail] == ["assistant", "tool"] and tail[1].tool_results[0].status == "stopped"


def test_messages_an_import_adds_to_a_conversation_here_come_settled():
    store = ConversationStore(MemoryStore(), clock=lambda: NOW)
    here = Conversation(messages=[user("hello")])
    store.save(here)
    incoming = here.model_copy(deep=True)
    incoming.messages.append(Message(role="assistant", parts=[ToolCallPart(id="call_1", name="items")]))
    result = store.import_json(export_of(incoming))
    assert result.merged == [here.id] and result.stopped == 1
    merged = store.load(here.id)
    assert merged is not None and [m.role for m in merged.messages] == ["user", "assistant", "tool"]


def test_tool_arguments_and_results_nested_too_deeply_are_left_out_of_an_import():
    deep_call = ToolCallPart(id="c1", name="items", arguments=deep(30_000))
    deep_result = ToolResultPart(call_id="c1", name="items", content='{"data":%s}' % deep(300))
    fine = ToolResultPart(call_id="c2", name="items", content='{"data":[[1]]}')
    conversation = Conversation(
        messages=[
            user("hi"),
            assistant(deep_call, ToolCallPart(id="c2", name="items")),
            tool_results(deep_result, fine),
        ]
    )
    store = ConversationStore(MemoryStore(), clock=lambda: NOW)
    imported = store.load(store.import_json(export_of(conversation)).imported[0])
    assert imported is not None
    assert imported.messages[1].tool_calls[0].arguments == "{}"
    left_out, kept = imported.messages[2].tool_results
    assert left_out.status == "error" and "TOO_DEEP" in left_out.content and kept.content == fine.content


# ----- JSON nested too deeply ------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 30_000])
def test_load_json_says_too_deep_and_never_raises_recursion_error(levels):
    with pytest.raises(TooDeep) as caught:
        load_json(deep(levels))
    assert "nested too deeply" in str(caught.value)
    assert load_json(deep(MAX_DEPTH)) is not None


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ("[]", 1),
        ("[1,[2,[3]]]", 3),
        ('["]]]][[[[", {"a": "\\"[[{{"}]', 2),  # brackets inside strings, an escaped quote
        ('{"a":"\\\\"}', 1),  # an escaped backslash ends the string
        ("[1," * 1000, 1000),
    ],
)
def test_nesting_counts_the_brackets_outside_strings(text, depth):
    assert nesting(text) == depth


@pytest.mark.parametrize(
    "evil",
    ['"' + '\\"' * 1_000_000, '"\\' * 1_000_000, '"' * 2_000_000, '["' * 500_000],
    ids=["escaped-quotes", "backslashes", "quotes", "unterminated-strings"],
)
def test_nesting_takes_linear_time_on_hostile_text(evil):
    started = time.perf_counter()
    nesting(evil)
    assert time.perf_counter() - started < 1.0  # (a few ms; a pattern that retried each quote would take minutes)


@pytest.mark.parametrize("levels", [300, 30_000])
def test_a_deeply_nested_conversation_is_set_aside_not_fatal(levels):
    kv = MemoryStore()
    store = ConversationStore(kv)
    good = Conversation(messages=[user("still here")])
    store.save(good)
    raw = '{"v":2,"conversation":{"id":"c_deep","messages":[],"notice":%s}}' % deep(levels)
    kv.set("da.conv.c_deep", raw)
    kv.set("da.meta.c_deep", '{"v":1,"title":%s}' % deep(levels))  # a summary too: rebuilt, or dropped
    assert [s.id for s in store.list()] == [good.id]
    [problem] = store.take_problems()
    assert "nested too deeply" in problem.message and problem.quarantine_key is not None
    assert kv.get(problem.quarantine_key) == raw and kv.get("da.conv.c_deep") is None


@pytest.mark.parametrize("key, field", [(SETTINGS_KEY, "settings"), (SECRETS_KEY, "secrets")])
def test_deeply_nested_settings_or_secrets_are_set_aside_and_defaults_used(key, field):
    raw = '{"v":1,"%s":{"x":%s}}' % (field, deep(30_000))
    local = MemoryStore(data={key: raw})
    loaded = SettingsStore(local).load()
    assert getattr(loaded, field) == {}
    [problem] = loaded.problems
    assert "nested too deeply" in problem.message and "set aside" in problem.message
    assert problem.quarantine_key is not None and local.get(problem.quarantine_key) == raw


def test_a_deeply_nested_lease_is_no_lease():
    kv = MemoryStore(data={"da.live.c_1": deep(30_000)})
    assert not LiveTurns(kv, "tab", lambda: NOW).elsewhere("c_1")


@pytest.mark.parametrize("levels", [300, 30_000])
def test_an_import_nested_too_deeply_fails_with_a_clear_message(levels):
    text = '{"format":"%s","v":2,"conversations":[%s]}' % (EXPORT_FORMAT, deep(levels))
    with pytest.raises(ImportFailed) as caught:
        ConversationStore(MemoryStore()).import_json(text)
    assert "not an export of this app" in str(caught.value) and "nested too deeply" in str(caught.value)


def test_markdown_export_of_deeply_nested_arguments_shows_them_as_they_are():
    call = ToolCallPart(id="c", name="items", arguments=deep(30_000))
    assert deep(30_000) in export_markdown(Conversation(messages=[assistant(call)])).replace("\u200b", "")


# ----- the Markdown export carries no HTML ------------------------------------------------------------------------

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script></summary></details><iframe src="javascript:alert(3)">'


class Tags(HTMLParser):
    """Every start tag and attribute an HTML viewer would build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]


def rendered_tags(markdown: str) -> Tags:
    """The tags of the export as a Markdown viewer that passes raw HTML through renders it."""
    tags = Tags()
    tags.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    return tags


def hostile() -> Conversation:
    call = ToolCallPart(id="c1", name="items" + XSS, arguments=json.dumps({"collection": XSS, "data": {"x": XSS}}))
    return Conversation(
        title="Title " + XSS,
        model="openai:" + XSS,
        messages=[
            user("Question " + XSS),
            assistant(ReasoningPart(text="Thinking\n\n" + XSS + "\n\n</details>\n\n" + XSS), model="m" + XSS),
            assistant("Answer " + XSS + "\n\n" + XSS + "\n\n```\n" + XSS + "\n```\n`" + XSS + "`", call),
            tool_results(ToolResultPart(call_id="c1", name="items" + XSS, content=XSS, status="error")),
            tool_results(ToolResultPart(call_id="c2", name="x", content='{"data":"' + XSS.replace('"', "'") + '"}')),
        ],
    )


def test_markdown_export_writes_no_html_but_its_own_details_and_summary():
    markdown = export_markdown(hostile())
    tags = rendered_tags(markdown)
    assert set(tags.tags) <= {"h1", "h2", "p", "em", "details", "summary", "pre", "code"}, tags.tags
    assert set(tags.attributes) <= {"class"}  # (the code blocks' language-json)
    assert tags.tags.count("details") == markdown.count("<details>") == 4  # reasoning, call, two results
    assert tags.tags.count("summary") == 4


def test_markdown_export_still_reads_the_same():
    markdown = export_markdown(hostile())
    visible = markdown.replace("\u200b", "")
    assert "Answer " + XSS in visible  # the text is all there, as text
    assert "<summary>Tool call: items&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in markdown  # escaped in HTML
    assert "<summary>Result of items&lt;img" in markdown and "(error)</summary>" in markdown
    code = MarkdownIt("commonmark", {"html": True}).render(markdown)
    assert "alert(2)" in code and "<script" not in code
