"""Where Directus's own app shows what a tool call touched: the "Open in Directus" links of its card.

There the user sees the item as it is now, its revisions and who changed it. Links are built from the prepared
call's validated arguments (app/directus/prepared.py) and the Directus URL only (never from a result), each part
of the path checked and URL-encoded (app/directus/paths.py api_path):

    admin_links("https://cms.example.com", prepare("items", '{"action": "update", "collection": "articles", "keys": [3]}'))
    -> [Link("articles 3", "https://cms.example.com/admin/content/articles/3")]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional, Sequence

from app.directus.paths import PathRefused, api_path

if TYPE_CHECKING:
    from app.directus.prepared import PreparedCall
    from app.directus.tools.collections import CollectionsArgs
    from app.directus.tools.crud import CrudArgs
    from app.directus.tools.fields import FieldsArgs
    from app.directus.tools.files import FilesArgs
    from app.directus.tools.items import ItemsArgs
    from app.directus.tools.relations import RelationsArgs
    from app.directus.tools.trigger_flow import TriggerFlowArgs

MAX_ITEM_LINKS = 3  # more keys than this: one link to the list instead


class Link(NamedTuple):
    label: str
    url: str


def admin_links(directus_url: str, call: "PreparedCall") -> list[Link]:
    """The pages of Directus's app for this call; [] for a call that is invalid or has none."""
    base = (directus_url or "").rstrip("/")
    make = _LINKS.get(call.name)
    if not base.startswith(("https://", "http://")) or call.args is None or call.error is not None or make is None:
        return []
    links = []
    for label, path in make(call.args):
        try:
            links.append(Link(label, base + "/admin" + api_path(*path)))
        except PathRefused:  # a part that is not one segment (the call's checks refuse those first): no link
            continue
    return links


Page = tuple[str, tuple]  # label, path segments after /admin/


def _listed(keys: Optional[list], one: Callable[[Any], Page], whole: Page, gone: bool) -> list[Page]:
    if gone or not keys or len(keys) > MAX_ITEM_LINKS:
        return [whole]
    return [one(k) for k in keys]


def _items(a: ItemsArgs) -> list[Page]:
    c = a.collection
    return _listed(a.keys, lambda k: ("%s %s" % (c, k), ("content", c, k)), (c, ("content", c)), a.action == "delete")


def _files(a: FilesArgs) -> list[Page]:
    return _listed(a.keys, lambda k: ("file %s" % k, ("files", k)), ("File library", ("files",)), a.action == "delete")


def _collections(a: CollectionsArgs) -> list[Page]:
    given: Sequence[object] = a.keys or [
        e.get("collection") for e in (a.data if isinstance(a.data, list) else [a.data or {}])
    ]
    names = [n for n in given if isinstance(n, str) and n]
    return _listed(
        names,
        lambda n: ("Data model: %s" % n, ("settings", "data-model", n)),
        ("Data model", ("settings", "data-model")),
        a.action == "delete",
    )


def _model_of(a: FieldsArgs | RelationsArgs) -> list[Page]:
    c = a.collection or (a.data if isinstance(a.data, dict) else {}).get("collection")
    if isinstance(c, str) and c:
        return [("Data model: %s" % c, ("settings", "data-model", c))]
    return [("Data model", ("settings", "data-model"))]


def _flows(a: CrudArgs) -> list[Page]:
    return _listed(
        a.keys,
        lambda k: ("Flow %s" % k, ("settings", "flows", k)),
        ("Flows", ("settings", "flows")),
        a.action == "delete",
    )


def _operations(a: CrudArgs) -> list[Page]:
    flow = a.data.get("flow") if isinstance(a.data, dict) else None
    if isinstance(flow, str) and flow:
        return [("Flow %s" % flow, ("settings", "flows", flow))]
    return [("Flows", ("settings", "flows"))]


def _trigger_flow(a: TriggerFlowArgs) -> list[Page]:
    return [("Flow %s" % a.id, ("settings", "flows", a.id))] if a.id else []


# By tool name: each takes that tool's arguments (Any: the dispatch is by name, not by type).
_LINKS: dict[str, Callable[[Any], list[Page]]] = {
    "items": _items,
    "files": _files,
    "folders": lambda a: [("File library", ("files",))],
    "collections": _collections,
    "fields": _model_of,
    "relations": _model_of,
    "flows": _flows,
    "operations": _operations,
    "trigger_flow": _trigger_flow,
}
