"""Two tabs = two ConversationStore instances over one MemoryStore (one localStorage)."""

from __future__ import annotations

from app.chat.model import (
    Conversation,
    ToolCallPart,
    ToolResultPart,
    assistant,
    tool_results,
    user,
)
from app.store.conversations import ConversationStore
from app.store.format import conversation_key
from app.store.kv import MemoryStore
from app.store.other_tabs import ExternalChange


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        self.now += 1.0
        return self.now


def tabs():
    kv = MemoryStore()
    clock = Clock()
    return kv, ConversationStore(kv, clock=clock), ConversationStore(kv, clock=clock)


def stamped(message, at):
    message.created_at = at
    return message


def texts(conv):
    return [m.text or m.role for m in conv.messages]


def test_two_tabs_never_overwrite_each_others_new_messages():
    kv, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("hello"), 1), stamped(assistant("hi"), 2)])
    tab_a.save(conv)
    in_a = tab_a.load(conv.id)
    in_b = tab_b.load(conv.id)
    in_a.messages.append(stamped(user("from A"), 10))
    in_b.messages.append(stamped(user("from B"), 11))
    tab_a.save(in_a)
    result = tab_b.save(in_b)  # must not drop "from A"
    assert result.merged
    assert texts(in_b) == ["hello", "hi", "from A", "from B"]
    assert texts(tab_a.load(conv.id)) == ["hello", "hi", "from A", "from B"]
    # and A saving again (without reloading) keeps B's message too
    in_a.messages.append(stamped(assistant("answer to A"), 12))
    tab_a.save(in_a)
    assert texts(ConversationStore(kv).load(conv.id)) == ["hello", "hi", "from A", "from B", "answer to A"]


def test_tool_results_stay_right_after_their_calls_when_merging():
    _, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("start"), 1)])
    tab_a.save(conv)
    in_a, in_b = tab_a.load(conv.id), tab_b.load(conv.id)
    call = ToolCallPart(id="call_1", name="items_read", arguments="{}")
    in_a.messages.append(stamped(assistant(call), 10))
    in_b.messages.append(stamped(user("typed in B"), 11))
    tab_b.save(in_b)
    # the result arrives in A after B's message was written, with a later timestamp
    in_a.messages.append(stamped(tool_results(ToolResultPart(call_id="call_1", name="items_read", content="[]")), 12))
    tab_a.save(in_a)
    stored = ConversationStore(tab_a.store).load(conv.id)
    assert stored is not None
    assert [m.role for m in stored.messages] == ["user", "assistant", "tool", "user"]
    assert stored.messages[3].text == "typed in B"


def test_message_updated_in_another_tab_is_taken_when_unchanged_here():
    _, tab_a, tab_b = tabs()
    streaming = stamped(assistant("partial", status="streaming"), 2)
    conv = Conversation(messages=[stamped(user("q"), 1), streaming])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    # tab A finishes the stream in the same message object
    streaming.parts[0].text = "partial and complete"
    streaming.status = "done"
    tab_a.save(conv)
    # tab B, which never touched that message, adds its own and saves
    held = in_b.messages[1]
    in_b.messages.append(stamped(user("next"), 5))
    tab_b.save(in_b)
    assert held.text == "partial and complete" and held.status == "done"
    assert in_b.messages[1] is held  # updated in place, not replaced
    assert texts(ConversationStore(tab_a.store).load(conv.id)) == ["q", "partial and complete", "next"]


def test_message_deleted_in_one_tab_stays_deleted_unless_changed_in_the_other():
    _, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1), stamped(assistant("old answer"), 2)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    del conv.messages[1]  # "regenerate" in A removes the answer
    tab_a.save(conv)
    in_b.messages.append(stamped(user("more"), 3))
    tab_b.save(in_b)
    assert texts(in_b) == ["q", "more"]


def test_rename_in_one_tab_is_kept_by_a_save_in_the_other():
    _, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    tab_a.rename(conv.id, "Renamed in A")
    in_b.messages.append(stamped(user("b"), 2))
    tab_b.save(in_b)
    assert in_b.title == "Renamed in A"
    assert tab_a.list()[0].title == "Renamed in A"


def test_storage_events_say_what_changed_and_refresh_shows_it():
    kv, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1)])
    tab_a.save(conv)
    open_in_b = tab_b.load(conv.id)
    conv.messages.append(stamped(assistant("answer from A"), 2))
    tab_a.save(conv)
    key = conversation_key(conv.id)
    change = tab_b.apply_external_change(key, kv.get(key))
    assert change == ExternalChange("updated", conv.id)
    assert tab_b.refresh(open_in_b) is True
    assert texts(open_in_b) == ["q", "answer from A"]
    assert tab_b.refresh(open_in_b) is False
    # B's unsaved message survives a refresh and a later save keeps A's
    open_in_b.messages.append(stamped(user("b draft"), 3))
    conv.messages.append(stamped(assistant("A again"), 4))
    tab_a.save(conv)
    tab_b.refresh(open_in_b)
    assert texts(open_in_b) == ["q", "answer from A", "b draft", "A again"]
    tab_b.save(open_in_b)
    assert texts(tab_a.load(conv.id)) == ["q", "answer from A", "b draft", "A again"]

    assert tab_b.apply_external_change(key, None) == ExternalChange("deleted", conv.id)
    assert tab_b.apply_external_change(None, None) == ExternalChange("cleared")
    assert tab_b.apply_external_change("da.settings", "{}") == ExternalChange("settings")
    assert tab_b.apply_external_change("da.meta." + conv.id, "{}") == ExternalChange("listed", conv.id)
    assert tab_b.apply_external_change("somebody.else", "{}") is None
    assert tab_b.apply_external_change("another.app", "x") is None


