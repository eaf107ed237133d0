"""The application core against the real Directus and the fake provider: connect, sign in, a turn with an
approved write, always-allow saved in the settings, and everything saved as it happens."""

from __future__ import annotations

import asyncio
import json
import time

from app.assistant import Assistant
from app.store.kv import MemoryStore
from devkit.fake_provider.script import Step
from devkit.fake_provider.settings import settings_for
from devkit.transports import HttpxTransport
from tests.doubles import RecordingSleep, until

UPDATE = {"action": "update", "collection": "articles", "keys": [3], "data": {"title": "Set by the assistant"}}


def make(fake, directus, local=None, clock=time.time):
    a = Assistant(
        local or MemoryStore(),
        MemoryStore(),
        HttpxTransport(),
        provider_options={"sleep": RecordingSleep()},
        clock=clock,
    )
    a.load()
    a.settings.providers = settings_for(fake.url)
    a.settings.directus.url = directus.url
    a.settings.model = "anthropic:claude-haiku-4-5"
    return a


def title_of(directus, key):
    with directus.client() as http:
        return http.get(f"/items/articles/{key}", params={"fields": "title"}).json()["data"]["title"]


async def test_connect_with_a_token_says_who_and_whether_admin(fake_provider, directus):
    a = make(fake_provider, directus)
    a.directus.use_token(directus.reader_token)
    assert await a.connect()
    assert a.connection.status == "connected" and not a.connection.user.admin
    a.directus.use_token("wrong")
    assert not await a.connect()
    assert a.connection.status == "error" and "token" in a.connection.message.lower()


async def test_the_projects_prompts_load_once_connected_and_go_with_the_connection(fake_provider, directus):
    a = make(fake_provider, directus)
    a.directus.use_token(directus.admin_token)
    assert await a.connect()
    if not directus.at_least(11, 12):  # no prompts collection setting before 11.12: none, and nothing asked
        await asyncio.sleep(0.3)
        assert a.prompts == [] and not any("/settings" in r.url for r in a.directus.transport.requests)
        return
    await until(lambda: a.prompts)
    assert [p.name for p in a.prompts] == ["Content report", "Summarize an article"]
    await a.disconnect()
    assert a.prompts == []
    a.directus.use_token(directus.reader_token)  # may not read the prompts collection
    assert await a.connect()
    await asyncio.sleep(0.3)
    assert a.prompts == []


async def test_sign_in_with_email_and_password_stores_a_session_secret(fake_provider, directus):
    local = MemoryStore()
    a = make(fake_provider, directus, local)
    assert await a.sign_in(directus.admin_email, directus.admin_password)
    assert a.connection.user.admin and a.settings.directus.session["refresh_token"]
    assert directus.admin_password not in json.dumps(local.data)
    assert not await a.sign_in(directus.admin_email, "nope")
    assert a.connection.status == "error" and a.connection.message


async def test_a_turn_with_an_approved_write_reaches_directus_and_always_allow_is_saved(fake_provider, directus_reset):
    local = MemoryStore()
    a = make(fake_provider, directus_reset, local)
    a.directus.use_token(directus_reset.admin_token)
    assert await a.connect()
    seen: list[str] = []
    a.listeners.append(seen.append)
    assert a.send("Please [[call items %s]]" % json.dumps(UPDATE))
    await until(lambda: a.pending)
    (pending,) = a.pending
    assert pending.preview.summary.startswith("Update 1 item in articles")
    await until(lambda: a.change_preview(pending.call.id))  # what it will change, read for the prompt
    (change,) = a.change_preview(pending.call.id)
    assert (change.what, change.field, change.after) == ("articles 3", "title", '"Set by the assistant"')
    stored = a.store.load(a.conversation.id)  # the pending call is already saved (a reload would re-ask)
    assert [m for m in stored.messages if m.role == "assistant"][-1].tool_calls[0].name == "items"
    a.decide(pending.call.id, "always")
    await asyncio.wait_for(a.wait(), 30)
    assert title_of(directus_reset, 3) == "Set by the assistant"
    assert a.conversation.messages[-1].text.startswith("Done: items")
    assert a.store.load(a.conversation.id).messages[-1].text == a.conversation.messages[-1].text
    assert "conversation" in seen and "conversations" in seen

    again = Assistant(local, MemoryStore(), HttpxTransport())
    again.load()
    # remembered: what the card showed (issue 12: "Always allow" covers the tool and the action, not the whole tool)
    assert again.settings.tools.allowed_scopes() == ["items:update"] and again.settings.tools.mode("items") == "ask"
    assert again.conversation.id == a.conversation.id


