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

Saving: every agent change saves the conversation, at once when the change is structural (a message, a
status, a part, an approval or a running tool came or went) and otherwise (text deltas) at most once per
`schedule` tick (the page passes a ~frame timer). A full storage becomes a notice with the sizes of the
conversations; the conversation stays open in memory, so nothing typed or streamed is lost, and it is saved
again as soon as space is freed (a conversation deleted or cleared). The page calls `flush()` when it goes away
(reload, tab closed), so a text delta shown but not yet saved is not lost either.

Several tabs: a tab holds a lease (app/store/leases.py) on each conversation it is running a turn in; another
tab opening that conversation shows the turn as it is saved and leaves it alone (no "stopped", no second
approval) until the lease is released (turn over, page gone) or lapses (tab died).

Usage: `message_usage_text(message)` (tokens and cost of one answer) and `usage_summary()` (the open
conversation's totals, cost, and how full the selected model's context window is), priced by the catalog.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional

from app.chat.model import Conversation, new_id
from app.settings import (
    DeploymentConfig,
    ProviderSettings,
    Settings,
    join_secrets,
    split_secrets,
)
from app.store.conversations import (
    ConversationStore,
    NewerFormat,
    StorageFull,
    UsageReport,
)
from app.store.format import QUARANTINE_PREFIX
from app.store.kv import KeyValueStore
from app.store.leases import RENEW, LiveTurns
from app.store.settings import SettingsNotSaved, SettingsStore

Topic = Literal["settings", "connection", "conversations", "conversation", "notices"]
ConnectionStatus = Literal["off", "connecting", "connected", "error"]

PROVIDER_LABELS = {"openai": "OpenAI", "anthropic": "Anthropic", "gemini": "Google Gemini"}


@dataclass
class Notice:
    text: str
    kind: Literal["info", "warning", "error"] = "warning"
    key: str = ""  # notices with the same key replace each other
    report: Optional[UsageReport] = None  # storage full: sizes per conversation
    id: int = 0
    set_aside: Optional[str] = None  # an unreadable entry's key under da.corrupt.* (download or discard it)


@dataclass
class UsageSummary:
    """The open conversation's usage for the bar above the composer."""

    totals: str  # "1,234 in · 56 out · ≈ $0.0012", "" before the first answer
    gauge: Any  # app.chat.usage.WindowGauge of the selected model, None without a model or messages
    notice: str  # what was left out to fit the window ("" when nothing)


@dataclass
class Connection:
    status: ConnectionStatus = "off"
    message: str = ""  # what is wrong, in plain words (status "error"), or a hint (status "off")
    user: Any = None  # app.directus.client.CurrentUser when connected
    otp_needed: bool = False
    url: str = ""

    @property
    def who(self) -> str:
        if self.user is None:
            return ""
        return "%s (%s)" % (self.user.display_name, "administrator" if self.user.admin else (self.user.role_name or "user"))


@dataclass
class ModelOption:
    ref: str
    label: str
    group: str


class NoTools:
    """The tools when Directus is not connected: none."""

    def specs(self, used: Any = ()) -> list:
        return []

    def preview(self, name: str, arguments: str) -> None:
        return None

    async def run(self, name: str, arguments: str) -> Any:
        from app.directus.tools.definition import ToolOutcome

        return ToolOutcome(content='{"error":{"code":"NOT_CONNECTED","message":"Directus is not connected."}}', ok=False)


class LiveTools:
    """The tools of the Directus connection as it is when the model is called, not when the turn started:
    a message sent while the connection is still being made gets the tools once it is made."""

    def __init__(self, assistant: "Assistant"):
        self._assistant = assistant

    def specs(self, used: Any = ()) -> list:
        return self._assistant._tools().specs(used)

    def preview(self, name: str, arguments: str) -> Any:
        return self._assistant._tools().preview(name, arguments)

    async def run(self, name: str, arguments: str) -> Any:
        return await self._assistant._tools().run(name, arguments)


CONNECT_WAIT_SECONDS = 15.0  # how long a turn waits for a Directus connection in progress before going on


def _signature(conversation: Conversation, agent: Any) -> tuple:
    """What counts as a structural change: worth saving (and re-listing) at once."""
    tail = tuple((m.id, m.status, len(m.parts)) for m in conversation.messages[-2:])
    pending = tuple(sorted(agent.pending)) if agent is not None else ()
    running = tuple(sorted(agent.running)) if agent is not None else ()
    busy = agent.busy if agent is not None else False
    return (len(conversation.messages), tail, pending, running, busy, conversation.notice)


