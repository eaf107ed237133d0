"""Small facts about a user collection that tools need at run time: is it a singleton, what is its primary key.

Kept in `client.cache` under "collection:<name>" (schema-changing tools call `client.invalidate()`), and never
required: a user who may not read `directus_collections` / `directus_fields` still gets a working tool, just
without the shortcut (not a singleton, keys read one by one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from app.directus.errors import DirectusError
from app.directus.paths import api_path

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

PREFIX = "collection:"


async def is_singleton(client: DirectusApi, collection: str) -> bool:
    key = PREFIX + collection + ":singleton"
    if key not in client.cache:
        try:
            data = await client.request("GET", api_path("collections", collection))
            meta = data.get("meta") if isinstance(data, dict) else None
            client.cache[key] = isinstance(meta, dict) and bool(meta.get("singleton"))
        except DirectusError as exc:
            if exc.code != "FORBIDDEN":
                raise
            client.cache[key] = False
    return client.cache[key]


async def fields_of(client: DirectusApi, collection: str) -> Optional[list[dict]]:
    """The collection's fields as /fields returns them; None when the user may not read them."""
    key = PREFIX + collection + ":fields"
    if key not in client.cache:
        client.cache[key] = None
        try:
            found = await client.request("GET", api_path("fields", collection))
            client.cache[key] = [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []
        except DirectusError as exc:
            if exc.code != "FORBIDDEN":
                raise
    return client.cache[key]


async def primary_key(client: DirectusApi, collection: str) -> Optional[str]:
    for f in await fields_of(client, collection) or []:
        schema = f.get("schema")
        if isinstance(schema, dict) and schema.get("is_primary_key") and isinstance(f.get("field"), str):
            return f["field"]
    return None
