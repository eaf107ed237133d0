"""What the signed-in user may do, per collection and action, as Directus itself will judge it.

    perms = from_permissions_me(await client.request("GET", "/permissions/me"))   # Directus 11 and later
    perms = from_rows(await client.request("GET", "/permissions", params=...))    # Directus 10: the role's rows
    perms.allows("articles", "update")   -> False for a read-only user
    perms.refusal("items", call_args)     -> the error a call gets before any approval prompt, or None
    perms.note()                          -> one line for the model: what this user may do, hence what not

Admins may do everything; permissions that could not be read (`known` False: Directus 10 without app access, an
odd answer) allow everything, so nothing changes from before: Directus still refuses what it must. Only the four
item actions count (create, read, update, delete): share and comment are not tools. A partial permission (an item
filter or some fields) counts as allowed: Directus decides per item, and the tool's error says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

ACTIONS = ("create", "read", "update", "delete")
# The collection and the item action a tool's own action needs (files: "import" creates a file; a chart reads).
TOOL_COLLECTIONS = {"files": "directus_files", "folders": "directus_folders"}
_AS_ITEM_ACTION = {"import": "create", "upload": "create", "chart": "read"}
NOTE_COLLECTIONS = 12  # collections named in the note; past it, "and N more"


@dataclass(frozen=True)
class Permissions:
    known: bool = False  # False: unknown, everything allowed (Directus still decides)
    admin: bool = False
    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)  # collection -> allowed item actions

    @property
    def restricted(self) -> bool:
        """True when some action is known to be refused (not an admin, and the permissions were read)."""
        return self.known and not self.admin

    def allows(self, collection: str, action: str) -> bool:
        if not self.restricted or action not in ACTIONS:
            return True
        return action in self.allowed.get(collection, frozenset())

    def user_collections(self, action: str) -> list[str]:
        """The user collections (not directus_*) where `action` is allowed, sorted."""
        return sorted(c for c, acts in self.allowed.items() if action in acts and not c.startswith("directus_"))

    def tool_actions(self, tool: str, offered: Sequence[str]) -> list[str]:
        """Which of a tool's actions this user may use somewhere: items on any user collection, files and folders
        on their system collection; other tools and non-item actions are left as they are."""
        if not self.restricted:
            return list(offered)
        system = TOOL_COLLECTIONS.get(tool)
        if tool != "items" and system is None:
            return list(offered)
        kept = []
        for action in offered:
            item_action = _AS_ITEM_ACTION.get(action, action)
            if item_action not in ACTIONS:
                kept.append(action)
            elif system is not None and self.allows(system, item_action):
                kept.append(action)
            elif system is None and self.user_collections(item_action):
                kept.append(action)
        return kept

    def refusal(self, tool: str, action: Optional[str], collection: Optional[str]) -> Optional[str]:
        """Why Directus would refuse this call (plain words for the user and the model), or None."""
        if not self.restricted or not action:
            return None
        target = TOOL_COLLECTIONS.get(tool) or (collection if tool == "items" else None)
        item_action = _AS_ITEM_ACTION.get(action, action)
        if not target or item_action not in ACTIONS or self.allows(target, item_action):
            return None
        where = {"directus_files": "files", "directus_folders": "folders"}.get(target, f'"{target}"')
        return f"Your Directus permissions do not allow {item_action} on {where}."

    def note(self) -> str:
        """One line for the model: what this user may do on user collections (so what not); "" when unrestricted."""
        if not self.restricted:
            return ""
        by_actions: dict[tuple[str, ...], list[str]] = {}
        for collection in sorted(self.allowed):
            acts = tuple(a for a in ACTIONS if a in self.allowed[collection])
            if acts and not collection.startswith("directus_"):
                by_actions.setdefault(acts, []).append(collection)
        if not by_actions:
            return "Permissions: no access to any collection's items."
        parts, named = [], 0
        for acts, names in sorted(by_actions.items(), key=lambda kv: (-len(kv[0]), kv[0])):
            shown = names[: max(0, NOTE_COLLECTIONS - named)]
            named += len(shown)
            if shown:
                more = f" and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
                parts.append(f"{'/'.join(acts)} on {', '.join(shown)}{more}")
        writes = any(a != "read" for acts in by_actions for a in acts)
        tail = "" if writes else " (read-only)"
        return "Permissions: " + "; ".join(parts) + tail + "; nothing else."


UNKNOWN = Permissions()
ADMIN = Permissions(known=True, admin=True)


def from_permissions_me(data: Any) -> Permissions:
    """GET /permissions/me (Directus 11+): {collection: {action: {"access": "none" | "partial" | "full", ...}}}."""
    if not isinstance(data, dict):
        return UNKNOWN
    allowed: dict[str, frozenset[str]] = {}
    for collection, actions in data.items():
        if not isinstance(collection, str) or not isinstance(actions, dict):
            continue
        granted = frozenset(
            a for a in ACTIONS if isinstance(actions.get(a), dict) and actions[a].get("access") in ("full", "partial")
        )
        if granted:
            allowed[collection] = granted
    return Permissions(known=True, allowed=allowed)


def from_rows(rows: Any) -> Permissions:
    """GET /permissions rows of the user's role (Directus 10): each row grants one action on one collection."""
    if not isinstance(rows, list):
        return UNKNOWN
    allowed: dict[str, set[str]] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("collection"), str) and row.get("action") in ACTIONS:
            allowed.setdefault(row["collection"], set()).add(row["action"])
    return Permissions(known=True, allowed={c: frozenset(a) for c, a in allowed.items()})
