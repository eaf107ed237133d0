"""The settings dialog (a real <dialog>) around the settings form (app/web/views/settings_form.py).

    dialog = SettingsDialog(by_id("settings-dialog"), on_submit)   # on_submit: Save was pressed
    dialog.open(settings, tools, defaults, connection)             # the form built afresh from `Settings`
    new = dialog.read(settings, default_url)                       # the form read back into a new `Settings`

It shows what it is told (the connection, the tools the user may set), adds and removes endpoint fieldsets,
filters the tool rows, switches between token and password sign-in. Its buttons (Connect, Disconnect, Add, Remove,
Cancel) carry `data-action`s that the controller dispatches (app/web/actions.py, app/web/settings_editor.py);
until the first `open`, the other methods do nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol, cast

from app.providers.registry import FIRST_PARTY
from app.settings import CompatibleEndpoint, Settings
from app.web.dom import Element, Event, by_id, listen, text
from app.web.views.settings_form import (
    FormDefaults,
    build_form,
    endpoint_fieldset,
    parse_headers,
    parse_models,
    tool_row,
)

if TYPE_CHECKING:
    from app.chat.approvals import Mode

CONNECTION_LABELS = {
    "off": "Not connected",
    "connecting": "Connecting…",
    "connected": "Connected",
    "error": "Not connected",
    "expired": "Session expired",
}
SECRET_FIELDS = ("set-directus-token", "set-directus-password", "set-directus-otp")


class ConnectionState(Protocol):
    """What the dialog shows of the Directus connection (the assistant's `connection`)."""

    @property
    def status(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def otp_needed(self) -> bool: ...
    @property
    def who(self) -> str: ...


class SettingsDialog:
    def __init__(self, dialog: Element, on_submit: Callable[[], None]):
        self.dialog = dialog
        self.on_submit = on_submit
        self.form: Element = None  # built at each open
        self.removed_scopes: set[str] = set()  # "Always allow" scopes removed in the form, taken away at Save
        listen(dialog, "submit", self._on_submit)
        listen(dialog, "change", lambda e: self._toggle_auth() if str(e.target.name) == "set-auth" else None)
        self._url_edited = False  # the Directus URL was changed in this opening of the form
        listen(dialog, "input", self._on_input)

    def _on_input(self, event: Event) -> None:
        target = str(event.target.id)
        if target == "set-tool-search":
            self._filter_tools(str(event.target.value))
        elif target == "set-directus-url":  # a token belongs to its URL: a new URL needs it entered again
            self._url_edited = True
            token = by_id("set-directus-token")
            if token is not None:
                token.value = ""

    # ----- open and close -------------------------------------------------------------------------------------

    def open(self, settings: Settings, tools: list[str], defaults: FormDefaults, connection: ConnectionState) -> None:
        self.form = build_form(settings, tools, defaults, connection.otp_needed)
        self.removed_scopes = set()
        self._url_edited = False
        self.dialog.replaceChildren(self.form)
        self.show_connection(connection)
        self.dialog.showModal()

    @property
    def is_open(self) -> bool:
        return bool(self.dialog.open)

    def close(self) -> None:
        self.dialog.close()

    def focus_key(self, model_ref: str) -> None:
        """Focus (and scroll to) the key field of the provider of a model ref."""
        self.focus_field(self._key_field_for(model_ref))

    def focus_field(self, element_id: str) -> None:
        from js import Object
        from pyodide.ffi import to_js

        el = by_id(element_id)
        if el is not None:
            el.focus()
            el.scrollIntoView(to_js({"block": "center"}, dict_converter=Object.fromEntries))

    # ----- what the app tells it ------------------------------------------------------------------------------

    def show_connection(self, connection: ConnectionState) -> None:
        el = by_id("connection-status")
        if self.form is None or el is None:
            return
        line = CONNECTION_LABELS[connection.status]
        if connection.status == "connected":
            line += " as " + connection.who + (". " + connection.message if connection.message else "")
        elif connection.message:
            line += ": " + connection.message
        text(el, line)
        el.setAttribute("data-status", connection.status)
        otp = by_id("otp-field")
        if otp is not None and connection.otp_needed:
            otp.hidden = False

    def show_tools(self, tools: list[str], settings: Settings) -> None:
        """Show the rows of `tools` only (admin-only tools go away for a non-admin), keeping modes picked but not saved."""
        rows = by_id("tool-rows")
        if self.form is None or rows is None:
            return
        shown = [str(r.getAttribute("data-tool")) for r in rows.querySelectorAll(".tool-row")]
        if shown == list(tools):
            return
        picked = {str(s.getAttribute("data-tool")): str(s.value) for s in rows.querySelectorAll("select[data-tool]")}
        rows.replaceChildren(*[tool_row(name, picked.get(name, settings.tools.mode(name))) for name in tools])
        search = by_id("set-tool-search")
        if search is not None:
            self._filter_tools(str(search.value))

    # ----- what the user does in it ---------------------------------------------------------------------------

    def add_endpoint(self) -> None:
        """A new, empty endpoint fieldset at the end of the list, focused."""
        box = by_id("compat-endpoints")
        taken = [str(f.getAttribute("data-suffix")) for f in box.querySelectorAll(".compat-endpoint")]
        n = 2
        while "-%d" % n in taken:
            n += 1
        suffix = "-%d" % n if taken else ""
        box.appendChild(endpoint_fieldset(suffix))
        by_id("set-compat-name" + suffix).focus()

    def remove_endpoint(self, button: Element) -> None:
        button.closest(".compat-endpoint").remove()

    def remove_scope(self, allowed: str, button: Element) -> None:
        """Take a scope allowed from an approval card off the list; Save asks again for it (Cancel keeps it)."""
        self.removed_scopes.add(allowed)
        row = button.closest(".allowed-scope")
        if not hasattr(row, "remove"):
            return
        neighbour = row.nextElementSibling
        if not hasattr(neighbour, "querySelector"):  # JS null (pyodide's jsnull) after the last row
            neighbour = row.previousElementSibling
        row.remove()
        # The keyboard stays in the list: the next (or previous) Remove button, or the list's title once it is empty.
        target = neighbour.querySelector("button") if hasattr(neighbour, "querySelector") else None
        if target is None:
            target = by_id("allowed-scopes-title")
            target.setAttribute("tabindex", "-1")
        target.focus()

    def forget_secrets(self) -> None:
        """Empty the token, password and one-time code (after Disconnect: saving would sign in again)."""
        for field_id in SECRET_FIELDS:
            el = by_id(field_id)
            if el is not None:
                el.value = ""

    def sign_in_values(self) -> tuple[str, str, str]:
        """Email, password (as typed, not trimmed) and one-time code."""
        return (
            self._value("set-directus-email"),
            str(by_id("set-directus-password").value),
            self._value("set-directus-otp"),
        )

    # ----- reading it back ------------------------------------------------------------------------------------

    def read(self, old: Settings, default_url: str = "") -> Settings:
        s = old.model_copy(deep=True)
        url = self._value("set-directus-url")
        # The field shows the deployment's URL when the user has none: keep following the deployment then.
        same_as_default = not old.directus.url and url.rstrip("/") == default_url.strip().rstrip("/")
        s.directus.url = "" if same_as_default else url
        s.directus.auth = "password" if by_id("set-auth-password").checked else "token"
        if s.directus.auth == "token":  # (in password mode the token field is not in use: a sign-in cleared it)
            new_token = self._value("set-directus-token")
            if new_token != old.directus.token:
                s.directus.token = new_token
                s.directus.session = None if new_token else s.directus.session
            elif new_token and self._url_edited:  # typed again after the URL changed (the field was emptied then)
                s.directus.token_url = (url or default_url).strip().rstrip("/")
        s.directus.email = self._value("set-directus-email")
        for provider in FIRST_PARTY:
            account = getattr(s.providers, provider.name)
            account.api_key = self._value("set-%s-key" % provider.name)
            account.base_url = self._value("set-%s-url" % provider.name) or None
        s.providers.compatible = self._read_endpoints(old.providers.compatible)
        s.system_prompt = str(by_id("set-system-prompt").value).strip()
        s.tools.allow_reads = bool(by_id("set-allow-reads").checked)
        s.tools.confirm_destructive = bool(by_id("set-confirm-destructive").checked)
        for select in by_id("tool-rows").querySelectorAll("select[data-tool]"):
            s.tools.set_mode(
                str(select.getAttribute("data-tool")), cast("Mode", str(select.value))
            )  # MODE_LABELS' values
        for allowed in self.removed_scopes:
            s.tools.disallow(allowed)
        s.remember = bool(by_id("set-remember").checked)
        return s

    def _read_endpoints(self, old: list[CompatibleEndpoint]) -> list[CompatibleEndpoint]:
        """The endpoints in the dialog, in order; one without a base URL is left out. Names are made unique, since a
        model is picked as "compatible:<name>:<model id>"."""
        endpoints: list[CompatibleEndpoint] = []
        for fieldset in by_id("compat-endpoints").querySelectorAll(".compat-endpoint"):
            suffix, index = str(fieldset.getAttribute("data-suffix")), int(str(fieldset.getAttribute("data-index")))
            url = self._value("set-compat-url" + suffix)
            if not url:
                continue
            name = (self._value("set-compat-name" + suffix) or "local").replace(":", "-")
            taken = {e.name for e in endpoints}
            unique, n = name, 2
            while unique in taken:
                unique, n = "%s-%d" % (name, n), n + 1
            endpoint = (
                old[index].model_copy(deep=True)
                if 0 <= index < len(old)
                else CompatibleEndpoint(name=unique, base_url=url)
            )
            endpoint.name, endpoint.base_url = unique, url
            endpoint.api_key = self._value("set-compat-key" + suffix)
            endpoint.headers = parse_headers(self._value("set-compat-headers" + suffix))
            endpoint.models = parse_models(self._value("set-compat-models" + suffix))
            endpoints.append(endpoint)
        return endpoints

    def _key_field_for(self, model_ref: str) -> str:
        """The id of the key field for the provider of a model ref ("anthropic:claude-..." -> "set-anthropic-key",
        "compatible:local:llama3" -> the key field of the endpoint named "local")."""
        provider, _, rest = model_ref.partition(":")
        if provider in {p.name for p in FIRST_PARTY}:
            return "set-%s-key" % provider
        name = rest.partition(":")[0]
        for fieldset in by_id("compat-endpoints").querySelectorAll(".compat-endpoint"):
            suffix = str(fieldset.getAttribute("data-suffix"))
            if self._value("set-compat-name" + suffix) == name:
                return "set-compat-key" + suffix
        return "set-compat-key"

    def _value(self, id: str) -> str:
        el = by_id(id)
        return str(el.value).strip() if el is not None else ""

    def _filter_tools(self, query: str) -> None:
        q = query.strip().lower()
        for row in by_id("tool-rows").querySelectorAll(".tool-row"):
            row.hidden = bool(q) and q not in str(row.getAttribute("data-tool")).lower()

    def _toggle_auth(self) -> None:
        password = bool(by_id("set-auth-password").checked)
        by_id("auth-password-fields").hidden = not password
        by_id("auth-token-fields").hidden = password

    def _on_submit(self, event: Event) -> None:
        event.preventDefault()
        self.on_submit()
