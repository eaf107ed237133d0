"""Model providers: one module per wire protocol, bytes in, a small closed set of typed events out
(app/chat/events.py), behind the `Provider` protocol of app/chat/request.py.

    from app.providers import open_provider
    provider, model = open_provider("anthropic:claude-haiku-4-5", settings.providers, transport)
    async for event in provider.stream(ModelRequest(model=model.id, system=..., messages=..., tools=...)):
        builder.apply(event)            # app.chat.builder.MessageBuilder

Protocol modules are imported on first use (`factory.open_provider`), to keep Pyodide start-up short.
"""

from typing import Any


def open_provider(model_ref: str, settings: Any, transport: Any, **options: Any) -> Any:
    from app.providers.factory import open_provider as _open

    return _open(model_ref, settings, transport, **options)


__all__ = ["open_provider"]
