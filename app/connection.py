"""The Directus connection: connect, sign in and out, the project's prompts, and the tools a turn gets.

    directus = DirectusConnection(prefs, hub, transport)
    await directus.connect()               # the stored token or session: who am I, admin or not
    await directus.sign_in(email, password, otp)
    directus.current                       # Connection: status, message, user, otp_needed, url
    directus.prompts                       # the project's shared prompts (app/directus/prompts.py), once connected
    directus.settings_tools()              # the tools Settings lists: a signed-in non-admin sees no admin tools

Credentials: a static token, or email and password, whose session (refreshed by the client,
app/directus/client.py) is stored with the secrets (app/preferences.py); config.json may name a demo token,
used only for its own Directus URL. A token or session is used only for the URL it was made for
(app/settings.py `DirectusSettings.token_for`, `session_for`): after the URL changes, connecting asks for a new
sign-in and sends nothing of the old one to the new address. While an attempt is in progress, a turn waits for it (`settled`, up to
`CONNECT_WAIT_SECONDS`) so a message sent at page load still gets the tools.

Tools: a turn's agent holds `LiveTools`, which asks for the connection's tools at each model call (none while
not connected: app/directus/not_connected.py). A pending update's approval prompt shows what it will change, value by value,
read in the background (`change_preview`). All three sit in one marked place at the end of this module.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Collection, Literal, Optional

if TYPE_CHECKING:
    from app.chat.agent import Agent
    from app.chat.approvals import PendingApproval
    from app.chat.model import ToolCallPart, ToolSpec
    from app.directus.capabilities import AccessKeeper
    from app.directus.changes import Change
    from app.directus.client import CurrentUser, DirectusClient, Session
    from app.directus.links import Link
    from app.directus.not_connected import NoTools
    from app.directus.prepared import PreparedCall
    from app.directus.prompts import Prompt
    from app.directus.toolbox import PreparedCalls, Toolbox
    from app.directus.tools.definition import ToolOutcome
    from app.hub import Hub
    from app.preferences import Preferences
    from app.transport import Transport

ConnectionStatus = Literal["off", "connecting", "connected", "error", "expired"]

SIGN_IN = "Sign in to Directus in Settings (a static token, or email and password)."
SIGN_IN_AGAIN = (
    "Sign in again for %s in Settings: the saved token or session was made for another Directus address, and it is "
    "never sent to a different one."
)

CONNECT_WAIT_SECONDS = 15.0  # how long a turn waits for a Directus connection in progress before going on


@dataclass
class Connection:
    status: ConnectionStatus = "off"
    message: str = ""  # what is wrong, in plain words ("error"), a hint ("off"), what this Directus lacks ("connected")
    user: Optional[CurrentUser] = None  # when connected
    otp_needed: bool = False
    url: str = ""

    @property
    def who(self) -> str:
        if self.user is None:
            return ""
        return "%s (%s)" % (
            self.user.display_name,
            "administrator" if self.user.admin else (self.user.role_name or "user"),
        )


def _failure(exc: Exception) -> str:
    """What a failed connection attempt says: the client's own words for a DirectusError, else plain words."""
    from app.directus.errors import DirectusError

    if isinstance(exc, DirectusError):
        return exc.message
    return (
        "This address did not answer like a Directus API (%s). Check the Directus URL in Settings." % type(exc).__name__
    )


