"""The settings dialog (a real <dialog>): Directus connection and sign-in, provider keys and base URLs, the
OpenAI-compatible endpoints (any number: one fieldset each, "Add" and "Remove"), the system prompt, tool modes,
and "remember on this device".

    dialog = SettingsDialog(by_id("settings-dialog"), on_submit)   # on_submit: Save was pressed
    dialog.open(settings, tools, status)                           # fills the form from `Settings`
    new = dialog.read(settings, default_url)                       # the form read back into a new `Settings`

Every field has a visible label. Its buttons (Connect, Disconnect, Add, Remove, Cancel) carry `data-action`s
that the controller dispatches; the controller saves what `read` returns and reconnects when the Directus part
changed. The form is built afresh at each `open`; until the first, the other methods do nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol, cast

from app.providers.registry import FIRST_PARTY
from app.settings import CompatibleEndpoint, CustomModel, Settings
from app.web.dom import Element, by_id, h, listen, text

if TYPE_CHECKING:
    from app.chat.approvals import Mode

MODE_LABELS = (("always", "Always"), ("ask", "Ask"), ("disabled", "Disabled"))
CONNECTION_LABELS = {"off": "Not connected", "connecting": "Connecting…", "connected": "Connected",
                     "error": "Not connected"}
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


@dataclass(frozen=True)
class DialogDefaults:
    """What the form shows where the user set nothing: the deployment's Directus URL, the built-in prompt."""

    directus_url: str
    system_prompt: str


def field(label: str, control: Element, hint: str = "") -> Element:
    control_id = control.getAttribute("id")
    return h("div", {"class": "field"}, h("label", {"for": control_id}, label), control,
             h("p", {"class": "hint"}, hint) if hint else None)


def text_input(id: str, value: str = "", kind: str = "text", placeholder: str = "", **attrs: Any) -> Element:
    el = h("input", {"id": id, "name": id, "type": kind, "placeholder": placeholder or None, "autocomplete": "off",
                     "spellcheck": "false", **attrs})
    el.value = value or ""
    return el


def check(id: str, label: str, checked: bool, hint: str = "") -> Element:
    box = h("input", {"id": id, "name": id, "type": "checkbox"})
    box.checked = bool(checked)
    return h("div", {"class": "field check"}, box, h("label", {"for": id}, label),
             h("p", {"class": "hint"}, hint) if hint else None)


def textarea(id: str, value: str, rows: int = 3, placeholder: str = "") -> Element:
    el = h("textarea", {"id": id, "name": id, "rows": str(rows), "placeholder": placeholder or None, "spellcheck": "false"})
    el.value = value or ""
    return el


def _headers_text(headers: dict) -> str:
    return "\n".join("%s: %s" % (k, v) for k, v in headers.items())


def _models_text(models: list[CustomModel]) -> str:
    return "\n".join("%s %d" % (m.id, m.context_window) for m in models)


def endpoint_fieldset(suffix: str, endpoint: CompatibleEndpoint | None = None, index: int = -1) -> Element:
    """One OpenAI-compatible endpoint. Field ids end with `suffix` ("" for the first, "-2", "-3"… after it);
    `index` is the endpoint's place in the saved settings (-1: added in this dialog)."""
    e = endpoint
    name = e.name if e else ""
    return h("fieldset", {"class": "provider compat-endpoint", "data-suffix": suffix, "data-index": str(index)},
        h("legend", None, "OpenAI-compatible endpoint" + (": " + name if name else "")),
        field("Endpoint name", text_input("set-compat-name" + suffix, name, "text", "local")),
        field("Endpoint base URL", text_input("set-compat-url" + suffix, e.base_url if e else "", "url",
              "http://localhost:11434/v1")),
        field("Endpoint API key", text_input("set-compat-key" + suffix, e.api_key if e else "", "password",
              "Optional for local servers")),
        field("Extra headers", textarea("set-compat-headers" + suffix, _headers_text(e.headers) if e else "", 2,
              "Header-Name: value"), "One per line."),
        field("Models", textarea("set-compat-models" + suffix, _models_text(e.models) if e else "", 3, "llama3.2:3b 8192"),
              "One per line: the model id, then its context size in tokens (default 128000)."),
        h("button", {"type": "button", "class": "link danger", "data-action": "remove-endpoint",
                     "aria-label": "Remove endpoint " + (name or "(new)")}, "Remove this endpoint"))


