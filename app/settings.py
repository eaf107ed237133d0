"""User settings, stored as one pydantic document (see `app.storage` for where it is kept).

Sections:
- `providers`: API keys, base-URL overrides and the OpenAI-compatible endpoints (this module, issue 4);
- Directus connection, tool modes and the system prompt are added by their own issues as further fields
  of `Settings` (see the placeholders at the bottom). Unknown fields are ignored, so older stored
  settings keep loading.

Keys live only in the browser; each key is sent only to its own provider's base URL.
"""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field


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


class Settings(_Settings):
    """Everything the user configures. Other issues add their sections here:
    - `directus`: the Directus connection (URL, auth);
    - `tools`: tool modes (always / ask / disabled);
    - `system_prompt`: the custom system prompt.
    """

    version: int = 1
    providers: ProviderSettings = Field(default_factory=ProviderSettings)