def test_saving_a_conversation_deleted_in_another_tab_keeps_it():
    _, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    tab_a.delete(conv.id)
    in_b.messages.append(stamped(user("still typing"), 2))
    tab_b.save(in_b)
    assert texts(tab_a.load(conv.id)) == ["q", "still typing"]


def test_a_write_lost_in_a_race_is_restored_by_the_next_save():
    kv, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    stale = kv.get(conversation_key(conv.id))
    conv.messages.append(stamped(assistant("A's answer"), 2))
    tab_a.save(conv)
    # B read before A wrote and writes after it: A's write is lost in storage (no locks across tabs)
    in_b.messages.append(stamped(user("B's question"), 3))
    kv.set(conversation_key(conv.id), stale)
    tab_b.save(in_b)
    assert "A's answer" not in texts(ConversationStore(kv).load(conv.id))
    # A still has its message in memory and is not fooled into thinking it was deleted
    tab_a.refresh(conv)
    assert texts(conv) == ["q", "A's answer", "B's question"]
    tab_a.save(conv)
    assert texts(ConversationStore(kv).load(conv.id)) == ["q", "A's answer", "B's question"]


def test_deletion_travels_as_a_tombstone_to_a_tab_that_still_shows_the_message():
    kv, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1), stamped(assistant("regenerate me"), 2)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    del conv.messages[1]
    tab_a.save(conv)
    assert tab_b.refresh(in_b) is True
    assert texts(in_b) == ["q"]
    conv.messages.append(stamped(assistant("new answer"), 3))
    tab_a.save(conv)
    tab_b.save(in_b)
    assert texts(ConversationStore(kv).load(conv.id)) == ["q", "new answer"]


def test_a_stale_copy_written_in_a_race_never_replaces_a_newer_version_of_a_message():
    """Tab B finishes its answer; tab A, working from an older read, writes B's half answer back. B must not take
    that stale copy for a change (it would lose the finished answer on screen and in storage); A, once it reads
    storage again, takes B's finished answer."""
    kv, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    answer = stamped(assistant("half"), 2)
    answer.status = "streaming"
    in_b.messages.append(answer)
    tab_b.save(in_b)
    tab_a.save(conv)  # A merges B's half answer in
    stale = kv.get(conversation_key(conv.id))
    answer.parts[0].text, answer.status = "the whole answer", "done"
    tab_b.save(in_b)
    kv.set(conversation_key(conv.id), stale)  # A's write, from before B's last save, lands after it

    tab_b.refresh(in_b)
    assert texts(in_b) == ["q", "the whole answer"] and in_b.messages[1].status == "done"
    tab_b.save(in_b)  # and B's next save puts it back
    assert texts(ConversationStore(kv).load(conv.id)) == ["q", "the whole answer"]
    tab_a.save(conv)
    assert texts(conv) == ["q", "the whole answer"]
    assert texts(ConversationStore(kv).load(conv.id)) == ["q", "the whole answer"]


def test_switching_versions_in_one_tab_shows_in_the_other_and_back():
    from app.chat.versions import keep_version, switch_version

    _, tab_a, tab_b = tabs()
    conv = Conversation(messages=[stamped(user("q"), 1), stamped(assistant("old answer"), 2)])
    tab_a.save(conv)
    in_b = tab_b.load(conv.id)
    keep_version(conv.messages, 0)  # a regenerate in A
    del conv.messages[1:]
    conv.messages.append(stamped(assistant("new answer"), 3))
    tab_a.save(conv)
    assert tab_b.refresh(in_b) and texts(in_b) == ["q", "new answer"]
    assert switch_version(conv.messages, 0, 0)  # A goes back to the first answer
    tab_a.save(conv)
    assert tab_b.refresh(in_b) and texts(in_b) == ["q", "old answer"]
    in_b.messages.append(stamped(user("more from B"), 4))
    tab_b.save(in_b)
    tab_a.refresh(conv)
    assert texts(conv) == texts(in_b) == ["q", "old answer", "more from B"]
    assert switch_version(in_b.messages, 0, 1)  # and B goes to the second one, in both tabs
    tab_b.save(in_b)
    assert tab_a.refresh(conv) and texts(conv) == ["q", "new answer"]


def test_a_stale_copy_does_not_bring_back_an_answer_this_tab_keeps_as_an_older_version():
    from app.chat.versions import keep_version
    from app.store.merge import merge_messages

    q, old = stamped(user("q"), 1), stamped(assistant("old answer"), 2)
    theirs = [q.model_copy(deep=True), old.model_copy(deep=True)]  # another tab, not yet aware of the regenerate
    ours = [q, old]
    keep_version(ours, 0)
    del ours[1:]
    ours.append(stamped(assistant("new answer"), 3))
    dump = [m.model_dump(mode="json") for m in ours]
    merged, _ = merge_messages({}, ours, dump, theirs, [m.model_dump(mode="json") for m in theirs])
    assert [m.text for m in merged] == ["q", "new answer"]
