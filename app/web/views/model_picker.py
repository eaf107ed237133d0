"""The model picker: a <select> (combobox "Model") of the models of configured providers, grouped by provider."""

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
