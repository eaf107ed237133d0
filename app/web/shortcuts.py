"""The page's keyboard: shortcuts that move the focus or start something, never one that approves.

    shortcuts = Shortcuts(controller, by_id("shortcuts-dialog"))
    listen(document, "keydown", shortcuts.on_key)

- Alt+A (by code: on a Mac, Alt+A types "å") goes to the first waiting approval card, from anywhere, the message box
  included; Esc denies the card the focus is in (once it is armed: app/web/views/approvals.py), cancels an edit of
  the last message, or closes the narrow layout's conversation list.
- Single keys (app/web/views/shortcuts_dialog.py KEYS: n, m, /, j, k, s, a, ?) only while the focus is not in a field
  (an input, a text area, a select, an editable element), never with Ctrl, Alt or Meta, never while a dialog is
  open; they can be turned off in the "Keyboard shortcuts" dialog (kept in localStorage `da.shortcuts`).
- None of them approves: "a" and Alt+A only put the focus on a card's region; its buttons are reached with Tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from js import document, localStorage, window

from app.web.dom import Event, by_id
from app.web.views.shortcuts_dialog import ShortcutsDialog

if TYPE_CHECKING:
    from app.web.controller import Controller
    from app.web.dom import Element

STORAGE_KEY = "da.shortcuts"  # "off" when the user turned the single-key shortcuts off
FIELDS = ("INPUT", "TEXTAREA", "SELECT")
NARROW = "(max-width: 820px)"  # static/app.css: the conversation list is a drawer below this width


def _typing(target: Element) -> bool:
    return bool(getattr(target, "isContentEditable", False)) or str(getattr(target, "tagName", "")) in FIELDS


class Shortcuts:
    def __init__(self, controller: Controller, dialog: Element):
        self.c = controller
        self.dialog = ShortcutsDialog(dialog, self._switch)
        self.keys: dict[str, Callable[[], object]] = {
            "?": self.open,
            "n": controller.new_conversation,
            "m": lambda: controller.composer.textarea.focus(),
            "/": self._search,
            "j": lambda: self._step(1),
            "k": lambda: self._step(-1),
            "s": self._stop,
            "a": controller.approvals.focus_first,
        }

    @property
    def enabled(self) -> bool:
        try:
            return localStorage.getItem(STORAGE_KEY) != "off"
        except Exception:  # noqa: BLE001 - storage blocked: the default
            return True

    def open(self) -> None:
        self.dialog.open(self.enabled)

    def _switch(self, enabled: bool) -> None:
        try:
            if enabled:
                localStorage.removeItem(STORAGE_KEY)
            else:
                localStorage.setItem(STORAGE_KEY, "off")
        except Exception:  # noqa: BLE001 - storage blocked: the choice lasts until the page is closed
            pass

    # ----- keys -----------------------------------------------------------------------------------------------

    def on_key(self, event: Event) -> None:
        if document.querySelectorAll("dialog[open]").length:
            return  # a dialog has the keyboard (Esc closes it)
        if event.code == "KeyA" and event.altKey and not (event.ctrlKey or event.metaKey or event.shiftKey):
            if self.c.approvals.focus_first():
                event.preventDefault()
            return
        if event.key == "Escape":
            self._escape(event)
            return
        if event.ctrlKey or event.metaKey or event.altKey or event.isComposing or _typing(event.target):
            return
        action = self.keys.get(str(event.key))
        if action is not None and self.enabled:
            event.preventDefault()
            action()

    def _escape(self, event: Event) -> None:
        c = self.c
        in_card = c.approvals.card_with_focus()
        if in_card:  # Esc denies the card the user is in, once it may be decided; elsewhere it decides nothing
            event.preventDefault()
            c.decide(in_card, "deny")
        elif c.composer.editing:
            c.composer.editing = False
            c.composer.set_value("")
            c.composer.render(c.assistant.busy, bool(c.assistant.pending))
        elif document.body.classList.contains("sidebar-open"):
            document.body.classList.remove("sidebar-open")
            by_id("sidebar-toggle").focus()

    def _search(self) -> None:
        if window.matchMedia(NARROW).matches:  # the narrow layout hides the list until it is opened
            document.body.classList.add("sidebar-open")
        by_id("conversation-search").focus()

    def _stop(self) -> None:
        if self.c.assistant.busy:
            self.c.assistant.stop()

    def _step(self, by: int) -> None:
        """Open the next (1) or previous (-1) conversation of the list as shown (search results included)."""
        ids = [str(b.getAttribute("data-id")) for b in document.querySelectorAll("#conversation-list .conv-open")]
        if not ids:
            return
        current = self.c.assistant.conversation.id
        at = ids.index(current) + by if current in ids else (0 if by > 0 else len(ids) - 1)
        if 0 <= at < len(ids):
            self.c.conversations.open(ids[at])
            self.c.announce("Opened %s." % (self.c.conversations.title_of(ids[at]) or "a conversation"))
