"""The composer: Enter sends, Shift+Enter adds a line; Send becomes Stop while a turn runs. While an approval waits
the box stays usable (the user may write the next question) but nothing is sent: the controller says to decide
first. Its text is never cleared unless the message was taken."""

from __future__ import annotations

from app.web.dom import Element, set_attr, text


class Composer:
    def __init__(self, form: Element, textarea: Element, button: Element):
        self.form, self.textarea, self.button = form, textarea, button
        self.mode = "send"
        self.editing = False

    def render(self, busy: bool, waiting: bool) -> None:
        """`waiting`: an approval waits (the box stays enabled: a card never takes the typing, see views/approvals.py)."""
        mode = "stop" if busy else "send"
        if mode != self.mode:
            self.mode = mode
            text(self.button, "Stop" if busy else "Send")
            set_attr(self.button, "data-mode", mode)
        self.button.disabled = False  # Stop stays available while an approval waits
        placeholder = "Approval waiting (Alt+A)" if waiting else ("Edit your message" if self.editing else "Message")
        if self.textarea.placeholder != placeholder:
            self.textarea.placeholder = placeholder

    @property
    def value(self) -> str:
        return str(self.textarea.value)

    def set_value(self, value: str) -> None:
        self.textarea.value = value
        self.autosize()

    def autosize(self) -> None:
        ta = self.textarea
        ta.style.height = "auto"
        ta.style.height = "%dpx" % min(int(ta.scrollHeight) + 2, 240)
