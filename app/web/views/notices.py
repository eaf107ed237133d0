"""Notices above the conversation: storage problems (an unreadable entry set aside: download or discard it), a full
storage (with the size of each conversation, export and delete), errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from app.web.dom import Element, clear, h

if TYPE_CHECKING:
    from app.hub import Notice


def _chars(n: int) -> str:
    return "%.0f k" % (n / 1000) if n >= 1000 else str(n)


def render_notices(root: Element, notices: Sequence[Notice], current_id: str) -> None:
    state = repr([(n.id, n.text, current_id if n.report else "") for n in notices])
    if root.getAttribute("data-state") == state:
        return
    root.setAttribute("data-state", state)
    clear(root)
    for notice in notices:
        body = [h("p", None, notice.text)]
        if notice.report is not None:
            rows = []
            for usage in notice.report.conversations[:8]:
                rows.append(
                    h(
                        "li",
                        None,
                        h("span", {"class": "grow"}, usage.title or usage.id),
                        h("span", {"class": "muted"}, _chars(usage.chars) + " chars"),
                        h(
                            "button",
                            {"type": "button", "class": "link", "data-action": "export-one", "data-id": usage.id},
                            "Export",
                        ),
                        h(
                            "button",
                            {
                                "type": "button",
                                "class": "link danger",
                                "data-action": "delete",
                                "data-id": usage.id,
                                "disabled": usage.id == current_id,
                            },
                            "Delete",
                        ),
                    )
                )
            body.append(h("ul", {"class": "usage-list"}, *rows))
        if notice.set_aside:
            body.append(
                h(
                    "p",
                    {"class": "notice-actions"},
                    h(
                        "button",
                        {
                            "type": "button",
                            "class": "link",
                            "data-action": "download-set-aside",
                            "data-id": notice.set_aside,
                        },
                        "Download the unreadable entry",
                    ),
                    h(
                        "button",
                        {
                            "type": "button",
                            "class": "link danger",
                            "data-action": "discard-set-aside",
                            "data-id": notice.set_aside,
                        },
                        "Discard it",
                    ),
                )
            )
        root.appendChild(
            h(
                "div",
                {"class": "notice " + notice.kind, "role": "alert" if notice.kind == "error" else "status"},
                h("div", {"class": "grow"}, *body),
                h(
                    "button",
                    {
                        "type": "button",
                        "class": "icon",
                        "data-action": "dismiss",
                        "data-id": str(notice.id),
                        "aria-label": "Dismiss",
                    },
                    "×",
                ),
            )
        )
