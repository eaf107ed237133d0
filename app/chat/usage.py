"""Token usage of a conversation, its cost estimate and how full the model's window is.

Prices live in one place, the model catalog: `conversation_cost` asks the caller for the model of a
"provider:model" ref (app.providers.catalog.CatalogModel, or None when unknown) and uses its `cost()`
(`Priced`, so that this module needs nothing from app/providers).
`describe_usage` and `WindowGauge.describe` give the words the page shows.

A request that was stopped or failed mid-stream is billed too, but its final count never came: `settle_usage` fills
in what the provider did not say (the input from the request, the output from what arrived), estimated
(app/chat/tokens.py) and marked as such, keeping every count the provider did send. A failed answer that was
retried stays in the conversation (hidden: app/web/views/conversation.py), so the totals keep what it cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Optional, Protocol

from app.chat.model import Message, Usage
from app.chat.request import ModelRequest
from app.chat.tokens import estimate_json_tokens, estimate_message_tokens, estimate_tokens, provider_factor


class Priced(Protocol):
    """A model with list prices (app.providers.catalog.CatalogModel)."""

    def cost(
        self, input_tokens: int, cached_tokens: int, output_tokens: int, cache_write_tokens: int = 0
    ) -> Optional[float]: ...


GaugeLevel = Literal["ok", "warn", "full"]


def total_usage(messages: Iterable[Message]) -> Usage:
    total = Usage()
    for message in messages:
        if message.usage is not None:
            total = total + message.usage
    return total


def message_cost(usage: Usage, model: Optional[Priced]) -> Optional[float]:
    """Dollars for one usage at the list prices of `model` (a CatalogModel); None when a price is unknown."""
    if model is None:
        return None
    return model.cost(usage.input_tokens, usage.cached_tokens, usage.output_tokens, usage.cache_write_tokens)


@dataclass
class CostEstimate:
    dollars: float = 0.0
    usage: Usage = field(default_factory=Usage)
    unpriced_models: set[str] = field(default_factory=set)  # models with usage but no known prices

    @property
    def complete(self) -> bool:
        return not self.unpriced_models


def conversation_cost(messages: Iterable[Message], model_for: Callable[[str], Optional[Priced]]) -> CostEstimate:
    """Sum of usage and cost over messages; each assistant message is priced by the model that wrote it.

    `model_for(ref)` returns the catalog model of a "provider:model" ref, or None when it is unknown."""
    estimate = CostEstimate()
    for message in messages:
        if message.usage is None:
            continue
        estimate.usage = estimate.usage + message.usage
        dollars = message_cost(message.usage, model_for(message.model)) if message.model else None
        if dollars is None:
            estimate.unpriced_models.add(message.model or "unknown")
        else:
            estimate.dollars += dollars
    return estimate


def settle_usage(message: Message, request: ModelRequest) -> None:
    """The usage of an answer cut off (stopped, or failed mid-stream) before the provider's final count: what it
    reported, with the input estimated from `request` when it reported none and the output from what arrived when
    that is more than it reported; `estimated` when any of it is ours. A call that failed before anything came
    (refused, unreachable) was not billed and stays without usage."""
    reported = message.usage or Usage()
    if message.usage is None and not message.parts:
        return
    factor = provider_factor(message.model)
    sent = sum(estimate_message_tokens(m) for m in request.messages) + estimate_tokens(request.system)
    sent += estimate_json_tokens([t.model_dump() for t in request.tools]) if request.tools else 0
    arrived = int(factor * (estimate_message_tokens(message) - estimate_message_tokens(Message(role="assistant"))))
    input_tokens = reported.input_tokens or int(factor * sent)
    output_tokens = max(reported.output_tokens, arrived)
    if (input_tokens, output_tokens) != (reported.input_tokens, reported.output_tokens):
        message.usage = reported.model_copy(
            update={"input_tokens": input_tokens, "output_tokens": output_tokens, "estimated": True}
        )


def describe_usage(usage: Usage, dollars: Optional[float], partial: bool = False) -> str:
    """ "1,234 in · 56 out · 1,000 cached · ≈ $0.0012" (partial: some of it could not be priced); "(estimated)"
    after the counts when some of them are ours (`settle_usage`)."""
    parts = ["%s in" % format(usage.input_tokens, ","), "%s out" % format(usage.output_tokens, ",")]
    if usage.estimated:
        parts[1] += " (estimated)"
    if usage.cached_tokens:
        parts.append("%s cached" % format(usage.cached_tokens, ","))
    if usage.cache_write_tokens:
        parts.append("%s written to cache" % format(usage.cache_write_tokens, ","))
    if dollars is not None:
        parts.append("≈ $%.4f%s" % (dollars, " + unpriced" if partial else ""))
    return " · ".join(parts)


@dataclass
class WindowGauge:
    used_tokens: int
    window_tokens: int
    estimated: bool  # True when no provider-reported usage was available

    @property
    def fraction(self) -> float:
        return min(1.0, self.used_tokens / self.window_tokens) if self.window_tokens > 0 else 0.0

    @property
    def percent(self) -> int:
        """Whole percent, never 0 once anything is used (a window is never "0 % full" with a message in it)."""
        if self.used_tokens <= 0:
            return 0
        return max(1, round(100 * self.fraction))

    @property
    def level(self) -> GaugeLevel:
        """ok below 70 %, warn below 90 %, full from 90 %."""
        f = self.fraction
        return "ok" if f < 0.7 else ("warn" if f < 0.9 else "full")

    def describe(self) -> str:
        return "%s%d%% of the context window (%s of %s tokens)" % (
            "about " if self.estimated else "",
            self.percent,
            format(self.used_tokens, ","),
            format(self.window_tokens, ","),
        )


def window_gauge(messages: list[Message], context_window: int, fixed_tokens: int = 0) -> WindowGauge:
    """How full the window is: the last reported input + output, plus an estimate of what came after it."""
    for index in range(len(messages) - 1, -1, -1):
        usage = messages[index].usage
        if messages[index].role == "assistant" and usage is not None and usage.input_tokens > 0:
            after = sum(estimate_message_tokens(m) for m in messages[index + 1 :])
            return WindowGauge(usage.input_tokens + usage.output_tokens + after, context_window, False)
    used = fixed_tokens + sum(estimate_message_tokens(m) for m in messages)
    return WindowGauge(used, context_window, True)
