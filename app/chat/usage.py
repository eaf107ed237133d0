"""Token usage of a conversation, its cost estimate and how full the model's window is.

Prices are plain numbers in dollars per million tokens (`Prices`), so this module does not depend on
the shape of the model catalog; the caller maps a "provider:model" id to Prices (or None if unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from app.chat.model import Message, Usage
from app.chat.tokens import estimate_message_tokens


@dataclass(frozen=True)
class Prices:
    input: float  # $ per million uncached input tokens
    output: float  # $ per million output tokens (reasoning included)
    cached_input: Optional[float] = None  # $ per million input tokens read from the cache; None: same as input
    cache_write: Optional[float] = None  # $ per million input tokens written to the cache; None: same as input


def total_usage(messages: Iterable[Message]) -> Usage:
    total = Usage()
    for message in messages:
        if message.usage is not None:
            total = total + message.usage
    return total


def cost(usage: Usage, prices: Prices) -> float:
    """Dollars for one usage. Input tokens include cached and cache-write tokens, priced at their own rates."""
    cached = min(usage.cached_tokens, usage.input_tokens)
    written = min(usage.cache_write_tokens, usage.input_tokens - cached)
    plain = usage.input_tokens - cached - written
    cached_price = prices.input if prices.cached_input is None else prices.cached_input
    write_price = prices.input if prices.cache_write is None else prices.cache_write
    return (plain * prices.input + cached * cached_price + written * write_price + usage.output_tokens * prices.output) / 1e6


@dataclass
class CostEstimate:
    dollars: float = 0.0
    usage: Usage = field(default_factory=Usage)
    unpriced_models: set[str] = field(default_factory=set)  # models with usage but no known prices

    @property
    def complete(self) -> bool:
        return not self.unpriced_models


def conversation_cost(messages: Iterable[Message], prices_for: Callable[[str], Optional[Prices]]) -> CostEstimate:
    """Sum of usage and cost over messages; each assistant message is priced by the model that wrote it."""
    estimate = CostEstimate()
    for message in messages:
        if message.usage is None:
            continue
        estimate.usage = estimate.usage + message.usage
        prices = prices_for(message.model) if message.model else None
        if prices is None:
            estimate.unpriced_models.add(message.model or "unknown")
        else:
            estimate.dollars += cost(message.usage, prices)
    return estimate


@dataclass
class WindowGauge:
    used_tokens: int
    window_tokens: int
    estimated: bool  # True when no provider-reported usage was available

    @property
    def fraction(self) -> float:
        return min(1.0, self.used_tokens / self.window_tokens) if self.window_tokens > 0 else 0.0

    @property
    def level(self) -> str:
        """ok below 70 %, warn below 90 %, full from 90 %."""
        f = self.fraction
        return "ok" if f < 0.7 else ("warn" if f < 0.9 else "full")


def window_gauge(messages: list[Message], context_window: int, fixed_tokens: int = 0) -> WindowGauge:
    """How full the window is: the last reported input + output, plus an estimate of what came after it."""
    for index in range(len(messages) - 1, -1, -1):
        usage = messages[index].usage
        if messages[index].role == "assistant" and usage is not None and usage.input_tokens > 0:
            after = sum(estimate_message_tokens(m) for m in messages[index + 1:])
            return WindowGauge(usage.input_tokens + usage.output_tokens + after, context_window, False)
    used = fixed_tokens + sum(estimate_message_tokens(m) for m in messages)
    return WindowGauge(used, context_window, True)