def tool_row(name: str, mode: str) -> Element:
    select = h("select", {"id": "tool-" + name, "name": "tool-" + name, "data-tool": name})
    for value, label in MODE_LABELS:
        select.appendChild(h("option", {"value": value, "selected": mode == value}, label))
    select.value = mode
    return h("div", {"class": "tool-row", "data-tool": name}, h("label", {"for": "tool-" + name}, h("code", None, name)), select)


def build_form(settings: Settings, tools: list[str], defaults: DialogDefaults, otp_needed: bool) -> Element:
    d = settings.directus
    endpoints: list[CompatibleEndpoint | None] = [*settings.providers.compatible] or [None]
    provider_fields = []
    for provider in FIRST_PARTY:
        key, label = provider.name, provider.label
        account = getattr(settings.providers, key)
        provider_fields.append(h("fieldset", {"class": "provider"}, h("legend", None, label),
            field(label + " API key", text_input("set-%s-key" % key, account.api_key, "password", "Paste your key")),
            field(label + " base URL (optional)", text_input("set-%s-url" % key, account.base_url or "", "url",
                  "Default: the provider's public API"))))
    auth_token = h("input", {"type": "radio", "id": "set-auth-token", "name": "set-auth", "value": "token"})
    auth_password = h("input", {"type": "radio", "id": "set-auth-password", "name": "set-auth", "value": "password"})
    auth_token.checked = d.auth != "password"
    auth_password.checked = d.auth == "password"
    return h(
        "form", {"method": "dialog", "class": "settings-form", "id": "settings-form"},
        h("header", {"class": "dialog-head"}, h("h2", {"id": "settings-title"}, "Settings"),
          h("button", {"type": "button", "class": "icon", "data-action": "close-settings", "aria-label": "Close"}, "×")),
        h("div", {"class": "dialog-body"},
          h("section", None, h("h3", None, "Directus"),
            field("Directus URL", text_input("set-directus-url", d.url or defaults.directus_url, "url",
                                             "https://cms.example.com"),
                  "Your Directus must allow this page's origin in CORS_ORIGIN."),
            h("div", {"class": "field radios", "role": "radiogroup", "aria-label": "Sign in with"},
              h("span", {"class": "field-label"}, "Sign in with"),
              h("label", {"for": "set-auth-token"}, auth_token, " Static token"),
              h("label", {"for": "set-auth-password"}, auth_password, " Email and password")),
            h("div", {"id": "auth-token-fields", "hidden": d.auth == "password"},
              field("Directus token", text_input("set-directus-token", d.token, "password", "Directus → your user → Token"))),
            h("div", {"id": "auth-password-fields", "hidden": d.auth != "password"},
              field("Email", text_input("set-directus-email", d.email, "email")),
              field("Password", text_input("set-directus-password", "", "password", autocomplete="current-password")),
              h("div", {"id": "otp-field", "hidden": not otp_needed},
                field("One-time code", text_input("set-directus-otp", "", "text", "123456", inputmode="numeric")))),
            h("div", {"class": "connect-row"},
              h("button", {"type": "button", "class": "primary", "data-action": "connect"}, "Connect"),
              h("button", {"type": "button", "data-action": "disconnect"}, "Disconnect"),
              h("p", {"id": "connection-status", "class": "connection-status", "role": "status"}))),
          h("section", None, h("h3", None, "Providers"),
            h("p", {"class": "hint"}, "Keys stay in this browser and go only to their own provider."),
            *provider_fields,
            h("div", {"id": "compat-endpoints"},
              *[endpoint_fieldset("-%d" % (i + 1) if i else "", e, i if e is not None else -1)
                for i, e in enumerate(endpoints)]),
            h("button", {"type": "button", "data-action": "add-endpoint"}, "Add an OpenAI-compatible endpoint")),
          h("section", None, h("h3", None, "System prompt"),
            field("Custom system prompt", textarea("set-system-prompt", settings.system_prompt, 5,
                                                   defaults.system_prompt[:400]),
                  "Leave empty to use the built-in prompt. Replaces it whole.")),
          h("section", None, h("h3", None, "Tools"),
            check("set-allow-reads", "Allow all reads without asking", settings.tools.allow_reads,
                  "Read-only calls run at once, whatever the tool's mode (unless disabled)."),
            check("set-confirm-destructive", "Always ask for deletes and bulk writes", settings.tools.confirm_destructive,
                  "Even for tools set to Always."),
            field("Search tools", text_input("set-tool-search", "", "search", "items, files, flows…")),
            h("div", {"class": "tool-rows", "id": "tool-rows"}, *[tool_row(n, settings.tools.mode(n)) for n in tools])),
          h("section", None, h("h3", None, "Privacy"),
            check("set-remember", "Remember keys and sign-in on this device", settings.remember,
                  "Off: keys and the Directus sign-in last only until this tab closes. On: kept in this browser's "
                  "localStorage (readable by anyone using this browser profile)."))),
        h("footer", {"class": "dialog-foot"},
          h("button", {"type": "button", "data-action": "close-settings"}, "Cancel"),
          h("button", {"type": "submit", "class": "primary", "value": "save"}, "Save")),
    )


