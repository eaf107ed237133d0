"""User settings, stored as one pydantic document (see `app.store.settings` for where it is kept).

Sections of `Settings`:
- `providers`: API keys, base-URL overrides and the OpenAI-compatible endpoints;
- `directus`: the Directus URL and how to sign in (static token, or email + password -> a session);
- `tools`: tool modes (always / ask / disabled, set in Settings → Tools), the scopes allowed from approval cards
  ("items:read": a tool and one action, never the whole tool), the "allow all reads" preset, "always ask for
  deletes and bulk writes" (app/chat/approvals.py ApprovalPolicy). A mode "always" stored before the scopes
  existed stays: nothing to migrate;
- `system_prompt` (empty = the built-in one), `model` (the selected "provider:model" ref), `efforts` (the
  reasoning effort chosen per model), `remember`.

Unknown fields are ignored, so older stored settings keep loading.

Secrets (`SECRET_FIELDS`: API keys, extra headers, the Directus token and session) are split off by
`split_secrets()` and stored apart, in localStorage only when `remember` is on (app/store/settings.py).
Keys live only in the browser; each key is sent only to its own provider's base URL, the Directus
token only to the Directus URL. A Directus token or session belongs to the URL it was made for (`token_url`,
`session_url`, kept with it among the secrets): it is never sent to another one, and a save that changes the URL
without a new token drops the old one (`DirectusSettings.carry_to`), so a new URL needs a new sign-in.

`DeploymentConfig` is the optional config.json a deployment ships next to index.html: defaults only,
never provider keys.
"""

from __future__ import annotations

import json
from typing import Literal, Optional
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from app.chat.approvals import ApprovalPolicy


class _Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ProviderAccount(_Settings):
    """One first-party provider: its key and an optional base URL (proxy, gateway, tests)."""

    api_key: str = ""
    base_url: Optional[str] = None  # None = the provider's public API


class CustomModel(_Settings):
    """A model served by an OpenAI-compatible endpoint. Limits default like Directus's (128k / 16k)."""

    id: str
    name: str = ""
    context_window: int = 128_000
    output_limit: int = 16_000
    reasoning: bool = False
    images: bool = False  # the model reads images (a vision model)
    pdfs: bool = False  # the model reads PDFs (sent as Chat Completions "file" parts)

    @property
    def takes(self) -> tuple[str, ...]:
        return (("image",) if self.images else ()) + (("pdf",) if self.pdfs else ())

    @property
    def takes_words(self) -> list[str]:
        """How Settings writes `takes` after the model's id and size ("images", "pdfs")."""
        return (["images"] if self.images else []) + (["pdfs"] if self.pdfs else [])


ServerKind = Literal["auto", "generic", "azure", "mistral", "ollama", "lmstudio", "vllm", "openrouter", "litellm"]


class CompatibleEndpoint(_Settings):
    """An OpenAI-compatible Chat Completions endpoint (Ollama, LM Studio, vLLM, Mistral, OpenRouter, Azure ...).

    base_url is the URL that `/chat/completions` is appended to, e.g. `http://localhost:11434/v1`; for Azure
    classic deployments it is the resource endpoint `https://<name>.openai.azure.com` and the model id is the
    deployment name.
    """

    name: str  # shown in the model picker; part of the model ref "compatible:<name>:<model>"; no ":"
    base_url: str
    api_key: str = ""
    headers: dict[str, str] = Field(default_factory=dict)  # extra headers, e.g. OpenRouter's HTTP-Referer
    kind: ServerKind = "auto"  # "auto" = guess from the base URL
    azure_api_version: str = "2024-10-21"
    azure_style: Literal["deployments", "v1"] = "deployments"  # classic /openai/deployments/{d}/... or /openai/v1/
    remap_tool_ids: Optional[bool] = None  # None = only for Mistral (ids must match [a-zA-Z0-9]{9})
    stream_usage: Optional[bool] = None  # send stream_options.include_usage; None = all but Mistral (422)
    models: list[CustomModel] = Field(default_factory=list)

    @property
    def server(self) -> str:
        """The server kind, guessed from the base URL when `kind` is "auto"."""
        if self.kind != "auto":
            return self.kind
        parts = urlsplit(self.base_url)
        host = (parts.hostname or "").lower()
        if host.endswith(".openai.azure.com") or host.endswith(".cognitiveservices.azure.com"):
            return "azure"
        if host == "api.mistral.ai":
            return "mistral"
        if host.endswith("openrouter.ai"):
            return "openrouter"
        if parts.port == 11434:
            return "ollama"
        if parts.port == 1234:
            return "lmstudio"
        return "generic"

    def model(self, model_id: str) -> Optional[CustomModel]:
        for m in self.models:
            if m.id == model_id:
                return m
        return None


