"""The model picker: a <select> (combobox "Model") of the models of configured providers, grouped by provider;
and next to it the reasoning effort of the selected model (combobox "Reasoning effort"), hidden for a model
that takes none.

Each is rebuilt only when what it shows changed (its `data-state` holds what it was built from): a settings
render that changed neither leaves them alone, so a select the user has open or focused stays as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Protocol

from app.web.dom import Element, clear, h

if TYPE_CHECKING:
    from collections.abc import Sequence


class ModelChoice(Protocol):
    """One model as the picker lists it (the assistant's `ModelOption`)."""

    @property
    def ref(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def group(self) -> str: ...


def render_model_picker(select: Element, options: Sequence[ModelChoice], selected: Optional[str]) -> None:
    state = repr((tuple((o.ref, o.label, o.group) for o in options), selected))
    if select.getAttribute("data-state") == state:
        return
    clear(select)
    if not options:
        select.appendChild(h("option", {"value": ""}, "No models: add a key in Settings"))
        select.disabled = True
    else:
        select.disabled = False
        groups: dict[str, Element] = {}
        for option in options:
            group = groups.get(option.group)
            if group is None:
                group = groups[option.group] = h("optgroup", {"label": option.group})
                select.appendChild(group)
            group.appendChild(h("option", {"value": option.ref, "selected": option.ref == selected}, option.label))
        if selected:
            select.value = selected
    select.setAttribute("data-state", state)


def render_effort_picker(select: Element, options: Sequence[tuple[str, str]], selected: str) -> None:
    state = repr((tuple(options), selected))
    if select.getAttribute("data-state") == state:
        return
    clear(select)
    for value, label in options:
        select.appendChild(h("option", {"value": value, "selected": value == selected}, label))
    select.hidden = not options
    select.value = selected
    select.setAttribute("data-state", state)
