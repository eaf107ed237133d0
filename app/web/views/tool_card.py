"""A tool call in the conversation: tool name, what it does in plain words, its arguments, status and result,
links to what it touches in Directus's own app, and Undo for a write that can be undone (app/directus/undo.py).
The summary and the links are given (they come from the prepared call: app/directus/prepared.py); the card only
shows them.

The result is collapsed; an error is open. Text only (textContent): a result holds Directus content, which
is untrusted.

For a screen reader the card is a group named after its tool, what it does and its status ("Tool items, Read
article 3: Done"); its result's disclosure is named with the start of the result, so both are found by role and
name without opening anything. An error shows the user's words first (Directus's own text and what the model was
told to do come after, labelled as such: app/directus/registry.py error_body).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional, Sequence

from app.json_depth import load_json
from app.web.dom import clear, h, set_attr, text

if TYPE_CHECKING:
    from app.chat.model import ToolCallPart, ToolResultPart
    from app.web.views.chart import ChartView

STATUS_LABELS = {
    "streaming": "Preparing…",
    "waiting": "Queued",
    "approval": "Awaiting approval",
    "running": "Running…",
    "done": "Done",
    "error": "Failed",
    "denied": "Denied",
    "stopped": "Stopped",
}
MAX_SHOWN = 20_000  # characters of a result shown; the model got its own (fitted) copy
NAMED = 120  # characters of a result in its disclosure's accessible name


def pretty(raw: str) -> str:
    """JSON text indented for reading; anything else as it is."""
    try:
        value = load_json(raw) if raw.strip() else {}
    except ValueError:  # not JSON, or nested too deeply (app/json_depth.py)
        return raw
    shown = json.dumps(value, indent=2, ensure_ascii=False)
    return (
        shown
        if len(shown) <= MAX_SHOWN
        else shown[:MAX_SHOWN] + "\n… (%s more characters)" % format(len(shown) - MAX_SHOWN, ",")
    )


class ToolCard:
    def __init__(self, call_id: str, name: str):
        self.status_el = h("span", {"class": "tool-status"})
        self.summary_el = h("span", {"class": "tool-summary"})
        # (each <pre> scrolls when long: focusable, so that a keyboard can scroll it)
        self.args_pre = h("pre", {"class": "tool-args", "tabindex": "0", "role": "region", "aria-label": "Arguments"})
        self.args = h("details", {"class": "tool-section"}, h("summary", None, "Arguments"), self.args_pre)
        self.result_pre = h("pre", {"class": "tool-result", "tabindex": "0", "role": "region", "aria-label": "Result"})
        self.result_label = h("summary", None, "Result")
        self.result = h("details", {"class": "tool-section", "hidden": True}, self.result_label, self.result_pre)
        self.undo_el = h("div", {"class": "tool-undo", "hidden": True})
        self.shown_el = h("div", {"class": "tool-shown", "hidden": True})  # a chart, or a result's table
        self.shown: Optional[ChartView] = None
        self.links_el = h("div", {"class": "tool-links", "hidden": True})
        self.call_id = call_id
        self.name = name
        self.el = h(
            "div",
            {"class": "tool-card", "data-call": call_id, "role": "group", "aria-label": "Tool " + name},
            h("div", {"class": "tool-head"}, h("code", {"class": "tool-name"}, name), self.summary_el, self.status_el),
            self.args,
            self.result,
            self.shown_el,
            self.links_el,
            self.undo_el,
        )
        self._state: tuple = ()
        self._shown_links: tuple = ()

    def update(
        self,
        call: ToolCallPart,
        result: Optional[ToolResultPart],
        status: str,
        summary: Optional[str],
        links: Sequence[tuple[str, str]] = (),
        can_undo: bool = False,
    ) -> None:
        state = (
            len(call.arguments),
            status,
            summary,
            tuple(links),
            result.content if result is not None else None,
            can_undo,
            id(result.view) if result is not None else None,
        )
        if state == self._state:
            return
        self._state = state
        self._undo(result, can_undo)
        self._links(links)
        set_attr(self.el, "data-status", status)
        label = STATUS_LABELS.get(status, status)
        set_attr(self.el, "aria-label", "Tool %s%s: %s" % (self.name, ", " + summary if summary else "", label))
        text(self.status_el, label)
        text(self.summary_el, summary or "")
        text(self.args_pre, pretty(call.arguments) if status != "streaming" else call.arguments)
        if result is None:
            self.result.hidden = True
            return
        self.result.hidden = False
        failed = result.status != "ok"
        heading = "Result" if not failed else ("Error" if result.status == "error" else STATUS_LABELS[result.status])
        shown = _result_text(result.content, failed)
        text(self.result_label, heading)
        set_attr(self.result, "aria-label", "%s: %s" % (heading, _short(shown)))
        text(self.result_pre, shown)
        self._shown(call, result)
        if failed and not self.result.hasAttribute("data-seen"):
            self.result.open = True  # errors open, once (the user may close it)
            self.result.setAttribute("data-seen", "")

    def _shown(self, call: ToolCallPart, result: ToolResultPart) -> None:
        """A chart drawn from the call's view; or an items read's rows as a sortable table (with a CSV)."""
        from app.directus.tools.visualize import read_view

        view = read_view(result.view) if result.status == "ok" else None
        if view is not None:
            from app.directus.tools.dashboard import panel_problem
            from app.web.views.chart import ChartView

            if self.shown is None:
                self.shown = ChartView(self.call_id)
                self.shown_el.replaceChildren(self.shown.el)
            self.shown_el.hidden = False
            self.shown.update(view, panel_problem(view))
            return
        if call.name != "items" or result.status != "ok" or self.shown_el.hasChildNodes():
            return
        from app.chart_results import result_table

        table = result_table(result.content)
        if table is not None and len(table[0]) > 1:
            from app.web.views.data_table import data_table

            self.shown_el.hidden = False
            self.shown_el.appendChild(
                h(
                    "details",
                    {"class": "tool-section"},
                    h("summary", None, "Table"),
                    data_table(*table, call_id=self.call_id, source="result"),
                )
            )

    def _links(self, links: Sequence[tuple[str, str]]) -> None:
        """Where Directus's own app shows what the call touches (app/directus/links.py): a new tab, no referrer.
        Drawn again only when they change, so a focused link keeps the focus while the call is approved and runs."""
        if tuple(links) == self._shown_links:
            return
        self._shown_links = tuple(links)
        clear(self.links_el)
        self.links_el.hidden = not links
        if links:
            self.links_el.appendChild(h("span", {"class": "muted"}, "Open in Directus:"))
            for label, url in links:
                self.links_el.appendChild(
                    h("a", {"href": url, "target": "_blank", "rel": "noopener noreferrer"}, label)
                )

    def _undo(self, result: Optional[ToolResultPart], can_undo: bool) -> None:
        plan = result.undo if result is not None and result.status == "ok" else None
        clear(self.undo_el)
        if result is None or plan is None or not (can_undo or result.undone):
            self.undo_el.hidden = True
            return
        self.undo_el.hidden = False
        what = str(plan.get("summary") or "Undo this change")
        if result.undone:
            self.undo_el.appendChild(h("span", {"class": "badge"}, "Undone"))
            self.undo_el.appendChild(h("span", {"class": "muted"}, what))
        else:
            self.undo_el.appendChild(
                h(
                    "button",
                    {
                        "type": "button",
                        "class": "link",
                        "data-action": "undo",
                        "data-id": self.call_id,
                        "aria-label": "Undo: " + what,
                        "title": what,
                    },
                    "↶ Undo",
                )
            )


def _short(shown: str) -> str:
    one_line = " ".join(shown.split())
    return one_line if len(one_line) <= NAMED else one_line[: NAMED - 1] + "…"


def _result_text(content: str, failed: bool) -> str:
    """What the card shows of a result: for a failure, the user's words first, then what the model read."""
    if failed:
        try:
            error = load_json(content).get("error", {})
            if isinstance(error, dict) and error.get("message"):
                told = error.get("code") not in ("DENIED", "STOPPED")
                return str(error["message"]) + ("\n\nWhat the assistant read:\n" + pretty(content) if told else "")
        except (ValueError, AttributeError):
            pass
    return pretty(content)
