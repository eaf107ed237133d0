"""Open a provider for a model reference, importing its protocol module only then (Pyodide start-up).

    provider, model = open_provider("openai:gpt-5-mini", settings.providers, transport)

Refs: "openai:<id>", "anthropic:<id>", "gemini:<id>" (or "google:<id>"), "compatible:<endpoint>:<id>".
Each provider object holds only its own key and base URL, so a key can only go to its own provider.
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from app.chat.events import ProviderError
from app.providers import catalog, errors
from app.providers.catalog import CatalogModel
from app.transport import Transport

ALIASES = {"google": "gemini"}


def parse_ref(model_ref: str) -> tuple[str, str]:
    """("openai", "gpt-5-mini") or ("compatible:<endpoint>", "<model id>")."""
    provider, sep, rest = model_ref.partition(":")
    provider = ALIASES.get(provider, provider)
    if not sep or not rest:
        raise ProviderError("invalid_request", "\u201c%s\u201d is not a model reference; expected provider:model, e.g. "
                            "openai:gpt-5-mini." % model_ref, retryable=False)
    if provider == "compatible":
        endpoint, sep, model_id = rest.partition(":")
        if not sep or not model_id:
            raise ProviderError("invalid_request", "\u201c%s\u201d needs an endpoint and a model: "
                                "compatible:<endpoint>:<model>." % model_ref, retryable=False)
        return "compatible:" + endpoint, model_id
    return provider, rest


def resolve_model(model_ref: str, settings: Any) -> CatalogModel:
    """The catalog entry for a ref (custom compatible models with their configured limits)."""
    provider, model_id = parse_ref(model_ref)
    if provider.startswith("compatible:"):
        endpoint = settings.endpoint(provider.split(":", 1)[1]) if settings is not None else None
        custom = endpoint.model(model_id) if endpoint is not None else None
        if custom is not None:
            return catalog.custom(endpoint.name, custom.id, custom.name, custom.context_window, custom.output_limit,
                                  custom.reasoning)
        return catalog.custom(provider.split(":", 1)[1], model_id)
    return catalog.lookup(provider, model_id)


# provider -> (module, class, its name in the settings dialog)
FIRST_PARTY = {
    "openai": ("app.providers.openai", "ResponsesProvider", "OpenAI"),
    "anthropic": ("app.providers.anthropic", "MessagesProvider", "Anthropic"),
    "gemini": ("app.providers.gemini", "GeminiProvider", "Google Gemini"),
}


def open_provider(model_ref: str, settings: Any, transport: Transport, *, sleep: Optional[Any] = None,
                  max_attempts: int = 3) -> tuple[Any, CatalogModel]:
    settings = getattr(settings, "providers", settings)  # a whole app.settings.Settings is fine too
    provider, model_id = parse_ref(model_ref)
    model = resolve_model(model_ref, settings)
    if provider in FIRST_PARTY:
        module, class_name, label = FIRST_PARTY[provider]
        account = getattr(settings, provider)
        if not account.api_key:
            raise errors.no_key(provider, "Settings \u2192 Providers \u2192 " + label)
        provider_class = getattr(importlib.import_module(module), class_name)  # imported on first use
        return provider_class(account.api_key, transport, model, base_url=account.base_url, sleep=sleep,
                              max_attempts=max_attempts), model
    if provider.startswith("compatible:"):
        name = provider.split(":", 1)[1]
        endpoint = settings.endpoint(name)
        if endpoint is None:
            raise ProviderError("invalid_request", "There is no OpenAI-compatible endpoint named \u201c%s\u201d. Add it in "
                                "Settings \u2192 Providers \u2192 OpenAI-compatible, or pick another model." % name,
                                retryable=False)
        server = endpoint.server
        if server in ("azure", "mistral", "openrouter") and not endpoint.api_key:
            raise ProviderError("no_key", "No API key is set for the endpoint \u201c%s\u201d. Add one in Settings \u2192 "
                                "Providers \u2192 OpenAI-compatible \u2192 %s." % (name, name), retryable=False,
                                provider=provider)
        from app.providers.openai_chat import ChatCompletionsProvider

        return ChatCompletionsProvider(
            provider, endpoint.base_url, endpoint.api_key, transport, model, server=server, headers=endpoint.headers,
            azure_api_version=endpoint.azure_api_version, azure_style=endpoint.azure_style,
            remap_tool_ids=endpoint.remap_tool_ids, stream_usage=endpoint.stream_usage, sleep=sleep,
            max_attempts=max_attempts,
        ), model
    raise ProviderError("invalid_request", "Unknown provider \u201c%s\u201d in \u201c%s\u201d; use openai, anthropic, gemini "
                        "or compatible." % (provider, model_ref), retryable=False)
