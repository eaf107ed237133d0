"""The waiting approval cards above the composer, and what keeps a decision deliberate.

    approvals = ApprovalsView(by_id("approvals"), by_id("announcer"), by_id("composer-input"), schedule)
    approvals.render(pending, policy, change_preview)  # each frame: cards added/removed by call id, values filled
    approvals.armed(call_id)                           # may a click or key decide this card yet?
    approvals.focus_first()                            # Alt+A: the first waiting card (its region, not a button)

A card never takes the focus from where the user is (the message box, a field): an approval that arrives while the
user types the next question must not receive that typing. Its buttons are disabled when it appears and armed
`ARM_MS` later, by a timer per card: neither a key nor a click decides a card in its first moments (the controller
checks `armed` too, for a click a script dispatches), and re-renders keep the cards (reconciled by call id), so the
arming is never reset or skipped. The card is announced in a polite live region ("Approval needed: … Alt+A to
review."); only when the focus is on nothing (the page itself) does a new card's region take it, and when the card
that had the focus is decided, the next card's region (or the message box, when none is left) gets it. Never a
button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from js import document

from app.web.dom import Element, h, set_attr
from app.web.views.approval_card import SHORTCUT, approval_card, show_changes

if TYPE_CHECKING:
    from app.chat.approvals import ApprovalPolicy, PendingApproval
    from app.directus.changes import Change

ARM_MS = 500  # how long a new card's buttons stay disabled


class ApprovalsView:
    def __init__(
        self,
        root: Element,
        announcer: Element,
        fallback: Element,
        schedule: Callable[[Callable[[], None], int], None],
    ):
        self.root = root  # <div id="approvals">
        self.announcer = announcer  # a polite live region
        self.fallback = fallback  # the message box: where the focus goes when the last focused card is decided
        self.schedule = schedule  # (callback, milliseconds): setTimeout
        self.cards: dict[str, Element] = {}  # call id -> its card, in the order shown
        self._armed: set[str] = set()

    # ----- rendering ------------------------------------------------------------------------------------------

    def render(
        self,
        pending: Sequence[PendingApproval],
        policy: ApprovalPolicy,
        change_preview: Callable[[str], Sequence[Change]],
    ) -> None:
        if [p.call.id for p in pending] != list(self.cards):
            self._reconcile(pending, policy)
        for call_id, card in self.cards.items():  # an update's values arrive a moment after its card
            show_changes(card, change_preview(call_id))

    def _reconcile(self, pending: Sequence[PendingApproval], policy: ApprovalPolicy) -> None:
        focused = document.activeElement  # (JS null arrives as pyodide's jsnull, not None: hence hasattr)
        on_nothing = not hasattr(focused, "isSameNode") or bool(focused.isSameNode(document.body))
        had_focus = not on_nothing and bool(self.root.contains(focused))
        ids = {p.call.id for p in pending}
        for call_id in [i for i in self.cards if i not in ids]:
            self.cards.pop(call_id).remove()
            self._armed.discard(call_id)
        cards: dict[str, Element] = {}
        new: list[PendingApproval] = []
        at = self.root.firstElementChild  # where the next card belongs
        for p in pending:
            card = self.cards.get(p.call.id)
            if card is None:
                card = approval_card(p, policy)
                new.append(p)
                self.schedule(self._arming(p.call.id, card), ARM_MS)
            if not card.isSameNode(at):  # only what is out of place moves (moving drops the focus)
                self.root.insertBefore(card, at)
            at = card.nextElementSibling
            cards[p.call.id] = card
        self.cards = cards
        self.root.hidden = not cards
        for i, card in enumerate(cards.values()):  # the shortcut goes to the first card: it says so, the others not
            set_attr(card, "aria-keyshortcuts", SHORTCUT if i == 0 else None)
            card.querySelector(".approval-keys").hidden = i != 0
        self._announce(new)
        if had_focus and not self.root.contains(document.activeElement):  # the focused card was decided
            if not self.focus_first():
                self.fallback.focus()
        elif on_nothing and new:
            self.cards[new[0].call.id].focus()

    def _arming(self, call_id: str, card: Element) -> Callable[[], None]:
        def arm() -> None:
            if not (call_id in self.cards and self.cards[call_id] is card):
                return  # decided (or gone and shown again as a new card, with its own timer) in the meantime
            self._armed.add(call_id)
            card.setAttribute("data-armed", "")
            for button in card.querySelectorAll(".approval-actions button"):
                button.disabled = False

        return arm

    def _announce(self, new: Sequence[PendingApproval]) -> None:
        if not self.cards:
            self.announcer.replaceChildren()
        elif new:
            summaries = " ".join("Approval needed: %s." % (p.preview.summary or "run " + p.call.name) for p in new)
            self.announcer.replaceChildren(h("p", None, "%s %s to review." % (summaries, SHORTCUT)))

    # ----- what the controller asks -------------------------------------------------------------------------

    def armed(self, call_id: str) -> bool:
        """True once the card of `call_id` has been shown for ARM_MS: only then may a click or a key decide it."""
        return call_id in self._armed

    def focus_first(self) -> bool:
        """Focus the first waiting card (its region: the user then reads it, or Tabs to its buttons)."""
        for card in self.cards.values():
            card.focus()
            return True
        return False

    def card_with_focus(self) -> str:
        """The call id of the card that holds the focus, or ""."""
        focused = document.activeElement
        if not hasattr(focused, "closest"):
            return ""
        card = focused.closest(".approval-card")  # JS null (pyodide's jsnull) outside a card
        return str(card.getAttribute("data-id")) if hasattr(card, "getAttribute") and self.root.contains(card) else ""
