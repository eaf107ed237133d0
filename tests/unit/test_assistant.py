"""The page's application core without the page: settings and secrets, config.json defaults, model list,
conversation list, saving (throttled text deltas, immediate structural changes), storage problems."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

from app.assistant import Assistant
from app.chat.model import Conversation, TextPart, user
from app.settings import (
    CompatibleEndpoint,
    CustomModel,
    Settings,
    join_secrets,
    split_secrets,
)
from app.store.format import SECRETS_KEY, SETTINGS_KEY
from app.store.kv import MemoryStore
from devkit.transports import NoNetwork

if TYPE_CHECKING:
    from app.chat.agent import Agent


class Ticks:
    """A `schedule` that runs nothing until told: the test plays the animation frames."""

    def __init__(self) -> None:
        self.queue: list = []

    def __call__(self, fn) -> None:
        self.queue.append(fn)

    def run(self) -> None:
        queue, self.queue = self.queue, []
        for fn in queue:
            fn()


def make(config=None, local=None, session=None, ticks=None) -> Assistant:
    return Assistant(
        local if local is not None else MemoryStore(),
        session if session is not None else MemoryStore(),
        transport=NoNetwork(),
        config=config,
        schedule=ticks,
    )


def stored(a: Assistant, conversation_id: str) -> Conversation:
    """The conversation as stored (it must be)."""
    conversation = a.store.load(conversation_id)
    assert conversation is not None
    return conversation


# ----- settings and secrets --------------------------------------------------------------------------------


def full_settings() -> Settings:
    s = Settings()
    s.providers.openai.api_key = "sk-openai"
    s.providers.anthropic.api_key = "sk-ant"
    s.providers.compatible.append(
        CompatibleEndpoint(
            name="local",
            base_url="http://127.0.0.1:11434/v1",
            api_key="lk",
            headers={"x-auth": "h"},
            models=[CustomModel(id="llama3")],
        )
    )
    s.directus.url = "http://cms.test"
    s.directus.token = "directus-secret"
    s.directus.session = {"access_token": "a", "refresh_token": "r", "expires_at": 1.0}
    s.system_prompt = "Be brief."
    s.model = "anthropic:claude-haiku-4-5"
    return s


def test_split_and_join_secrets_round_trip_and_keep_secrets_out_of_the_settings_document():
    settings = full_settings()
    doc, secrets = split_secrets(settings)
    text = json.dumps(doc)
    for secret in ("sk-openai", "sk-ant", "lk", "x-auth", "directus-secret", "refresh_token"):
        assert secret not in text
        assert secret in json.dumps(secrets)
    assert join_secrets(doc, secrets) == settings


def test_secrets_stay_in_the_tab_unless_remember_is_on():
    local, session = MemoryStore(), MemoryStore()
    a = make(local=local, session=session)
    a.load()
    a.save_settings(full_settings())
    assert "sk-openai" not in local.data[SETTINGS_KEY] and local.get(SECRETS_KEY) is None
    assert "sk-openai" in session.data[SECRETS_KEY]

    a.settings.remember = True
    a.save_settings()
    assert "sk-openai" in local.data[SECRETS_KEY] and session.get(SECRETS_KEY) is None

    b = make(local=local, session=MemoryStore())  # a new tab / a restart
    b.load()
    assert b.settings.remember and b.settings.providers.openai.api_key == "sk-openai"
    assert b.settings.model == "anthropic:claude-haiku-4-5"

    b.settings.remember = False
    b.save_settings()
    c = make(local=local, session=MemoryStore())
    c.load()
    assert c.settings.providers.openai.api_key == "" and c.settings.system_prompt == "Be brief."


def test_unreadable_settings_become_a_notice_and_defaults():
    local = MemoryStore(data={SETTINGS_KEY: "{not json"})
    a = make(local=local)
    a.load()
    assert a.settings == Settings()
    assert any("could not be read" in n.text for n in a.notices)


def test_full_storage_while_saving_settings_is_a_notice_and_the_settings_stay_in_effect():
    a = make(local=MemoryStore(quota_chars=40))
    a.load()
    assert not a.save_settings(full_settings())
    assert a.settings.providers.openai.api_key == "sk-openai"
    assert any("full" in n.text for n in a.notices)


# ----- config.json and models ----------------------------------------------------------------------------------


def test_model_list_has_only_configured_providers_and_what_the_deployment_allows():
    a = make()
    a.load()
    assert a.model_options() == [] and a.selected_model() is None
    a.settings.providers.anthropic.api_key = "k"
    refs = [o.ref for o in a.model_options()]
    assert refs and all(r.startswith("anthropic:") for r in refs)

    a.set_config(
        {
            "allowed_models": ["anthropic:claude-haiku-4-5", "compatible:team:*"],
            "endpoints": [
                {
                    "name": "team",
                    "base_url": "http://llm.test/v1",
                    "api_key": "leaked?",
                    "models": [{"id": "qwen", "context_window": 32000}],
                }
            ],
        }
    )
    options = a.model_options()
    assert [o.ref for o in options] == ["anthropic:claude-haiku-4-5", "compatible:team:qwen"]
    team = a.provider_settings().endpoint("team")
    assert team is not None and team.api_key == ""  # keys never come from config.json
    a.settings.model = "openai:gpt-5"  # not available: the first option is used
    assert a.selected_model() == "anthropic:claude-haiku-4-5"


def test_config_defaults_directus_url_demo_token_and_system_prompt_without_overriding_the_user():
    a = make(
        config={
            "directus_url": "http://demo.test/",
            "system_prompt": "Team prompt.",
            "demo_directus_token": "demo-token",
        }
    )
    a.load()
    assert a.directus_url() == "http://demo.test" and a.directus.token() == "demo-token"
    assert a.system_prompt() == "Team prompt."
    a.settings.system_prompt = "Mine."
    a.settings.directus.url = "http://mine.test"
    assert a.system_prompt() == "Mine." and a.directus_url() == "http://mine.test"
    assert a.directus.token() == ""  # the demo token never goes to another server


def test_a_broken_config_json_is_reported_and_ignored():
    a = make(config={"allowed_models": "everything"})
    assert a.config.allowed_models == [] and "config.json" in a.notices[0].text


async def test_send_without_any_model_says_what_to_do():
    a = make()
    a.load()
    assert not a.send("hello")
    assert any("Settings" in n.text and n.kind == "error" for n in a.notices)
    assert a.conversation.messages == []


# ----- conversations and saving ------------------------------------------------------------------------------


class FakeAgent:
    def __init__(self) -> None:
        self.pending: dict = {}
        self.running: set = set()
        self.busy = True


def fake_agent() -> Agent:
    """An agent busy with a turn, as far as saving and drawing look at it."""
    return cast("Agent", FakeAgent())


def test_text_deltas_are_saved_once_per_tick_and_structural_changes_at_once():
    local, ticks = MemoryStore(), Ticks()
    a = make(local=local, ticks=ticks)
    a.load()
    conversation, agent = a.conversation, fake_agent()
    writes: list[str] = []
    original = local.set

    def spy(key: str, value: str) -> None:
        writes.append(key)
        original(key, value)

    local.set = spy  # type: ignore[method-assign]  # a spy on every write

    conversation.messages.append(user("Hi"))
    a.turns.agent_changed(conversation, agent)
    assert len([w for w in writes if w.startswith("da.conv.")]) == 1  # structural: saved at once

    reply = conversation.messages
    from app.chat.model import Message

    reply.append(Message(role="assistant", status="streaming", parts=[TextPart(text="")]))
    a.turns.agent_changed(conversation, agent)
    before = len(writes)
    streamed = conversation.messages[-1].parts[0]
    assert isinstance(streamed, TextPart)
    for piece in "Hello there, how are you":
        streamed.text += piece
        a.turns.agent_changed(conversation, agent)
    assert len(writes) == before and len(ticks.queue) == 1  # 24 deltas: no write yet, one tick asked for
    ticks.run()
    assert len([w for w in writes[before:] if w.startswith("da.conv.")]) == 1
    assert stored(a, conversation.id).messages[-1].text == "Hello there, how are you"


def test_conversation_list_new_open_rename_delete_search():
    a = make()
    a.load()
    first = a.conversation
    first.messages.append(user("How many articles are published?"))
    a.autosave.save(first)
    a.new_conversation()
    second = a.conversation
    second.messages.append(user("Create a category"))
    a.autosave.save(second)
    assert [s.id for s in a.conversations()] == [second.id, first.id]
    assert a.open(first.id) and a.conversation.messages[0].text.startswith("How many")
    a.rename(second.id, "  Categories   work ")
    assert a.conversations()[0].title == "Categories work" or a.conversations()[1].title == "Categories work"
    assert [h.id for h in a.search("published")] == [first.id]
    a.delete(first.id)
    assert a.conversation.messages == [] and [s.id for s in a.conversations()] == [second.id]
    reloaded = make(local=a.store.store)
    reloaded.load()
    assert reloaded.conversation.id == second.id  # the newest opens after a reload


def test_switching_versions_is_saved_and_waits_while_a_turn_runs():
    from app.chat.model import assistant
    from app.chat.versions import keep_version

    a = make()
    a.load()
    messages = a.conversation.messages
    messages.extend([user("first"), assistant("old answer")])
    keep_version(messages, 0)
    del messages[1:]
    messages.append(assistant("new answer"))
    a.autosave.save(a.conversation)
    head = messages[0].id

    a.agent = fake_agent()  # a turn runs: the shown branch is the agent's, not to be swapped under it
    assert not a.switch_version(head, 0)
    a.agent = None
    assert not a.switch_version("no such message", 0) and not a.switch_version(head, 5)
    assert a.switch_version(head, 0)
    assert [m.text for m in stored(a, a.conversation.id).messages] == ["first", "old answer"]  # saved at once


def test_storage_full_is_a_notice_with_sizes_and_the_conversation_stays_in_memory():
    local = MemoryStore(quota_chars=3000)
    a = make(local=local)
    a.load()
    a.conversation.messages.append(user("x" * 500))
    assert a.autosave.save(a.conversation)
    a.conversation.messages.append(user("y" * 5000))
    assert not a.autosave.save(a.conversation)
    (notice,) = [n for n in a.notices if n.key == "storage-full"]
    assert notice.report is not None and notice.report.conversations[0].id == a.conversation.id
    assert "Export or delete" in notice.text
    assert a.conversation.messages[-1].text == "y" * 5000


def test_a_change_in_another_tab_shows_in_the_open_conversation():
    shared = MemoryStore()
    one, two = make(local=shared), make(local=shared)
    one.load()
    one.conversation.messages.append(user("from tab one"))
    one.autosave.save(one.conversation)
    two.load()
    assert two.conversation.id == one.conversation.id
    seen: list[str] = []
    two.listeners.append(seen.append)
    one.conversation.messages.append(user("more from tab one"))
    one.autosave.save(one.conversation)
    key = "da.conv." + one.conversation.id
    two.external_change(key, shared.get(key))
    assert [m.text for m in two.conversation.messages] == ["from tab one", "more from tab one"]
    assert "conversation" in seen and "conversations" in seen
    one.delete(one.conversation.id)
    two.external_change(key, None)
    assert two.conversation.messages == []


def test_import_and_export_round_trip():
    a = make()
    a.load()
    a.conversation.messages.append(user("Keep me"))
    a.autosave.save(a.conversation)
    exported = a.export_json()
    b = make()
    b.load()
    assert b.import_json(exported) == "Import: 1 imported."
    assert b.conversations()[0].title == "Keep me"
    assert "Keep me" in a.export_markdown()
    assert "not" in b.import_json("{}").lower() or b.notices[-1].kind == "error"


def test_a_save_refused_by_a_full_storage_is_saved_once_an_old_conversation_is_deleted():
    local = MemoryStore(quota_chars=8000)
    a = make(local=local)
    a.load()
    a.conversation.messages.append(user("old " * 1200))
    assert a.autosave.save(a.conversation)
    old_id = a.conversation.id
    a.new_conversation()
    a.conversation.messages.append(user("the message being written " * 100))
    assert not a.autosave.save(a.conversation)
    assert [n.key for n in a.notices] == ["storage-full"]
    a.delete(old_id)
    assert [n.key for n in a.notices] == []  # saved: the notice is gone
    stored = make(local=local)
    stored.load()
    assert stored.conversation.messages[0].text.startswith("the message being written")


def test_flush_saves_the_text_waiting_for_the_next_tick():
    ticks = Ticks()
    a = make(ticks=ticks)
    a.load()
    conversation, agent = a.conversation, fake_agent()
    conversation.messages.append(user("Hi"))
    a.turns.agent_changed(conversation, agent)
    from app.chat.model import Message

    conversation.messages.append(Message(role="assistant", status="streaming", parts=[TextPart(text="")]))
    a.turns.agent_changed(conversation, agent)
    streamed = conversation.messages[-1].parts[0]
    assert isinstance(streamed, TextPart)
    streamed.text = "shown on screen"
    a.turns.agent_changed(conversation, agent)
    a.flush()  # the page goes away before the tick
    assert stored(a, conversation.id).messages[-1].text == "shown on screen"


def test_an_unreadable_conversation_is_a_notice_that_names_where_it_was_set_aside():
    local = MemoryStore(data={"da.conv.c_broken": "{not json"})
    a = make(local=local)
    a.load()
    ((notice, key),) = [(n, n.set_aside) for n in a.notices if n.set_aside]
    assert "could not be read" in notice.text and key.startswith("da.corrupt.c_broken.")
    assert a.read_set_aside(key) == "{not json" and "da.conv.c_broken" not in local.data
    a.discard_set_aside(key)
    assert not a.notices and not [k for k in local.data if k.startswith("da.corrupt.")]


def test_usage_summary_totals_cost_and_window_gauge_of_the_selected_model():
    from app.chat.model import Usage, assistant

    a = make()
    a.load()
    assert a.usage_summary().gauge is None  # nothing to measure yet
    s = Settings()
    s.providers.anthropic.api_key = "k"
    s.model = "anthropic:claude-haiku-4-5"  # 200,000 tokens; $1 in, $0.10 cached, $1.25 cache write, $5 out
    a.save_settings(s)
    a.conversation.messages += [
        user("Hi"),
        assistant(
            "Hello",
            model="anthropic:claude-haiku-4-5",
            usage=Usage(input_tokens=20_000, cached_tokens=10_000, output_tokens=4_000),
        ),
    ]
    summary = a.usage_summary()
    assert summary.totals == "20,000 in · 4,000 out · 10,000 cached · ≈ $0.0310"
    gauge = summary.gauge
    assert gauge is not None
    assert gauge.percent == 12 and gauge.describe().startswith("12% of the context window")
    assert a.message_usage_text(a.conversation.messages[-1]) == summary.totals
    a.conversation.notice = "To fit the model's context window: 2 older messages (1 turn) left out."
    assert a.usage_summary().notice.startswith("To fit")


def test_an_entry_set_aside_earlier_is_shown_after_a_reload_until_discarded():
    local = MemoryStore()
    local.set("da.conv.c_broken", '{"v": 2, "conversation": {"id": "c_broken", "messages": [ cut')
    first = Assistant(local, MemoryStore(), NoNetwork())
    first.load()  # sets it aside and reports it
    assert any("c_broken" in n.text for n in first.notices)

    again = Assistant(local, MemoryStore(), NoNetwork())  # the page was reloaded: the problem is not new any more
    again.load()
    ((notice, key),) = [(n, n.set_aside) for n in again.notices if n.set_aside]
    assert "(c_broken)" in notice.text and "set aside, not deleted" in notice.text
    assert again.read_set_aside(key).startswith('{"v": 2')
    again.discard_set_aside(key)
    third = Assistant(local, MemoryStore(), NoNetwork())
    third.load()
    assert not [n for n in third.notices if n.set_aside]


# ----- issue 12 review: the turn's policy, change previews and Undo when call ids repeat -----------------------------


async def test_a_running_turn_decides_with_the_settings_saved_since_it_started():
    """Saving Settings replaces the policy object: the agent of a running turn reads the saved one, and an "Always
    allow" in that turn lands in the settings (and is stored)."""
    from app.directus.prepared import prepare
    from tests.unit.test_assistant_hostile import UPDATE, World, ready

    a = ready(World())
    await a.connect()
    agent = a.turns._make_agent()  # what send() makes: the agent of a running turn
    preview = prepare("items", json.dumps(UPDATE)).preview
    assert preview is not None and agent.policy.decide("items", preview) == "run"  # items on always
    s = a.settings.model_copy(deep=True)
    s.tools.set_mode("items", "ask")
    a.save_settings(s)
    assert agent.policy.decide("items", preview) == "ask"
    agent.policy.allow("items:delete")
    assert "items:delete" in a.settings.tools.allowed


