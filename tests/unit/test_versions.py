"""Versions of a user message (app/chat/versions.py): what an edit or a regenerate replaced is kept, the user can
switch between versions, every switch leaves one plain branch, and kept versions are stored, compacted and
counted in the conversation's cost."""

from __future__ import annotations

from app.chat.model import (
    Conversation,
    Message,
    ToolCallPart,
    ToolResultPart,
    Usage,
    assistant,
    tool_results,
    user,
)
from app.chat.versions import (
    every_message,
    keep_version,
    switch_version,
    version_position,
)
from app.store.format import decode_conversation, encode_conversation


def texts(messages):
    return [m.text for m in messages]


def edit(messages, index, text):
    """What the agent does on an edit, minus the model: keep, cut, replace the text, answer."""
    keep_version(messages, index)
    del messages[index + 1 :]
    messages[index].parts[0].text = text
    messages.append(assistant("answer to " + text))


def test_an_edit_keeps_the_old_question_and_answer_and_switching_goes_back_and_forth():
    messages = [user("first"), assistant("answer to first")]
    assert version_position(messages[0]) == (1, 1)
    edit(messages, 0, "second")
    assert texts(messages) == ["second", "answer to second"] and version_position(messages[0]) == (2, 2)

    assert switch_version(messages, 0, 0)
    assert texts(messages) == ["first", "answer to first"] and version_position(messages[0]) == (1, 2)
    assert switch_version(messages, 0, 1)
    assert texts(messages) == ["second", "answer to second"]
    assert not switch_version(messages, 0, 1)  # already shown
    assert not switch_version(messages, 0, 2) and not switch_version(messages, 0, -1)  # no such version


def test_a_new_version_made_while_an_older_one_is_shown_goes_last_and_keeps_the_order():
    messages = [user("v1"), assistant("answer to v1")]
    edit(messages, 0, "v2")
    edit(messages, 0, "v3")
    assert switch_version(messages, 0, 0)  # back to v1...
    edit(messages, 0, "v4")  # ...and edit from there
    assert version_position(messages[0]) == (4, 4)
    seen = []
    for n in range(4):
        switch_version(messages, 0, n)
        seen.append(texts(messages))
    assert seen == [["v1", "answer to v1"], ["v2", "answer to v2"], ["v3", "answer to v3"], ["v4", "answer to v4"]]


def test_a_regenerate_keeps_the_whole_old_tail_with_its_tool_calls_and_later_turns():
    call = ToolCallPart(id="c1", name="items", arguments="{}")
    messages = [
        user("q"),
        Message(role="assistant", parts=[call]),
        tool_results(ToolResultPart(call_id="c1", name="items", content="{}")),
        assistant("done"),
        user("and then?"),
        assistant("then this"),
    ]
    old_ids = [m.id for m in messages[1:]]
    keep_version(messages, 0)
    del messages[1:]
    messages.append(assistant("a new answer"))
    assert texts(messages) == ["q", "a new answer"]
    assert switch_version(messages, 0, 0)
    assert [m.id for m in messages[1:]] == old_ids  # the same messages, tool pairs whole
    assert [m.role for m in messages] == ["user", "assistant", "tool", "assistant", "user", "assistant"]


def test_versions_inside_kept_versions_survive_switching():
    messages = [user("a"), assistant("answer to a"), user("b"), assistant("answer to b")]
    edit(messages, 2, "b2")  # the second question has two versions
    edit(messages, 0, "a2")  # the first one too: its kept tail holds the second question with its versions
    assert switch_version(messages, 0, 0)
    assert texts(messages) == ["a", "answer to a", "b2", "answer to b2"]
    assert switch_version(messages, 2, 0)
    assert texts(messages) == ["a", "answer to a", "b", "answer to b"]


def test_kept_versions_are_stored_compacted_and_counted_in_the_cost():
    big = "x" * 5_000
    call = ToolCallPart(id="c1", name="items", arguments="{}")
    messages = [
        user("q"),
        Message(role="assistant", parts=[call], usage=Usage(input_tokens=100, output_tokens=10)),
        tool_results(ToolResultPart(call_id="c1", name="items", content=big)),
        assistant("old"),
    ]
    keep_version(messages, 0)
    del messages[1:]
    messages.append(assistant("new", usage=Usage(input_tokens=50, output_tokens=5)))
    conversation = Conversation(messages=messages)

    raw, _, cut = encode_conversation(conversation, max_tool_result_chars=1_000)
    assert cut == 1 and big not in raw  # the large result in the kept version was cut like any other
    back = decode_conversation(raw).conversation
    assert switch_version(back.messages, 0, 0)
    assert back.messages[2].tool_results[0].content.startswith("x" * 500)
    assert "left out when the conversation was saved" in back.messages[2].tool_results[0].content

    total = sum(m.usage.input_tokens for m in every_message(conversation.messages) if m.usage)
    assert total == 150


def test_a_position_out_of_range_in_a_stored_entry_is_brought_back_in():
    from app.chat.model import Versions

    messages = [
        Message.model_validate(
            {
                "role": "user",
                "parts": [{"kind": "text", "text": "new"}],
                "versions": {"others": [{"parts": [{"kind": "text", "text": "old"}]}], "current": 6},
            }
        )
    ]
    assert version_position(messages[0]) == (2, 2)
    assert switch_version(messages, 0, 0) and texts(messages) == ["old"]
    assert Versions(current=-3).current == 0
