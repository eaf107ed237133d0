"""The settings form, built from `Settings`: the Directus connection and sign-in, provider keys and base URLs, the
OpenAI-compatible endpoints (one fieldset each), the system prompt, tool modes, "remember on this device"; and the
text formats of an endpoint's headers and models (written here, parsed back by `parse_headers`/`parse_models`).

Every field has a visible label; ids start with "set-" (an endpoint's end with its suffix: "", "-2", "-3"…) and
are what app/web/views/settings_dialog.py reads back. Buttons carry the `data-action`s of app/web/actions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.chat.approvals import describe_scope
from app.providers.registry import FIRST_PARTY
from app.settings import CompatibleEndpoint, CustomModel, Settings
from app.web.dom import Element, h

MODE_LABELS = (("always", "Always"), ("ask", "Ask"), ("disabled", "Disabled"))


@dataclass(frozen=True)
class FormDefaults:
    """What the form shows where the user set nothing: the deployment's Directus URL, the built-in prompt."""

    directus_url: str
    system_prompt: str


def field(label: str, control: Element, hint: str = "") -> Element:
    control_id = control.getAttribute("id")
    return h(
        "div",
        {"class": "field"},
        h("label", {"for": control_id}, label),
        control,
        h("p", {"class": "hint"}, hint) if hint else None,
    )


def text_input(id: str, value: str = "", kind: str = "text", placeholder: str = "", **attrs: Any) -> Element:
    el = h(
        "input",
        {
            "id": id,
            "name": id,
            "type": kind,
            "placeholder": placeholder or None,
            "autocomplete": "off",
            "spellcheck": "false",
            **attrs,
        },
    )
    el.value = value or ""
    return el


def check(id: str, label: str, checked: bool, hint: str = "") -> Element:
    box = h("input", {"id": id, "name": id, "type": "checkbox"})
    box.checked = bool(checked)
    return h(
        "div",
        {"class": "field check"},
        box,
        h("label", {"for": id}, label),
        h("p", {"class": "hint"}, hint) if hint else None,
    )


def textarea(id: str, value: str, rows: int = 3, placeholder: str = "") -> Element:
    el = h(
        "textarea", {"id": id, "name": id, "rows": str(rows), "placeholder": placeholder or None, "spellcheck": "false"}
    )
    el.value = value or ""
    return el


def _headers_text(headers: dict) -> str:
    return "\n".join("%s: %s" % (k, v) for k, v in headers.items())


def _models_text(models: list[CustomModel]) -> str:
    return "\n".join(" ".join(["%s %d" % (m.id, m.context_window), *m.takes_words]) for m in models)


def endpoint_fieldset(suffix: str, endpoint: CompatibleEndpoint | None = None, index: int = -1) -> Element:
    """One OpenAI-compatible endpoint. Field ids end with `suffix` ("" for the first, "-2", "-3"… after it);
    `index` is the endpoint's place in the saved settings (-1: added in this dialog)."""
    e = endpoint
    name = e.name if e else ""
    return h(
        "fieldset",
        {"class": "provider compat-endpoint", "data-suffix": suffix, "data-index": str(index)},
        h("legend", None, "OpenAI-compatible endpoint" + (": " + name if name else "")),
        field("Endpoint name", text_input("set-compat-name" + suffix, name, "text", "local")),
        field(
            "Endpoint base URL",
            text_input("set-compat-url" + suffix, e.base_url if e else "", "url", "http://localhost:11434/v1"),
        ),
        field(
            "Endpoint API key",
            text_input("set-compat-key" + suffix, e.api_key if e else "", "password", "Optional for local servers"),
        ),
        field(
            "Extra headers",
            textarea("set-compat-headers" + suffix, _headers_text(e.headers) if e else "", 2, "Header-Name: value"),
            "One per line.",
        ),
        field(
            "Models",
            textarea("set-compat-models" + suffix, _models_text(e.models) if e else "", 3, "llama3.2:3b 8192"),
            "One per line: the model id, its context size in tokens (default 128000), then \u201cimages\u201d and/or "
            "\u201cpdfs\u201d if it reads them (a vision model).",
        ),
        h(
            "button",
            {
                "type": "button",
                "class": "link danger",
                "data-action": "remove-endpoint",
                "aria-label": "Remove endpoint " + (name or "(new)"),
            },
            "Remove this endpoint",
        ),
    )


