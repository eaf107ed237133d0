"""The project's shared prompts: the published items of the prompts collection named in Directus's AI settings
(`mcp_prompts_collection`, the one Directus's own assistant and its MCP server use).

    prompts = await fetch_prompts(client)      # [] when the project has none, or the user may not read them
    prompt.variables()                         # [("title", "its title")] for "... {{ title: its title }} ..."
    text = prompt.fill({"title": "Poetical science"})   # also render(prompt, values); variables(prompt)

A prompt is a system prompt and messages ({role, text}); `render` joins their texts, as Directus does when it
attaches a prompt to the next message. `{{ name }}` and `{{ name: what to enter }}` are filled in; a value
missing is left empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from app.directus.errors import DirectusError
from app.directus.paths import api_path, name_problem

if TYPE_CHECKING:
    from app.directus.client import DirectusClient

FIELDS = ["id", "name", "description", "system_prompt", "messages"]
_VARIABLE = re.compile(r"\{\{\s*([^{}:]+?)\s*(?::([^{}]*))?\}\}")


@dataclass
class Prompt:
    id: str
    name: str
    description: str = ""
    system_prompt: str = ""
    messages: list[str] = field(default_factory=list)  # the texts, in order

    @property
    def texts(self) -> list[str]:
        return [t for t in [self.system_prompt, *self.messages] if t]

    def variables(self) -> list[tuple[str, str]]:
        """(name, what to enter) of each value the prompt asks for, in order of first use."""
        return variables(self)

    def fill(self, values: Mapping[str, str]) -> str:
        """The prompt's texts with the values filled in, one paragraph each (a value missing is left empty)."""
        return render(self, values)


async def fetch_prompts(client: DirectusClient) -> list[Prompt]:
    """The published prompts, by name. A user who is not an admin is first checked for read access to the settings
    and the collection (the permissions read at connect time, else `/permissions/me`), so that a refusal is not
    asked for: browsers log every one. Directus before 11.12 has no prompts setting: none, and nothing asked."""
    capabilities = client.cache.get("capabilities")
    if capabilities is not None and not capabilities.prompts:
        return []
    try:
        user = await client.me()
        known = client.cache.get("permissions")
        if user.admin:
            readable: Callable[[str], bool] = lambda name: True  # noqa: E731 - one expression, as before
        elif known is not None and known.known:
            readable = lambda name: known.allows(name, "read")  # noqa: E731 - one expression, as above
        else:
            readable = _readable(await client.request("GET", "/permissions/me"))
        if not readable("directus_settings"):
            return []
        settings = await client.request("GET", "/settings", params={"fields": ["mcp_prompts_collection"]})
        collection = settings.get("mcp_prompts_collection") if isinstance(settings, dict) else None
        if not isinstance(collection, str) or name_problem(collection) or not readable(collection):
            return []  # (a name that is not an identifier could reach another path than the collection's)
        rows = await client.request(
            "GET",
            api_path("items", collection),
            params={"fields": FIELDS, "filter": {"status": {"_eq": "published"}}, "sort": "name", "limit": -1},
        )
    except DirectusError:  # refused all the same: no prompts for this user
        return []
    return [p for p in (_prompt(row) for row in (rows if isinstance(rows, list) else [])) if p is not None]


def _readable(permissions: object) -> Callable[[str], bool]:
    def readable(collection: str) -> bool:
        entry = permissions.get(collection) if isinstance(permissions, dict) else None
        read = entry.get("read") if isinstance(entry, dict) else None
        return isinstance(read, dict) and read.get("access") in ("full", "partial")

    return readable


def _prompt(row: Any) -> Optional[Prompt]:
    if not isinstance(row, dict) or not isinstance(row.get("name"), str):
        return None
    messages = row.get("messages")
    messages = messages if isinstance(messages, list) else []
    texts = [m["text"] for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)]
    system = row.get("system_prompt")
    return Prompt(
        str(row.get("id")),
        row["name"],
        str(row.get("description") or ""),
        system if isinstance(system, str) else "",
        texts,
    )


def variables(prompt: Prompt) -> list[tuple[str, str]]:
    """(name, what to enter) of each value the prompt asks for, in order of first use."""
    found: dict[str, str] = {}
    for text in prompt.texts:
        for match in _VARIABLE.finditer(text):
            name, hint = match.group(1).strip(), (match.group(2) or "").strip()
            if name not in found or (hint and not found[name]):
                found[name] = hint
    return list(found.items())


def render(prompt: Prompt, values: Mapping[str, str]) -> str:
    """The prompt's texts with the values filled in, one paragraph each."""
    return "\n\n".join(_VARIABLE.sub(lambda m: values.get(m.group(1).strip(), ""), text) for text in prompt.texts)
