"""The conversation: messages in order, the empty state with example prompts, following the stream.

`render()` reconciles message views by id and updates only what changed, so a frame during a stream costs
the growing block, not the whole history. Opening a conversation renders its last messages at once and the older
ones in later tasks of a few milliseconds each (newest first, above), so that a long history never blocks the page. The view follows new content unless the user scrolled up; then a
"Jump to latest" button shows instead.

A tool card shows what its call does and where Directus's app shows it: `describe(call)` gives (summary, links),
from the calls the Directus side prepared once (app/directus/toolbox.py PreparedCalls), not parsed per frame.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from app.web.dom import Element, clear, h
from app.web.views.message import Describe, MessageView, RenderContext

if TYPE_CHECKING:
    from app.chat.approvals import PendingApproval
    from app.chat.model import Conversation, Message, ToolResultPart

EXAMPLES = (
    ("Create content", "Create a draft article titled “Spring launch” with a short intro paragraph."),
    ("Explore the schema", "What collections do I have, and how are they related?"),
    ("Query data", "How many articles are published, per category?"),
    ("Trigger a flow", "Which flows can I run by hand? Run “Summarize articles”."),
)
FOLLOW_SLACK = 48  # px from the bottom that still counts as "at the latest"
FIRST_MESSAGES = 30  # rendered when a conversation opens; older ones follow (`_render_older`)
OLDER_STEP_S = 0.015  # rendering older messages takes turns of this long with the page


def empty_state() -> Element:
    buttons = [
        h(
            "button",
            {"type": "button", "class": "example", "data-action": "example", "data-prompt": prompt},
            h("strong", None, title),
            h("span", None, prompt),
        )
        for title, prompt in EXAMPLES
    ]
    return h(
        "div",
        {"class": "empty-state"},
        h("h2", None, "What should we do in Directus?"),
        h(
            "p",
            {"class": "muted"},
            "The assistant works with your Directus data through tools, with your own "
            "permissions, and asks before it changes anything.",
        ),
        h("div", {"class": "examples"}, *buttons),
    )


class ConversationView:
    def __init__(self, root: Element, jump_button: Element):
        # Whether an attachment's bytes are on this device (None: not known yet); the controller sets it.
        self.file_kept: Callable[[str], Optional[bool]] = lambda sha: True
        self.directus_url: Callable[[], str] = lambda: ""
        self.root = root  # the scrolling <section id="conversation">
        self.jump = jump_button
        self.list = h("div", {"class": "messages"})
        self.empty = empty_state()
        root.replaceChildren(self.empty, self.list)
        self.views: dict[str, MessageView] = {}
        self.order: list[str] = []
        self.conversation_id: Optional[str] = None
        self.following = True
        self.older = 0  # leading messages of the conversation not rendered yet
        self._last: Optional[tuple[Conversation, RenderContext]] = None  # for `_render_older`

    # --- scrolling ---------------------------------------------------------------------------------------------

    def at_bottom(self) -> bool:
        r = self.root
        return r.scrollHeight - r.scrollTop - r.clientHeight <= FOLLOW_SLACK

    def on_scroll(self) -> None:
        self.following = self.at_bottom()
        self.jump.hidden = self.following

    def jump_to_latest(self) -> None:
        self.following = True
        self.jump.hidden = True
        self.root.scrollTop = self.root.scrollHeight

    # --- rendering ---------------------------------------------------------------------------------------------

    def render(
        self,
        conversation: Conversation,
        pending: Sequence[PendingApproval],
        running: set[str],
        busy: bool,
        usage_text: Callable[[Message], str],
        describe: Describe,
    ) -> None:
        if conversation.id != self.conversation_id:
            self.conversation_id = conversation.id
            clear(self.list)
            self.views.clear()
            self.order = []
            self.following = True
            self.older = max(0, len(_shown(conversation.messages)) - FIRST_MESSAGES)
            if self.older:
                cid = conversation.id
                _later(lambda: self._render_older(cid))
        messages = conversation.messages
        self.empty.hidden = bool(messages)  # (conversation.notice shows above the composer: views/usage_bar.py)
        results: dict[str, ToolResultPart] = {}
        for m in messages:
            if m.role == "tool":
                for r in m.tool_results:
                    results[r.call_id] = r
        ctx = RenderContext(results, {p.call.id for p in pending}, set(running), busy, describe, usage_text)
        ctx.file_kept = self.file_kept
        ctx.directus_url = self.directus_url()
        ctx.earlier = retried(messages)
        shown = _shown(messages, ctx.earlier)[self.older :]
        self._last = (conversation, ctx)
        last_assistant = next((m.id for m in reversed(shown) if m.role == "assistant"), None)
        last_user = next((m.id for m in reversed(shown) if m.role == "user"), None)
        ids = [m.id for m in shown]
        if ids[: len(self.order)] != self.order:  # something was removed or replaced: rebuild the order
            keep = set(ids)
            for mid in list(self.views):
                if mid not in keep:
                    self.views.pop(mid).el.remove()
            self.order = []
            at = self.list.firstElementChild  # where the next kept message belongs
            for mid in ids:
                if mid not in self.views:
                    break
                el = self.views[mid].el
                if not el.isSameNode(at):  # only what is out of place moves: moving a node takes its focus away
                    self.list.insertBefore(el, at)
                at = el.nextElementSibling
                self.order.append(mid)
        for m in shown:
            view = self.views.get(m.id)
            if view is None:
                view = MessageView(m)
                self.views[m.id] = view
                self.list.appendChild(view.el)
                self.order.append(m.id)
            ctx.is_last_assistant = m.id == last_assistant and _after(shown, last_user, last_assistant)
            ctx.is_last_user = m.id == last_user
            view.update(m, ctx)
        if self.following:
            self.root.scrollTop = self.root.scrollHeight
        else:
            self.jump.hidden = False

    def _render_older(self, conversation_id: str) -> None:
        """One turn of rendering older messages above the ones shown; schedules the next while some are left."""
        if self._last is None or conversation_id != self.conversation_id or not self.older:
            return
        conversation, ctx = self._last
        ctx.is_last_assistant = ctx.is_last_user = False
        shown = _shown(conversation.messages)
        self.older = min(self.older, len(shown))
        height, top = self.root.scrollHeight, self.root.scrollTop
        started = time.perf_counter()
        while self.older and time.perf_counter() - started < OLDER_STEP_S:
            self.older -= 1
            m = shown[self.older]
            if m.id in self.views:
                continue
            view = MessageView(m)
            self.views[m.id] = view
            self.list.insertBefore(view.el, self.list.firstElementChild)
            self.order.insert(0, m.id)
            view.update(m, ctx)
        if self.following:
            self.root.scrollTop = self.root.scrollHeight
        else:  # keep what the reader looks at where it is
            self.root.scrollTop = top + self.root.scrollHeight - height
        if self.older:
            _later(lambda: self._render_older(conversation_id))


def _later(callback: Callable[[], None]) -> None:
    from js import setTimeout
    from pyodide.ffi import create_once_callable

    setTimeout(create_once_callable(callback), 0)


def _shown(messages: Sequence[Message], earlier: Optional[dict[str, list[Message]]] = None) -> list[Message]:
    """The messages on screen: not tool results (shown in their calls' cards), not failed answers retried."""
    hidden = {m.id for attempts in (retried(messages) if earlier is None else earlier).values() for m in attempts}
    return [m for m in messages if m.role != "tool" and m.id not in hidden]


def retried(messages: Sequence[Message]) -> dict[str, list[Message]]:
    """The failed answers that were answered again (Retry), by the answer after them: not shown themselves, but
    kept for what they cost, which that answer's usage line adds."""
    out: dict[str, list[Message]] = {}
    failed: list[Message] = []
    for m in messages:
        if m.role == "user":
            failed = []
        elif m.role == "assistant":
            if failed:
                out[m.id] = failed
            failed = [*failed, m] if m.status == "error" else []
    return out


def _after(shown: list[Message], user_id: Optional[str], assistant_id: Optional[str]) -> bool:
    """True when the last assistant message comes after the last user message."""
    ids = [m.id for m in shown]
    if assistant_id is None:
        return False
    return user_id is None or ids.index(assistant_id) > ids.index(user_id)


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
