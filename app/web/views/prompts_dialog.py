"""The Prompts dialog: the project's shared prompts (app/directus/prompts.py). Picking one puts its text in the
composer, where the user reads and edits it before sending; a prompt that asks for values asks for them first.

    dialog = PromptsDialog(by_id("prompts-dialog"), on_insert)    # on_insert gets the text
    dialog.open(assistant.prompts)

Text only (textContent): names and texts come from Directus content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from app.web.dom import Element, Event, clear, h, listen, text

if TYPE_CHECKING:
    from app.directus.prompts import Prompt


class PromptsDialog:
    def __init__(self, dialog: Element, on_insert: Callable[[str], None]):
        self.dialog = dialog
        self.on_insert = on_insert
        self.title = h("h2", {"id": "prompts-title"}, "Prompts")
        self.body = h("div", {"class": "prompts-body"})
        dialog.replaceChildren(self.title, self.body)
        dialog.setAttribute("aria-labelledby", "prompts-title")
        self.prompts: list[Prompt] = []
        self._values_for: Optional[Prompt] = None  # the prompt whose values are being asked
        listen(dialog, "click", self._on_click)
        listen(dialog, "submit", self._on_submit)

    def open(self, prompts: list[Prompt]) -> None:
        self.prompts = list(prompts)
        self._show_list()
        self.dialog.showModal()
        self.body.querySelector("button").focus()  # the first prompt (the list always has Cancel)

    def _show_list(self) -> None:
        text(self.title, "Prompts")
        clear(self.body)
        items = [
            h(
                "li",
                None,
                h(
                    "button",
                    {"type": "button", "class": "prompt-choice", "data-index": str(i)},
                    h("strong", None, p.name),
                    h("span", {"class": "muted"}, p.description),
                ),
            )
            for i, p in enumerate(self.prompts)
        ]
        self.body.appendChild(
            h(
                "p",
                {"class": "hint"},
                "Shared in this Directus project. The text goes into the "
                "message box, where you can change it before sending.",
            )
        )
        self.body.appendChild(h("ul", {"class": "prompt-list"}, *items))
        self.body.appendChild(
            h("div", {"class": "dialog-foot"}, h("button", {"type": "button", "data-prompts": "close"}, "Cancel"))
        )

    def _choose(self, prompt: Prompt) -> None:
        asked = prompt.variables()
        if not asked:
            self._insert(prompt.fill({}))
            return
        text(self.title, prompt.name)
        clear(self.body)
        fields = []
        for i, (name, hint) in enumerate(asked):
            field_id = "prompt-var-%d" % i
            fields.append(
                h(
                    "div",
                    {"class": "field"},
                    h("label", {"for": field_id}, hint or name),
                    h("input", {"id": field_id, "type": "text", "name": name, "autocomplete": "off"}),
                )
            )
        self._values_for = prompt
        self.body.appendChild(
            h(
                "form",
                {"class": "prompt-values"},
                *fields,
                h(
                    "div",
                    {"class": "dialog-foot"},
                    h("button", {"type": "button", "data-prompts": "back"}, "Back"),
                    h("button", {"type": "submit", "class": "primary"}, "Insert"),
                ),
            )
        )
        self.body.querySelector("input").focus()

    def _insert(self, rendered: str) -> None:
        self.dialog.close()
        self.on_insert(rendered)

    def _on_click(self, event: Event) -> None:
        target: Element = event.target.closest("button") if hasattr(event.target, "closest") else None
        if not hasattr(target, "hasAttribute"):  # not on a button: closest() gave JS null (not None here)
            return
        if target.hasAttribute("data-index"):
            self._choose(self.prompts[int(str(target.getAttribute("data-index")))])
        elif target.hasAttribute("data-prompts"):
            if str(target.getAttribute("data-prompts")) == "back":
                self._show_list()
            else:
                self.dialog.close()

    def _on_submit(self, event: Event) -> None:
        event.preventDefault()
        if self._values_for is None:
            return
        values = {str(el.name): str(el.value) for el in self.body.querySelectorAll("input")}
        self._insert(self._values_for.fill(values))
