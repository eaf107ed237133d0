"""Directus items the user pins to a message as context: found, read with the user's permissions, and written as a
compact block the model reads.

    ref = item_from_url("https://cms.example.com/admin/content/articles/3", "https://cms.example.com")
    refs, problems = items_from_hash("#context=articles/3&context=pages/home")   # a deep link (untrusted)
    found = await search_items(client, "articles", "hello")   # [(key, label)] by the display template
    text = await context_block(client, ref)                   # at send time: the values as they are now

A pinned item is read with the signed-in user's token, its fields and one level of related items in the user's own
collections (`read_fields`: never a whole directus_users or other system record), so Directus returns only what that
user may read: a field they may not read (a related collection they have no access
to, say) never reaches the model. The block says which collection and key, the fields (each value
cut to VALUE_BUDGET characters, the whole to ITEM_BUDGET, saying how many fields were left out) and the link that
opens the item in Directus's app. Collection names and keys come from the user, a pasted URL or the page's address:
each is checked (app/directus/paths.py) before any URL is built from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Protocol, Sequence
from urllib.parse import parse_qsl, unquote, urlsplit

from app.directus.paths import PathRefused, api_path, key_problem, name_problem

if TYPE_CHECKING:
    from app.chat.model import Conversation, TextPart
    from app.directus.client import DirectusApi

MAX_ITEMS = 10  # pinned to one message
ITEM_BUDGET = 2000  # characters of one item's fields in its block
VALUE_BUDGET = 300  # characters of one value
SEARCH_LIMIT = 10
TEXT_TYPES = ("string", "text", "uuid", "hash")
_TEMPLATE_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


@dataclass(frozen=True)
class ItemRef:
    collection: str
    key: str

    @property
    def label(self) -> str:
        return "%s/%s" % (self.collection, self.key)


def checked(collection: object, key: object) -> Optional[ItemRef]:
    """An ItemRef when `collection` is a collection name and `key` a key that stays one path segment; else None.
    (Directus's own collections, `directus_*`, are not items to pin.)"""
    if name_problem(collection) or not isinstance(collection, str) or collection.startswith("directus_"):
        return None
    key = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
    if not isinstance(key, str) or key_problem(key) or key != key.strip():
        return None
    try:
        api_path("items", collection, key)
    except PathRefused:
        return None
    return ItemRef(collection, key)


def admin_url(directus_url: str, ref: ItemRef) -> str:
    """Where Directus's app shows the item ("" without a usable Directus URL)."""
    base = (directus_url or "").rstrip("/")
    if not base.startswith(("https://", "http://")):
        return ""
    return base + "/admin" + api_path("content", ref.collection, ref.key)


def item_from_url(text: str, directus_url: str) -> Optional[ItemRef]:
    """The item a Data Studio URL (…/admin/content/<collection>/<key>) points at, on the connected Directus only."""
    parts = urlsplit(text.strip())
    base = urlsplit((directus_url or "").rstrip("/"))
    if parts.scheme not in ("http", "https") or (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    path = parts.path
    prefix = base.path.rstrip("/") + "/admin/content/"
    if not path.startswith(prefix):
        return None
    segments = path[len(prefix) :].rstrip("/").split("/")
    if len(segments) != 2:
        return None
    return checked(unquote(segments[0]), unquote(segments[1]))


def items_from_hash(fragment: str) -> tuple[list[ItemRef], int]:
    """(the items a `#context=<collection>/<key>` address pins, how many entries were refused). Several are allowed
    (`&context=…`, or separated by commas); at most MAX_ITEMS, duplicates once."""
    refs: list[ItemRef] = []
    refused = 0
    query = fragment[1:] if fragment.startswith("#") else fragment
    for name, value in parse_qsl(query, keep_blank_values=True, max_num_fields=100):
        if name != "context":
            continue
        for entry in value.split(","):
            collection, slash, key = entry.partition("/")
            ref = checked(collection, key) if slash else None
            if ref is None:
                refused += 1
            elif ref not in refs:
                refs.append(ref)
    if len(refs) > MAX_ITEMS:
        refused += len(refs) - MAX_ITEMS
    return refs[:MAX_ITEMS], refused


# ----- reading -----------------------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    """A value cut to VALUE_BUDGET characters (text as text, anything else as its compact JSON)."""
    if isinstance(value, str):
        return value if len(value) <= VALUE_BUDGET else value[:VALUE_BUDGET] + "…"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value if len(text) <= VALUE_BUDGET else text[:VALUE_BUDGET] + "…"


def block_text(ref: ItemRef, fields: dict[str, Any], url: str) -> str:
    """The block the model reads: which item, its link, and the fields (trimmed to ITEM_BUDGET)."""
    kept: dict[str, Any] = {}
    used = 2
    for name, value in fields.items():
        short = _value(value)
        size = len(json.dumps({name: short}, ensure_ascii=False))
        if used + size > ITEM_BUDGET:
            break
        kept[name], used = short, used + size
    left = len(fields) - len(kept)
    head = "Pinned item %s (collection %s, key %s)" % (ref.label, ref.collection, ref.key)
    lines = [head + (", open in Directus: " + url if url else "") + ". Its fields as the user may read them now:"]
    lines.append(json.dumps(kept, ensure_ascii=False))
    if left:
        lines.append("(%d more fields left out for length)" % left)
    return "\n".join(lines) + "\n\n"


async def context_block(client: DirectusApi, ref: ItemRef) -> str:
    """The item as the user may read it now, as a block; what went wrong instead, when it cannot be read."""
    from app.directus.errors import DirectusError

    url = admin_url(client.url, ref)
    path = api_path("items", ref.collection, ref.key)
    try:
        fields = await read_fields(client, ref.collection)
        try:
            data = await client.request("GET", path, params={"fields": fields})
        except DirectusError:
            if fields == ["*"]:
                raise
            data = await client.request("GET", path, params={"fields": ["*"]})  # a related field they may not read
    except DirectusError as exc:
        return "Pinned item %s could not be read: %s\n\n" % (ref.label, exc.message)
    if not isinstance(data, dict):
        return "Pinned item %s could not be read: Directus sent no item.\n\n" % ref.label
    return block_text(ref, data, url)


async def read_fields(client: DirectusApi, collection: str) -> list[str]:
    """The fields a pinned item is read with: its own (`*`) and one level of the related items in the user's own
    collections (`<field>.*`, from the collection's relations). A relation to Directus's own collections
    (`directus_users`, `directus_files`, ...) stays a key: a whole system record (a user's, with what an admin may
    read of it) is no context the user chose. Without the relations (not readable), no relation is expanded."""
    from app.directus.errors import DirectusError

    try:
        relations = await client.request("GET", api_path("relations", collection))
    except DirectusError:
        relations = None
    fields = ["*"]
    for relation in relations if isinstance(relations, list) else []:
        if not isinstance(relation, dict):
            continue
        meta = relation.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        sides = []
        if relation.get("collection") == collection:  # many-to-one: this collection's field holds the key
            sides.append((relation.get("field"), relation.get("related_collection")))
        if relation.get("related_collection") == collection:  # one-to-many: an alias field lists the others
            sides.append((meta.get("one_field"), relation.get("collection")))
        for field, target in sides:
            if isinstance(target, str) and not target.startswith("directus_") and not name_problem(target):
                if not name_problem(field, "a field name") and "%s.*" % field not in fields:
                    fields.append("%s.*" % field)
    return fields


def pinned_parts(items: Sequence[tuple[str, str, str]], directus_url: str) -> list[TextPart]:
    """The parts of a message for the items pinned to it ((collection, key, label), checked again; at most
    MAX_ITEMS), their text empty until `read_pinned` reads them."""
    from app.chat.model import PinnedItem, TextPart

    refs: dict[ItemRef, str] = {}
    for collection, key, shown in items:
        ref = checked(collection, key)
        if ref is not None and ref not in refs and len(refs) < MAX_ITEMS:
            refs[ref] = " ".join(str(shown).split())[:120] or ref.label
    return [
        TextPart(item=PinnedItem(collection=r.collection, key=r.key, label=shown, url=admin_url(directus_url, r)))
        for r, shown in refs.items()
    ]


class Connection(Protocol):
    """What reading pinned items needs of the Directus connection (app/connection.py DirectusConnection)."""

    client: Any  # a DirectusApi, or None while not connected

    async def settled(self) -> None: ...


async def read_pinned(conversation: Conversation, directus: Connection) -> None:
    """Before each model call (the agent's `ready`): once a sign-in in progress is over, fill in the blocks of the last
    user message's pinned items not read yet, with the values as they are now (a block read once is kept, and
    replayed as it is by later requests)."""
    await directus.settled()
    client: Optional[DirectusApi] = directus.client
    message = next((m for m in reversed(conversation.messages) if m.role == "user"), None)
    for part in message.pinned if message is not None else []:
        if part.text or part.item is None:
            continue
        ref = checked(part.item.collection, part.item.key)
        if ref is None:
            part.text = "Pinned item %s/%s: not a valid item reference.\n\n" % (part.item.collection, part.item.key)
        elif client is None:
            part.text = "Pinned item %s could not be read: Directus is not connected.\n\n" % ref.label
        else:
            part.text = await context_block(client, ref)


# ----- finding -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """How the picker finds and labels a collection's items: its display template's fields, else its key."""

    primary: str
    template: str  # "" when the collection has none
    searched: tuple[str, ...]  # text fields of the template, searched with _icontains
    text_key: bool = False  # the key is text (a number is looked up only when the query is one)


def template_fields(template: str) -> list[str]:
    return [name for name in _TEMPLATE_FIELD.findall(template or "")]


def label(item: dict[str, Any], shown: Shown) -> str:
    """An item as its display template shows it (nested fields read through), else its key."""

    def read(path: str) -> str:
        value: Any = item
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return "" if value is None else str(value)

    text = _TEMPLATE_FIELD.sub(lambda m: read(m.group(1)), shown.template).strip() if shown.template else ""
    return " ".join(text.split())[:120] or str(item.get(shown.primary, ""))


async def how_shown(client: DirectusApi, collection: str) -> Shown:
    """The collection's primary key and display template (Directus's `meta.display_template`)."""
    meta = (await client.request("GET", api_path("collections", collection)) or {}).get("meta") or {}
    fields = await client.request("GET", api_path("fields", collection)) or []
    primary = next((f["field"] for f in fields if (f.get("schema") or {}).get("is_primary_key")), "id")
    types = {f.get("field"): f.get("type") for f in fields}
    template = meta.get("display_template") or "" if isinstance(meta, dict) else ""
    template = template if isinstance(template, str) else ""
    names = template_fields(template)
    searched = tuple(n for n in names if "." not in n and types.get(n) in TEXT_TYPES)
    return Shown(primary, template, searched, types.get(primary) in TEXT_TYPES)


async def search_items(client: DirectusApi, collection: str, query: str) -> list[tuple[str, str]]:
    """[(key, label)] of the items whose display-template fields (else key) contain `query` (all when empty)."""
    if name_problem(collection):
        return []
    shown = await how_shown(client, collection)
    fields = sorted({shown.primary, *template_fields(shown.template)})
    params: dict[str, Any] = {"fields": fields, "limit": SEARCH_LIMIT}
    text = query.strip()[:200]
    if text:
        ors: list[dict[str, Any]] = [{name: {"_icontains": text}} for name in shown.searched]
        if shown.text_key or text.isdigit():
            ors.append({shown.primary: {"_eq": text}})
        params["filter"] = {"_or": ors}
    rows = await client.request("GET", api_path("items", collection), params=params) or []
    found = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get(shown.primary) is not None:
            found.append((str(row[shown.primary]), label(row, shown)))
    return found


async def item_label(client: DirectusApi, ref: ItemRef) -> str:
    """The item as its display template shows it (a pasted URL or a deep link names only its key)."""
    shown = await how_shown(client, ref.collection)
    fields = sorted({shown.primary, *template_fields(shown.template)})
    item = await client.request("GET", api_path("items", ref.collection, ref.key), params={"fields": fields})
    return label(item, shown) if isinstance(item, dict) else ref.label


async def readable_collections(client: DirectusApi) -> list[str]:
    """The user's collections with items (no folders, no directus_*), for the picker's list."""
    rows = await client.request("GET", "/collections") or []
    names = []
    for row in rows if isinstance(rows, list) else []:
        name = row.get("collection") if isinstance(row, dict) else None
        if isinstance(name, str) and not name.startswith("directus_") and (row.get("schema") is not None):
            names.append(name)
    return sorted(names)
