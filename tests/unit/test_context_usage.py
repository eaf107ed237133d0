"""Usage sums, cost estimates from prices per million tokens, and the window gauge."""

from __future__ import annotations

import pytest

from app.chat.model import Usage, assistant, user
from app.chat.usage import Prices, conversation_cost, cost, total_usage, window_gauge

PRICES = {"openai:gpt-5": Prices(input=1.25, output=10.0, cached_input=0.125)}


def test_cost_prices_cached_and_uncached_input_separately():
    usage = Usage(input_tokens=1_000_000, cached_tokens=400_000, output_tokens=100_000)
    assert cost(usage, PRICES["openai:gpt-5"]) == pytest.approx(0.6 * 1.25 + 0.4 * 0.125 + 0.1 * 10.0)
    anthropic = Prices(input=3.0, output=15.0, cached_input=0.3, cache_write=3.75)
    written = Usage(input_tokens=10_000, cache_write_tokens=8_000, output_tokens=0)
    assert cost(written, anthropic) == pytest.approx((2_000 * 3.0 + 8_000 * 3.75) / 1e6)


def test_conversation_cost_prices_each_message_by_its_model_and_names_unknown_ones():
    messages = [
        user("q"),
        assistant("a", model="openai:gpt-5", usage=Usage(input_tokens=1000, output_tokens=100)),
        assistant("b", model="local:llama", usage=Usage(input_tokens=500, output_tokens=50)),
    ]
    estimate = conversation_cost(messages, PRICES.get)
    assert estimate.usage.input_tokens == 1500 and estimate.usage.output_tokens == 150
    assert estimate.dollars == pytest.approx((1000 * 1.25 + 100 * 10.0) / 1e6)
    assert estimate.unpriced_models == {"local:llama"} and not estimate.complete
    assert total_usage(messages).input_tokens == 1500


def test_window_gauge_uses_reported_usage_plus_what_came_after():
    messages = [user("q"), assistant("a", usage=Usage(input_tokens=90_000, output_tokens=5_000)), user("next question")]
    gauge = window_gauge(messages, 128_000)
    assert not gauge.estimated
    assert 95_000 < gauge.used_tokens < 95_100
    assert gauge.level == "warn" and 0.74 < gauge.fraction < 0.75
    fresh = window_gauge([user("hello")], 128_000, fixed_tokens=1_000)
    assert fresh.estimated and fresh.level == "ok" and fresh.used_tokens > 1_000
    assert window_gauge(messages, 100_000).level == "full"
