"""Open a provider for a model reference, importing its protocol module only then (Pyodide start-up).

    provider, model = open_provider("openai:gpt-5-mini", settings.providers, transport)

Refs: "openai:<id>", "anthropic:<id>", "gemini:<id>" (or "google:<id>"), "compatible:<endpoint>:<id>".
Each provider object holds only its own key and base URL, so a key can only go to its own provider.
What to open for each provider name comes from app/providers/registry.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from app.chat.events import ProviderError
from app.providers import catalog, errors, registry
from app.providers.catalog import CatalogModel
from app.transport import Transport

if TYPE_CHECKING:
    from app.providers.retry import Sleep
    from app.providers.streaming import StreamingProvider
    from app.settings import ProviderSettings, Settings


def parse_ref(model_ref: str) -> tuple[str, str]:
    """("openai", "gpt-5-mini") or ("compatible:<endpoint>", "<model id>")."""
    provider, sep, rest = model_ref.partition(":")
    provider = registry.ALIASES.get(provider, provider)
    if not sep or not rest:
        raise ProviderError(
            "invalid_request",
            "\u201c%s\u201d is not a model reference; expected provider:model, e.g. openai:gpt-5-mini." % model_ref,
            retryable=False,
        )
    if provider == "compatible":
        endpoint, sep, model_id = rest.partition(":")
        if not sep or not model_id:
            raise ProviderError(
                "invalid_request",
                "\u201c%s\u201d needs an endpoint and a model: compatible:<endpoint>:<model>." % model_ref,
                retryable=False,
            )
        return "compatible:" + endpoint, model_id
    return provider, rest


def resolve_model(model_ref: str, settings: Optional[ProviderSettings]) -> CatalogModel:
    """The catalog entry for a ref (custom compatible models with their configured limits)."""
    provider, model_id = parse_ref(model_ref)
    if provider.startswith("compatible:"):
        endpoint = settings.endpoint(provider.split(":", 1)[1]) if settings is not None else None
        custom = endpoint.model(model_id) if endpoint is not None else None
        if endpoint is not None and custom is not None:
            return catalog.custom(
                endpoint.name,
                custom.id,
                custom.name,
                custom.context_window,
                custom.output_limit,
                custom.reasoning,
                custom.takes,
            )
        return catalog.custom(provider.split(":", 1)[1], model_id)
    return catalog.lookup(provider, model_id)


def open_provider(
    model_ref: str,
    settings: Union[Settings, ProviderSettings],
    transport: Transport,
    *,
    sleep: Optional[Sleep] = None,
    max_attempts: int = 3,
) -> tuple[StreamingProvider, CatalogModel]:
    providers = settings.providers if hasattr(settings, "providers") else settings  # a whole Settings is fine too
    provider, model_id = parse_ref(model_ref)
    model = resolve_model(model_ref, providers)
    first_party = registry.info(provider)
    if first_party is not None:
        account = getattr(providers, first_party.name)
        if not account.api_key:
            raise errors.no_key(provider)
        provider_class = first_party.load()  # its module imported on first use
        return provider_class(
            account.api_key, transport, model, base_url=account.base_url, sleep=sleep, max_attempts=max_attempts
        ), model
    if provider.startswith("compatible:"):
        name = provider.split(":", 1)[1]
        endpoint = providers.endpoint(name)
        if endpoint is None:
            raise ProviderError(
                "invalid_request",
                "There is no OpenAI-compatible endpoint named \u201c%s\u201d. Add it in "
                "%s, or pick another model." % (name, registry.COMPATIBLE.settings_hint),
                retryable=False,
            )
        server = endpoint.server
        if server in ("azure", "mistral", "openrouter") and not endpoint.api_key:
            raise ProviderError(
                "no_key",
                "No API key is set for the endpoint \u201c%s\u201d. Add one in %s."
                % (name, errors.ErrorContext(provider).settings_hint),
                retryable=False,
                provider=provider,
            )
        compatible_class = registry.COMPATIBLE.load()
        return compatible_class(
            provider,
            endpoint.base_url,
            endpoint.api_key,
            transport,
            model,
            server=server,
            headers=endpoint.headers,
            azure_api_version=endpoint.azure_api_version,
            azure_style=endpoint.azure_style,
            remap_tool_ids=endpoint.remap_tool_ids,
            stream_usage=endpoint.stream_usage,
            sleep=sleep,
            max_attempts=max_attempts,
        ), model
    known = ", ".join(p.name for p in registry.FIRST_PARTY)
    raise ProviderError(
        "invalid_request",
        "Unknown provider \u201c%s\u201d in \u201c%s\u201d; use %s or %s."
        % (provider, model_ref, known, registry.COMPATIBLE.name),
        retryable=False,
    )