async def test_a_change_preview_belongs_to_the_waiting_call_not_to_its_id(monkeypatch):
    """Two turns whose calls have the same id: the second card reads its own changes, not the first one's."""
    import asyncio
    from types import SimpleNamespace

    import app.directus.changes as changes
    from app.chat.approvals import PendingApproval
    from app.chat.model import ToolCallPart
    from app.directus.prepared import prepare
    from tests.unit.test_assistant_hostile import UPDATE, World, ready

    async def preview_changes(client, call):
        return [json.loads(call.arguments)["data"]["title"]]

    monkeypatch.setattr(changes, "preview_changes", preview_changes)
    a = ready(World())
    await a.connect()
    tools = a.directus.tools
    loop = asyncio.get_running_loop()
    for title in ("first", "second"):
        args = json.dumps({**UPDATE, "data": {"title": title}})
        pending = PendingApproval(
            ToolCallPart(id="call_0", name="items", arguments=args), prepare("items", args), loop.create_future()
        )
        agent = cast("Agent", SimpleNamespace(pending={"call_0": pending}))
        tools.preview_pending(agent)
        assert tools.change_preview("call_0") == []  # being read
        for _ in range(5):
            await asyncio.sleep(0)
        assert cast(list, tools.change_preview("call_0")) == [title]
        pending.future.set_result("approve")  # decided: its preview is dropped at the next change
        tools.preview_pending(cast("Agent", SimpleNamespace(pending={})))
        assert tools.change_preview("call_0") == []


def test_undo_finds_the_newest_write_of_a_repeated_call_id_or_the_one_of_its_message():
    from app.chat.model import Message, ToolCallPart, ToolResultPart

    a = make()
    conversation = Conversation()
    answers = []
    for what in ("first", "second"):
        answer = Message(role="assistant", parts=[ToolCallPart(id="call_0", name="items", arguments="{}")])
        result = ToolResultPart(call_id="call_0", name="items", content="{}", undo={"summary": "put back " + what})
        conversation.messages += [user(what), answer, Message(role="tool", parts=[result])]
        answers.append(answer)
    a.turns.show(conversation)
    assert a.turns.undo_summary("call_0") == "put back second"
    assert a.turns.undo_summary("call_0", answers[0].id) == "put back first"
    assert a.turns.undo_summary("call_0", answers[1].id) == "put back second"