def tool_row(name: str, mode: str) -> Element:
    select = h("select", {"id": "tool-" + name, "name": "tool-" + name, "data-tool": name})
    for value, label in MODE_LABELS:
        select.appendChild(h("option", {"value": value, "selected": mode == value}, label))
    select.value = mode
    return h(
        "div",
        {"class": "tool-row", "data-tool": name},
        h("label", {"for": "tool-" + name}, h("code", None, name)),
        select,
    )


def scope_row(allowed: str) -> Element:
    """One scope allowed from an approval card ("items: read runs without asking"), with its Remove button."""
    what = describe_scope(allowed)
    return h(
        "li",
        {"class": "allowed-scope", "data-scope": allowed},
        h("code", None, what),
        h("span", {"class": "muted"}, " runs without asking "),
        h(
            "button",
            {"type": "button", "class": "link", "data-action": "remove-scope", "data-id": allowed},
            h("span", {"aria-hidden": "true"}, "Remove"),
            h("span", {"class": "visually-hidden"}, "Ask again for " + what),
        ),
    )


def allowed_scopes(settings: Settings) -> Element:
    """The scopes "Always allow" on approval cards added: each its tool and action, removable one by one."""
    scopes = settings.tools.allowed_scopes()
    return h(
        "div",
        {"class": "allowed-scopes", "id": "allowed-scopes"},
        h("p", {"class": "field-title", "id": "allowed-scopes-title"}, "Allowed from approval cards"),
        h(
            "ul",
            {"aria-labelledby": "allowed-scopes-title", "id": "allowed-scope-list", "hidden": not scopes},
            *[scope_row(allowed) for allowed in scopes],
        ),
        h(
            "p",
            {"class": "hint"},
            "None yet: “Always allow” on an approval card adds the tool and action it showed (“items: read”). "
            if not scopes
            else "",
            settings.tools.still_asks(),
        ),
    )


def build_form(settings: Settings, tools: list[str], defaults: FormDefaults, otp_needed: bool) -> Element:
    return h(
        "form",
        {"method": "dialog", "class": "settings-form", "id": "settings-form"},
        h(
            "header",
            {"class": "dialog-head"},
            h("h2", {"id": "settings-title"}, "Settings"),
            h(
                "button",
                {"type": "button", "class": "icon", "data-action": "close-settings", "aria-label": "Close"},
                "×",
            ),
        ),
        h(
            "div",
            {"class": "dialog-body"},
            directus_section(settings, defaults, otp_needed),
            providers_section(settings),
            h(
                "section",
                None,
                h("h3", None, "System prompt"),
                field(
                    "Custom system prompt",
                    textarea("set-system-prompt", settings.system_prompt, 5, defaults.system_prompt[:400]),
                    "Leave empty to use the built-in prompt. Replaces it whole.",
                ),
            ),
            tools_section(settings, tools),
            h(
                "section",
                None,
                h("h3", None, "Privacy"),
                check(
                    "set-remember",
                    "Remember keys and sign-in on this device",
                    settings.remember,
                    "Off: keys and the Directus sign-in last only until this tab closes. On: kept in this browser's "
                    "localStorage (readable by anyone using this browser profile).",
                ),
            ),
        ),
        h(
            "footer",
            {"class": "dialog-foot"},
            h("button", {"type": "button", "data-action": "close-settings"}, "Cancel"),
            h("button", {"type": "submit", "class": "primary", "value": "save"}, "Save"),
        ),
    )


