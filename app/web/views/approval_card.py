"""The approval prompt: what will happen in plain words, the arguments, and Approve / Deny / Always allow.
It shows the pending call as the tools prepared it (`pending.preview`: summary and flags), parsing nothing.

It sits right above the composer (which is locked while it shows), takes the keyboard focus when it
appears, and Esc denies. For an update it shows, once read, each value that will change: now → after
(app/directus/changes.py; `show_changes`). Several pending calls get one card each. The buttons carry
data-action and data-id (the call id); the controller turns a click into `assistant.decide(...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from app.web.dom import Element, h
from app.web.views.tool_card import pretty

if TYPE_CHECKING:
    from app.chat.approvals import PendingApproval
    from app.directus.changes import Change


def approval_card(pending: PendingApproval) -> Element:
    call, preview = pending.call, pending.preview
    call_id = call.id
    flags = []
    if preview.destructive:
        flags.append(h("span", {"class": "flag danger"}, "Deletes data"))
    if preview.bulk:
        flags.append(h("span", {"class": "flag warn"}, "Bulk change"))
    if preview.read_only:
        flags.append(h("span", {"class": "flag"}, "Read only"))
    title_id = "approval-title-" + call_id
    return h(
        "section",
        {"class": "approval-card", "role": "group", "aria-labelledby": title_id, "data-id": call_id},
        h("p", {"class": "approval-kicker"}, "The assistant wants to run ", h("code", None, call.name), *flags),
        h("h2", {"class": "approval-summary", "id": title_id}, preview.summary or ("Run " + call.name)),
        h("div", {"class": "approval-changes", "hidden": True}),
        h(
            "details",
            {"class": "approval-args", "open": True},
            h("summary", None, "Arguments"),
            h("pre", None, pretty(call.arguments)),
        ),
        h(
            "div",
            {"class": "approval-actions"},
            h(
                "button",
                {"type": "button", "class": "primary", "data-action": "approve", "data-id": call_id},
                "Approve",
            ),
            h(
                "button",
                {
                    "type": "button",
                    "data-action": "deny",
                    "data-id": call_id,
                    "aria-keyshortcuts": "Escape",
                    "title": "Deny (Esc)",
                },
                "Deny",
            ),
            h(
                "button",
                {
                    "type": "button",
                    "class": "ghost",
                    "data-action": "always",
                    "data-id": call_id,
                    "title": "Approve, and run %s without asking from now on (change it in Settings → Tools)"
                    % call.name,
                },
                "Always allow",
            ),
        ),
    )


def show_changes(card: Element, changes: Sequence[Change]) -> None:
    """Fill the card's "What changes" list once the current values are read (text only: they are Directus content)."""
    box = card.querySelector(".approval-changes")
    if not changes or not hasattr(box, "hasAttribute") or box.hasAttribute("data-filled"):
        return
    rows = [
        h(
            "li",
            None,
            h("span", {"class": "change-what"}, "%s · %s: " % (c.what, c.field)),
            h("del", None, c.before),
            " → ",
            h("ins", None, c.after),
        )
        for c in changes
    ]
    box.replaceChildren(h("p", {"class": "change-title"}, "What changes (now → after)"), h("ul", None, *rows))
    box.setAttribute("data-filled", "")
    box.hidden = False
    card.querySelector(".approval-args").open = False  # the changes say it more plainly; keep the buttons in view
