"""The providers the app knows, declared once: name, label, wire protocol, default base URL, where their code is.

    for info in FIRST_PARTY: ...          # OpenAI, Anthropic, Google Gemini, in the order the UI lists them
    label("anthropic")                    # "Anthropic"; an endpoint's own name for "compatible:<name>"
    info("gemini").load()                 # the protocol class, imported only now (Pyodide start-up)

OpenAI-compatible endpoints are not listed here: the user names them in Settings; they all speak Chat
Completions (`COMPATIBLE`).

One place per fact, and nothing heavy at start-up:
- here, what a provider *is*: its name (in model refs and on reasoning parts), its label (errors, the settings
  dialog, the model picker), its wire protocol, its public base URL, and the module and class that speak to it.
  This module imports no protocol module, so the first screen may read it; `load()` imports the class on first
  use. The protocol modules read their defaults from here (`OPENAI.name`, `OPENAI.base_url`), `errors.py` its
  labels and the hosts of the public APIs, `factory.py` what to open, `catalog.py` the protocol of each model.
- in `catalog.py`, the models: one block of rows per provider (`_rows(OPENAI, ...)`), each row only what is
  particular to that model (limits, reasoning style, prices); provider and protocol come from here. The rows are
  data, not code in the protocol modules, so listing models does not import a protocol module either.
- in the protocol modules, only how to speak the protocol.

Why not have each protocol module declare itself (a `register()` hook, as llm's plugins do): the first screen
lists providers and models, so it would have to import every protocol module (and what they import) before the
user has typed anything. A declaration here costs a few dataclasses; the test
tests/unit/test_provider_registry.py holds the protocol classes, the catalog and the error messages to it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal, Optional

if TYPE_CHECKING:
    from app.providers.streaming import StreamingProvider

WireProtocol = Literal["responses", "chat", "anthropic", "gemini"]
Protocol = WireProtocol  # the name this module first gave it


@dataclass(frozen=True)
class ProviderInfo:
    name: str  # as in model refs ("openai:gpt-5-mini") and on reasoning parts
    label: str  # as the user reads it
    protocol: WireProtocol
    module: str  # the protocol module, imported on first use
    class_name: str
    base_url: str = ""  # the public API the protocol module appends its paths to; "" for endpoints (set by the user)

    def load(self) -> Callable[..., StreamingProvider]:
        """The provider class (first party: `(api_key, transport, model, *, base_url, sleep, max_attempts)`;
        `COMPATIBLE`: see ChatCompletionsProvider), its module imported now."""
        provider_class: Callable[..., StreamingProvider] = getattr(
            importlib.import_module(self.module), self.class_name
        )
        return provider_class

    @property
    def settings_hint(self) -> str:
        """Where the user sets this provider's key."""
        return "Settings \u2192 Providers \u2192 " + self.label


OPENAI = ProviderInfo(
    "openai", "OpenAI", "responses", "app.providers.openai", "ResponsesProvider", "https://api.openai.com/v1"
)
ANTHROPIC = ProviderInfo(
    "anthropic", "Anthropic", "anthropic", "app.providers.anthropic", "MessagesProvider", "https://api.anthropic.com"
)
GEMINI = ProviderInfo(
    "gemini",
    "Google Gemini",
    "gemini",
    "app.providers.gemini",
    "GeminiProvider",
    "https://generativelanguage.googleapis.com",
)

FIRST_PARTY: tuple[ProviderInfo, ...] = (OPENAI, ANTHROPIC, GEMINI)
COMPATIBLE = ProviderInfo(
    "compatible", "OpenAI-compatible", "chat", "app.providers.openai_chat", "ChatCompletionsProvider"
)
ALIASES = {"google": "gemini"}

_BY_NAME = {p.name: p for p in FIRST_PARTY}


def info(name: str) -> Optional[ProviderInfo]:
    """A first-party provider by name (aliases accepted); None for an endpoint or an unknown name."""
    return _BY_NAME.get(ALIASES.get(name, name))


def label(name: str) -> str:
    """How the user reads a provider's name: "OpenAI"; an endpoint ("compatible:ollama") by its own name."""
    known = info(name)
    if known is not None:
        return known.label
    return name.split(":", 1)[1] if name.startswith("compatible:") else name
