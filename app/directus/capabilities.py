"""What the Directus instance can do and what the signed-in user may do there, found once at connect time.

    access = await load_access(client, user)   # never raises: what could not be found stays permissive
    keeper = AccessKeeper(); await keeper.load(client, user); keeper.of(client)   # the connection's, kept fresh
    access.capabilities.version                -> "11.13.4" ("" when Directus did not say)
    access.permissions.allows("articles", "update")
    access.unavailable                         -> {tool: why}: tools this instance or user cannot serve

Versions differ in a few places this app meets (the README's compatibility table):

- who may do what: Directus 10 keeps permissions on the role (`GET /permissions?filter[role]`, readable by users
  with app access, with the app's minimal permissions merged in); from 11 they come from policies, and
  `GET /permissions/me` answers for any signed-in user;
- `/server/info` tells every signed-in user the version (`version`), on every version of the matrix;
- the prompts collection setting (`mcp_prompts_collection`) exists from 11.12, with Directus's MCP server;
- content versioning (`/versions`) exists from 10.7: every version of the matrix has it.

Errors have one shape on every version (`{"errors": [{"message", "extensions": {"code"}}]}`); an unknown route is
404 `ROUTE_NOT_FOUND`. Detection costs one request (`/server/info`), plus one when the version is not shown; the
permissions one or two more (none for an admin).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from app.directus.errors import DirectusError
from app.directus.permissions import ACTIONS, ADMIN, UNKNOWN, Permissions, from_permissions_me, from_rows

if TYPE_CHECKING:
    from app.directus.client import CurrentUser, DirectusApi

PROMPTS_SINCE = (11, 12)
POLICIES_SINCE = (11, 0)
VERSIONING_SINCE = (10, 7)


def parse_version(text: Any) -> Optional[tuple[int, int, int]]:
    match = re.match(r"^\s*v?(\d+)\.(\d+)\.(\d+)", text) if isinstance(text, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


@dataclass(frozen=True)
class Capabilities:
    version: str = ""  # as Directus said it; "" when it did not
    policies: bool = True  # permissions from policies and /permissions/me (11+); False: from the role (10)
    prompts: bool = True  # the prompts collection setting exists (11.12+)
    versioning: bool = True  # content versions (10.7+)

    @classmethod
    def of_version(cls, version: str) -> "Capabilities":
        parsed = parse_version(version)
        if parsed is None:
            return cls(version=version)
        return cls(
            version=version,
            policies=parsed >= POLICIES_SINCE,
            prompts=parsed >= PROMPTS_SINCE,
            versioning=parsed >= VERSIONING_SINCE,
        )

    def lacks(self) -> str:
        """What this version cannot do that the app offers on newer ones, in plain words for the user ("" if none)."""
        if self.prompts:
            return ""
        named = f"Directus {self.version}" if self.version else "This Directus"
        return f"{named} has no prompts collection setting (Directus 11.12 and later): no shared prompts."

    @property
    def generation(self) -> Optional[int]:
        parsed = parse_version(self.version)
        return parsed[0] if parsed else None


@dataclass(frozen=True)
class Access:
    capabilities: Capabilities = Capabilities()
    permissions: Permissions = UNKNOWN
    unavailable: dict[str, str] = field(default_factory=dict)  # tool -> one line: why it is not offered
    loaded_at: float = 0.0

    def note(self) -> str:
        """One line for the model: what this user may do (empty when unrestricted), and the tools not offered."""
        parts = [self.permissions.note()]
        parts += [f"No {name} tool: {why}" for name, why in sorted(self.unavailable.items())]
        return " ".join(p for p in parts if p)


async def detect(client: "DirectusApi") -> Capabilities:
    """The instance's version and what follows from it; a probe when the version is not told."""
    try:
        info = await client.request("GET", "/server/info")
    except DirectusError:
        info = None
    info = info if isinstance(info, dict) else {}
    version = info.get("version")
    if isinstance(version, str) and parse_version(version):
        return Capabilities.of_version(version)
    # Not told (a proxy may hide it): policies and /permissions/me came together in 11 (Directus 10 answers 204).
    try:
        answer = await client.request("GET", "/permissions/me")
    except DirectusError:
        answer = None
    return Capabilities() if isinstance(answer, dict) else Capabilities(policies=False, prompts=False)


async def read_permissions(client: "DirectusApi", capabilities: Capabilities, user: "CurrentUser") -> Permissions:
    """The user's permissions per collection (admins: all); UNKNOWN when Directus does not let them be read."""
    if user.admin:
        return ADMIN
    try:
        if capabilities.policies:
            return from_permissions_me(await client.request("GET", "/permissions/me"))
        me = await client.request("GET", "/users/me", params={"fields": ["role.id"]})
        role = me.get("role") if isinstance(me, dict) else None
        role_id = role.get("id") if isinstance(role, dict) else None
        if not isinstance(role_id, str):
            return UNKNOWN
        rows = await client.request(
            "GET",
            "/permissions",
            params={"filter": {"role": {"_eq": role_id}}, "fields": ["collection", "action"], "limit": -1},
        )
        return from_rows(rows)
    except DirectusError:
        return UNKNOWN


def unavailable_tools(permissions: Permissions) -> dict[str, str]:
    """Tools with no action this user may use: not offered, and the model is told why in a few words."""
    tools = ("items", "files", "folders")
    return {t: f"your permissions give no access to {t}." for t in tools if not permissions.tool_actions(t, ACTIONS)}


async def load_access(client: "DirectusApi", user: "CurrentUser", *, clock: Any = time.time) -> Access:
    """Capabilities and permissions, read now; never raises (whatever fails stays permissive)."""
    try:
        capabilities = await detect(client)
        permissions = await read_permissions(client, capabilities, user)
    except Exception:  # noqa: BLE001 - detection is a refinement: an odd answer must not stop the connection
        capabilities, permissions = Capabilities(), UNKNOWN
    return Access(capabilities, permissions, unavailable_tools(permissions), loaded_at=clock())


ACCESS_TTL = 120.0  # seconds: permissions older than this are read again in the background at the next turn's call


class AccessKeeper:
    """The access of the current connection: read at connect time (`load`), read again in the background after
    Directus refused a call the permissions seemed to allow, or once older than ACCESS_TTL (`refresh`)."""

    def __init__(self, clock: Any = time.time):
        self.clock = clock
        self._client: Optional[DirectusApi] = None
        self._user: Optional[CurrentUser] = None
        self._access: Optional[Access] = None
        self._loading = False

    def of(self, client: "DirectusApi") -> Optional[Access]:
        """The access read for this client (None: not read for it)."""
        return self._access if client is self._client else None

    async def load(self, client: "DirectusApi", user: "CurrentUser") -> Access:
        self._loading = True
        try:
            access = await load_access(client, user, clock=self.clock)
        finally:
            self._loading = False
        self._client, self._user, self._access = client, user, access
        client.cache["permissions"] = access.permissions  # the schema tool lists only what the user may reach
        client.cache["capabilities"] = access.capabilities  # (and the prompts are not asked of Directus 10)
        return access

    def stale(self, client: "DirectusApi") -> bool:
        access = self.of(client)
        return access is not None and not self._loading and self.clock() - access.loaded_at > ACCESS_TTL

    def refresh(self, client: "DirectusApi", spawn: Any) -> None:
        """Read again in the background (`spawn` runs a coroutine: the hub's), unless a read is under way."""
        if self._loading or client is not self._client or self._user is None:
            return
        self._loading = True  # (before the task starts: one refresh at a time)
        spawn(self.load(client, self._user))