def parse_headers(raw: str) -> dict[str, str]:
    headers = {}
    for line in raw.splitlines():
        name, sep, val = line.partition(":")
        if sep and name.strip():
            headers[name.strip()] = val.strip()
    return headers


def parse_models(raw: str) -> list[CustomModel]:
    models = []
    for line in raw.splitlines():
        bits = line.split()
        if not bits:
            continue
        size = 128_000
        if len(bits) > 1:
            try:
                size = int(bits[1].replace(",", "").replace("_", ""))
            except ValueError:
                pass
        models.append(CustomModel(id=bits[0], context_window=size))
    return models


class SettingsDialog:
    def __init__(self, dialog: Element, on_submit: Callable[[], None]):
        self.dialog = dialog
        self.on_submit = on_submit
        self.form: Element = None  # built at each open
        listen(dialog, "submit", self._on_submit)
        listen(dialog, "change", lambda e: self._toggle_auth() if str(e.target.name) == "set-auth" else None)
        listen(dialog, "input", lambda e: self._filter_tools(str(e.target.value))
               if str(e.target.id) == "set-tool-search" else None)

    # ----- open and close -------------------------------------------------------------------------------------

    def open(self, settings: Settings, tools: list[str], defaults: DialogDefaults, connection: ConnectionState) -> None:
        self.form = build_form(settings, tools, defaults, connection.otp_needed)
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
        from js import Object
        from pyodide.ffi import to_js

        el = by_id(self._key_field_for(model_ref))
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
            line += " as " + connection.who
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

    def forget_secrets(self) -> None:
        """Empty the token, password and one-time code (after Disconnect: saving would sign in again)."""
        for field_id in SECRET_FIELDS:
            el = by_id(field_id)
            if el is not None:
                el.value = ""

    def sign_in_values(self) -> tuple[str, str, str]:
        """Email, password (as typed, not trimmed) and one-time code."""
        return self._value("set-directus-email"), str(by_id("set-directus-password").value), self._value("set-directus-otp")

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
            s.tools.set_mode(str(select.getAttribute("data-tool")), cast("Mode", str(select.value)))  # MODE_LABELS' values
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
            endpoint = (old[index].model_copy(deep=True) if 0 <= index < len(old)
                        else CompatibleEndpoint(name=unique, base_url=url))
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

    def _on_submit(self, event: Any) -> None:
        event.preventDefault()
        self.on_submit()
