"""The clicks the page understands: every `data-action` a view or index.html puts on a control, and what it does.

    <button data-action="rename" data-id="c_12">   ->   HANDLERS["rename"](controller, Clicked("c_12", button))

One delegated listener (app/web/controller.py) looks the action up here; a name not in the table does nothing.
A control with a new action needs its name in `Action` and its handler in `HANDLERS` (checked when this module is
imported); tests/unit/test_web_actions.py checks that every data-action written in app/web and index.html is one.
Nothing here imports js, so the table is read under CPython too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal, TypeGuard, get_args

if TYPE_CHECKING:
    from app.web.controller import Controller
    from app.web.dom import Element

Action = Literal[
    # an approval card
    "approve",
    "deny",
    "always",
    # the conversation: a message, a tool card, the examples of an empty one
    "retry",
    "regenerate",
    "edit",
    "version",
    "settings-key",
    "undo",
    "example",
    # the composer
    "add-context",
    "chart",
    "table-sort",
    # attachments (app/web/views/attachments.py)
    "attach",
    "remove-attachment",
    "reattach",
    "attach-from-directus",
    # the header and the sidebar
    "new-conversation",
    "settings",
    "prompts",
    "toggle-sidebar",
    "shortcuts",
    "sign-in",
    "open",
    "rename",
    "delete",
    "export-one",
    "export-all",
    "export-all-files",
    "export-md",
    "import",
    "clear-all",
    # notices
    "dismiss",
    "download-set-aside",
    "discard-set-aside",
    # the settings dialog
    "close-settings",
    "connect",
    "disconnect",
    "add-endpoint",
    "remove-endpoint",
    "remove-scope",
]
ACTIONS: frozenset[str] = frozenset(get_args(Action))


@dataclass(frozen=True)
class Clicked:
    """The control clicked: its `data-id` ("" when it has none) and the element, for its other data-* values."""

    ident: str
    element: Element

    def data(self, name: str) -> str:
        return str(self.element.getAttribute("data-" + name))


Handler = Callable[["Controller", Clicked], object]

HANDLERS: dict[Action, Handler] = {
    "approve": lambda c, k: c.decide(k.ident, "approve"),  # (only once its card is armed: views/approvals.py)
    "deny": lambda c, k: c.decide(k.ident, "deny"),
    "always": lambda c, k: c.decide(k.ident, "always"),
    "retry": lambda c, k: c.assistant.retry(),
    "regenerate": lambda c, k: c.assistant.regenerate(),
    "edit": lambda c, k: c.edit_last(),
    "attach": lambda c, k: c.attach.view.pick(),
    "remove-attachment": lambda c, k: c.assistant.files.remove(k.ident),
    "reattach": lambda c, k: c.attach.view.pick(replacing=k.ident),
    "attach-from-directus": lambda c, k: c.attach.view.library.open(),
    "version": lambda c, k: c.switch_version(k.ident, int(k.data("to"))),
    "settings-key": lambda c, k: c.settings.open(key_of=k.ident),
    "undo": lambda c, k: c.undo(k.ident),
    "example": lambda c, k: c.use_example(k.data("prompt")),
    "add-context": lambda c, k: c.context_picker.open(),
    "chart": lambda c, k: _chart(c, k),  # a chart's or a result table's buttons (app/web/views/chart.py)
    "table-sort": lambda c, k: _sort(k),
    "new-conversation": lambda c, k: c.new_conversation(),
    "settings": lambda c, k: c.settings.open(),
    "prompts": lambda c, k: c.prompts_dialog.open(c.assistant.prompts),
    "toggle-sidebar": lambda c, k: c.toggle_sidebar(),
    "shortcuts": lambda c, k: c.shortcuts.open(),
    "sign-in": lambda c, k: c.settings.open(sign_in=True),
    "open": lambda c, k: c.conversations.open(k.ident),
    "rename": lambda c, k: c.conversations.rename(k.ident),
    "delete": lambda c, k: c.conversations.delete(k.ident),
    "export-one": lambda c, k: c.conversations.export(k.ident),
    "export-all": lambda c, k: c.conversations.export(None),
    "export-all-files": lambda c, k: c.conversations.export_with_attachments(),
    "export-md": lambda c, k: c.conversations.export_markdown(),
    "import": lambda c, k: c.conversations.choose_import(),
    "clear-all": lambda c, k: c.conversations.clear_all(),
    "dismiss": lambda c, k: c.assistant.dismiss(int(k.ident)),
    "download-set-aside": lambda c, k: c.conversations.download_set_aside(k.ident),
    "discard-set-aside": lambda c, k: c.conversations.discard_set_aside(k.ident),
    "close-settings": lambda c, k: c.settings.dialog.close(),
    "connect": lambda c, k: c.spawn(c.settings.connect()),
    "disconnect": lambda c, k: c.spawn(c.settings.disconnect()),
    "add-endpoint": lambda c, k: c.settings.dialog.add_endpoint(),
    "remove-endpoint": lambda c, k: c.settings.dialog.remove_endpoint(k.element),
    "remove-scope": lambda c, k: c.settings.dialog.remove_scope(k.ident, k.element),
}
assert set(HANDLERS) == ACTIONS, "actions without a handler or handlers without an action: %s" % sorted(
    ACTIONS ^ set(HANDLERS)
)


def _chart(c: Controller, k: Clicked) -> None:
    from app.web.chart_actions import chart_action

    chart_action(c, k.ident, k.data("op"), k.data("source"))


def _sort(k: Clicked) -> None:
    from app.web.views.data_table import sort_table

    sort_table(k.element)


def is_action(name: str) -> TypeGuard[Action]:
    return name in ACTIONS
