"""Known models as data: limits, reasoning support, list prices (USD per million tokens), retirement notes.

Limits and prices are public list prices as known in Nov 2026 (standard tier, short-context rate);
None = unknown. Ids not listed here still work (custom ids, new models): `lookup` returns defaults.

Rows are declared per provider (`_rows(OPENAI, ...)`): the provider's name and wire protocol come from
app/providers/registry.py, each row holds only what is particular to its model.

Reasoning styles (`ReasoningStyle`, what the protocol module may send):
    None          no reasoning controls
    "effort"      OpenAI reasoning.effort (+ summary "auto", encrypted reasoning replayed)
    "fixed"       reasons, but takes no effort parameter (gpt-5.2-chat-latest)
    "budget"      Anthropic thinking {type: enabled, budget_tokens}
    "adaptive"    Anthropic thinking {type: adaptive} (Claude 4.6+; 4.7 rejects budget_tokens)
    "gemini_budget"  Gemini 2.5 thinkingConfig.thinkingBudget
    "gemini_level"   Gemini 3.x thinkingConfig.thinkingLevel
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Literal, Optional

from app.providers import registry
from app.providers.registry import ANTHROPIC, GEMINI, OPENAI, ProviderInfo, WireProtocol

ReasoningStyle = Literal["effort", "fixed", "budget", "adaptive", "gemini_budget", "gemini_level"]
Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]  # reasoning effort hints, lowest first


@dataclass(frozen=True)
class CatalogModel:
    provider: str  # "openai" | "anthropic" | "gemini" | "compatible:<endpoint>"
    id: str
    name: str
    protocol: WireProtocol
    context_window: int
    output_limit: int
    reasoning: Optional[ReasoningStyle] = None  # see above
    efforts: tuple[Effort, ...] = ()  # accepted effort hints, first = provider default when known
    price_input: Optional[float] = None
    price_cached_input: Optional[float] = None
    price_output: Optional[float] = None
    price_cache_write: Optional[float] = None  # input written to the prompt cache (Anthropic); None: input price
    retired: Optional[str] = None  # a note when the model is retired or about to be
    successor: Optional[str] = None  # model id to use instead
    known: bool = True  # False for ids not in the catalog (limits are guesses)
    cache_min_tokens: Optional[int] = None  # Anthropic prompt-cache minimum prefix
    takes: tuple[str, ...] = ("image", "pdf")  # attachments it reads besides text (app/chat/attachments.py)

    @property
    def ref(self) -> str:
        return "%s:%s" % (self.provider, self.id)

    def cost(
        self, input_tokens: int, cached_tokens: int, output_tokens: int, cache_write_tokens: int = 0
    ) -> Optional[float]:
        """The list-price cost in USD, or None when a price is unknown.

        Input tokens include the cached ones (read from the prompt cache) and the cache-write ones, each priced at
        its own rate (None: the input price)."""
        if self.price_input is None or self.price_output is None:
            return None
        cached = min(cached_tokens, input_tokens)
        written = min(cache_write_tokens, input_tokens - cached)
        fresh = input_tokens - cached - written
        cached_price = self.price_cached_input if self.price_cached_input is not None else self.price_input
        write_price = self.price_cache_write if self.price_cache_write is not None else self.price_input
        return (
            fresh * self.price_input + cached * cached_price + written * write_price + output_tokens * self.price_output
        ) / 1e6


Price = tuple[Optional[float], Optional[float], Optional[float]]  # input, cached input, output
Row = Callable[[ProviderInfo], CatalogModel]


def _m(
    id: str,
    name: str,
    ctx: int,
    out: int,
    reasoning: Optional[ReasoningStyle] = None,
    efforts: tuple[Effort, ...] = (),
    price: Price = (None, None, None),
    *,
    price_cache_write: Optional[float] = None,
    retired: Optional[str] = None,
    successor: Optional[str] = None,
    cache_min_tokens: Optional[int] = None,
) -> Row:
    """One model of the provider whose `_rows` it is in."""
    return lambda provider: CatalogModel(
        provider.name,
        id,
        name,
        provider.protocol,
        ctx,
        out,
        reasoning,
        efforts,
        price[0],
        price[1],
        price[2],
        price_cache_write=price_cache_write,
        retired=retired,
        successor=successor,
        cache_min_tokens=cache_min_tokens,
    )


def _rows(provider: ProviderInfo, *rows: Row) -> tuple[CatalogModel, ...]:
    return tuple(row(provider) for row in rows)


_GPT5: tuple[Effort, ...] = ("medium", "minimal", "low", "high")
_GPT52: tuple[Effort, ...] = ("none", "low", "medium", "high", "xhigh")
_G25 = "Google listed the 2.5 models for shutdown no earlier than 2026-06-17; they may be gone."

# A table, one row per model: kept as written.
# fmt: off
MODELS: tuple[CatalogModel, ...] = _rows(
    OPENAI,  # all through the Responses API (works for every model below; required for gpt-5.2-pro)
    _m("gpt-4o-mini", "GPT-4o mini", 128_000, 16_384, price=(0.15, 0.075, 0.60)),
    _m("gpt-4.1-nano", "GPT-4.1 nano", 1_047_576, 32_768, price=(0.10, 0.025, 0.40)),
    _m("gpt-4.1-mini", "GPT-4.1 mini", 1_047_576, 32_768, price=(0.40, 0.10, 1.60)),
    _m("gpt-4.1", "GPT-4.1", 1_047_576, 32_768, price=(2.00, 0.50, 8.00)),
    _m("gpt-5-nano", "GPT-5 nano", 400_000, 128_000, "effort", _GPT5, (0.05, 0.005, 0.40)),
    _m("gpt-5-mini", "GPT-5 mini", 400_000, 128_000, "effort", _GPT5, (0.25, 0.025, 2.00)),
    _m("gpt-5", "GPT-5", 400_000, 128_000, "effort", _GPT5, (1.25, 0.125, 10.00)),
    _m("gpt-5.1", "GPT-5.1", 400_000, 128_000, "effort", _GPT52, (1.25, 0.125, 10.00)),
    _m("gpt-5.2", "GPT-5.2", 400_000, 128_000, "effort", _GPT52, (1.75, 0.175, 14.00)),
    _m("gpt-5.2-chat-latest", "GPT-5.2 Chat", 128_000, 16_384, "fixed", (), (1.75, 0.175, 14.00)),
    _m("gpt-5.2-pro", "GPT-5.2 Pro", 400_000, 128_000, "effort", ("medium", "high", "xhigh"), (21.00, None, 168.00)),
    _m("gpt-5.4", "GPT-5.4", 1_050_000, 128_000, "effort", _GPT52, (2.50, 0.25, 15.00)),
    _m("gpt-5.4-mini", "GPT-5.4 mini", 400_000, 128_000, "effort", _GPT52),
    _m("gpt-5.4-nano", "GPT-5.4 nano", 400_000, 128_000, "effort", _GPT52),
) + _rows(
    ANTHROPIC,
    _m("claude-haiku-4-5", "Claude Haiku 4.5", 200_000, 64_000, "budget",
       ("low", "medium", "high"), (1.00, 0.10, 5.00), cache_min_tokens=4096, price_cache_write=1.25),
    _m("claude-sonnet-4-5", "Claude Sonnet 4.5", 200_000, 64_000, "budget",
       ("low", "medium", "high"), (3.00, 0.30, 15.00), cache_min_tokens=1024, price_cache_write=3.75,
       retired="End of life 2026-11-30.", successor="claude-sonnet-4-6"),
    _m("claude-opus-4-5", "Claude Opus 4.5", 200_000, 64_000, "budget",
       ("low", "medium", "high"), (5.00, 0.50, 25.00), cache_min_tokens=4096, price_cache_write=6.25,
       retired="End of life 2027-01-22.", successor="claude-opus-4-7"),
    _m("claude-sonnet-4-6", "Claude Sonnet 4.6", 200_000, 64_000, "adaptive",
       ("low", "medium", "high"), (3.00, 0.30, 15.00), cache_min_tokens=1024, price_cache_write=3.75),
    _m("claude-opus-4-6", "Claude Opus 4.6", 200_000, 128_000, "adaptive",
       ("low", "medium", "high"), (5.00, 0.50, 25.00), cache_min_tokens=4096, price_cache_write=6.25),
    _m("claude-opus-4-7", "Claude Opus 4.7", 200_000, 128_000, "adaptive",
       ("low", "medium", "high"), cache_min_tokens=4096),
) + _rows(
    GEMINI,
    _m("gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576, 65_536, "gemini_budget",
       ("medium", "none", "low", "high"), (0.30, 0.03, 2.50), retired=_G25, successor="gemini-3-flash-preview"),
    _m("gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576, 65_536, "gemini_budget",
       ("medium", "low", "high"), (1.25, 0.125, 10.00), retired=_G25, successor="gemini-3.1-pro-preview"),
    _m("gemini-3-flash-preview", "Gemini 3 Flash Preview", 1_048_576, 65_536, "gemini_level",
       ("high", "minimal", "low", "medium"), (0.50, 0.05, 3.00)),
    _m("gemini-3-pro-preview", "Gemini 3 Pro Preview", 1_048_576, 65_536, "gemini_level",
       ("high", "low"), (2.00, 0.20, 12.00), retired="Shut down on 2026-03-09.", successor="gemini-3.1-pro-preview"),
    _m("gemini-3.1-pro-preview", "Gemini 3.1 Pro Preview", 1_048_576, 65_536, "gemini_level",
       ("high", "low", "medium"), (2.00, 0.20, 12.00)),
)
# fmt: on

_BY_REF = {m.ref: m for m in MODELS}
_PROTOCOLS = {p.name: p.protocol for p in registry.FIRST_PARTY}


def models(provider: Optional[str] = None) -> list[CatalogModel]:
    return [m for m in MODELS if provider is None or m.provider == provider]


def lookup(provider: str, model_id: str) -> CatalogModel:
    """The catalog entry, or a guess for an id the catalog does not know (limits 128k / 16k)."""
    found = _BY_REF.get("%s:%s" % (provider, model_id))
    if found is not None:
        return found
    guess = _guess(provider, model_id)
    return guess


def _guess(provider: str, model_id: str) -> CatalogModel:
    protocol = _PROTOCOLS.get(provider, registry.COMPATIBLE.protocol)
    reasoning: Optional[ReasoningStyle] = None
    efforts: tuple[Effort, ...] = ()
    version = re.match(r"gpt-(\d+)", model_id)
    if provider == "openai" and ((version and int(version.group(1)) >= 5) or re.match(r"o\d", model_id)):
        reasoning, efforts = "effort", ("medium", "low", "high")
    elif provider == "gemini" and model_id.startswith("gemini-3"):
        reasoning = "gemini_level"
    elif provider == "gemini" and model_id.startswith("gemini-2.5"):
        reasoning = "gemini_budget"
    elif provider == "anthropic":
        reasoning = "adaptive"
    takes: tuple[str, ...] = ("image", "pdf") if provider in _PROTOCOLS else ()
    return CatalogModel(
        provider, model_id, model_id, protocol, 128_000, 16_000, reasoning, efforts, known=False, takes=takes
    )


EFFORT_LABELS: dict[str, str] = {
    "none": "Off",
    "minimal": "Minimal",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "xhigh": "Extra high",
}


def effort_choices(model: Optional[CatalogModel]) -> list[tuple[str, str]]:
    """The reasoning efforts a user can pick for a model, as (value, label), lowest first, after ("", the model's
    default), named when the catalog knows it ("Default (Medium)"); [] for a model that takes none. Claude does not
    think unless asked, so its default is "Thinking off"."""
    if model is None or model.reasoning in (None, "fixed"):
        return []
    efforts = list(model.efforts or ("low", "medium", "high"))
    if model.reasoning in ("budget", "adaptive"):
        default = "Thinking off"
    elif model.efforts:
        default = "Default (%s)" % EFFORT_LABELS.get(efforts[0], efforts[0])
        efforts = efforts[1:]  # the default itself is "Default"
    else:
        default = "Default"
    order = list(EFFORT_LABELS)
    ranked = sorted(efforts, key=lambda e: order.index(e) if e in order else len(order))
    return [("", default)] + [(e, EFFORT_LABELS.get(e, e)) for e in ranked]


def custom(
    endpoint: str,
    model_id: str,
    name: str = "",
    context_window: int = 128_000,
    output_limit: int = 16_000,
    reasoning: bool = False,
    takes: tuple[str, ...] = (),
) -> CatalogModel:
    """A model of an OpenAI-compatible endpoint, with the limits (and the attachments it takes: Settings, "Takes
    images" / "Takes PDFs") configured in the settings."""
    return CatalogModel(
        "compatible:" + endpoint,
        model_id,
        name or model_id,
        registry.COMPATIBLE.protocol,
        context_window,
        output_limit,
        "effort" if reasoning else None,
        known=True,
        takes=takes,
    )


def with_limits(model: CatalogModel, context_window: int, output_limit: int) -> CatalogModel:
    return replace(model, context_window=context_window, output_limit=output_limit)
