"""Model providers: one module per wire protocol, bytes in, a small closed set of typed events out.

    from app.providers import ModelRequest, open_provider
    provider, model = open_provider("anthropic:claude-haiku-4-5", settings.providers, transport)
    async for event in provider.stream(ModelRequest(model=model.id, system=..., messages=..., tools=...)):
        builder.apply(event)            # app.providers.accumulator.MessageBuilder

Protocol modules are imported on first use (`factory.open_provider`), to keep Pyodide start-up short.
"""

from app.providers.base import ModelRequest, Provider
from app.providers.events import ProviderError


def open_provider(model_ref, settings, transport, **options):  # type: ignore[no-untyped-def]
    from app.providers.factory import open_provider as _open

    return _open(model_ref, settings, transport, **options)


__all__ = ["ModelRequest", "Provider", "ProviderError", "open_provider"]