class ProviderSettings(_Settings):
    openai: ProviderAccount = Field(default_factory=ProviderAccount)
    anthropic: ProviderAccount = Field(default_factory=ProviderAccount)
    gemini: ProviderAccount = Field(default_factory=ProviderAccount)
    compatible: list[CompatibleEndpoint] = Field(default_factory=list)

    def endpoint(self, name: str) -> Optional[CompatibleEndpoint]:
        for e in self.compatible:
            if e.name == name:
                return e
        return None


def same_address(a: str, b: str) -> bool:
    """Whether two Directus URLs name the same API (scheme and host compared case-insensitively, a trailing slash
    ignored). An empty URL is the same as none."""
    if not a.strip() or not b.strip():
        return False
    one, two = urlsplit(a.strip().rstrip("/")), urlsplit(b.strip().rstrip("/"))
    return (one.scheme.lower(), one.netloc.lower(), one.path, one.query) == (
        two.scheme.lower(),
        two.netloc.lower(),
        two.path,
        two.query,
    )


class DirectusSettings(_Settings):
    """Where Directus is and how to sign in. `token` and `session` are secrets, each bound to the URL it was made
    for (`token_url`, `session_url`): used for that URL only."""

    url: str = ""  # empty: the deployment's (config.json)
    auth: Literal["token", "password"] = "token"
    token: str = ""  # a static token (Directus: user -> Token)
    token_url: str = ""  # the Directus URL the token was entered for
    email: str = ""  # remembered for the sign-in form; the password is never stored
    session: Optional[dict] = None  # app.directus.client.Session.to_dict() after an email + password sign-in
    session_url: str = ""  # the Directus URL that made the session

    def token_for(self, url: str) -> str:
        """The static token, if it was entered for `url`; else ""."""
        return self.token if self.token and same_address(self.token_url, url) else ""

    def session_for(self, url: str) -> Optional[dict]:
        """The sign-in session, if `url` made it; else None."""
        return self.session if self.session and same_address(self.session_url, url) else None

    def bind(self, url: str) -> None:
        """Bind a token or session that is not bound yet (stored by an older version, or just entered) to `url`."""
        if self.token and not self.token_url:
            self.token_url = url
        if self.session and not self.session_url:
            self.session_url = url

    def carry_to(self, new: "DirectusSettings", old_url: str, new_url: str) -> bool:
        """Settle the credentials of `new`, the settings about to replace these (self) with the effective URL going
        from `old_url` to `new_url`. A token entered now (it differs from the old one) is bound to the new URL. When
        the URL changes, a token or session made for the old one is dropped, not kept for later: kept, it would sit
        in the form as if in use, and typing the same token again would look like no change. True when it dropped
        one."""
        if new.token and new.token != self.token:
            new.token_url = new_url
        moved = not same_address(old_url, new_url)
        if new.token and moved and not same_address(new.token_url, new_url):
            new.token, new.token_url = "", ""
        if new.session and moved and not same_address(new.session_url, new_url):
            new.session, new.session_url = None, ""
        new.bind(new_url)
        had = bool(self.token_for(old_url) or self.session_for(old_url))
        # (also when the form emptied the token field as the URL was edited: what was in use is gone all the same)
        return moved and had and not (new.token_for(new_url) or new.session_for(new_url))


class Settings(_Settings):
    """Everything the user configures."""

    version: int = 1
    providers: ProviderSettings = Field(default_factory=ProviderSettings)
    directus: DirectusSettings = Field(default_factory=DirectusSettings)
    tools: ApprovalPolicy = Field(default_factory=ApprovalPolicy)
    system_prompt: str = ""  # empty: the built-in prompt (app/chat/prompt.py)
    model: Optional[str] = None  # the selected "provider:model" ref
    efforts: dict[str, str] = Field(default_factory=dict)  # reasoning effort per model ref; absent: the model's default
    remember: bool = False  # keep secrets in localStorage ("remember on this device")


