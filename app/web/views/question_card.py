"""The model's questions (`ask_user`) as cards above the message box: real buttons and a text field, never markdown.

    questions = QuestionsView(by_id("approvals"), composer_input, answer, schedule)   # answer(call_id, raw) -> bool
    questions.render(waiting)   # each frame: cards added/removed by call id (a card keeps what the user typed)

A single-choice option answers at once (with the text typed, if any); with several allowed, options toggle
(`aria-pressed`) and "Send answer" (or Enter in the text field) sends them. Like an approval card's buttons
(app/web/views/approvals.py ARM_MS), the options are disabled when a card appears and armed ARM_MS later
(`data-armed` on the card): a click meant for what was there a moment before never answers. The text field is always there: the user
may answer in their own words. A new card is announced in its own polite live region and takes the focus only when
the focus is on nothing; when the card that had it goes, the message box gets it. The question and the options are
the model's text: set as text only. A card answered here for a turn running in another tab shows "sent" until that
tab's answer arrives (app/questions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from js import document

from app.web.dom import Element, Event, h, listen
from app.web.views.approvals import ARM_MS

if TYPE_CHECKING:
    from app.questions import WaitingQuestion

Answer = Callable[[str, dict], bool]


def question_card(waiting: WaitingQuestion, number: int) -> Element:
    """The card of one question; `number` makes its element ids (a call id is the model's text)."""
    call_id, question = waiting.call_id, waiting.question
    title_id, field_id = "question-title-%d" % number, "question-field-%d" % number
    options = [
        h(
            "button",
            {
                "type": "button",
                "class": "question-option",
                "data-option": str(i),
                "aria-pressed": "false",
                "disabled": True,  # armed ARM_MS after the card appears
            },
            option,
        )
        for i, option in enumerate(question.options)
    ]
    hint = (
        "Choose one or more, or answer in your own words."
        if question.multiple
        else "Choose one, or answer in your own words."
    )
    return h(
        "section",
        {"class": "question-card", "role": "region", "aria-labelledby": title_id, "tabindex": "-1", "data-id": call_id},
        h("p", {"class": "question-kicker"}, "The assistant asks"),
        h("h2", {"class": "question-text", "id": title_id}, question.text),
        h("p", {"class": "question-hint"}, hint) if options else None,
        h("div", {"class": "question-options", "role": "group", "aria-label": "Options"}, *options)
        if options
        else None,
        h(
            "div",
            {"class": "question-own"},
            h("label", {"for": field_id}, "Your answer" if not options else "Your own answer (optional)"),
            h("input", {"type": "text", "id": field_id, "class": "question-field", "maxlength": "2000"}),
            h("button", {"type": "button", "class": "primary question-send"}, "Send answer"),
        ),
        h(
            "p",
            {"class": "question-sent", "role": "status", "hidden": True},
            "Answer sent to the tab running this turn.",
        ),
    )


class QuestionsView:
    def __init__(
        self, before: Element, fallback: Element, answer: Answer, schedule: Callable[[Callable[[], None], int], None]
    ):
        self.root = h("div", {"id": "questions", "class": "questions", "hidden": True})
        self.announcer = h("div", {"class": "visually-hidden", "role": "status", "aria-live": "polite"})
        before.before(self.root, self.announcer)
        self.fallback = fallback  # the message box
        self.answer = answer
        self.schedule = schedule  # (callback, milliseconds): setTimeout
        self._armed: set[str] = set()  # call ids whose card's options may answer
        self.cards: dict[str, Element] = {}
        self.waiting: dict[str, WaitingQuestion] = {}
        # call id -> the question its card shows (a call of another conversation may have the same id)
        self.shown: dict[str, object] = {}
        self.made = 0
        listen(self.root, "click", self._on_click)
        listen(self.root, "keydown", self._on_key)

    def render(self, waiting: Sequence[WaitingQuestion]) -> None:
        focused = document.activeElement
        on_nothing = not hasattr(focused, "isSameNode") or bool(focused.isSameNode(document.body))
        had_focus = not on_nothing and bool(self.root.contains(focused))
        self.waiting = {w.call_id: w for w in waiting}
        for call_id in [i for i in self.cards if i not in self.waiting or self.shown[i] != self.waiting[i].question]:
            self.cards.pop(call_id).remove()
            self._armed.discard(call_id)
        new = []
        for w in waiting:
            card = self.cards.get(w.call_id)
            if card is None:
                self.made += 1
                card = self.cards[w.call_id] = question_card(w, self.made)
                self.shown[w.call_id] = w.question
                self.root.append(card)
                new.append(w)
                self.schedule(self._arming(w.call_id, card), ARM_MS)
            card.querySelector(".question-sent").hidden = not w.sent
            for control in card.querySelectorAll("button, input"):
                unarmed = w.call_id not in self._armed and control.classList.contains("question-option")
                control.disabled = w.sent or unarmed
        self.root.hidden = not self.cards
        if new:
            said = " ".join("The assistant asks: %s" % w.question.text for w in new)
            self.announcer.replaceChildren(h("p", None, said + " Answer in the card above the message box."))
        elif not self.cards:
            self.announcer.replaceChildren()
        if had_focus and not self.root.contains(document.activeElement):
            self.fallback.focus()
        elif on_nothing and new:
            self.cards[new[0].call_id].focus()

    def _arming(self, call_id: str, card: Element) -> Callable[[], None]:
        def arm() -> None:
            if not (call_id in self.cards and self.cards[call_id] is card):
                return  # answered (or gone and shown again as a new card, with its own timer) in the meantime
            self._armed.add(call_id)
            card.setAttribute("data-armed", "")
            sent = call_id in self.waiting and self.waiting[call_id].sent
            for button in card.querySelectorAll(".question-option"):
                button.disabled = sent

        return arm

    # ----- the user's answer (one delegated listener per event for all the cards) ------------------------------

    def _card(self, event: Event) -> Optional[tuple[Element, WaitingQuestion]]:
        node: Any = event.target
        card: Any = node.closest(".question-card") if hasattr(node, "closest") else None
        waiting = self.waiting.get(str(card.getAttribute("data-id"))) if hasattr(card, "getAttribute") else None
        return (card, waiting) if waiting is not None and not waiting.sent else None

    def _send(self, card: Element, waiting: WaitingQuestion, choices: list[str]) -> None:
        field = card.querySelector(".question-field")
        if not self.answer(waiting.call_id, {"choices": choices, "text": str(field.value)}):
            field.focus()  # nothing chosen nor typed: the focus goes where an answer can be given

    @staticmethod
    def _pressed(card: Element, waiting: WaitingQuestion) -> list[str]:
        buttons = card.querySelectorAll(".question-option[aria-pressed=true]")
        return [waiting.question.options[int(b.getAttribute("data-option"))] for b in buttons]

    def _on_click(self, event: Event) -> None:
        found = self._card(event)
        button: Any = event.target.closest("button") if found is not None else None
        if found is None or not hasattr(button, "classList"):
            return
        card, waiting = found
        if button.classList.contains("question-send"):
            self._send(card, waiting, self._pressed(card, waiting))
        elif button.classList.contains("question-option") and waiting.call_id in self._armed:
            option = waiting.question.options[int(button.getAttribute("data-option"))]
            if waiting.question.multiple:
                button.setAttribute(
                    "aria-pressed", "false" if button.getAttribute("aria-pressed") == "true" else "true"
                )
            else:
                self._send(card, waiting, [option])

    def _on_key(self, event: Event) -> None:
        found = self._card(event)
        if found is None or event.key != "Enter" or event.isComposing:
            return
        if not event.target.classList.contains("question-field"):
            return
        event.preventDefault()
        card, waiting = found
        self._send(card, waiting, self._pressed(card, waiting))
