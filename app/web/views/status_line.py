"""The header's honest status: the Directus connection badge (a status region, so connecting, connected, failing and
an expired session are announced) with "Sign in again" when the session expired (a failed connection's message is
the badge's title and the Settings line), and, next to the model picker,
what keeps the selected model from answering (a rejected key, no credits, a model that is gone), with the way to fix
it. Both say what happened and what to do; both are drawn only when what they say changed.

    render_connection(badge, sign_in_button, connection)
    render_provider_status(element, selected_model, conversation)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from app.web.dom import Element, h, replace_keeping_focus, set_attr, text

if TYPE_CHECKING:
    from app.chat.model import Conversation
    from app.connection import Connection

EXPIRED = "Directus: session expired: sign in again"

# What a failed answer's error kind means for the next message to this model, in a few words (app/chat/model.py).
BLOCKING = {
    "no_key": "No API key for this model.",
    "bad_key": "The provider rejected the API key.",
    "billing": "The provider's account is out of credits or quota.",
    "no_access": "This key may not use this model.",
    "model_not_found": "This model is not available (unknown or retired).",
    "network": "The provider cannot be reached.",
}


def render_connection(badge: Element, sign_in: Element, c: Connection) -> None:
    user = c.user
    who = "%s · %s" % (user.display_name, "admin" if user.admin else (user.role_name or "user")) if user else ""
    labels = {
        "off": "Directus: not connected",
        "connecting": "Directus: connecting…",
        "connected": who,
        "error": "Directus: connection failed (see Settings)",
        "expired": EXPIRED,
    }
    label = labels.get(c.status, c.status)
    if c.status == "connected":  # "Ada Lovelace · admin" on screen; what it is about for a screen reader
        state: tuple = (c.status, who)
        if badge.getAttribute("data-label") != repr(state):
            badge.replaceChildren(h("span", {"class": "visually-hidden"}, "Directus connected: "), who)
            badge.setAttribute("data-label", repr(state))
    else:
        badge.removeAttribute("data-label")
        text(badge, label)
    badge.setAttribute("data-status", c.status)
    badge.setAttribute("title", ("Signed in to %s as %s" % (c.url, c.who)) if user else (c.message or ""))
    sign_in.hidden = c.status != "expired"


def render_provider_status(el: Element, selected: Optional[str], conversation: Conversation) -> None:
    """What blocks sending to the selected model: the error of the conversation's last answer, when it came from
    that model and will come again (a key, credits, access, the model, the network); hidden otherwise."""
    last = next((m for m in reversed(conversation.messages) if m.role == "assistant"), None)
    error = last.error if last is not None and last.status == "error" else None
    what = BLOCKING.get(error.kind) if error is not None and last is not None and last.model == selected else None
    state = repr((what, selected))
    if el.getAttribute("data-state") == state:
        return
    el.setAttribute("data-state", state)
    el.hidden = what is None
    if what is None:
        el.replaceChildren()
        return
    fix = "Check the connection, then Retry." if error is not None and error.kind == "network" else None
    button = (
        None
        if fix
        else h(
            "button",
            {"type": "button", "class": "link", "data-action": "settings-key", "data-id": selected},
            "Fix in Settings",
        )
    )
    replace_keeping_focus(el, [h("span", None, what + (" " + fix if fix else " ")), *([button] if button else [])])
    set_attr(el, "title", error.message if error is not None else None)