def directus_section(settings: Settings, defaults: FormDefaults, otp_needed: bool) -> Element:
    d = settings.directus
    auth_token = h("input", {"type": "radio", "id": "set-auth-token", "name": "set-auth", "value": "token"})
    auth_password = h("input", {"type": "radio", "id": "set-auth-password", "name": "set-auth", "value": "password"})
    auth_token.checked = d.auth != "password"
    auth_password.checked = d.auth == "password"
    return h(
        "section",
        None,
        h("h3", None, "Directus"),
        field(
            "Directus URL",
            text_input("set-directus-url", d.url or defaults.directus_url, "url", "https://cms.example.com"),
            "Your Directus must allow this page's origin in CORS_ORIGIN.",
        ),
        h(
            "div",
            {"class": "field radios", "role": "radiogroup", "aria-label": "Sign in with"},
            h("span", {"class": "field-label"}, "Sign in with"),
            h("label", {"for": "set-auth-token"}, auth_token, " Static token"),
            h("label", {"for": "set-auth-password"}, auth_password, " Email and password"),
        ),
        h(
            "div",
            {"id": "auth-token-fields", "hidden": d.auth == "password"},
            field(
                "Directus token",
                text_input("set-directus-token", d.token, "password", "Directus → your user → Token"),
            ),
        ),
        h(
            "div",
            {"id": "auth-password-fields", "hidden": d.auth != "password"},
            field("Email", text_input("set-directus-email", d.email, "email")),
            field("Password", text_input("set-directus-password", "", "password", autocomplete="current-password")),
            h(
                "div",
                {"id": "otp-field", "hidden": not otp_needed},
                field("One-time code", text_input("set-directus-otp", "", "text", "123456", inputmode="numeric")),
            ),
        ),
        h(
            "div",
            {"class": "connect-row"},
            h("button", {"type": "button", "class": "primary", "data-action": "connect"}, "Connect"),
            h("button", {"type": "button", "data-action": "disconnect"}, "Disconnect"),
            h("p", {"id": "connection-status", "class": "connection-status", "role": "status"}),
        ),
    )


def providers_section(settings: Settings) -> Element:
    """A fieldset per first-party provider (app/providers/registry.py), then the OpenAI-compatible endpoints."""
    provider_fields = []
    for provider in FIRST_PARTY:
        key, label = provider.name, provider.label
        account = getattr(settings.providers, key)
        provider_fields.append(
            h(
                "fieldset",
                {"class": "provider"},
                h("legend", None, label),
                field(
                    label + " API key", text_input("set-%s-key" % key, account.api_key, "password", "Paste your key")
                ),
                field(
                    label + " base URL (optional)",
                    text_input("set-%s-url" % key, account.base_url or "", "url", "Default: the provider's public API"),
                ),
            )
        )
    endpoints: list[CompatibleEndpoint | None] = [*settings.providers.compatible] or [None]
    return h(
        "section",
        None,
        h("h3", None, "Providers"),
        h("p", {"class": "hint"}, "Keys stay in this browser and go only to their own provider."),
        *provider_fields,
        h(
            "div",
            {"id": "compat-endpoints"},
            *[
                endpoint_fieldset("-%d" % (i + 1) if i else "", e, i if e is not None else -1)
                for i, e in enumerate(endpoints)
            ],
        ),
        h("button", {"type": "button", "data-action": "add-endpoint"}, "Add an OpenAI-compatible endpoint"),
    )


def tools_section(settings: Settings, tools: list[str]) -> Element:
    return h(
        "section",
        None,
        h("h3", None, "Tools"),
        check(
            "set-allow-reads",
            "Allow all reads without asking",
            settings.tools.allow_reads,
            "Read-only calls run at once, whatever the tool's mode (unless disabled).",
        ),
        check(
            "set-confirm-destructive",
            "Always ask for deletes and bulk writes",
            settings.tools.confirm_destructive,
            "Even for tools set to Always.",
        ),
        allowed_scopes(settings),
        field("Search tools", text_input("set-tool-search", "", "search", "items, files, flows…")),
        h("div", {"class": "tool-rows", "id": "tool-rows"}, *[tool_row(n, settings.tools.mode(n)) for n in tools]),
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
        words = {w.lower() for w in bits[1:]}
        images, pdfs = bool(words & {"images", "image", "vision"}), bool(words & {"pdfs", "pdf"})
        models.append(CustomModel(id=bits[0], context_window=size, images=images, pdfs=pdfs))
    return models