async def test_a_turn_waiting_in_one_tab_is_left_alone_by_another_tab(fake_provider, directus_reset):
    """Tab B opening a conversation whose approval waits in tab A neither asks it again (a second Approve could
    run the call twice) nor marks the answer stopped; once A's lease is gone (tab closed), B takes over."""
    local, now = MemoryStore(), [time.time()]
    a = make(fake_provider, directus_reset, local, clock=lambda: now[0])
    a.directus.use_token(directus_reset.admin_token)
    assert await a.connect()
    assert a.send("Please [[call items %s]]" % json.dumps(UPDATE))
    await until(lambda: a.pending)

    b = make(fake_provider, directus_reset, local, clock=lambda: now[0])
    b.directus.use_token(directus_reset.admin_token)
    assert await b.connect()
    b.resume_open()  # as the page does once loaded and connected: B shows the latest conversation, A's
    assert b.conversation.id == a.conversation.id
    assert not b.pending and not b.busy
    assert any(n.key == "elsewhere" for n in b.notices)
    answer = [m for m in b.conversation.messages if m.role == "assistant"][-1]
    assert answer.status == "done"  # not marked stopped, and its call not answered "stopped"
    assert not [r for m in b.conversation.messages for r in m.tool_results]

    a.autosave.heartbeat.cancel()  # A's tab dies without a pagehide: its lease is no longer renewed...
    now[0] += 60  # ...and lapses
    b.new_conversation()
    assert b.open(a.conversation.id)
    await until(lambda: b.pending)  # B takes the turn over and asks again
    assert not any(n.key == "elsewhere" for n in b.notices)
    b.stop()
    a.stop()
    await asyncio.wait_for(a.wait(), 10)
    await asyncio.wait_for(b.wait(), 10)
    assert title_of(directus_reset, 3) != "Set by the assistant"


async def test_closing_a_tab_hands_its_turn_over_at_once(fake_provider, directus_reset):
    local = MemoryStore()
    a = make(fake_provider, directus_reset, local)
    a.directus.use_token(directus_reset.admin_token)
    assert await a.connect()
    assert a.send("Please [[call items %s]]" % json.dumps(UPDATE))
    await until(lambda: a.pending)
    a.flush()  # pagehide
    b = make(fake_provider, directus_reset, local)
    b.directus.use_token(directus_reset.admin_token)
    assert await b.connect()
    b.resume_open()
    assert b.conversation.id == a.conversation.id
    await until(lambda: b.pending)
    b.stop()
    a.stop()
    await asyncio.wait_for(b.wait(), 10)


async def test_an_undo_directus_refuses_is_a_notice_and_stays_offered(fake_provider, directus):
    from app.chat.model import Conversation, Message, ToolCallPart, ToolResultPart, user

    plan = {
        "kind": "update",
        "summary": "Put back the previous values of 1 item in articles",
        "collection": "articles",
        "pk": "id",
        "restore": [{"id": 1, "title": "Old"}],
    }
    call = ToolCallPart(id="c1", name="items", arguments="{}")
    result = ToolResultPart(call_id="c1", name="items", content='{"id":1}', undo=plan)
    a = make(fake_provider, directus)
    a.conversation = Conversation(
        messages=[user("retitle"), Message(role="assistant", parts=[call]), Message(role="tool", parts=[result])]
    )
    assert a.undo_summary("c1") == plan["summary"]
    assert not await a.undo("c1")
    assert "Connect to Directus" in [n for n in a.notices if n.key == "undo"][0].text

    a.directus.use_token(directus.reader_token)  # may read articles, not change them
    assert await a.connect()
    assert not await a.undo("c1")
    notice = [n for n in a.notices if n.key == "undo"][0].text
    assert notice.startswith("Could not undo (Put back the previous values of 1 item in articles)"), notice
    assert not result.undone and result.content == '{"id":1}' and a.undo_summary("c1")
    assert a.undo_summary("nope") == ""


