"""The model picker: a <select> (combobox "Model") of the models of configured providers, grouped by provider;
and next to it the reasoning effort of the selected model (combobox "Reasoning effort"), hidden for a model
that takes none."""

from __future__ import annotations

from typing import Any, Optional

from app.web.dom import clear, h


def render_model_picker(select: Any, options: list, selected: Optional[str]) -> None:
    state = (tuple((o.ref, o.label, o.group) for o in options), selected)
    if getattr(select, "_state", None) == repr(state):
        return
    clear(select)
    if not options:
        select.appendChild(h("option", {"value": ""}, "No models: add a key in Settings"))
        select.disabled = True
    else:
        select.disabled = False
        groups: dict[str, Any] = {}
        for option in options:
            group = groups.get(option.group)
            if group is None:
                group = groups[option.group] = h("optgroup", {"label": option.group})
                select.appendChild(group)
            group.appendChild(h("option", {"value": option.ref, "selected": option.ref == selected}, option.label))
        if selected:
            select.value = selected
    select.setAttribute("data-state", repr(state))


def render_effort_picker(select: Any, options: list, selected: str) -> None:
    state = repr((tuple(options), selected))
    if select.getAttribute("data-state") == state:
        return
    clear(select)
    for value, label in options:
        select.appendChild(h("option", {"value": value, "selected": value == selected}, label))
    select.hidden = not options
    select.value = selected
    select.setAttribute("data-state", state)
