"""Model providers: one module per wire protocol, bytes in, a small closed set of typed events out
(app/chat/events.py), behind the `Provider` protocol of app/chat/request.py.

    from app.providers import open_provider
    provider, model = open_provider("anthropic:claude-haiku-4-5", settings.providers, transport)
    async for event in provider.stream(ModelRequest(model=model.id, system=..., messages=..., tools=...)):
        builder.apply(event)            # app.chat.builder.MessageBuilder

Which providers there are, and what is known of each, is declared once in `registry.py`; the models in
`catalog.py`. Protocol modules are imported on first use (`factory.open_provider`), to keep Pyodide start-up short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:
    from app.providers.catalog import CatalogModel
    from app.providers.retry import Sleep
    from app.providers.streaming import StreamingProvider
    from app.settings import ProviderSettings, Settings
    from app.transport import Transport


def open_provider(
    model_ref: str,
    settings: Union[Settings, ProviderSettings],
    transport: Transport,
    *,
    sleep: Optional[Sleep] = None,
    max_attempts: int = 3,
) -> tuple[StreamingProvider, CatalogModel]:
    from app.providers.factory import open_provider as _open

    return _open(model_ref, settings, transport, sleep=sleep, max_attempts=max_attempts)


__all__ = ["open_provider"]
