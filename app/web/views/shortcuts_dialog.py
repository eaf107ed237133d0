"""The "Keyboard shortcuts" dialog (`?`, or the button under the conversation list): every shortcut in words, and
the switch that turns the single-key ones off (WCAG 2.1.4: a screen reader's or a speech tool's own keys must not
set them off by accident). Alt+A and Esc are not single keys and always work.

    dialog = ShortcutsDialog(by_id("shortcuts-dialog"), on_switch)   # on_switch(enabled) when the box changes
    dialog.open(enabled)
"""

from __future__ import annotations

from typing import Callable, Sequence

from app.web.dom import Element, Event, h, listen

# (keys as shown, what they do); the single keys work only when the focus is not in a field, and none approves.
KEYS: Sequence[tuple[Sequence[str], str]] = (
    (("?",), "Show this list"),
    (("n",), "New conversation"),
    (("m",), "Go to the message box"),
    (("/",), "Search conversations"),
    (("j",), "Next conversation"),
    (("k",), "Previous conversation"),
    (("s",), "Stop the answer"),
    (("a",), "Go to the waiting approval (it is never approved by a key: Tab to its buttons)"),
    (("Alt", "A"), "Go to the waiting approval, also from the message box"),
    (("Esc",), "Deny the approval card you are in; close a dialog or the conversation list"),
    (("Enter",), "Send (in the message box; Shift+Enter for a new line)"),
)


class ShortcutsDialog:
    def __init__(self, dialog: Element, on_switch: Callable[[bool], None]):
        self.dialog = dialog
        self.on_switch = on_switch
        self.switch = h("input", {"type": "checkbox", "id": "single-key-shortcuts"})
        rows = [
            h(
                "div",
                {"class": "shortcut"},
                h("dt", None, *_keys(keys)),
                h("dd", None, what),
            )
            for keys, what in KEYS
        ]
        self.close_button = h("button", {"type": "button", "class": "primary"}, "Close")
        dialog.replaceChildren(
            h(
                "div",
                {"class": "dialog-head"},
                h("h2", {"id": "shortcuts-title"}, "Keyboard shortcuts"),
            ),
            h(
                "div",
                {"class": "dialog-body"},
                h(
                    "p",
                    {"class": "hint"},
                    "Single keys work when the focus is not in a text field. No key approves a tool call.",
                ),
                h("dl", {"class": "shortcut-list"}, *rows),
                h(
                    "p",
                    {"class": "field check"},
                    self.switch,
                    h("label", {"for": "single-key-shortcuts"}, "Single-key shortcuts (n, m, /, j, k, s, a, ?)"),
                ),
            ),
            h("div", {"class": "dialog-foot"}, self.close_button),
        )
        dialog.setAttribute("aria-labelledby", "shortcuts-title")
        listen(self.close_button, "click", lambda e: self.dialog.close())
        listen(self.switch, "change", self._on_change)

    def open(self, enabled: bool) -> None:
        self.switch.checked = enabled
        self.dialog.showModal()
        self.close_button.focus()

    def _on_change(self, event: Event) -> None:
        self.on_switch(bool(self.switch.checked))


def _keys(keys: Sequence[str]) -> list:
    out: list = []
    for i, key in enumerate(keys):
        if i:
            out.append("+")
        out.append(h("kbd", None, key))
    return out
