"""What one call may reach in Directus (Scope), and a client held to it (ScopedClient).

    scope = Scope.of("GET", "fields", "articles") | Scope.of("GET PATCH", "items", "articles", 3)
    api = scoped(client, scope)
    await api.request("PATCH", "/items/articles/3", json=...)     # sent
    await api.request("GET", "/flows/trigger/0b5b...")              # PathRefused: nothing is sent

Each tool declares, from a call's checked arguments, the exact paths and methods the call needs (ToolDef.scope);
the prepared call carries them (app/directus/prepared.py), and its run, its undo capture and the change preview
of its approval prompt all go through a client scoped to them (app/directus/registry.py `run_call`,
PreparedCall.capture). Undo does the same with the paths of its plan (app/directus/undo.py `apply`). A request
outside the scope, or whose path a browser would resolve to another one (`..`, `%2e%2e`, `\\`), raises
PathRefused (a DirectusError, code PATH_REFUSED) before anything is sent, with words the model can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional
from urllib.parse import urlsplit

from app.directus.paths import PathRefused, Segment, api_path, final_path

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

ANY = "*"  # any method


@dataclass(frozen=True)
class Scope:
    allowed: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (METHOD or "*", exact path)

    @classmethod
    def of(cls, methods: str, *segments: Segment) -> "Scope":
        """The path of `segments` (checked and encoded by api_path: raises PathRefused) for `methods`
        ("GET", "GET PATCH", or "*" for any)."""
        path = api_path(*segments)
        return cls(frozenset((m.upper(), path) for m in methods.split()))

    def __or__(self, other: "Scope") -> "Scope":
        return Scope(self.allowed | other.allowed)

    def allows(self, method: str, path: str) -> bool:
        return (method.upper(), path) in self.allowed or (ANY, path) in self.allowed

    def __str__(self) -> str:
        entries = sorted(self.allowed, key=lambda e: (e[1], e[0]))
        return ", ".join(f"{'any method' if m == ANY else m} {p}" for m, p in entries) or "nothing"


def union(scopes: "list[Scope]") -> Scope:
    out = Scope()
    for s in scopes:
        out = out | s
    return out


def check(method: str, path: str, scope: Scope, base: str = "") -> None:
    """Raise PathRefused unless `method path` is in the scope, as the browser would send it from `base`."""
    prefix = urlsplit(base).path.rstrip("/") if base else ""
    final = final_path(prefix + path)
    if final != prefix + path or not scope.allows(method, path):
        raise PathRefused(
            f"Refused before sending: this call would reach {method.upper()} {final}, which is not what it is for "
            f"({scope}). Collection and field names are identifiers; keys cannot contain /, \\ or %, nor be . or .."
        )


class ScopedClient:
    """A Directus client that sends only what its scope allows (everything else of the client is shared: its
    session, its refresh, its cache)."""

    def __init__(self, client: "DirectusApi", scope: Scope):
        self.client = client
        self.scope = scope

    @property
    def url(self) -> str:
        return str(getattr(self.client, "url", "") or "")

    @property
    def cache(self) -> dict[str, Any]:
        return self.client.cache

    def invalidate(self, prefix: str = "") -> None:
        self.client.invalidate(prefix)

    async def request(
        self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None
    ) -> Any:
        check(method, path, self.scope, self.url)
        return await self.client.request(method, path, params=params, json=json)

    async def request_body(
        self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None
    ) -> Any:
        check(method, path, self.scope, self.url)
        return await self.client.request_body(method, path, params=params, json=json)


def scoped(client: "DirectusApi", scope: Scope) -> ScopedClient:
    """`client` held to `scope` (a client already scoped is held to both)."""
    return ScopedClient(client, scope)
