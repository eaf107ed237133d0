"""Questions to the user in a <dialog> of the page, instead of the browser's confirm() and prompt(): those are
blocked in sandboxed frames (an app embedded in a Directus panel, say), where they answer "no" without
showing anything, and they freeze the page while open.

    ask.confirm('Delete "Notes"? This cannot be undone.', "Delete", on_ok, danger=True)
    ask.prompt("Rename the conversation", "Title", "Notes", "Rename", on_ok)   # on_ok gets the text

Esc or Cancel closes it without calling `on_ok`. Text only (textContent): the question may quote a title.
"""

from __future__ import annotations

from typing import Callable, Optional

from app.web.dom import Element, Event, h, listen, text


class AskDialog:
    def __init__(self, dialog: Element):
        self.dialog = dialog
        self.question = h("p", {"id": "ask-text", "class": "ask-text"})
        self.input = h("input", {"id": "ask-input", "type": "text", "autocomplete": "off", "spellcheck": "false"})
        self.label = h("label", {"for": "ask-input"})
        self.field = h("div", {"class": "field"}, self.label, self.input)
        self.ok = h("button", {"type": "submit", "class": "primary", "value": "ok"})
        self.cancel = h("button", {"type": "button"}, "Cancel")  # not a submit button: Enter must mean OK
        self.form = h(
            "form",
            {"method": "dialog", "class": "ask-form"},
            self.question,
            self.field,
            h("div", {"class": "dialog-foot"}, self.cancel, self.ok),
        )
        dialog.replaceChildren(self.form)
        dialog.setAttribute("aria-labelledby", "ask-text")
        self._on_ok: Optional[Callable[[str], object]] = None
        listen(dialog, "close", self._closed)
        listen(self.cancel, "click", lambda event: dialog.close("cancel"))

    def confirm(self, question: str, ok_label: str, on_ok: Callable[[], object], *, danger: bool = False) -> None:
        self._open(question, ok_label, lambda _value: on_ok(), None, "", danger)

    def prompt(self, question: str, label: str, value: str, ok_label: str, on_ok: Callable[[str], object]) -> None:
        self._open(question, ok_label, on_ok, label, value, False)

    def _open(
        self,
        question: str,
        ok_label: str,
        on_ok: Callable[[str], object],
        label: Optional[str],
        value: str,
        danger: bool,
    ) -> None:
        if self.dialog.open:
            self.dialog.close("cancel")
        text(self.question, question)
        text(self.ok, ok_label)
        self.ok.className = "danger-button" if danger else "primary"
        self.field.hidden = label is None
        self.input.required = label is not None
        text(self.label, label or "")
        self.input.value = value
        self.dialog.returnValue = ""
        self._on_ok = on_ok
        self.dialog.showModal()
        if label is not None:
            self.input.focus()
            self.input.select()
        else:
            self.ok.focus()

    def _closed(self, event: Event) -> None:
        on_ok, self._on_ok = self._on_ok, None
        if on_ok is not None and str(self.dialog.returnValue) == "ok":
            on_ok(str(self.input.value))