class DirectusConnection:
    def __init__(
        self,
        prefs: Preferences,
        hub: Hub,
        transport: Transport,
        *,
        origin: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ):
        self.prefs = prefs
        self.hub = hub
        self.transport = transport
        self.origin = origin  # this app's origin, named in CORS advice
        self.clock = clock
        self.current = Connection()
        self.client: Optional[DirectusClient] = None
        self.prompts: list[Prompt] = []  # the project's shared prompts, loaded once connected
        self._settled = asyncio.Event()  # set while no connection attempt is in progress
        self._settled.set()
        self.tools = TurnTools(self)  # what a turn's agent gets of the connection (the end of this module)

    def url(self) -> str:
        from app.settings import directus_url

        return directus_url(self.prefs.settings, self.prefs.config)

    def token(self) -> str:
        """The user's static token if it was entered for this URL, or the deployment's demo token for the
        deployment's own Directus."""
        d, config = self.prefs.settings.directus, self.prefs.config
        if d.token:
            return d.token_for(self.url())
        if config.demo_directus_token and not d.session and self.url() == config.directus_url.rstrip("/"):
            return config.demo_directus_token
        return ""

    def use_token(self, token: str) -> None:
        """A static token for the Directus URL in effect now (bound to it), replacing any session; saved."""
        d = self.prefs.settings.directus
        d.auth, d.token, d.token_url, d.session, d.session_url = "token", token, self.url(), None, ""
        self.prefs.save()

    async def connect(self) -> bool:
        """Connect with the stored token or session; True when signed in. The outcome is in `current`.
        Never raises: whatever goes wrong ends the attempt with status "error" and says what."""
        url = self.url()
        d = self.prefs.settings.directus
        session = d.session_for(url)
        token = "" if (d.auth == "password" and session) else self.token()
        session = session if not token else None
        if not url:
            self._set(Connection("off", "Set the Directus URL in Settings to let the assistant work on your data."))
            return False
        if not token and not session:
            self._set(Connection("off", SIGN_IN_AGAIN % url if d.token or d.session else SIGN_IN, url=url))
            return False
        self._set(Connection("connecting", url=url))
        try:
            client = self._new_client(url, token, session)
            user = await client.me(fresh=True)
            access = await self.tools.access().load(client, user)  # what it can do and the user may (capabilities.py)
        except Exception as exc:  # noqa: BLE001 - any failure must end "connecting", or every turn waits for it
            self.client = None
            self._set(Connection("error", _failure(exc), url=url))
            return False
        self.client = client
        self._set(Connection("connected", access.capabilities.lacks(), user=user, url=url))
        return True

    async def sign_in(self, email: str, password: str, otp: str = "") -> bool:
        """Email + password (+ one-time code when the account asks for one). The session is stored as a secret,
        bound to this URL. Never raises, like `connect`."""
        from app.directus.errors import DirectusError

        url = self.url()
        if not url:
            self._set(Connection("error", "Enter the Directus URL first."))
            return False
        d = self.prefs.settings.directus
        d.auth, d.email, d.token, d.token_url = "password", email.strip(), "", ""
        self._set(Connection("connecting", url=url))
        try:
            client = self._new_client(url)
            await client.login(email.strip(), password, otp or None)  # stores the session via _session_changed
            user = await client.me(fresh=True)
            access = await self.tools.access().load(client, user)
        except DirectusError as exc:
            self.client = None
            self._set(Connection("error", exc.message, otp_needed=exc.code in ("OTP_REQUIRED", "INVALID_OTP"), url=url))
            return False
        except Exception as exc:  # noqa: BLE001 - any failure must end "connecting", or every turn waits for it
            self.client = None
            self._set(Connection("error", _failure(exc), url=url))
            return False
        self.client = client
        self._set(Connection("connected", access.capabilities.lacks(), user=user, url=url))
        return True

    async def disconnect(self) -> None:
        """Sign out: forget the token and session (the URL stays)."""
        client, self.client = self.client, None
        d = self.prefs.settings.directus
        d.token, d.token_url, d.session, d.session_url = "", "", None, ""
        if client is not None and client.session is not None:
            await client.logout()
        self.prefs.save()
        self._set(Connection("off", "Signed out of Directus.", url=self.url()))

    def settings_tools(self) -> list[str]:
        """The tools Settings lists: all of them, but only the non-admin ones for a signed-in non-admin."""
        from app.directus.registry import tool_names

        user = self.current.user
        return tool_names(admin=not (self.current.status == "connected" and user is not None and not user.admin))

    async def settled(self) -> None:
        """Wait (a while) for a connection attempt in progress, so a turn gets the tools."""
        try:
            await asyncio.wait_for(self._settled.wait(), CONNECT_WAIT_SECONDS)
        except asyncio.TimeoutError:
            pass

    def _new_client(self, url: str, token: str = "", session: Optional[dict] = None) -> DirectusClient:
        from app.directus.client import DirectusClient, Session

        restored = None
        if session:
            try:
                restored = Session.from_dict(session)
            except (KeyError, TypeError, ValueError):
                restored = None
        return DirectusClient(
            url,
            self.transport,
            token=token or None,
            session=restored,
            on_session_change=lambda changed: self._session_changed(changed, url),
            on_unauthorized=lambda error: self._expired(url),
            origin=self.origin,
            clock=self.clock,
        )

    def _session_changed(self, session: Optional[Session], url: str) -> None:
        """A client for `url` signed in, refreshed its session or signed out: store the session, bound to `url`.
        A client for an address no longer in effect stores nothing (it would replace the session of the new one)."""
        from app.settings import same_address

        if not same_address(url, self.url()):
            return
        d = self.prefs.settings.directus
        d.session, d.session_url = (session.to_dict(), url) if session is not None else (None, "")
        self.prefs.save()

    def _expired(self, url: str) -> None:  # a call of the connection in use got 401: the header says so at once
        if self.current.status == "connected" and url == self.current.url:
            self.client = None
            self._set(Connection("expired", "Your Directus session has expired. Sign in again.", url=url))

    def _set(self, connection: Connection) -> None:
        self.current = connection
        if connection.status == "connecting":
            self._settled.clear()
        else:
            self._settled.set()
        self.prompts = []
        if connection.status == "connected":
            self.hub.clear_notice("directus-moved")  # (app/preferences.py: signed in again after the URL changed)
        if connection.status == "connected" and self.client is not None:
            self.hub.spawn(self._load_prompts(self.client))
        self.hub.notify("connection")

    async def _load_prompts(self, client: DirectusClient) -> None:
        """The project's shared prompts (app/directus/prompts.py), for the Prompts button; none when not allowed."""
        from app.directus.prompts import fetch_prompts

        prompts = await fetch_prompts(client)
        if client is self.client:  # still the same connection
            self.prompts = prompts
            self.hub.notify("connection")