# Where the secrets are, as paths into Settings.model_dump(); "*" = every item of a list.
SECRET_FIELDS: tuple[tuple[str, ...], ...] = (
    ("providers", "openai", "api_key"),
    ("providers", "anthropic", "api_key"),
    ("providers", "gemini", "api_key"),
    ("providers", "compatible", "*", "api_key"),
    ("providers", "compatible", "*", "headers"),
    ("directus", "token"),
    ("directus", "token_url"),
    ("directus", "session"),
    ("directus", "session_url"),
)


def _containers(doc: object, path: tuple[str, ...], create: bool = False) -> list[dict]:
    """The dicts that hold the last key of `path` in doc (a dict/list tree); "*" = every item of a list."""
    found = [doc]
    for part in path[:-1]:
        next_level: list[object] = []
        for node in found:
            if part == "*":
                next_level += [item for item in node if isinstance(item, dict)] if isinstance(node, list) else []
            elif isinstance(node, dict):
                if create and part not in node:
                    node[part] = {}
                if part in node:
                    next_level.append(node[part])
        found = next_level
    return [node for node in found if isinstance(node, dict)]


def split_secrets(settings: Settings) -> tuple[dict, dict]:
    """(settings without secrets, secrets) as JSON-able dicts. Compatible endpoints' secrets are keyed by name."""
    doc = settings.model_dump(mode="json")
    secrets: dict = {}
    for path in SECRET_FIELDS:
        key, name = path[-1], ".".join(path)
        for container in _containers(doc, path):
            value = container.pop(key, None)
            if value in ("", None, {}):
                continue
            if "*" in path:
                secrets.setdefault(name, {})[container.get("name", "")] = value
            else:
                secrets[name] = value
    return doc, secrets


def join_secrets(doc: dict, secrets: dict) -> Settings:
    """The inverse of split_secrets. Settings that do not validate fall back to defaults, field by field."""
    doc = json.loads(json.dumps(doc if isinstance(doc, dict) else {}))
    for path in SECRET_FIELDS:
        value = secrets.get(".".join(path)) if isinstance(secrets, dict) else None
        if value is None:
            continue
        for container in _containers(doc, path, create="*" not in path):
            if "*" in path:
                if isinstance(value, dict) and container.get("name", "") in value:
                    container[path[-1]] = value[container.get("name", "")]
            else:
                container[path[-1]] = value
    try:
        return Settings.model_validate(doc)
    except ValueError:
        good = {}
        for name in Settings.model_fields:
            if name in doc:
                try:
                    Settings.model_validate({name: doc[name]})
                    good[name] = doc[name]
                except ValueError:
                    pass
        return Settings.model_validate(good)


def directus_url(settings: Settings, config: "DeploymentConfig") -> str:
    """The Directus URL in effect: the user's, else the deployment's; no trailing slash."""
    return (settings.directus.url or config.directus_url).strip().rstrip("/")


class DeploymentConfig(_Settings):
    """config.json next to index.html: what a deployment sets up for its users. Never provider keys.

    - `directus_url`: the Directus instance to use (the user can change it);
    - `endpoints`: OpenAI-compatible endpoints (without keys; `api_key` here is ignored);
    - `allowed_models`: if set, only these model refs (or prefixes ending in "*") are offered;
    - `system_prompt`: the deployment's prompt, used when the user has none of their own;
    - `demo_directus_token`: ONLY for the local demo Directus of `make run`: a static token used when the user
      has not set their own. Never put a real token here: config.json is public.
    """

    directus_url: str = ""
    endpoints: list[CompatibleEndpoint] = Field(default_factory=list)
    allowed_models: list[str] = Field(default_factory=list)
    system_prompt: str = ""
    demo_directus_token: str = ""

    def allows(self, model_ref: str) -> bool:
        if not self.allowed_models:
            return True
        for pattern in self.allowed_models:
            if pattern.endswith("*") and model_ref.startswith(pattern[:-1]):
                return True
            if model_ref == pattern:
                return True
        return False
