"""The browser controller: wires the page's DOM to the application core (app/assistant.py).

Attributes down, messages up: views render from the state they are given; user actions arrive as clicks on
elements carrying `data-action` (one delegated listener for the page) and go through one typed table
(app/web/actions.py) to calls on `Assistant`. The assistant reports changes by topic; the controller collects the
topics and renders once per animation frame, so a fast stream costs one DOM update per frame however many deltas
arrived. Two parts of it live next door: app/web/conversations.py (the list, search, export and import) and
app/web/settings_editor.py (the settings dialog's link to the assistant).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional

from js import Object, document, fetch, requestAnimationFrame, setTimeout, window
from pyodide.ffi import create_once_callable, to_js

from app.assistant import Assistant
from app.json_depth import load_json
from app.web.actions import HANDLERS, Clicked, is_action
from app.web.attach_events import AttachEvents, open_indexed_blobs
from app.web.conversations import Conversations
from app.web.dom import Event, by_id, closest_action, listen, text
from app.web.local_storage import WebStorage, ask_to_persist, open_store
from app.web.settings_editor import SettingsEditor
from app.web.shortcuts import Shortcuts
from app.web.tool_summaries import ToolSummaries
from app.web.views.approvals import ApprovalsView
from app.web.views.ask_dialog import AskDialog
from app.web.views.composer import Composer
from app.web.views.context_picker import ContextPicker
from app.web.views.conversation import ConversationView
from app.web.views.model_picker import render_effort_picker, render_model_picker
from app.web.views.notices import render_notices
from app.web.views.prompts_dialog import PromptsDialog
from app.web.views.question_card import QuestionsView
from app.web.views.status_line import render_connection, render_provider_status
from app.web.views.usage_bar import UsageBar

if TYPE_CHECKING:
    from app.chat.approvals import UserDecision

CONFIG_URL = "./config.json"


async def load_config() -> tuple[Optional[dict], str]:
    """config.json next to index.html (the deployment's defaults). Missing or broken: no defaults."""
    try:
        response = await fetch(CONFIG_URL, to_js({"cache": "no-cache"}, dict_converter=Object.fromEntries))
        if not response.ok:
            return None, ""
        raw = await response.text()
    except Exception:  # noqa: BLE001 - offline, blocked: the app works without it
        return None, ""
    try:
        data = load_json(str(raw))
    except ValueError as exc:  # not JSON, or nested too deeply (app/json_depth.py)
        return None, "config.json next to the app is not valid JSON (%s); it was ignored." % exc
    return (data if isinstance(data, dict) else None), ""


def _later(fn: Callable[[], None], ms: int = 16) -> None:
    setTimeout(create_once_callable(fn), ms)


def _freeze_heap() -> None:
    """Move what exists now (modules, settings, the open history) out of the garbage collector's reach: a full
    collection in Pyodide scans every tracked object and blocked the page for ~280 ms in the middle of a long
    stream (bench/streaming.py). New garbage is still collected."""
    import gc

    gc.freeze()


class Controller:
    assistant: Assistant  # set by start(), with the parts below
    ask: AskDialog
    conversations: Conversations
    settings: SettingsEditor
    prompts_dialog: PromptsDialog
    context_picker: ContextPicker
    composer: Composer
    attach: AttachEvents
    view: ConversationView
    shortcuts: Shortcuts

    def __init__(self) -> None:
        self._topics: set[str] = set()
        self._frame_pending = False
        self._asked_to_persist = False
        self._decide_first: Optional[int] = None  # the id of the notice "decide on the approval first", while shown
        self._usage_state: Optional[tuple] = None
        self._turn: Optional[tuple[str, bool]] = None  # (conversation id, busy) at the last render: a turn's end
        self._tasks: set[asyncio.Future] = set()  # background tasks started here, held until done

    # ----- start ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        from app.web.http import FetchTransport

        local, problem = open_store("localStorage")
        session, _ = open_store("sessionStorage")
        config, config_problem = await load_config()
        self.assistant = a = Assistant(
            local, session, FetchTransport(), config=config, schedule=_later, origin=str(window.location.origin)
        )
        a.files.open_blobs = open_indexed_blobs
        a.listeners.append(self._changed)
        self._describe = ToolSummaries(a.describe_call, lambda: self._render({"conversation"}))  # cards' summaries
        if problem:
            a.add_notice(problem, "warning", "storage-blocked")
        if config_problem:
            a.add_notice(config_problem, "warning", "config")
        self._grab_elements()
        self._wire()
        a.load()
        self._render_all()
        if isinstance(local, WebStorage):
            listen(window, "storage", self._on_storage)
        listen(window, "pagehide", lambda e: self.assistant.flush())  # reload, tab closed: save what is shown
        self.spawn(self._connect_then_resume())
        _freeze_heap()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run `coro` in the background (held here so that it is not collected before it ends)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect_then_resume(self) -> None:
        await self.assistant.connect()
        self.assistant.resume_open()
        self.context_picker.follow_address()  # #context=<collection>/<id> pins the item

    def _grab_elements(self) -> None:
        self.root = by_id("conversation")
        self.jump = by_id("jump-latest")
        self.notices = by_id("notices")
        self.picker = by_id("model-picker")
        self.effort_picker = by_id("effort-picker")
        self.badge = by_id("connection-badge")
        self.sign_in = by_id("sign-in-again")
        self.provider_status = by_id("provider-status")
        self.turn_status = by_id("turn-status")
        self.ask = AskDialog(by_id("ask-dialog"))
        self.conversations = Conversations(
            self.assistant,
            self.ask,
            by_id("conversation-list"),
            by_id("conversation-search"),
            by_id("import-file"),
            self.spawn,
        )
        self.settings = SettingsEditor(self.assistant, by_id("settings-dialog"), self.spawn)
        self.prompts_dialog = PromptsDialog(by_id("prompts-dialog"), self._insert_prompt)
        self.prompts_button = by_id("prompts-button")
        self.composer = Composer(by_id("composer"), by_id("composer-input"), by_id("composer-send"))
        self.view = ConversationView(self.root, self.jump)
        self.view.file_kept = self.assistant.files.kept
        self.view.directus_url = self.assistant.directus_url
        self.approvals = ApprovalsView(by_id("approvals"), by_id("announcer"), self.composer.textarea, _later)
        self.context_picker = ContextPicker(self.assistant, self.spawn)  # Add context: #context-dialog, its chips
        self.questions = QuestionsView(
            by_id("approvals"), self.composer.textarea, self.assistant.answer_question, _later
        )
        self.shortcuts = Shortcuts(self, by_id("shortcuts-dialog"))
        self.usage_bar = UsageBar()
        self.composer.form.before(self.usage_bar.el)
        for element_id in (
            "model-picker",
            "new-conversation",
            "settings-button",
            "sidebar-toggle",
            "conversation-search",
            "composer-input",
            "composer-send",
            "attach-button",
        ):
            el = by_id(element_id)
            if el is not None:
                el.disabled = False

    def _wire(self) -> None:
        listen(document.body, "click", self._on_click)
        listen(self.root, "scroll", lambda e: self.view.on_scroll(), passive=True)
        listen(self.jump, "click", lambda e: self.view.jump_to_latest())
        listen(self.composer.form, "submit", self._on_submit)
        listen(self.composer.textarea, "keydown", self._on_composer_key)
        listen(self.composer.textarea, "input", lambda e: self.composer.autosize())
        self.attach = AttachEvents(self.assistant, self.spawn, self.root.parentElement, self.composer.textarea)
        listen(self.picker, "change", lambda e: self.assistant.select_model(str(self.picker.value)))
        listen(self.effort_picker, "change", lambda e: self.assistant.select_effort(str(self.effort_picker.value)))
        listen(document, "keydown", self.shortcuts.on_key)

    # ----- rendering ------------------------------------------------------------------------------------------

    def _changed(self, topic: str) -> None:
        self._topics.add(topic)
        if not self._frame_pending:
            self._frame_pending = True
            requestAnimationFrame(create_once_callable(self._frame))

    def _frame(self, _timestamp: Optional[float] = None) -> None:
        self._frame_pending = False
        topics, self._topics = self._topics, set()
        try:
            self._render(topics)
        except Exception as exc:  # noqa: BLE001 - a render bug must not freeze the app: show it
            import traceback

            what = "%s: %s" % (type(exc).__name__, exc)
            words = "The page could not draw a change (%s). Reload it; what you have is saved." % what
            self.assistant.add_notice(words, "error", "render")
            window.console.warn(traceback.format_exc())

    def _render_all(self) -> None:
        self._render({"settings", "connection", "conversations", "conversation", "notices"})

    def _render(self, topics: set[str]) -> None:
        a = self.assistant
        if "conversation" in topics:
            pending = a.pending
            running = a.agent.running if a.agent is not None else set()
            self.view.render(a.conversation, pending, running, a.busy, a.message_usage_text, self._describe)
            self.approvals.render(pending, a.settings.tools, a.change_preview)
            self.questions.render(a.waiting_questions())
            self.composer.render(a.busy, bool(pending))
            self.attach.render()
            if not pending and self._decide_first is not None:
                a.dismiss(self._decide_first)
                self._decide_first = None
            document.body.setAttribute("data-busy", "1" if a.busy else "0")
            self._announce_turn_end()
        if "conversation" in topics or "settings" in topics:
            render_provider_status(self.provider_status, a.selected_model(), a.conversation)
        if "settings" in topics:
            render_model_picker(self.picker, a.model_options(), a.selected_model())
            render_effort_picker(self.effort_picker, a.effort_options(), a.selected_effort())
        if "conversation" in topics or "settings" in topics:
            if "settings" in topics:
                self._usage_state = None  # a window or a price may have changed
            self._render_usage()
        if "connection" in topics:
            self._render_connection()
        if "conversations" in topics:
            self.conversations.render()
        if "notices" in topics:
            render_notices(self.notices, a.notices, a.conversation.id)

    def _render_connection(self) -> None:
        c = self.assistant.connection
        self.prompts_button.hidden = not self.assistant.prompts
        by_id("attach-directus").hidden = c.status != "connected"  # "Attach from Directus"
        render_connection(self.badge, self.sign_in, c)
        self.settings.show_connection()

    def announce(self, words: str) -> None:
        """Say `words` once in the polite live region of turns (#turn-status)."""
        text(self.turn_status, "")
        _later(lambda: text(self.turn_status, words), 50)  # (emptied first: the same words twice are said twice)

    def _announce_turn_end(self) -> None:
        """An answer that ended is announced once, not token by token: finished or stopped (an error box is an
        alert of its own)."""
        a = self.assistant
        turn, self._turn = self._turn, (a.conversation.id, a.busy)
        if turn != (a.conversation.id, True) or a.busy:
            return
        last = next((m for m in reversed(a.conversation.messages) if m.role == "assistant"), None)
        if last is not None and last.status in ("done", "stopped"):
            self.announce("The answer is complete." if last.status == "done" else "The answer was stopped.")

    def _render_usage(self) -> None:
        """The window gauge and the conversation's totals, recomputed when a message or the model changed (not at
        every streamed delta)."""
        a = self.assistant
        messages = a.conversation.messages
        last = messages[-1] if messages else None
        state = (
            a.conversation.id,
            len(messages),
            last.id if last else None,
            last.status if last else None,
            a.selected_model(),
            a.conversation.notice,
        )
        if state == self._usage_state:
            return
        self._usage_state = state
        self.usage_bar.render(a.usage_summary())

    # ----- events ---------------------------------------------------------------------------------------------

    def _on_click(self, event: Event) -> None:
        target = closest_action(event, document.body)
        if target is None:
            return
        action = str(target.getAttribute("data-action"))
        if not is_action(action):
            return  # a name no handler knows: nothing to do
        ident = target.getAttribute("data-id")
        event.preventDefault()
        HANDLERS[action](self, Clicked(str(ident) if ident is not None else "", target))

    def _on_submit(self, event: Event) -> None:
        event.preventDefault()
        a = self.assistant
        if a.busy:
            a.stop()
            return
        if a.pending:
            self._ask_to_decide_first()
            return
        message = self.composer.value
        if not message.strip() and not a.files.parts:
            self.composer.textarea.focus()
            return
        started = a.edit_last(message) if self.composer.editing else a.send(message, self.context_picker.chips.items)
        if started:
            if not self.composer.editing:
                self.context_picker.chips.clear()  # pinned to that message only
            if not self._asked_to_persist:
                self._asked_to_persist = True
                ask_to_persist()
            _freeze_heap()  # the turn's modules are imported by now
            self.composer.editing = False
            self.composer.set_value("")
            self.view.jump_to_latest()

    def _on_composer_key(self, event: Event) -> None:
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            event.preventDefault()
            if self.assistant.pending:  # the text stays; the approval is decided on its card, deliberately
                self._ask_to_decide_first()
            elif not self.assistant.busy:
                self.composer.form.requestSubmit()

    def _ask_to_decide_first(self) -> None:
        notice = self.assistant.add_notice(
            "Approve or deny the waiting call first (Alt+A takes you to it); your message stays in the box.",
            "info",
            "decide-first",
        )
        self._decide_first = notice.id

    def _on_storage(self, event: Event) -> None:
        # (sessionStorage is per tab: its changes never reach another tab, so every event here is localStorage's.)
        key, value = event.key, event.newValue
        self.assistant.external_change(key if isinstance(key, str) else None, value if isinstance(value, str) else None)

    # ----- actions (app/web/actions.py calls these) -----------------------------------------------------------

    def decide(self, call_id: str, decision: UserDecision) -> None:
        """A card's button (or Esc in the card): only once the card is armed (app/web/views/approvals.py)."""
        if self.approvals.armed(call_id):
            self.assistant.decide(call_id, decision)

    def use_example(self, prompt: str) -> None:
        self.composer.set_value(prompt)
        self.composer.textarea.focus()

    def edit_last(self) -> None:
        last = next((m for m in reversed(self.assistant.conversation.messages) if m.role == "user"), None)
        if last is None:
            return
        self.composer.editing = True
        self.composer.set_value(last.text)
        self.composer.render(self.assistant.busy, bool(self.assistant.pending))
        self.composer.textarea.focus()

    def switch_version(self, message_id: str, to: int) -> None:
        if self.assistant.switch_version(message_id, to) and self.composer.editing:
            self.composer.editing = False  # the message being edited may no longer be the last one
            self.composer.set_value("")
            self.composer.render(self.assistant.busy, bool(self.assistant.pending))

    def new_conversation(self) -> None:
        self.assistant.new_conversation()
        document.body.classList.remove("sidebar-open")
        self.composer.editing = False
        self.composer.textarea.focus()

    def toggle_sidebar(self) -> None:
        if document.body.classList.toggle("sidebar-open"):  # opened (narrow layout): the keyboard goes into it
            by_id("new-conversation").focus()

    def undo(self, call_id: str) -> None:
        summary = self.assistant.undo_summary(call_id)
        if summary:
            self.ask.confirm(
                "Undo in Directus: %s?" % summary, "Undo", lambda: self.spawn(self.assistant.undo(call_id))
            )

    def _insert_prompt(self, prompt_text: str) -> None:
        """A shared prompt goes into the composer (after what is there already), to be read and sent by the user."""
        current = self.composer.value.rstrip()
        self.composer.set_value(current + "\n\n" + prompt_text if current else prompt_text)
        self.composer.textarea.focus()
