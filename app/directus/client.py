"""The Directus REST client: who you are, a token that stays fresh, and typed errors.

    client = DirectusClient("https://cms.example.com", transport, token="static-token")   # or:
    client = DirectusClient(url, transport, on_session_change=save)
    await client.login(email, password, otp=None)   # JSON mode: access + refresh token kept here
    data = await client.request("GET", "/items/articles", params={"fields": ["id", "title"], "limit": 5})

Sessions (email + password) refresh the access token shortly before it expires and once more when a request
comes back 401; parallel requests share one refresh (Directus rotates refresh tokens, so two refreshes at once
would log the user out). `on_session_change(session_or_None)` hands every new `Session` to the app so it can
be saved and restored with `DirectusClient(..., session=...)`; None means signed out.

Every failure is a `DirectusError` (see errors.py) with a message in plain words.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping, Optional, Protocol
from urllib.parse import quote, urlencode

from app.directus.errors import DirectusError, from_response, network_error, not_directus, redirect_error
from app.directus.paths import PathRefused, final_path, is_canonical
from app.json_depth import MAX_DEPTH, load_json
from app.transport import NetworkError, RedirectRefused, Request, Response, Transport, read_capped

__all__ = ["CurrentUser", "DirectusApi", "DirectusClient", "DirectusError", "Session", "encode_params"]

REFRESH_MARGIN = 60.0  # seconds before expiry at which a session token is refreshed


@dataclass
class Session:
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Session":
        return cls(str(raw["access_token"]), str(raw["refresh_token"]), float(raw["expires_at"]))


@dataclass
class CurrentUser:
    id: str
    email: Optional[str]
    first_name: Optional[str]
    last_name: Optional[str]
    role_name: Optional[str]
    admin: bool
    app_access: bool

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email or self.id


def encode_params(params: Optional[Mapping[str, Any]]) -> str:
    """Query parameters the way Directus reads them: lists joined by commas, objects as JSON."""
    if not params:
        return ""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
            text = ",".join(str(v) for v in value)
        elif isinstance(value, (dict, list, tuple)):
            text = jsonlib.dumps(value, separators=(",", ":"))
        else:
            text = str(value)
        pairs.append((key, text))
    return urlencode(pairs, quote_via=quote, safe=",*")


class DirectusApi(Protocol):
    """What the tools, undo and the change preview use of a client: a DirectusClient, or one held to the paths of
    one call (app/directus/scope.py ScopedClient)."""

    @property
    def url(self) -> str: ...

    @property
    def cache(self) -> dict[str, Any]: ...

    def invalidate(self, prefix: str = "") -> None: ...

    async def request(
        self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None
    ) -> Any: ...

    async def request_body(
        self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None
    ) -> Any: ...


class DirectusClient:
    def __init__(
        self,
        url: str,
        transport: Transport,
        *,
        token: Optional[str] = None,
        session: Optional[Session] = None,
        on_session_change: Optional[Callable[[Optional[Session]], None]] = None,
        on_unauthorized: Optional[Callable[[DirectusError], None]] = None,
        origin: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ):
        self.url = url.strip().rstrip("/")
        self.transport = transport
        self.token = token or None  # a static token; never refreshed
        self.session = session
        self.on_session_change = on_session_change
        self.on_unauthorized = on_unauthorized  # a call got 401 for good (refresh tried): the token or session is dead
        self.origin = origin  # this app's origin, named in CORS advice (None outside a browser)
        self.clock = clock
        self.cache: dict[str, Any] = {}  # small per-connection facts (e.g. collection info); see invalidate()
        self._refreshing: Optional[asyncio.Lock] = None
        self._user: Optional[CurrentUser] = None

    # --- auth --------------------------------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return bool(self.token or self.session)

    async def login(self, email: str, password: str, otp: Optional[str] = None) -> None:
        body: dict[str, Any] = {"email": email, "password": password, "mode": "json"}
        if otp:
            body["otp"] = otp.strip()
        data = await self._call("POST", "/auth/login", None, body, auth=False, otp_given=bool(otp))
        self.token = None
        self._set_session(self._session_from(data))
        self._user = None

    async def logout(self) -> None:
        session, self.session = self.session, None
        self.token = None
        self._user = None
        self.invalidate()
        if session is not None:
            try:
                await self._call(
                    "POST", "/auth/logout", None, {"refresh_token": session.refresh_token, "mode": "json"}, auth=False
                )
            except DirectusError:
                pass  # the refresh token may already be gone; we are signed out either way
            if self.on_session_change:
                self.on_session_change(None)

    async def me(self, *, fresh: bool = False) -> CurrentUser:
        """Who is signed in, and whether they have admin and app access (from their role's and own policies)."""
        if self._user is not None and not fresh:
            return self._user
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role.name",
            "policies.policy.admin_access",
            "policies.policy.app_access",
            "role.policies.policy.admin_access",
            "role.policies.policy.app_access",
        ]
        try:
            data = await self._with_role_flags(await self.request("GET", "/users/me", params={"fields": fields}))
        except DirectusError as exc:
            if exc.code not in ("FORBIDDEN", "INVALID_QUERY"):
                raise
            # Users without app access may not read their role or policies: they are not admins.
            data = await self.request("GET", "/users/me", params={"fields": ["id", "email", "first_name", "last_name"]})
        if not isinstance(data, dict) or not isinstance(data.get("id"), (str, int)) or isinstance(data["id"], bool):
            raise not_directus(self.url, "it did not say who is signed in")
        found = data.get("role")
        role: dict = found if isinstance(found, dict) else {}
        policies = _listed(data.get("policies")) + _listed(role.get("policies"))
        flags: list[dict] = [p["policy"] for p in policies if isinstance(p, dict) and isinstance(p.get("policy"), dict)]
        if "admin_access" in role:  # Directus 10: the flags are the role's own
            flags.append(role)
        app_access = any(bool(f.get("admin_access") or f.get("app_access")) for f in flags)
        if not flags:
            app_access = await self._has_app_permissions()
        self._user = CurrentUser(
            id=str(data["id"]),
            email=_text(data.get("email")),
            first_name=_text(data.get("first_name")),
            last_name=_text(data.get("last_name")),
            role_name=_text(role.get("name")),
            admin=any(bool(f.get("admin_access")) for f in flags),
            app_access=app_access,
        )
        return self._user

    async def _with_role_flags(self, data: Any) -> Any:
        """The user as read, plus the admin and app access flags of the role when the answer has no policies
        (Directus 10 leaves out the fields it does not have, and keeps those flags on the role)."""
        role = data.get("role") if isinstance(data, dict) else None
        if not isinstance(data, dict) or "policies" in data or (isinstance(role, dict) and "policies" in role):
            return data
        try:
            more = await self.request("GET", "/users/me", params={"fields": ["role.admin_access", "role.app_access"]})
        except DirectusError:
            return data
        flags = more.get("role") if isinstance(more, dict) else None
        if isinstance(flags, dict) and "admin_access" in flags:
            return {**data, "role": {**(role if isinstance(role, dict) else {}), **flags}}
        return data

    async def _has_app_permissions(self) -> bool:
        # Non-admins may not read their own policies; app access shows as read access to the schema.
        try:
            perms = await self.request("GET", "/permissions/me") or {}
        except DirectusError:
            return False
        entry = perms.get("directus_collections") if isinstance(perms, dict) else None
        read = entry.get("read") if isinstance(entry, dict) else None
        return isinstance(read, dict) and read.get("access") not in (None, "none")

    async def refresh(self) -> None:
        """Trade the refresh token for a new access token (one at a time, even when called in parallel)."""
        if self.session is None:
            raise DirectusError(401, "TOKEN_EXPIRED", "Your Directus session has expired. Sign in again.")
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        before = self.session
        async with self._refreshing:
            if self.session is not before:
                return  # someone else refreshed while we waited
            if self.session is None:
                raise DirectusError(401, "TOKEN_EXPIRED", "Your Directus session has expired. Sign in again.")
            try:
                data = await self._call(
                    "POST", "/auth/refresh", None, {"refresh_token": before.refresh_token, "mode": "json"}, auth=False
                )
            except DirectusError as exc:
                if exc.status in (400, 401, 403):
                    self._set_session(None)
                    raise DirectusError(
                        401, "TOKEN_EXPIRED", "Your Directus session has expired. Sign in again.", detail=exc.detail
                    ) from exc
                raise
            self._set_session(self._session_from(data))

    def invalidate(self, prefix: str = "") -> None:
        """Forget cached facts (all, or those whose key starts with prefix); schema-changing tools call this."""
        for key in [k for k in self.cache if k.startswith(prefix)]:
            del self.cache[key]

    # --- requests ----------------------------------------------------------------------------------------------

    async def request(
        self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None
    ) -> Any:
        """Send an authenticated request; return the body's `data` (None for 204). Raises DirectusError."""
        body = await self.request_body(method, path, params=params, json=json)
        if isinstance(body, dict) and "data" in body:
            return body["data"]
        return body

    async def request_body(
        self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None
    ) -> Any:
        """Like request(), but the whole JSON body (e.g. `{"data": [...], "meta": {...}}`).

        A path that a browser would not send as it is (a `.` or `..` segment, also percent-encoded; a `\\`; a query
        or fragment: those go in `params`) raises PathRefused: paths are built by app/directus/paths.py."""
        if not is_canonical(path):
            raise PathRefused(
                f"Refused before sending: the path {path!r} would reach {final_path(path)} instead; "
                "names and keys cannot contain /, \\ or %, nor be . or .."
            )
        try:
            return await self._signed_call(method, path, params, json)
        except DirectusError as exc:
            if exc.status == 401 and self.on_unauthorized is not None:
                self.on_unauthorized(exc)  # (the header says "session expired" at once: app/connection.py)
            raise

    async def _signed_call(self, method: str, path: str, params: Optional[Mapping[str, Any]], json: Any) -> Any:
        """One call with the token or the session, refreshed before it when due, and once after a 401."""
        if self.session is not None and self.clock() >= self.session.expires_at - REFRESH_MARGIN:
            await self.refresh()
        try:
            return await self._call(method, path, params, json)
        except DirectusError as exc:
            if exc.status != 401 or self.session is None:
                raise
        await self.refresh()
        return await self._call(method, path, params, json)

    async def download(self, path: str, cap: int) -> tuple[bytes, str]:
        """The raw body and content type of an authenticated GET, e.g. a file's `/assets/<id>` (read with the user's
        own permissions; app/directus/file_library.py). Raises DirectusError, TOO_LARGE past `cap` bytes."""
        if not is_canonical(path):
            raise PathRefused(f"Refused before sending: the path {path!r} would reach {final_path(path)} instead")
        for attempt in (1, 2):
            if self.session is not None and self.clock() >= self.session.expires_at - REFRESH_MARGIN:
                await self.refresh()
            bearer = self._bearer()
            request = Request("GET", self.url + path, {"authorization": "Bearer " + bearer} if bearer else {})
            response, raw = await self._send(request, cap)
            if response.status == 401 and self.session is not None and attempt == 1:
                await self.refresh()
                continue
            if response.status >= 400:
                try:
                    body = load_json(raw.decode("utf-8", "replace"), MAX_DEPTH) if raw else None
                except ValueError:
                    body = None
                raise from_response(response.status, body)
            return raw, str(response.headers.get("content-type") or "")
        raise DirectusError(401, "TOKEN_EXPIRED", "The Directus session expired; sign in again.")

    async def _call(
        self,
        method: str,
        path: str,
        params: Optional[Mapping[str, Any]],
        json: Any,
        *,
        auth: bool = True,
        otp_given: bool = False,
    ) -> Any:
        url = self.url + path
        query = encode_params(params)
        if query:
            url += "?" + query
        headers = {"accept": "application/json"}
        bearer = self._bearer() if auth else None
        if bearer:
            headers["authorization"] = "Bearer " + bearer
        if json is None:
            request = Request(method, url, headers)
        else:
            request = Request.json(method, url, json, headers)
        response, raw = await self._send(request)
        body: Any = None
        if raw:
            try:
                body = load_json(raw.decode("utf-8", "replace"), MAX_DEPTH)
            except ValueError:  # not JSON, or nested deeper than any Directus answer (app/json_depth.py)
                body = None
                if response.status < 400 or response.status in (404, 405):
                    raise not_directus(self.url, "its answer is not JSON", response.status) from None
        if response.status >= 400:
            error = from_response(response.status, body, otp_given=otp_given)
            if error.code == "INVALID_CREDENTIALS" and auth and self.token and not self.session:
                error.message = "The Directus token was refused. Check the static token in the settings, or sign in."
            raise error
        return body

    async def _send(self, request: Request, cap: Optional[int] = None) -> tuple[Response, bytes]:
        """The response and body (stopped past `cap` bytes); a redirect, no answer, a body past it: DirectusError."""
        try:
            response = await self.transport.send(request)
            if (raw := await (response.read() if cap is None else read_capped(response, cap))) is None:
                raise DirectusError(0, "TOO_LARGE", f"the answer passed {cap} bytes; reading stopped there")
            return response, raw
        except RedirectRefused as exc:
            raise redirect_error(self.url, str(exc)) from exc
        except NetworkError as exc:
            raise network_error(self.url, self.origin or exc.origin, str(exc), exc.blocked) from exc

    def _bearer(self) -> Optional[str]:
        if self.session is not None:
            return self.session.access_token
        return self.token

    def _session_from(self, data: Any) -> Session:
        if not isinstance(data, dict) or "data" not in data or not isinstance(data["data"], dict):
            raise not_directus(self.url, "it did not answer the sign-in like Directus does")
        tokens = data["data"]
        if not tokens.get("access_token") or not tokens.get("refresh_token"):
            raise DirectusError(200, "NOT_DIRECTUS", f"{self.url} did not return tokens; is it Directus 10 or newer?")
        expires_ms = float(tokens.get("expires") or 900000)
        return Session(str(tokens["access_token"]), str(tokens["refresh_token"]), self.clock() + expires_ms / 1000.0)

    def _set_session(self, session: Optional[Session]) -> None:
        self.session = session
        if self.on_session_change:
            self.on_session_change(session)


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None