class Assistant:
    def __init__(
        self,
        local: KeyValueStore,
        session: KeyValueStore,
        transport: Any,
        *,
        config: Optional[dict] = None,
        schedule: Optional[Callable[[Callable[[], None]], None]] = None,
        origin: Optional[str] = None,
        clock: Callable[[], float] = time.time,
        provider_options: Optional[dict] = None,
    ):
        self.transport = transport
        self.settings_store = SettingsStore(local, session, clock=clock)
        self.store = ConversationStore(local, clock=clock)
        self.live = LiveTurns(local, new_id("tab_"), clock)  # the turns this tab runs, seen by other tabs
        self._heartbeat: Optional[asyncio.Future] = None
        self.schedule = schedule or (lambda fn: fn())
        self.origin = origin
        self.clock = clock
        self.provider_options = provider_options or {}
        self.config = DeploymentConfig()
        self.notices: list[Notice] = []
        self._notice_ids = 0
        self.config_problem = ""
        self.listeners: list[Callable[[str], None]] = []
        if config:
            self.set_config(config)
        self.settings = Settings()
        self.connection = Connection()
        self.prompts: list = []  # the project's shared prompts (app/directus/prompts.py), loaded once connected
        self._previews: dict[str, Optional[list]] = {}  # call id -> its changes (app/directus/changes.py); None: loading
        self._tasks: set = set()  # background tasks (app/assistant.py `_spawn`), held until done
        self.client: Any = None
        self._settled = asyncio.Event()  # set while no connection attempt is in progress
        self._settled.set()
        self.conversation = Conversation()
        self.agent: Any = None  # the agent of the open conversation (None until the first action)
        self._agents: dict[str, Any] = {}  # conversation id -> agent, for turns running in the background
        self._signatures: dict[str, tuple] = {}
        self._save_due: dict[str, Conversation] = {}
        self._save_scheduled = False
        self._unsaved: dict[str, Conversation] = {}  # saves refused by a full storage, retried when space is freed
        self._models: dict[str, Any] = {}  # ref -> CatalogModel (False: unknown), for prices and windows

    # ----- listeners and notices ----------------------------------------------------------------------

    def notify(self, topic: Topic) -> None:
        for listener in list(self.listeners):
            listener(topic)

    def add_notice(self, text: str, kind: str = "warning", key: str = "", report: Optional[UsageReport] = None,
                   set_aside: Optional[str] = None) -> Notice:
        if key:
            self.notices = [n for n in self.notices if n.key != key]
        self._notice_ids += 1
        notice = Notice(text, kind, key, report, self._notice_ids, set_aside)  # type: ignore[arg-type]
        self.notices.append(notice)
        self.notify("notices")
        return notice

    def dismiss(self, notice_id: int) -> None:
        self.notices = [n for n in self.notices if n.id != notice_id]
        self.notify("notices")

    def clear_notice(self, key: str) -> None:
        if any(n.key == key for n in self.notices):
            self.notices = [n for n in self.notices if n.key != key]
            self.notify("notices")

    # ----- settings -----------------------------------------------------------------------------------

    def set_config(self, raw: Any) -> None:
        """Deployment defaults from config.json. A broken file is reported and ignored."""
        try:
            config = DeploymentConfig.model_validate(raw)
        except ValueError as exc:
            self.config_problem = "config.json next to the app is not valid and was ignored: %s" % str(exc).splitlines()[0]
            self.add_notice(self.config_problem, "warning", "config")
            return
        for endpoint in config.endpoints:
            endpoint.api_key = ""  # never keys from a public file
        self.config = config

    def load(self) -> None:
        """Settings, secrets and the conversation list from storage; opens the newest conversation."""
        stored = self.settings_store.load()
        self.settings = join_secrets(stored.settings, stored.secrets)
        self.settings.remember = stored.remember
        for problem in stored.problems:
            self.add_notice(problem.message, "warning", "settings-" + problem.key, set_aside=problem.quarantine_key)
        summaries = self.store.list()
        opened = self.store.load(summaries[0].id) if summaries else None
        self._take_store_problems()
        self.conversation = opened or Conversation()
        self.agent = None
        self._signatures.clear()
        self.notify("settings")
        self.notify("conversations")
        self.notify("conversation")

    def save_settings(self, settings: Optional[Settings] = None) -> bool:
        """Store the settings (secrets where `remember` says). False when storage is full (they stay in effect)."""
        if settings is not None:
            self.settings = settings
        doc, secrets = split_secrets(self.settings)
        try:
            self.settings_store.save(doc, secrets, self.settings.remember)
        except SettingsNotSaved as exc:
            self.add_notice(str(exc), "error", "settings-save")
            self.notify("settings")
            return False
        self.clear_notice("settings-save")
        self._models.clear()  # an endpoint's models or windows may have changed
        self.notify("settings")
        self.notify("conversation")
        return True

    def provider_settings(self) -> ProviderSettings:
        """The user's providers plus the deployment's endpoints (a user's endpoint of the same name wins)."""
        providers = self.settings.providers.model_copy(deep=True)
        names = {e.name for e in providers.compatible}
        for endpoint in self.config.endpoints:
            if endpoint.name not in names:
                providers.compatible.append(endpoint.model_copy(deep=True))
        return providers

    def system_prompt(self) -> str:
        from app.chat.prompt import system_prompt

        return system_prompt(self.settings.system_prompt or self.config.system_prompt)

    def model_options(self) -> list[ModelOption]:
        """Models of the configured providers only (a key set; endpoints with their models), as the deployment allows."""
        from app.providers import catalog

        providers = self.provider_settings()
        options: list[ModelOption] = []
        for name in ("openai", "anthropic", "gemini"):
            if not getattr(providers, name).api_key:
                continue
            for model in catalog.models(name):
                if model.retired and model.retired.startswith("Shut down"):
                    continue
                options.append(ModelOption(model.ref, model.name, PROVIDER_LABELS[name]))
        for endpoint in providers.compatible:
            for custom in endpoint.models:
                ref = "compatible:%s:%s" % (endpoint.name, custom.id)
                options.append(ModelOption(ref, custom.name or custom.id, endpoint.name))
        return [o for o in options if self.config.allows(o.ref)]

    def selected_model(self) -> Optional[str]:
        options = self.model_options()
        refs = [o.ref for o in options]
        if self.settings.model in refs:
            return self.settings.model
        return refs[0] if refs else None

    def select_model(self, ref: str) -> None:
        self.settings.model = ref
        self.save_settings()  # redraws the effort picker and the window gauge, both the selected model's

    def effort_options(self) -> list[tuple[str, str]]:
        """The reasoning efforts of the selected model, ("", its default) first; [] when it takes none."""
        from app.providers.catalog import effort_choices

        return effort_choices(self.model_info(self.selected_model()))

    def selected_effort(self) -> str:
        """The effort chosen for the selected model ("" = its default), if that model still takes it."""
        chosen = self.settings.efforts.get(self.selected_model() or "", "")
        return chosen if chosen in [value for value, _ in self.effort_options()] else ""

    def select_effort(self, effort: str) -> None:
        ref = self.selected_model()
        if ref is None:
            return
        if effort:
            self.settings.efforts[ref] = effort
        else:
            self.settings.efforts.pop(ref, None)
        self.save_settings()

    def set_tool_mode(self, tool: str, mode: str) -> None:
        self.settings.tools.set_mode(tool, mode)  # type: ignore[arg-type]
        self.save_settings()

    # ----- Directus -----------------------------------------------------------------------------------

    def directus_url(self) -> str:
        return (self.settings.directus.url or self.config.directus_url).strip().rstrip("/")

    def _directus_token(self) -> str:
        d = self.settings.directus
        if d.token:
            return d.token
        if self.config.demo_directus_token and not d.session and self.directus_url() == self.config.directus_url.rstrip("/"):
            return self.config.demo_directus_token
        return ""

    def _new_client(self, url: str, token: str = "", session: Optional[dict] = None) -> Any:
        from app.directus.client import DirectusClient, Session

        restored = None
        if session:
            try:
                restored = Session.from_dict(session)
            except (KeyError, TypeError, ValueError):
                restored = None
        return DirectusClient(url, self.transport, token=token or None, session=restored,
                              on_session_change=self._session_changed, origin=self.origin, clock=self.clock)

    def _session_changed(self, session: Any) -> None:
        self.settings.directus.session = session.to_dict() if session is not None else None
        self.save_settings()

    async def connect(self) -> bool:
        """Connect with the stored token or session; True when signed in. The outcome is in `connection`."""
        from app.directus.errors import DirectusError

        url = self.directus_url()
        d = self.settings.directus
        token = "" if (d.auth == "password" and d.session) else self._directus_token()
        session = d.session if not token else None
        if not url:
            self._set_connection(Connection("off", "Set the Directus URL in Settings to let the assistant work on your data."))
            return False
        if not token and not session:
            self._set_connection(Connection("off", "Sign in to Directus in Settings (a static token, or email and password).", url=url))
            return False
        client = self._new_client(url, token, session)
        self._set_connection(Connection("connecting", url=url))
        try:
            user = await client.me(fresh=True)
        except DirectusError as exc:
            self.client = None
            self._set_connection(Connection("error", exc.message, url=url))
            return False
        self.client = client
        self._set_connection(Connection("connected", user=user, url=url))
        return True

    async def sign_in(self, email: str, password: str, otp: str = "") -> bool:
        """Email + password (+ one-time code when the account asks for one). The session is stored as a secret."""
        from app.directus.errors import DirectusError

        url = self.directus_url()
        if not url:
            self._set_connection(Connection("error", "Enter the Directus URL first."))
            return False
        self.settings.directus.auth = "password"
        self.settings.directus.email = email.strip()
        self.settings.directus.token = ""
        client = self._new_client(url)
        self._set_connection(Connection("connecting", url=url))
        try:
            await client.login(email.strip(), password, otp or None)  # stores the session via _session_changed
            user = await client.me(fresh=True)
        except DirectusError as exc:
            self.client = None
            self._set_connection(Connection("error", exc.message, otp_needed=exc.code in ("OTP_REQUIRED", "INVALID_OTP"), url=url))
            return False
        self.client = client
        self._set_connection(Connection("connected", user=user, url=url))
        return True

    async def disconnect(self) -> None:
        """Sign out: forget the token and session (the URL stays)."""
        client, self.client = self.client, None
        self.settings.directus.token = ""
        self.settings.directus.session = None
        if client is not None and client.session is not None:
            await client.logout()
        self.save_settings()
        self._set_connection(Connection("off", "Signed out of Directus.", url=self.directus_url()))

    def _set_connection(self, connection: Connection) -> None:
        self.connection = connection
        if connection.status == "connecting":
            self._settled.clear()
        else:
            self._settled.set()
        self.prompts = []
        if connection.status == "connected" and self.client is not None:
            self._spawn(self._load_prompts(self.client))
        self.notify("connection")

    def _spawn(self, coro: Any) -> Optional[asyncio.Future]:
        """Run a coroutine in the background, held until done (asyncio keeps only weak references to tasks).
        None when there is no event loop (a synchronous caller): the coroutine is closed, not left unawaited."""
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:
            coro.close()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def change_preview(self, call_id: str) -> list:
        """What a pending update will change, value by value (app/directus/changes.py); [] until read, or if none."""
        return self._previews.get(call_id) or []

    def _preview_pending(self, agent: Any) -> None:
        if self.client is None:
            return
        for call_id, pending in list(agent.pending.items()):
            if call_id not in self._previews:
                self._previews[call_id] = None
                self._spawn(self._load_preview(self.client, pending.call))

    async def _load_preview(self, client: Any, call: Any) -> None:
        from app.directus.changes import preview_changes

        try:
            changes = await preview_changes(client, call.name, call.arguments)
        except Exception:  # noqa: BLE001 - a preview is a nicety: the approval prompt works without it
            changes = []
        self._previews[call.id] = changes
        if changes:
            self.notify("conversation")

    async def _load_prompts(self, client: Any) -> None:
        """The project's shared prompts (app/directus/prompts.py), for the Prompts button; none when not allowed."""
        from app.directus.prompts import fetch_prompts

        prompts = await fetch_prompts(client)
        if client is self.client:  # still the same connection
            self.prompts = prompts
            self.notify("connection")

    # ----- conversations ------------------------------------------------------------------------------

    def conversations(self) -> list:
        return self.store.list()

    def new_conversation(self) -> None:
        self._flush_saves()
        self.conversation = Conversation()
        self.agent = None
        self.clear_notice("elsewhere")
        self.notify("conversation")
        self.notify("conversations")

    def open(self, conversation_id: str) -> bool:
        if conversation_id == self.conversation.id:
            return True
        self._flush_saves()
        running = self._agents.get(conversation_id)
        if running is not None and running.busy:
            conversation, agent = running.conversation, running
        else:
            conversation, agent = self.store.load(conversation_id), None
            self._take_store_problems()
            if conversation is None:
                self.notify("conversations")
                return False
        self.conversation, self.agent = conversation, agent
        self.clear_notice("elsewhere")
        self.notify("conversation")
        self.notify("conversations")
        self.resume_open()
        return True

    def rename(self, conversation_id: str, title: str) -> None:
        if conversation_id == self.conversation.id:
            self.conversation.title = " ".join(title.split()) or self.conversation.title
            self._save(self.conversation)
            self.notify("conversation")
        else:
            try:
                self.store.rename(conversation_id, title)
            except (KeyError, StorageFull, NewerFormat) as exc:
                self.add_notice(str(exc), "error", "rename")
        self.notify("conversations")

    def delete(self, conversation_id: str) -> None:
        self._stop_agent(conversation_id)
        self._save_due.pop(conversation_id, None)
        self._unsaved.pop(conversation_id, None)
        self.store.delete(conversation_id)
        if conversation_id == self.conversation.id:
            self.conversation, self.agent = Conversation(), None
            self.notify("conversation")
        self._retry_unsaved()
        self.notify("conversations")

    def clear_all(self) -> int:
        for conversation_id in list(self._agents):
            self._stop_agent(conversation_id)
        self._save_due.clear()
        self._unsaved.clear()
        count = self.store.clear_all()
        self.conversation, self.agent = Conversation(), None
        self.notify("conversation")
        self.notify("conversations")
        return count

    def _stop_agent(self, conversation_id: str) -> None:
        """Stop the turn of a conversation that is going away. The agent reports once more while it stops; that
        report must not save the conversation back, so it is no longer listened to."""
        agent = self._agents.pop(conversation_id, None)
        if agent is not None:
            agent.on_change = lambda: None
            agent.stop()
        self._signatures.pop(conversation_id, None)
        self.live.release(conversation_id)

    def search(self, text: str) -> list:
        return self.store.search(text)

    def export_json(self, ids: Optional[list[str]] = None) -> str:
        self._flush_saves()
        return self.store.export_json(ids)

    def export_markdown(self, conversation_id: Optional[str] = None) -> str:
        self._flush_saves()
        if conversation_id is None or conversation_id == self.conversation.id:
            return self.store.export_markdown(self.conversation)
        conversation = self.store.load(conversation_id)
        return self.store.export_markdown(conversation) if conversation is not None else ""

    def import_json(self, text: str) -> str:
        """Import an export file; returns a one-line summary (also for a file that is no export)."""
        from app.store.conversations import ImportFailed

        try:
            result = self.store.import_json(text)
        except ImportFailed as exc:
            self.add_notice(str(exc), "error", "import")
            return str(exc)
        parts = []
        if result.imported:
            parts.append("%d imported" % len(result.imported))
        if result.merged:
            parts.append("%d merged" % len(result.merged))
        if result.unchanged:
            parts.append("%d already here" % len(result.unchanged))
        summary = "Import: " + (", ".join(parts) or "nothing to import") + "."
        for problem in result.problems:
            self.add_notice(problem, "warning", "import-problem")
        self.add_notice(summary, "info", "import")
        self.notify("conversations")
        return summary

    def external_change(self, key: Optional[str], new_value: Optional[str]) -> None:
        """A `storage` event from another tab."""
        change = self.store.apply_external_change(key, new_value)
        if change is None:
            return
        busy = self.agent is not None and self.agent.busy
        if change.kind == "settings":
            if not busy:
                stored = self.settings_store.load()
                self.settings = join_secrets(stored.settings, stored.secrets)
                self.settings.remember = stored.remember
                self._models.clear()
                self.notify("settings")
            return
        if change.kind == "cleared":
            if not busy and not self.conversation.messages:
                self.conversation = Conversation()
        elif change.kind == "listed":
            pass  # only the list shows it
        elif change.conversation_id == self.conversation.id and not busy:
            if change.kind == "deleted":
                self.conversation, self.agent = Conversation(), None
                self.notify("conversation")
            elif self.store.refresh(self.conversation):
                self._signatures.pop(self.conversation.id, None)
                if not self._needs_resume(self.conversation):  # the other tab's turn is over
                    self.clear_notice("elsewhere")
                self.notify("conversation")
        self._take_store_problems()
        self.notify("conversations")

    # ----- the agent ----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.agent is not None and self.agent.busy

    @property
    def pending(self) -> list:
        return list(self.agent.pending.values()) if self.agent is not None else []

    def _tools(self) -> Any:
        if self.client is None or self.connection.status != "connected":
            return NoTools()
        from app.directus.toolbox import Toolbox

        return Toolbox(self.client, admin=bool(self.connection.user and self.connection.user.admin), policy=self.settings.tools)

    def _make_agent(self) -> Any:
        """A fresh agent for the open conversation with the current model, tools and prompt.
        Raises ProviderError (no model, no key, unknown endpoint) with a message for the user."""
        from app.chat.agent import Agent
        from app.chat.events import ProviderError
        from app.providers import open_provider

        ref = self.selected_model()
        if ref is None:
            raise ProviderError("no_key", "No model is available yet. Open Settings and add a provider key (OpenAI, "
                                "Anthropic or Gemini) or an OpenAI-compatible endpoint with its models.", retryable=False)
        provider, model = open_provider(ref, self.provider_settings(), self.transport, **self.provider_options)
        conversation = self.conversation
        agent = Agent(
            conversation, provider, model.id, LiveTools(self), self.settings.tools, self.system_prompt(),
            context_window=model.context_window, reasoning=self.selected_effort() or None, ready=self._connection_settled,
            on_change=lambda: self._agent_changed(conversation, agent),
            on_policy_change=lambda policy: self.save_settings(),
        )
        conversation.model = ref
        return agent

    async def _connection_settled(self) -> None:
        """Wait (a while) for a Directus connection attempt in progress, so a turn gets the tools."""
        try:
            await asyncio.wait_for(self._settled.wait(), CONNECT_WAIT_SECONDS)
        except asyncio.TimeoutError:
            pass

    def _action(self, run: Callable[[Any], Any]) -> bool:
        """Start a turn with a fresh agent; False (and a notice) when it cannot start."""
        from app.chat.events import ProviderError

        if self.busy:
            return False
        if self.live.elsewhere(self.conversation.id):
            self.add_notice("Another tab is answering in this conversation. Wait until it is done (or stop it in that "
                            "tab), then send again: your message is still in the box.", "info", "elsewhere")
            return False
        try:
            agent = self._make_agent()
        except ProviderError as exc:
            self.add_notice(exc.message, "error", "model")
            return False
        self.clear_notice("model")
        self.agent = agent
        self._agents[self.conversation.id] = agent
        run(agent)
        return True

    def send(self, text: str) -> bool:
        text = text.strip()
        if not text:
            return False
        if self.connection.status not in ("connected", "connecting"):
            self.add_notice("Directus is not connected, so the assistant has no tools: it can only talk. "
                            "Connect in Settings.", "info", "no-directus")
        return self._action(lambda agent: agent.send(text))

    def retry(self) -> bool:
        return self._action(lambda agent: agent.retry())

    def regenerate(self) -> bool:
        return self._action(lambda agent: agent.regenerate())

    def edit_last(self, text: str) -> bool:
        return self._action(lambda agent: agent.edit_last(text))

    def switch_version(self, message_id: str, to: int) -> bool:
        """Show another version of a user message of the open conversation, with what followed it (0-based `to`)."""
        from app.chat.versions import switch_version

        if self.busy:
            return False
        if self.live.elsewhere(self.conversation.id):
            self.add_notice("Another tab is answering in this conversation. Switch versions once it is done.",
                            "info", "elsewhere")
            return False
        messages = self.conversation.messages
        index = next((i for i, m in enumerate(messages) if m.id == message_id), None)
        if index is None or not switch_version(messages, index, to):
            return False
        self._save(self.conversation)
        self.notify("conversation")
        self.notify("conversations")
        return True

    def stop(self) -> None:
        if self.agent is not None:
            self.agent.stop()

    def decide(self, call_id: str, decision: str) -> None:
        if self.agent is not None:
            self.agent.decide(call_id, decision)  # type: ignore[arg-type]

    async def wait(self) -> None:
        if self.agent is not None:
            await self.agent.wait()

    def undo_summary(self, call_id: str) -> str:
        """What Undo on this call's card will do, in plain words; "" when it cannot be undone (now)."""
        part = self._undoable(call_id)
        return str(part.undo.get("summary") or "") if part is not None and part.undo else ""

    async def undo(self, call_id: str) -> bool:
        """Undo a write of the open conversation in Directus (the user's Undo on its card). The model reads that it
        was undone in front of the call's result from then on. False, with a notice saying why, when it failed."""
        from pydantic import ValidationError

        from app.directus.errors import DirectusError
        from app.directus.undo import UndoPlan, apply, undone_note

        part = self._undoable(call_id)
        if part is None:
            return False
        if self.client is None or self.connection.status != "connected":
            self.add_notice("Connect to Directus (Settings) to undo this change.", "error", "undo")
            return False
        try:
            plan = UndoPlan.model_validate(part.undo)
            await apply(self.client, plan)
        except ValidationError:
            self.add_notice("This change cannot be undone: what was kept for it is unreadable.", "error", "undo")
            return False
        except DirectusError as exc:
            self.add_notice("Could not undo (%s): %s" % (plan.summary, exc.message), "error", "undo")
            return False
        part.undone = True
        part.content = undone_note(plan) + part.content
        self.clear_notice("undo")
        self._save(self.conversation)
        self.notify("conversation")
        return True

    def _undoable(self, call_id: str) -> Any:
        if self.busy:
            return None
        for message in self.conversation.messages:
            for part in message.tool_results:
                if part.call_id == call_id and part.undo and not part.undone and part.status == "ok":
                    return part
        return None

    def _needs_resume(self, conversation: Conversation) -> bool:
        for message in reversed(conversation.messages):
            if message.role == "user":
                return False
            if message.role == "assistant":
                return message.status == "streaming" or (message.status == "done" and bool(message.tool_calls))
        return False

    def _resume(self) -> None:
        """A conversation left mid-turn (reload): re-ask its pending approvals or settle what was cut off."""
        from app.chat.events import ProviderError

        try:
            agent = self._make_agent()
        except ProviderError as exc:
            last = next((m for m in reversed(self.conversation.messages) if m.role == "assistant"), None)
            if last is None or last.status != "streaming":
                self.add_notice("This conversation waits for tool calls to be decided, but no model is available: "
                                + exc.message, "warning", "model")
                return
            from app.chat.agent import (
                Agent,  # only settles the cut-off answer: no model call
            )

            conversation = self.conversation
            agent = Agent(conversation, None, "", NoTools(), self.settings.tools, "",
                          on_change=lambda: self._agent_changed(conversation, agent))
        self.agent = agent
        self._agents[self.conversation.id] = agent
        agent.resume()
        self._agent_changed(self.conversation, agent)

    def resume_open(self) -> None:
        """After load() and connect(), and on open(): continue the open conversation if it was left mid-turn,
        unless another tab is running that turn right now."""
        if self.agent is not None or not self._needs_resume(self.conversation):
            return
        if self.live.elsewhere(self.conversation.id):
            self.add_notice("Another tab is running this conversation's answer: it shows here as it arrives. Approve "
                            "or stop it in that tab.", "info", "elsewhere")
            return
        self._resume()

    # ----- saving -------------------------------------------------------------------------------------

    def _agent_changed(self, conversation: Conversation, agent: Any) -> None:
        if agent.pending:
            self._preview_pending(agent)
        signature = _signature(conversation, agent)
        structural = self._signatures.get(conversation.id) != signature
        self._signatures[conversation.id] = signature
        if agent.busy and conversation.id not in self.live.held:
            self._hold(conversation.id)
        elif not agent.busy:
            self.live.release(conversation.id)
            if not self.live.held and self._heartbeat is not None:
                self._heartbeat.cancel()
        if structural:
            self._save_due.pop(conversation.id, None)
            self._save(conversation)
            if not agent.busy and self._agents.get(conversation.id) is agent and conversation is not self.conversation:
                del self._agents[conversation.id]
        else:
            self._save_due[conversation.id] = conversation
            if not self._save_scheduled:
                self._save_scheduled = True
                self.schedule(self._flush_saves)
        if conversation is self.conversation:
            self.notify("conversation")
            if structural:
                self.notify("conversations")

    def _hold(self, conversation_id: str) -> None:
        """Take the lease on a conversation whose turn starts, and keep it while any turn of this tab runs."""
        self.live.hold(conversation_id)
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = self._spawn(self._keep_leases())  # None without an event loop: the lease lapses

    async def _keep_leases(self) -> None:
        while self.live.held:
            await asyncio.sleep(RENEW)
            for conversation_id in list(self.live.held):
                agent = self._agents.get(conversation_id)
                if agent is not None and agent.busy:
                    self.live.hold(conversation_id)
                else:
                    self.live.release(conversation_id)

    def _flush_saves(self) -> None:
        self._save_scheduled = False
        due, self._save_due = self._save_due, {}
        for conversation in due.values():
            self._save(conversation)

    def _save(self, conversation: Conversation) -> bool:
        if not conversation.messages:
            return True
        try:
            self.store.save(conversation)
        except StorageFull as exc:
            self._unsaved[conversation.id] = conversation
            self.add_notice(str(exc), "error", "storage-full", exc.report)
            return False
        except NewerFormat as exc:
            self.add_notice(str(exc), "error", "newer-format")
            return False
        self._unsaved.pop(conversation.id, None)
        if not self._unsaved:
            self.clear_notice("storage-full")
        return True

    def _retry_unsaved(self) -> None:
        """Space was freed: save what a full storage refused (the notice goes once all of it is saved)."""
        for conversation in list(self._unsaved.values()):
            if not self._save(conversation):
                break
        self.notify("conversations")

    def flush(self) -> None:
        """Save what is waiting for the next tick now, and let other tabs take over (the page is going away)."""
        self._flush_saves()
        self.live.release_all()

    def read_set_aside(self, key: str) -> str:
        return self.store.read_set_aside(key) or self.settings_store.local.get(key) or ""

    def discard_set_aside(self, key: str) -> None:
        """Delete an entry set aside as unreadable (the user chose to), and its notice."""
        self.store.discard_set_aside(key)
        self.notices = [n for n in self.notices if n.set_aside != key]
        self.notify("notices")
        self._retry_unsaved()
    def usage_report(self) -> UsageReport:
        return self.store.usage_report()

    def _take_store_problems(self) -> None:
        for problem in self.store.take_problems():
            self.add_notice(problem.message, "warning", "problem-" + problem.key, set_aside=problem.quarantine_key)
        # Entries set aside earlier (maybe by another tab, or just before a reload) stay in view until the
        # user downloads or discards them.
        shown = {n.set_aside for n in self.notices}
        for key, _size in self.store.set_aside():
            if key not in shown:
                name = key[len(QUARANTINE_PREFIX):].rsplit(".", 1)[0]
                self.add_notice("A stored conversation (%s) could not be read and was set aside, not deleted; you can "
                                "download it or discard it with the buttons of this notice." % name,
                                "warning", "problem-" + key, set_aside=key)

    # ----- usage --------------------------------------------------------------------------------------

    def model_info(self, ref: Optional[str]) -> Any:
        """The catalog model of a ref (custom endpoints with their configured window), None when unknown."""
        if not ref:
            return None
        model = self._models.get(ref)
        if model is None:
            from app.providers.factory import resolve_model

            try:
                model = resolve_model(ref, self.provider_settings())
            except Exception:  # noqa: BLE001 - a ref that no longer parses: no price, no window
                model = False
            self._models[ref] = model
        return model or None

    def message_usage_text(self, message: Any) -> str:
        """Tokens of one answer, and its cost at the list prices of the model that wrote it."""
        from app.chat.usage import describe_usage, message_cost

        usage = message.usage
        return describe_usage(usage, message_cost(usage, self.model_info(message.model)))

    def usage_summary(self) -> UsageSummary:
        from app.chat.usage import conversation_cost, describe_usage, window_gauge
        from app.chat.versions import every_message

        messages = self.conversation.messages
        estimate = conversation_cost(every_message(messages), self.model_info)  # kept versions cost too
        priced = estimate.dollars if (estimate.dollars or estimate.complete) else None  # None: nothing priced
        totals = describe_usage(estimate.usage, priced, partial=not estimate.complete) if (
            estimate.usage.input_tokens or estimate.usage.output_tokens) else ""
        model = self.model_info(self.selected_model())
        gauge = None
        if model is not None and messages:
            from app.chat.tokens import estimate_tokens

            gauge = window_gauge(messages, model.context_window, estimate_tokens(self.system_prompt()))
        return UsageSummary(totals, gauge, self.conversation.notice or "")
