"""The providers the app knows, declared once: name, label, wire protocol, and where their code is.

    for info in FIRST_PARTY: ...          # OpenAI, Anthropic, Google Gemini, in the order the UI lists them
    label("anthropic")                    # "Anthropic"; an endpoint's own name for "compatible:<name>"
    info("gemini").load()                 # the protocol class, imported only now (Pyodide start-up)

OpenAI-compatible endpoints are not listed here: the user names them in Settings; they all speak Chat
Completions (`COMPATIBLE`). This module imports no protocol module, so anything may read it at start-up.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal, Optional

Protocol = Literal["responses", "chat", "anthropic", "gemini"]


@dataclass(frozen=True)
class ProviderInfo:
    name: str  # as in model refs ("openai:gpt-5-mini") and on reasoning parts
    label: str  # as the user reads it
    protocol: Protocol
    module: str  # the protocol module, imported on first use
    class_name: str

    def load(self) -> Any:
        return getattr(importlib.import_module(self.module), self.class_name)


FIRST_PARTY: tuple[ProviderInfo, ...] = (
    ProviderInfo("openai", "OpenAI", "responses", "app.providers.openai", "ResponsesProvider"),
    ProviderInfo("anthropic", "Anthropic", "anthropic", "app.providers.anthropic", "MessagesProvider"),
    ProviderInfo("gemini", "Google Gemini", "gemini", "app.providers.gemini", "GeminiProvider"),
)
COMPATIBLE = ProviderInfo("compatible", "OpenAI-compatible", "chat", "app.providers.openai_chat",
                          "ChatCompletionsProvider")
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
