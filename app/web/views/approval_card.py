"""The approval prompt: what will happen in plain words, the arguments, and Approve / Deny / Always allow.

It sits right above the composer (which is locked while it shows), takes the keyboard focus when it
appears, and Esc denies. Several pending calls get one card each. The buttons carry data-action and
data-id (the call id); the controller turns a click into `assistant.decide(...)`.
"""

from __future__ import annotations

from typing import Any

from app.web.dom import h
from app.web.views.tool_card import pretty


def approval_card(pending: Any) -> Any:
    call, preview = pending.call, pending.preview
    call_id = call.id
    flags = []
    if getattr(preview, "destructive", False):
        flags.append(h("span", {"class": "flag danger"}, "Deletes data"))
    if getattr(preview, "bulk", False):
        flags.append(h("span", {"class": "flag warn"}, "Bulk change"))
    if getattr(preview, "read_only", False):
        flags.append(h("span", {"class": "flag"}, "Read only"))
    title_id = "approval-title-" + call_id
    return h(
        "section",
        {"class": "approval-card", "role": "group", "aria-labelledby": title_id, "data-id": call_id},
        h("p", {"class": "approval-kicker"}, "The assistant wants to run ", h("code", None, call.name), *flags),
        h("h2", {"class": "approval-summary", "id": title_id}, preview.summary or ("Run " + call.name)),
        h("details", {"class": "approval-args", "open": True},
          h("summary", None, "Arguments"), h("pre", None, pretty(call.arguments))),
        h("div", {"class": "approval-actions"},
          h("button", {"type": "button", "class": "primary", "data-action": "approve", "data-id": call_id}, "Approve"),
          h("button", {"type": "button", "data-action": "deny", "data-id": call_id, "aria-keyshortcuts": "Escape",
                       "title": "Deny (Esc)"}, "Deny"),
          h("button", {"type": "button", "class": "ghost", "data-action": "always", "data-id": call_id,
                       "title": "Approve, and run %s without asking from now on (change it in Settings → Tools)" % call.name},
            "Always allow")),
    )
