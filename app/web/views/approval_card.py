"""The approval prompt: what will happen in plain words, the arguments, and Approve / Deny / Always allow.
It shows the pending call as the tools prepared it (`pending.preview`: summary and flags), parsing nothing.

A card is built with its buttons disabled: app/web/views/approvals.py arms them a moment after the card appears,
so that a key or click meant for something else (a space typed in the next question) cannot decide it. The card is
a region that can take the focus (tabindex=-1) and names its keys: Alt+A brings the focus to the first waiting card,
Esc denies the card that has the focus.

"Always allow" says exactly what stops asking: the tool and the action the user sees ("Always allow items: read");
it is not offered for a call that asks whatever is allowed (a delete, a bulk write, an import from a URL), where
it would promise what it cannot keep. For an update it shows, once read, each value that will change: now → after
(app/directus/changes.py; `show_changes`). Several pending calls get one card each. The buttons carry data-action
and data-id (the call id); the controller turns a click into `assistant.decide(...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from app.chat.approvals import always_scope, describe_scope
from app.web.dom import Element, h
from app.web.views.tool_card import pretty

if TYPE_CHECKING:
    from app.chat.approvals import ApprovalPolicy, PendingApproval
    from app.chat.tools import CallPreview
    from app.directus.changes import Change

SHORTCUT = "Alt+A"  # focuses the first waiting card (app/web/views/approvals.py)


def always_offered(tool: str, preview: CallPreview, policy: ApprovalPolicy) -> str:
    """The scope the card's "Always allow" adds ("items:read"), or "" when the card offers none: the call asks
    whatever is allowed (an import from a URL; a delete, a blanking update or a bulk write while deletes and bulk
    writes always ask), so the button would promise what it cannot keep."""
    offered = always_scope(tool, preview)
    if offered is None or (
        policy.confirm_destructive and not preview.read_only and (preview.destructive or preview.bulk)
    ):
        return ""
    return offered


def always_button(call_id: str, offered: str, policy: ApprovalPolicy) -> Element:
    what = describe_scope(offered)
    return h(
        "button",
        {
            "type": "button",
            "class": "ghost",
            "data-action": "always",
            "data-id": call_id,
            "disabled": True,
            "title": "Approve, and from now on run %s without asking (only that: the tool's other actions still ask). "
            "%s Remove it in Settings → Tools." % (what, policy.still_asks()),
        },
        "Always allow " + what,
    )


def approval_card(pending: PendingApproval, policy: ApprovalPolicy) -> Element:
    call, preview = pending.call, pending.preview
    offered = always_offered(call.name, preview, policy)
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
        {
            "class": "approval-card",
            "role": "region",
            "aria-labelledby": title_id,
            "tabindex": "-1",  # Alt+A (or a focus with nowhere else to go) lands here, never on a button
            "data-id": call_id,
        },
        h("p", {"class": "approval-kicker"}, "The assistant wants to run ", h("code", None, call.name), *flags),
        h("h2", {"class": "approval-summary", "id": title_id}, preview.summary or ("Run " + call.name)),
        h("div", {"class": "approval-changes", "hidden": True}),
        h(
            "details",
            {"class": "approval-args", "open": True},
            h("summary", None, "Arguments"),
            h("pre", {"tabindex": "0", "role": "region", "aria-label": "Arguments"}, pretty(call.arguments)),
        ),
        h(
            "div",
            {"class": "approval-actions"},
            h(
                "button",
                {"type": "button", "class": "primary", "data-action": "approve", "data-id": call_id, "disabled": True},
                "Approve",
            ),
            h(
                "button",
                {
                    "type": "button",
                    "data-action": "deny",
                    "data-id": call_id,
                    "disabled": True,
                    "aria-keyshortcuts": "Escape",
                    "title": "Deny (Esc)",
                },
                "Deny",
            ),
            always_button(call_id, offered, policy) if offered else None,
        ),
        h(
            "p",
            {"class": "approval-keys"},
            h("kbd", None, SHORTCUT),
            " goes to the first waiting approval · ",
            h("kbd", None, "Esc"),
            " denies the one you are in",
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
