"""What the page does, without the page: settings, the Directus connection, conversations and the agent.

    assistant = Assistant(local, session, transport, config=config_json, schedule=later)
    assistant.load()                       # settings + secrets, the conversation list, the newest conversation
    await assistant.connect()              # Directus: who am I, admin or not
    assistant.send("List my collections")  # a turn of the agent on the open conversation
    assistant.decide(call_id, "approve")   # an approval card's answer
    await assistant.undo(call_id)          # put a write of the conversation back (app/directus/undo.py)

The browser controller (app/web/controller.py) renders from this object's state and calls its methods; it
listens through `listeners`: each gets a topic after a change — "settings", "connection", "conversations"
(the list), "conversation" (the open one), "notices". Everything here runs under CPython too
(tests/unit/test_assistant.py, tests/integration/test_assistant_turns.py).

`Assistant` is a thin front over parts of one job each. It builds them and hands each what it needs (the hub
for topics, notices and tasks; the preferences; a callable such as autosave's `running`); no part imports
another when it is loaded (only for type checking, or inside a function), and nothing but the page imports
this module:

    app/hub.py                listeners and topics, notices, background tasks
    app/preferences.py        settings and secrets, config.json, the system prompt, the providers' settings
    app/model_choice.py       the model options, the selected model and effort, usage and cost
    app/connection.py         Directus: connect, sign in and out, the project's prompts, a turn's tools and
                              the change previews of its approvals
    app/turns.py              the open conversation's agent: send, retry, edit, versions, approvals, undo, resume
    app/questions.py          the model's questions (ask_user) waiting for the user, answered here or in another tab
    app/autosave.py           saving as it happens (throttled text, structural changes at once, a full storage),
                              the leases of the turns this tab runs (several tabs), set-aside entries
    app/conversation_list.py  open, new, rename, delete, clear, search, export, import; another tab's changes

Imports that the first screen does not need (the agent, the Directus client, the providers) stay inside the
functions that use them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

from app.autosave import Autosave
from app.chart_results import ChartResults
from app.chat.model import Conversation, new_id
from app.connection import Connection, DirectusConnection
from app.conversation_list import ConversationList
from app.hub import Hub, Notice, NoticeKind, Topic
from app.model_choice import ModelChoice, ModelOption, UsageSummary
from app.pending_files import PendingFiles
from app.preferences import Preferences
from app.questions import Questions, WaitingQuestion
from app.store.conversations import ConversationStore
from app.store.leases import LiveTurns
from app.turns import ProviderOptions, Turns

if TYPE_CHECKING:
    from app.chat.agent import Agent, PendingApproval, UserDecision
    from app.chat.model import FilePart, Message, ToolCallPart
    from app.directus.changes import Change
    from app.directus.links import Link
    from app.directus.prompts import Prompt
    from app.settings import DeploymentConfig, ProviderSettings, Settings
    from app.store.conversations import ConversationSummary
    from app.store.kv import KeyValueStore
    from app.store.search import SearchHit
    from app.store.usage import UsageReport
    from app.transport import Transport

__all__ = ["Assistant", "Connection", "ModelOption", "Notice", "Topic", "UsageSummary"]


class Assistant:
    def __init__(
        self,
        local: KeyValueStore,
        session: KeyValueStore,
        transport: Transport,
        *,
        config: Optional[dict] = None,
        schedule: Optional[Callable[[Callable[[], None]], None]] = None,
        origin: Optional[str] = None,
        clock: Callable[[], float] = time.time,
        provider_options: Optional[ProviderOptions] = None,
    ):
        self.hub = Hub()
        self.prefs = Preferences(local, session, self.hub, clock=clock)
        if config:
            self.prefs.set_config(config)
        self.models = ModelChoice(self.prefs)
        self.directus = DirectusConnection(self.prefs, self.hub, transport, origin=origin, clock=clock)
        self.store = ConversationStore(local, clock=clock)
        live = LiveTurns(local, new_id("tab_"), clock)  # the turns this tab runs, seen by other tabs
        self.autosave = Autosave(
            self.store,
            live,
            self.hub,
            schedule or (lambda fn: fn()),
            running=lambda conversation_id: self.turns.running(conversation_id),
        )
        self.turns = Turns(
            self.hub, self.prefs, self.models, self.directus, self.autosave, live, transport, provider_options or {}
        )
        self.questions = Questions(self.turns, local, self.hub)  # ask_user's questions, also from another tab
        self.files = PendingFiles(self.hub)  # the page sets where the bytes are kept (IndexedDB)
        self.turns.files = self.files
        self.library = ConversationList(self.store, self.hub, self.prefs, self.turns, self.autosave)
        self.charts = ChartResults(self.turns, self.directus, self.autosave, self.hub)  # app/chart_results.py

    def load(self) -> None:
        """Settings, secrets and the conversation list from storage; opens the newest conversation."""
        self.prefs.reload()
        self.library.open_newest()

    # ----- state the page draws from --------------------------------------------------------------------

    @property
    def listeners(self) -> list[Callable[[Topic], None]]:
        return self.hub.listeners

    @property
    def notices(self) -> list[Notice]:
        return self.hub.notices

    @property
    def settings(self) -> Settings:
        return self.prefs.settings

    @property
    def config(self) -> DeploymentConfig:
        return self.prefs.config

    @property
    def connection(self) -> Connection:
        return self.directus.current

    @property
    def prompts(self) -> list[Prompt]:
        return self.directus.prompts

    @property
    def conversation(self) -> Conversation:
        return self.turns.conversation

    @conversation.setter
    def conversation(self, conversation: Conversation) -> None:
        self.turns.conversation = conversation

    @property
    def agent(self) -> Optional[Agent]:
        return self.turns.agent

    @agent.setter
    def agent(self, agent: Optional[Agent]) -> None:
        self.turns.agent = agent

    @property
    def busy(self) -> bool:
        return self.turns.busy

    @property
    def pending(self) -> list[PendingApproval]:
        return self.turns.pending

    # ----- notices --------------------------------------------------------------------------------------

    def add_notice(
        self,
        text: str,
        kind: NoticeKind = "warning",
        key: str = "",
        report: Optional[UsageReport] = None,
        set_aside: Optional[str] = None,
    ) -> Notice:
        return self.hub.add_notice(text, kind, key, report, set_aside)

    def dismiss(self, notice_id: int) -> None:
        self.hub.dismiss(notice_id)

    def read_set_aside(self, key: str) -> str:
        return self.autosave.read_set_aside(key)

    def discard_set_aside(self, key: str) -> None:
        self.autosave.discard_set_aside(key)

    # ----- settings and the model -----------------------------------------------------------------------

    def set_config(self, raw: object) -> None:
        self.prefs.set_config(raw)

    def save_settings(self, settings: Optional[Settings] = None) -> bool:
        return self.prefs.save(settings)

    def provider_settings(self) -> ProviderSettings:
        return self.prefs.provider_settings()

    def system_prompt(self) -> str:
        return self.prefs.system_prompt()

    def default_system_prompt(self) -> str:
        return self.prefs.default_system_prompt()

    def model_options(self) -> list[ModelOption]:
        return self.models.model_options()

    def selected_model(self) -> Optional[str]:
        return self.models.selected_model()

    def select_model(self, ref: str) -> None:
        self.models.select_model(ref)

    def effort_options(self) -> list[tuple[str, str]]:
        return self.models.effort_options()

    def selected_effort(self) -> str:
        return self.models.selected_effort()

    def select_effort(self, effort: str) -> None:
        self.models.select_effort(effort)

    def message_usage_text(self, message: Message) -> str:
        return self.models.message_usage_text(message)

    def usage_summary(self) -> UsageSummary:
        return self.models.usage_summary(self.conversation)

    # ----- Directus -------------------------------------------------------------------------------------

    def directus_url(self) -> str:
        return self.directus.url()

    async def connect(self) -> bool:
        return await self.directus.connect()

    async def sign_in(self, email: str, password: str, otp: str = "") -> bool:
        return await self.directus.sign_in(email, password, otp)

    async def disconnect(self) -> None:
        await self.directus.disconnect()

    def settings_tools(self) -> list[str]:
        """The tools Settings lists (a signed-in non-admin sees no admin tools)."""
        return self.directus.settings_tools()

    def change_preview(self, call_id: str) -> list[Change]:
        return self.directus.tools.change_preview(call_id)

    def describe_call(self, call: ToolCallPart) -> tuple[Optional[str], list[Link]]:
        """A tool card's (summary, "Open in Directus" links), from the call prepared once."""
        return self.directus.tools.describe(call)

    # ----- conversations --------------------------------------------------------------------------------

    def conversations(self) -> list[ConversationSummary]:
        return self.library.conversations()

    def new_conversation(self) -> None:
        self.library.new_conversation()

    def open(self, conversation_id: str) -> bool:
        return self.library.open(conversation_id)

    def rename(self, conversation_id: str, title: str) -> None:
        self.library.rename(conversation_id, title)

    def delete(self, conversation_id: str) -> None:
        self.library.delete(conversation_id)

    def clear_all(self) -> int:
        return self.library.clear_all()

    def search(self, text: str, among: Optional[list[ConversationSummary]] = None) -> list[SearchHit]:
        """Matching conversations, among all (or `among`: the page searches a slice at a time)."""
        return self.library.search(text, among)

    def export_json(self, ids: Optional[Iterable[str]] = None) -> str:
        return self.library.export_json(ids)

    def export_markdown(self, conversation_id: Optional[str] = None) -> str:
        return self.library.export_markdown(conversation_id)

    def import_json(self, text: str) -> str:
        return self.library.import_json(text)

    def external_change(self, key: Optional[str], new_value: Optional[str]) -> None:
        if not self.questions.external_change(key, new_value):
            self.library.external_change(key, new_value)

    def flush(self) -> None:
        self.autosave.flush()

    # ----- turns ----------------------------------------------------------------------------------------

    def send(self, text: str, items: Sequence[tuple[str, str, str]] = ()) -> bool:
        """Send the text with the files attached to it (they stay attached when it cannot be sent) and the Directus
        items pinned to it ((collection, key, label), app/directus/context_items.py)."""
        if self.files.preparing:
            self.hub.add_notice(
                "An attachment is still being prepared: send once its chip shows.", "info", "attachments"
            )
            return False
        from app.directus.context_items import pinned_parts

        if not self.turns.send(text, list(self.files.parts), pinned_parts(items, self.directus.url())):
            return False
        self.files.take()
        return True

    def reattach(self, old_sha: str, part: FilePart, data: str) -> None:
        """A file attached again in place of one not kept on this device (all its places in the open conversation)."""
        if self.files.replace(self.turns.conversation.messages, old_sha, part, data):
            self.autosave.save(self.turns.conversation)
            self.hub.notify("conversation")

    def retry(self) -> bool:
        return self.turns.retry()

    def regenerate(self) -> bool:
        return self.turns.regenerate()

    def edit_last(self, text: str) -> bool:
        return self.turns.edit_last(text)

    def switch_version(self, message_id: str, to: int) -> bool:
        return self.turns.switch_version(message_id, to)

    def stop(self) -> None:
        self.turns.stop()

    def waiting_questions(self) -> list[WaitingQuestion]:
        return self.questions.waiting()

    def answer_question(self, call_id: str, answer: object) -> bool:
        return self.questions.answer(call_id, answer)

    def decide(self, call_id: str, decision: UserDecision) -> None:
        self.turns.decide(call_id, decision)

    async def wait(self) -> None:
        await self.turns.wait()

    def undo_summary(self, call_id: str) -> str:
        return self.turns.undo_summary(call_id)

    async def undo(self, call_id: str) -> bool:
        return await self.turns.undo(call_id)

    def resume_open(self) -> None:
        self.turns.resume_open()
