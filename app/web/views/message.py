"""One message in the conversation. Assistant text streams in as markdown, block by block: finished blocks
are appended once, only the growing last block is replaced (app/web/markdown.py's MarkdownStream).

Reasoning is a <details> closed by default; tool calls are cards (tool_card.py). The message's footer shows
"Stopped", an error with Retry, Regenerate, and token usage; a user message's footer Edit and its versions.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

from app.chat.model import Message, Part, ReasoningPart, TextPart, ToolCallPart, ToolResultPart
from app.chat.versions import version_position
from app.web.dom import (
    Element,
    append_trusted_html,
    clear,
    h,
    replace_keeping_focus,
    set_attr,
    set_trusted_html,
    text,
)
from app.web.markdown import MarkdownStream
from app.web.views.tool_card import ToolCard

KEY_ERRORS = ("bad_key", "no_key", "billing", "no_access")
_count = [0]  # message views made so far: their headings' ids

# A tool call's (summary in plain words, "Open in Directus" links as (label, url)), from its prepared call.
Describe = Callable[[ToolCallPart], tuple[Optional[str], Sequence[tuple[str, str]]]]


class TextBlock:
    kind = "text"

    def __init__(self) -> None:
        self.stable = h("div", {"class": "md-stable"})
        self.tail = h("div", {"class": "md-tail"})
        self.el = h("div", {"class": "markdown"}, self.stable, self.tail)
        self.stream = MarkdownStream()
        self.shown: Optional[str] = None

    def update(self, part: TextPart) -> None:
        if part.text == self.shown:
            return
        self.shown = part.text
        update = self.stream.update(part.text)
        if update.reset:
            clear(self.stable)
        if update.stable:
            append_trusted_html(self.stable, update.stable)
        set_trusted_html(self.tail, update.tail)


class ReasoningBlock:
    kind = "reasoning"

    def __init__(self) -> None:
        self.body = h("div", {"class": "reasoning-text"})
        self.label = h("summary", None, "Reasoning")
        self.el = h("details", {"class": "reasoning"}, self.label, self.body)
        self.shown: Optional[str] = None

    def update(self, part: ReasoningPart, streaming: bool) -> None:
        label = "Reasoning…" if streaming else "Reasoning"
        text(self.label, label)
        if part.text != self.shown:
            self.shown = part.text
            text(self.body, part.text or "(the provider keeps its reasoning private)")


class ToolBlock:
    kind = "tool_call"

    def __init__(self, part: ToolCallPart) -> None:
        self.card = ToolCard(part.id, part.name)
        self.el = self.card.el


Block = Union[TextBlock, ReasoningBlock, ToolBlock]


class MessageView:
    def __init__(self, message: Message):
        self.id = message.id
        self.role = message.role
        self.parts_el = h("div", {"class": "message-body"})
        self.footer = h("div", {"class": "message-footer"})
        _count[0] += 1
        heading = "message-heading-%d" % _count[0]  # (message ids come from storage and imports: not used as ids)
        self.el = h(
            "article",
            {"class": "message " + message.role, "data-id": message.id, "aria-labelledby": heading},
            h("h2", {"class": "visually-hidden", "id": heading}, "You said" if message.role == "user" else "Assistant"),
            self.parts_el,
            self.footer,
        )
        self.blocks: list[Block] = []
        self._footer_state: tuple = ()
        self._user_state: Optional[tuple] = None

    def update(self, message: Message, ctx: RenderContext) -> None:
        if message.role == "user":
            files = message.files
            state = (
                message.text,
                tuple((f.sha256, f.name, ctx.file_kept(f.sha256)) for f in files),
                tuple(p.item for p in message.pinned),
                ctx.directus_url if message.pinned else "",
            )
            if state != self._user_state:
                self._user_state = state
                clear(self.parts_el)
                if message.text or not files:
                    self.parts_el.appendChild(h("div", {"class": "user-text"}, message.text))
                if message.pinned:
                    from app.web.views.context_chips import pinned_chips

                    self.parts_el.appendChild(pinned_chips(message.pinned, ctx.directus_url))
                if files:
                    from app.web.views.attachments import sent_chips

                    self.parts_el.appendChild(sent_chips(files, ctx.file_kept))
            editable = ctx.can_edit and ctx.is_last_user
            position = version_position(message)
            self._set_footer(
                ("user", editable, position, ctx.can_edit),
                lambda: _user_footer(message.id, editable, position, ctx.can_edit),
            )
            return
        streaming = message.status == "streaming"
        for index, part in enumerate(message.parts):
            block = self.blocks[index] if index < len(self.blocks) else None
            kind = part.kind
            if block is None or block.kind != kind:
                block = self._new_block(part)
                if index < len(self.blocks):
                    self.parts_el.replaceChild(block.el, self.blocks[index].el)
                    self.blocks[index] = block
                else:
                    self.blocks.append(block)
                    self.parts_el.appendChild(block.el)
            if isinstance(part, TextPart) and isinstance(block, TextBlock):
                block.update(part)
            elif isinstance(part, ReasoningPart) and isinstance(block, ReasoningBlock):
                block.update(part, streaming and index == len(message.parts) - 1)
            elif isinstance(part, ToolCallPart) and isinstance(block, ToolBlock):
                status = ctx.tool_status(message, part, streaming and index == len(message.parts) - 1)
                summary, links = ctx.describe(part, status)
                block.card.update(part, ctx.results.get(part.id), status, summary, links, not ctx.busy)
        while len(self.blocks) > len(message.parts):
            self.blocks.pop().el.remove()
        set_attr(self.el, "data-status", message.status)
        set_attr(self.el, "aria-busy", "true" if streaming else None)  # read once it is complete, not token by token
        self._footer(message, ctx)

    def _new_block(self, part: Part) -> Block:
        if isinstance(part, TextPart):
            return TextBlock()
        if isinstance(part, ReasoningPart):
            return ReasoningBlock()
        if isinstance(part, ToolCallPart):
            return ToolBlock(part)
        raise ValueError("a tool result is shown on its call's card, not as a part of its own")

    def _footer(self, message: Message, ctx: RenderContext) -> None:
        last = ctx.is_last_assistant
        usage = message.usage
        attempts = tuple(ctx.usage_text(m) for m in ctx.earlier.get(message.id, ()) if m.usage is not None)
        state = (
            message.status,
            message.error.message if message.error else None,
            last and not ctx.busy,
            (usage.input_tokens, usage.output_tokens) if usage else None,
            message.finish_reason,
            attempts,
        )

        def build() -> list:
            items: list = []
            if message.status == "stopped":
                items.append(h("span", {"class": "badge"}, "Stopped"))
            if message.finish_reason == "length":
                items.append(h("span", {"class": "badge warn"}, "Cut off at the output limit"))
            if message.status == "error" and message.error is not None:
                box = h("div", {"class": "message-error", "role": "alert"}, h("p", None, message.error.message))
                if last and not ctx.busy:
                    box.appendChild(h("button", {"type": "button", "data-action": "retry"}, "Retry"))
                if message.error.kind in KEY_ERRORS:  # the fix is in the settings: one click away
                    box.appendChild(
                        h(
                            "button",
                            {
                                "type": "button",
                                "class": "link",
                                "data-action": "settings-key",
                                "data-id": message.model or "",
                            },
                            "Open Settings",
                        )
                    )
                items.append(box)
            elif last and not ctx.busy and message.status in ("done", "stopped"):
                items.append(
                    h(
                        "button",
                        {"type": "button", "class": "link", "data-action": "regenerate", "aria-label": "Regenerate"},
                        "↻ Regenerate",
                    )
                )
            if usage is not None and (usage.input_tokens or usage.output_tokens):
                items.append(h("span", {"class": "usage"}, ctx.usage_text(message)))
            if attempts:  # what the failed attempts before it cost (Retry): counted here and in the totals
                items.append(h("span", {"class": "usage"}, "+ failed before it: " + "; ".join(attempts)))
            return items

        self._set_footer(state, build)

    def _set_footer(self, state: tuple, build: Callable[[], list]) -> None:
        if state == self._footer_state:
            return
        self._footer_state = state
        replace_keeping_focus(self.footer, build())


def _user_footer(message_id: str, editable: bool, position: tuple[int, int], can_switch: bool) -> list:
    items = []
    shown, count = position
    if count > 1:  # "‹ 2 / 3 ›": the versions an edit or a regenerate kept (app/chat/versions.py)

        def step(to: int, label: str, sign: str) -> Element:
            return h(
                "button",
                {
                    "type": "button",
                    "class": "link",
                    "data-action": "version",
                    "data-id": message_id,
                    "data-to": str(to - 1),
                    "aria-label": label,
                    "disabled": not (can_switch and 1 <= to <= count),
                },
                sign,
            )

        items.append(
            h(
                "span",
                {"class": "versions", "role": "group", "aria-label": "Versions"},
                step(shown - 1, "Previous version", "‹"),
                h("span", {"class": "version-count"}, "%d / %d" % (shown, count)),
                step(shown + 1, "Next version", "›"),
            )
        )
    if editable:
        items.append(
            h("button", {"type": "button", "class": "link", "data-action": "edit", "data-id": message_id}, "Edit")
        )
    return items


class RenderContext:
    """What a message needs to know beyond itself: results of its calls, approvals, running tools, position."""

    def __init__(
        self,
        results: dict[str, ToolResultPart],
        pending: set[str],
        running: set[str],
        busy: bool,
        describe: Describe,
        usage_text: Callable[[Message], str],
    ):
        self.results = results
        self.pending = pending
        self.running = running
        self.busy = busy
        self._describe = describe
        self.usage_text = usage_text
        self.is_last_assistant = False
        self.is_last_user = False
        self.can_edit = not busy
        self.file_kept: Callable[[str], Optional[bool]] = lambda sha: True  # attachments (app/pending_files.py)
        self.directus_url = ""  # the connected Directus: pinned items' links (views/context_chips.py)
        self.earlier: dict[str, list[Message]] = {}  # an answer's failed attempts before it (views/conversation.py)

    def tool_status(self, message: Message, call: ToolCallPart, arguments_streaming: bool) -> str:
        result = self.results.get(call.id)
        if result is not None:
            return {"ok": "done"}.get(result.status, result.status)
        if call.id in self.pending:
            return "approval"
        if call.id in self.running:
            return "running"
        if message.status == "streaming":
            return "streaming" if arguments_streaming else "waiting"
        if message.status == "stopped":
            return "stopped"
        return "waiting"

    def describe(self, call: ToolCallPart, status: str) -> tuple[Optional[str], Sequence[tuple[str, str]]]:
        """(summary in plain words, "Open in Directus" links) of a call; nothing while its arguments stream in."""
        if status == "streaming":
            return None, []
        return self._describe(call)