async def test_a_conversation_deleted_while_it_streams_stays_deleted(fake_provider, directus):
    """Stopping takes a moment; what the agent saves while it stops must not write the conversation back."""
    local = MemoryStore()
    a = make(fake_provider, directus, local)
    fake_provider.script(Step(text="A long answer. " * 40, delivery="slow", delay=0.05))
    assert a.send("Tell me something long")
    await until(lambda: "long answer" in a.conversation.messages[-1].text)
    deleted, agent = a.conversation.id, a.agent
    a.delete(deleted)
    await asyncio.wait_for(agent.wait(), 10)
    await asyncio.sleep(0.05)
    a.flush()
    assert deleted not in [s.id for s in a.conversations()]
    assert not [k for k in local.data if deleted in k]  # neither the conversation nor a lease on it


async def test_the_reasoning_effort_chosen_for_a_model_goes_with_its_requests(fake_provider, directus):
    a = make(fake_provider, directus)
    a.select_model("anthropic:claude-sonnet-4-6")
    assert a.effort_options()[0] == ("", "Thinking off") and a.selected_effort() == ""
    a.select_effort("medium")
    assert a.send("Think about it")
    await asyncio.wait_for(a.wait(), 30)
    body = fake_provider.last.body
    assert body["thinking"] == {"type": "adaptive"} and body["output_config"] == {"effort": "medium"}

    a.select_model("anthropic:claude-haiku-4-5")  # each model keeps its own choice
    assert a.selected_effort() == ""
    assert a.send("And now?")
    await asyncio.wait_for(a.wait(), 30)
    assert "thinking" not in fake_provider.last.body
    a.select_model("anthropic:claude-sonnet-4-6")
    assert a.selected_effort() == "medium"
    a.select_effort("")
    assert "anthropic:claude-sonnet-4-6" not in a.settings.efforts


async def test_without_directus_the_assistant_talks_without_tools(fake_provider, directus):
    a = make(fake_provider, directus)
    assert a.send("hello")
    await asyncio.wait_for(a.wait(), 30)
    assert a.conversation.messages[-1].text == "You said: hello"
    assert fake_provider.last.body.get("tools") in (None, [])
    assert any(n.key == "no-directus" for n in a.notices)


async def test_a_message_sent_while_directus_is_connecting_gets_the_tools(fake_provider, directus):
    """At page load the connection is made in the background; a message sent meanwhile waits for it."""
    a = make(fake_provider, directus)
    a.directus.use_token(directus.admin_token)
    connecting = asyncio.ensure_future(a.connect())
    await asyncio.sleep(0)  # the attempt has started: the request to Directus is in flight
    assert a.connection.status == "connecting"
    assert a.send("Which collections do I have?")
    await connecting
    await a.wait()
    tools = [t["name"] for t in fake_provider.requests_for()[0].body["tools"]]
    assert "schema" in tools and "admin_tools" in tools  # an admin's tools, though the send came first
    assert not [n for n in a.notices if "not connected" in n.text]


async def test_a_revoked_token_flips_the_connection_to_expired_within_one_call(fake_provider, directus_reset):
    a = make(fake_provider, directus_reset)
    a.directus.use_token(directus_reset.reader_token)
    # Before 11.12 no prompts load in the background (their first call meets the 401 here): the read itself does.
    prompts = directus_reset.at_least(11, 12)
    a.settings.tools.allow_reads = not prompts
    assert await a.connect() and a.connection.status == "connected"
    with directus_reset.client() as http:  # an administrator revokes the reader's token mid-conversation
        users = http.get("/users", params={"filter[email][_eq]": directus_reset.reader_email, "fields": "id"})
        reader = users.json()["data"][0]["id"]
        assert http.patch(f"/users/{reader}", json={"token": "revoked-in-the-test"}).status_code == 200
    read = {"action": "read", "collection": "articles", "keys": [1]}
    assert a.send("Read it [[call items %s]]" % json.dumps(read))
    await asyncio.wait_for(a.wait(), 30)
    # The turn's first Directus call got 401 and flipped it (the header says so: app/web/views/status_line.py); the
    # call was then not even offered to Directus, and the model read why.
    assert a.connection.status == "expired"
    assert ("sign in to Directus" if prompts else "The Directus token was refused") in a.conversation.messages[-1].text
    assert a.connection.message == "Your Directus session has expired. Sign in again."
    assert a.send("And now?")  # a message sent meanwhile says why the tools are gone and what to do
    assert any("session has expired" in n.text and "Sign in again" in n.text for n in a.notices)
    await asyncio.wait_for(a.wait(), 30)