# ===== The tools of a turn, and the change previews of its approvals ==================================================
# Everything here touches the agent's tool interface (app/chat/agent.py `Tools`), so it is kept together:
# `TurnTools.current()` (the connection's Toolbox when connected, else `NoTools`), `LiveTools` (what a turn's agent
# holds: the tools as they are at each model call), the calls prepared once (`calls()`, `describe()` for the tool
# cards), and the change previews (`change_preview`, `preview_pending`, `_load_preview`: what a pending update
# will change, read in the background for its approval prompt through the prepared call's capture step).


class TurnTools:
    def __init__(self, directus: DirectusConnection):
        self._directus = directus
        # call id -> (the waiting call they were read for, its changes; None: loading). A call id is not unique
        # across turns (a server may send the same one each time): a new waiting call with that id reads its own.
        self._previews: dict[str, tuple[PendingApproval, Optional[list[Change]]]] = {}
        self._calls: Optional[PreparedCalls] = None  # the tool calls, each prepared once (cards, approvals, runs)
        self._toolbox: Optional[Toolbox] = None
        self._access: Optional[AccessKeeper] = None

    def access(self) -> AccessKeeper:
        """The connection's capabilities and permissions (app/directus/capabilities.py), kept fresh."""
        if self._access is None:
            from app.directus.capabilities import AccessKeeper

            self._access = AccessKeeper(self._directus.clock)
        return self._access

    def calls(self) -> PreparedCalls:
        """The tool calls prepared once (app/directus/toolbox.py): the cards, the approvals and the runs read them.
        Imported at the first card or call, not at start-up."""
        if self._calls is None:
            from app.directus.toolbox import PreparedCalls

            self._calls = PreparedCalls()
        self._calls.use_url(self._directus.url())  # (the links name it: a new URL starts afresh)
        return self._calls

    def describe(self, call: ToolCallPart) -> tuple[Optional[str], list[Link]]:
        """A tool card's (summary, "Open in Directus" links), from the call prepared once."""
        return self.calls().describe(call)

    def current(self) -> Toolbox | NoTools:
        """The tools of the connection as it is now: its Toolbox when connected (one per client, role and tool
        settings), else none."""
        directus = self._directus
        client = directus.client
        if client is None or directus.current.status != "connected":
            from app.directus.not_connected import NoTools

            return NoTools()
        user = directus.current.user
        admin, policy, calls = bool(user and user.admin), directus.prefs.settings.tools, self.calls()
        keeper = self.access()
        if keeper.stale(client):
            keeper.refresh(client, directus.hub.spawn)
        wanted, box = (client, admin, policy, calls, keeper.of(client)), self._toolbox
        if box is None or any(have is not want for have, want in zip(box.key, wanted, strict=True)):
            from app.directus.toolbox import Toolbox

            box = self._toolbox = Toolbox(*wanted, on_refused=lambda: keeper.refresh(client, directus.hub.spawn))
        return box

    def live(self) -> LiveTools:
        return LiveTools(self)

    def change_preview(self, call_id: str) -> list[Change]:
        """What a pending update will change, value by value (app/directus/changes.py); [] until read, or if none."""
        entry = self._previews.get(call_id)
        return (entry[1] or []) if entry is not None else []

    def preview_pending(self, agent: Agent) -> None:
        """Read, in the background, what each pending call of the agent will change (once per waiting call); drop
        the previews of calls decided since."""
        for call_id, (pending, _) in list(self._previews.items()):
            if pending.future.done():
                del self._previews[call_id]
        client = self._directus.client
        if client is None:
            return
        for call_id, pending in list(agent.pending.items()):
            entry = self._previews.get(call_id)
            if entry is None or entry[0] is not pending:
                self._previews[call_id] = (pending, None)
                self._directus.hub.spawn(self._load_preview(client, pending))

    async def _load_preview(self, client: DirectusClient, pending: PendingApproval) -> None:
        """Read with the prepared call's own capture step (the run captures again, right before the write)."""
        from app.directus.changes import preview_changes
        from app.directus.prepared import PreparedCall

        try:
            call = pending.prepared
            changes = await preview_changes(client, call) if isinstance(call, PreparedCall) else []
        except Exception:  # noqa: BLE001 - a preview is a nicety: the approval prompt works without it
            changes = []
        call_id = pending.call.id
        entry = self._previews.get(call_id)
        if entry is None or entry[0] is not pending:
            return  # decided meanwhile, or another call with this id waits now
        self._previews[call_id] = (pending, changes)
        if changes:
            self._directus.hub.notify("conversation")


class LiveTools:
    """The tools of the Directus connection as it is when the model is called, not when the turn started:
    a message sent while the connection is still being made gets the tools once it is made."""

    def __init__(self, tools: TurnTools):
        self._tools = tools

    def specs(self, used: Collection[str] = ()) -> list[ToolSpec]:
        return self._tools.current().specs(used)

    def prepare(self, name: str, arguments: str) -> PreparedCall:
        return self._tools.current().prepare(name, arguments)

    async def run(self, call: PreparedCall) -> ToolOutcome:
        return await self._tools.current().run(call)
