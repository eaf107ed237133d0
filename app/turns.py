"""The turns of the open conversation: its agent, sending, retrying, editing, versions, approvals, undo, resuming.

    turns.send("List my collections")      # a turn of a fresh agent (app/chat/agent.py) on the open conversation
    turns.decide(call_id, "approve")       # an approval card's answer
    await turns.undo(call_id)              # put a write of the conversation back (app/directus/undo.py)
    turns.resume_open()                    # a conversation left mid-turn (reload): ask its approvals again, if
                                           # the turn was started in this browser; else settle it (nothing runs)

Each action starts a fresh agent with what is chosen now: the selected model and effort (app/model_choice.py),
the system prompt and tool modes (app/preferences.py), and the Directus tools as they are at each model call
(app/connection.py). An action that cannot start says why in a notice and returns False: no model, a turn
running, or another tab answering in this conversation (it holds the lease, app/store/leases.py; the user's
text stays in the box). A turn keeps running when another conversation is opened; its agent is kept here
until it is done, and reopening the conversation shows it again.

Every change the agent reports is saved (app/autosave.py) and drawn ("conversation"; "conversations" too when
structural). A pending update's change preview is read meanwhile (app/connection.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Sequence, TypedDict, cast

from app.chat.model import Conversation, Message

if TYPE_CHECKING:
    from app.autosave import Autosave
    from app.chat.agent import Agent, PendingApproval, Provider, UserDecision
    from app.chat.approvals import ApprovalPolicy
    from app.chat.model import FilePart, TextPart, ToolResultPart
    from app.connection import DirectusConnection
    from app.hub import Hub
    from app.model_choice import ModelChoice
    from app.pending_files import PendingFiles
    from app.preferences import Preferences
    from app.providers.retry import Sleep
    from app.store.leases import LiveTurns
    from app.transport import Transport

# What to do while another tab is answering in the open conversation, for each action it blocks.
ELSEWHERE_SEND = (
    "Another tab is answering in this conversation. Wait until it is done (or stop it in that tab), "
    "then send again: your message is still in the box."
)
ELSEWHERE_SWITCH = "Another tab is answering in this conversation. Switch versions once it is done."
ELSEWHERE_RESUME = (
    "Another tab is running this conversation's answer: it shows here as it arrives. Approve or stop it in that tab."
)

SETTLED = (
    "This conversation was left waiting for tool calls by a turn that was not started in this browser (an imported "
    "conversation, say). Those calls were marked stopped and not run; ask again if you still want them."
)


class ProviderOptions(TypedDict, total=False):
    """What app.providers.open_provider takes besides the model (tests: a recorded sleep, fewer attempts)."""

    sleep: Sleep
    max_attempts: int


NO_MODEL = (
    "No model is available yet. Open Settings and add a provider key (OpenAI, Anthropic or Gemini) or an "
    "OpenAI-compatible endpoint with its models."
)


class Turns:
    def __init__(
        self,
        hub: Hub,
        prefs: Preferences,
        models: ModelChoice,
        directus: DirectusConnection,
        autosave: Autosave,
        live: LiveTurns,
        transport: Transport,
        provider_options: ProviderOptions,
    ):
        self.hub = hub
        self.prefs = prefs
        self.models = models
        self.directus = directus
        self.autosave = autosave
        self.live = live
        self.transport = transport
        self.provider_options = provider_options
        self.conversation = Conversation()  # the open one
        self.agent: Optional[Agent] = None  # the agent of the open conversation (None until the first action)
        self.agents: dict[str, Agent] = {}  # conversation id -> agent, for turns running in the background
        self.files: Optional[PendingFiles] = None  # where attachments' bytes come from (app/pending_files.py)

    @property
    def busy(self) -> bool:
        return self.agent is not None and self.agent.busy

    @property
    def pending(self) -> list[PendingApproval]:
        return list(self.agent.pending.values()) if self.agent is not None else []

    def running(self, conversation_id: str) -> bool:
        """Whether a turn of this tab runs in the conversation."""
        agent = self.agents.get(conversation_id)
        return agent is not None and agent.busy

    def show(self, conversation: Conversation, agent: Optional[Agent] = None) -> None:
        """Open a conversation (with its running agent, if any); the caller draws it."""
        self.conversation, self.agent = conversation, agent

    # ----- starting a turn --------------------------------------------------------------------------------

    def _make_agent(self) -> Agent:
        """A fresh agent for the open conversation with the current model, tools and prompt.
        Raises ProviderError (no model, no key, unknown endpoint) with a message for the user."""
        from app.chat.agent import Agent
        from app.chat.events import ProviderError
        from app.directus.context_items import read_pinned
        from app.providers import open_provider

        ref = self.models.selected_model()
        if ref is None:
            raise ProviderError("no_key", NO_MODEL, retryable=False)
        provider, model = open_provider(ref, self.prefs.provider_settings(), self.transport, **self.provider_options)
        conversation = self.conversation
        agent = Agent(
            conversation,
            provider,
            model.id,
            self.directus.tools.live(),
            lambda: self.prefs.settings.tools,  # read at every decision: a save in Settings replaces it
            self.prefs.system_prompt(),
            context_window=model.context_window,
            reasoning=self.models.selected_effort() or None,
            ready=lambda: read_pinned(conversation, self.directus),  # a sign-in in progress is over; pinned items read
            on_change=lambda: self.agent_changed(conversation, agent),
            on_policy_change=self._policy_changed,
            ask_user=True,
            files=(lambda history: files.load(history, model.protocol)) if (files := self.files) else None,
        )
        conversation.model = ref
        return agent

    def _policy_changed(self, policy: ApprovalPolicy) -> None:
        self.prefs.save()  # "always allow" is kept in the settings' tool modes, which the agent reads live

    def _elsewhere(self, then: str) -> bool:
        """True while another tab runs a turn in the open conversation; the notice `then` says what to do."""
        if not self.live.elsewhere(self.conversation.id):
            return False
        self.hub.add_notice(then, "info", "elsewhere")
        return True

    def _action(self, run: Callable[[Agent], object]) -> bool:
        """Start a turn with a fresh agent; False (and a notice) when it cannot start."""
        from app.chat.events import ProviderError

        if self.busy or self._elsewhere(ELSEWHERE_SEND):
            return False
        try:
            agent = self._make_agent()
        except ProviderError as exc:
            self.hub.add_notice(exc.message, "error", "model")
            return False
        self.hub.clear_notice("model")
        self.agent = agent
        self.agents[self.conversation.id] = agent
        run(agent)
        return True

    def send(self, text: str, attached: Sequence[FilePart] = (), pinned: Sequence[TextPart] = ()) -> bool:
        text = text.strip()
        if not text and not attached:
            return False
        if attached and not self._can_take(attached):
            return False
        status = self.directus.current.status
        if status not in ("connected", "connecting"):
            self.hub.add_notice(
                "Your Directus session has expired, so the assistant has no tools: it can only talk. Sign in again "
                "(the button next to the connection in the header)."
                if status == "expired"
                else "Directus is not connected, so the assistant has no tools: it can only talk. Connect in Settings.",
                "info",
                "no-directus",
            )
        return self._action(lambda agent: agent.send(text, attached, pinned))

    def _can_take(self, attached: Sequence[FilePart]) -> bool:
        """Whether the selected model takes these files within its provider's limits; else a notice that says why
        (before anything is sent, rather than the provider's 400)."""
        from app.chat.attachments import problem
        from app.chat.events import ProviderError
        from app.providers.factory import resolve_model

        ref = self.models.selected_model()
        if ref is None:
            return True  # _action says that no model is available
        try:
            model = resolve_model(ref, self.prefs.provider_settings())
        except ProviderError:
            return True
        said = problem(attached, model.protocol, model.takes, model.name)
        if said is not None:
            self.hub.add_notice(said, "error", "attachments")
            return False
        self.hub.clear_notice("attachments")
        return True

    def retry(self) -> bool:
        return self._action(lambda agent: agent.retry())

    def regenerate(self) -> bool:
        return self._action(lambda agent: agent.regenerate())

    def edit_last(self, text: str) -> bool:
        return self._action(lambda agent: agent.edit_last(text))

    def run_page_calls(self, message: Message) -> bool:
        """Tool calls the page makes for the user (app/chart_results.py): asked and run like the model's."""
        return self._action(lambda agent: agent.run_calls(message))

    def switch_version(self, message_id: str, to: int) -> bool:
        """Show another version of a user message of the open conversation, with what followed it (0-based `to`)."""
        from app.chat.versions import switch_version

        if self.busy or self._elsewhere(ELSEWHERE_SWITCH):
            return False
        messages = self.conversation.messages
        index = next((i for i, m in enumerate(messages) if m.id == message_id), None)
        if index is None or not switch_version(messages, index, to):
            return False
        self.autosave.save(self.conversation)
        self.hub.notify("conversation")
        self.hub.notify("conversations")
        return True

    # ----- a turn running -----------------------------------------------------------------------------------

    def stop(self) -> None:
        if self.agent is not None:
            self.agent.stop()

    def decide(self, call_id: str, decision: UserDecision) -> None:
        if self.agent is not None:
            self.agent.decide(call_id, decision)

    async def wait(self) -> None:
        if self.agent is not None:
            await self.agent.wait()

    def agent_changed(self, conversation: Conversation, agent: Agent) -> None:
        """What an agent reports after every change: preview its approvals, save, draw."""
        self.directus.tools.preview_pending(agent)  # (also drops the previews of calls decided since)
        structural = self.autosave.changed(conversation, agent)
        if (
            structural
            and not agent.busy
            and self.agents.get(conversation.id) is agent
            and conversation is not self.conversation
        ):
            del self.agents[conversation.id]  # a background turn is over
        if conversation is self.conversation:
            self.hub.notify("conversation")
            if structural:
                self.hub.notify("conversations")

    def stop_agent(self, conversation_id: str) -> None:
        """Stop the turn of a conversation that is going away. The agent reports once more while it stops; that
        report must not save the conversation back, so it is no longer listened to."""
        agent = self.agents.pop(conversation_id, None)
        if agent is not None:
            agent.on_change = lambda: None
            agent.stop()
        self.autosave.forget(conversation_id)

    def stop_all(self) -> None:
        for conversation_id in list(self.agents):
            self.stop_agent(conversation_id)

    # ----- undo -----------------------------------------------------------------------------------------

    def undo_summary(self, call_id: str, message_id: str = "") -> str:
        """What Undo on this call's card will do, in plain words; "" when it cannot be undone (now)."""
        part = self._undoable(call_id, message_id)
        return str(part.undo.get("summary") or "") if part is not None and part.undo else ""

    async def undo(self, call_id: str, message_id: str = "") -> bool:
        """Undo a write of the open conversation in Directus (the user's Undo on its card). The model reads that it
        was undone in front of the call's result from then on. False, with a notice saying why, when it failed."""
        from pydantic import ValidationError

        from app.directus.errors import DirectusError
        from app.directus.undo import UndoPlan, apply, undone_note

        part = self._undoable(call_id, message_id)
        if part is None:
            return False
        client = self.directus.client
        if client is None or self.directus.current.status != "connected":
            self.hub.add_notice("Connect to Directus (Settings) to undo this change.", "error", "undo")
            return False
        try:
            plan = UndoPlan.model_validate(part.undo)
        except ValidationError:
            self.hub.add_notice("This change cannot be undone: what was kept for it is unreadable.", "error", "undo")
            return False
        try:
            await apply(client, plan)
        except DirectusError as exc:
            self.hub.add_notice("Could not undo (%s): %s" % (plan.summary, exc.message), "error", "undo")
            return False
        part.undone = True
        part.content = undone_note(plan) + part.content
        self.hub.clear_notice("undo")
        self.autosave.save(self.conversation)
        self.hub.notify("conversation")
        return True

    def _undoable(self, call_id: str, message_id: str = "") -> Optional[ToolResultPart]:
        """The result of this call that can be undone: the newest with that id (a call id is not unique across
        turns), or the one answering the assistant message `message_id`."""
        if self.busy:
            return None
        messages = self.conversation.messages
        for index in range(len(messages) - 1, 0, -1):
            if message_id and messages[index - 1].id != message_id:
                continue
            for part in messages[index].tool_results:
                if part.call_id == call_id and part.undo and not part.undone and part.status == "ok":
                    return part
        return None

    # ----- resuming a turn left behind (reload) ----------------------------------------------------------

    @staticmethod
    def needs_resume(conversation: Conversation) -> bool:
        for message in reversed(conversation.messages):
            if message.role == "user":
                return False
            if message.role == "assistant":
                return message.status == "streaming" or (message.status == "done" and bool(message.tool_calls))
        return False

    def resume_open(self) -> None:
        """After load() and connect(), and on open(): continue the open conversation if it was left mid-turn by a
        turn this browser started (app/store/own_turns.py), unless another tab is running that turn right now. One
        left by anything else (an import, an older version of the app) is settled: nothing in it runs."""
        if self.agent is not None or not self.needs_resume(self.conversation) or self._elsewhere(ELSEWHERE_RESUME):
            return
        if not self.autosave.own.started(self.conversation):
            self._settle_foreign()
            return
        self._resume()

    def _settle_foreign(self) -> None:
        """Stop the answer and the calls a turn not started here left waiting (app/store/settle.py), and say so."""
        from app.store.settle import settle_turns

        if settle_turns(self.conversation):
            self.hub.add_notice(SETTLED, "info", "settled")
        self.autosave.save(self.conversation)
        self.hub.notify("conversation")
        self.hub.notify("conversations")

    def _resume(self) -> None:
        """Re-ask the open conversation's pending approvals, or settle what was cut off."""
        from app.chat.events import ProviderError

        try:
            agent = self._make_agent()
        except ProviderError as exc:
            last = next((m for m in reversed(self.conversation.messages) if m.role == "assistant"), None)
            if last is None or last.status != "streaming":
                self.hub.add_notice(
                    "This conversation waits for tool calls to be decided, but no model is available: " + exc.message,
                    "warning",
                    "model",
                )
                return
            from app.chat.agent import Agent
            from app.directus.not_connected import NoTools

            conversation = self.conversation
            no_model = cast("Provider", None)  # this agent calls no model: it only settles the cut-off answer
            agent = Agent(
                conversation,
                no_model,
                "",
                NoTools(),
                self.prefs.settings.tools,
                "",
                on_change=lambda: self.agent_changed(conversation, agent),
            )
        self.agent = agent
        self.agents[self.conversation.id] = agent
        agent.resume()
        self.agent_changed(self.conversation, agent)
