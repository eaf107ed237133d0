"""The conversation list: new, open, rename, delete, search (titles and content), export, import, clear all."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional, Sequence

from js import document

from app.web.dom import Element, clear, h

if TYPE_CHECKING:
    from app.store.conversations import ConversationSummary
    from app.store.search import SearchHit


def _when(ts: float) -> str:
    age = time.time() - ts
    if age < 60:
        return "just now"
    if age < 3600:
        return "%d min ago" % (age // 60)
    if age < 86400:
        return "%d h ago" % (age // 3600)
    return time.strftime("%Y-%m-%d", time.localtime(ts))


# Items rendered at once; the rest follow in later tasks (`append_items`), so that hundreds of conversations never
# block the page in one long task (each item is a dozen calls into the page).
FIRST_ITEMS = 40

Item = tuple[str, str, float, str]  # id, title, updated_at, snippet


def render_conversation_list(
    ul: Element,
    summaries: Sequence[ConversationSummary],
    current_id: str,
    hits: Optional[Sequence[SearchHit]] = None,
) -> list[Item]:
    """Render the list (or the search hits) from the top; returns the items left for `append_items`."""
    clear(ul)
    if hits is not None:
        items = [(hit.id, hit.title, hit.updated_at, hit.snippet) for hit in hits]
        if not items:
            ul.appendChild(h("li", {"class": "muted empty"}, "No conversation matches."))
    else:
        items = [(s.id, s.title, s.updated_at, "") for s in summaries]
        if not items:
            ul.appendChild(h("li", {"class": "muted empty"}, "No saved conversations yet."))
    append_items(ul, items[:FIRST_ITEMS], current_id)
    return items[FIRST_ITEMS:]


def append_items(ul: Element, items: Sequence[Item], current_id: str) -> None:
    batch = document.createDocumentFragment()
    for cid, title, updated, snippet in items:
        current = cid == current_id
        batch.appendChild(
            h(
                "li",
                {"class": "conv-item" + (" current" if current else ""), "data-id": cid},
                h(
                    "button",
                    {
                        "type": "button",
                        "class": "conv-open",
                        "data-action": "open",
                        "data-id": cid,
                        "aria-current": "true" if current else None,
                    },
                    h("span", {"class": "conv-title"}, title or "Untitled"),
                    h("span", {"class": "conv-meta"}, snippet or _when(updated)),
                ),
                h(
                    "button",
                    {
                        "type": "button",
                        "class": "icon",
                        "data-action": "export-one",
                        "data-id": cid,
                        "aria-label": "Export " + (title or "conversation") + " (JSON)",
                        "title": "Export as JSON (re-importable)",
                    },
                    "⤓",
                ),
                h(
                    "button",
                    {
                        "type": "button",
                        "class": "icon",
                        "data-action": "rename",
                        "data-id": cid,
                        "aria-label": "Rename " + (title or "conversation"),
                    },
                    "✎",
                ),
                h(
                    "button",
                    {
                        "type": "button",
                        "class": "icon danger",
                        "data-action": "delete",
                        "data-id": cid,
                        "aria-label": "Delete " + (title or "conversation"),
                    },
                    "✕",
                ),
            )
        )
    ul.appendChild(batch)
