"""Usage sums, cost estimates at the catalog's list prices, the window gauge, and the words the page shows."""

from __future__ import annotations

import pytest

from app.chat.model import Usage, assistant, user
from app.chat.usage import (
    conversation_cost,
    describe_usage,
    message_cost,
    total_usage,
    window_gauge,
)
from app.providers import catalog

GPT5 = catalog.lookup("openai", "gpt-5")  # 1.25 in, 0.125 cached, 10 out
SONNET = catalog.lookup("anthropic", "claude-sonnet-4-6")  # 3 in, 0.30 cached, 3.75 cache write, 15 out


def model_for(ref):
    provider, _, model_id = ref.partition(":")
    model = catalog.lookup(provider, model_id)
    return model if model.known else None


def test_cost_prices_cached_cache_written_and_plain_input_separately():
    usage = Usage(input_tokens=1_000_000, cached_tokens=400_000, output_tokens=100_000)
    assert message_cost(usage, GPT5) == pytest.approx(0.6 * 1.25 + 0.4 * 0.125 + 0.1 * 10.0)
    written = Usage(input_tokens=10_000, cache_write_tokens=8_000, output_tokens=0)
    assert message_cost(written, SONNET) == pytest.approx((2_000 * 3.0 + 8_000 * 3.75) / 1e6)
    # OpenAI has no cache-write price: written tokens cost the input price.
    assert message_cost(written, GPT5) == pytest.approx(10_000 * 1.25 / 1e6)
    assert message_cost(usage, None) is None


def test_conversation_cost_prices_each_message_by_its_model_and_names_unknown_ones():
    messages = [
        user("q"),
        assistant("a", model="openai:gpt-5", usage=Usage(input_tokens=1000, output_tokens=100)),
        assistant("b", model="compatible:local:llama", usage=Usage(input_tokens=500, output_tokens=50)),
    ]
    estimate = conversation_cost(messages, model_for)
    assert estimate.usage.input_tokens == 1500 and estimate.usage.output_tokens == 150
    assert estimate.dollars == pytest.approx((1000 * 1.25 + 100 * 10.0) / 1e6)
    assert estimate.unpriced_models == {"compatible:local:llama"} and not estimate.complete
    assert total_usage(messages).input_tokens == 1500


def test_describe_usage_says_tokens_cached_and_cost():
    usage = Usage(input_tokens=12_345, output_tokens=678, cached_tokens=10_000)
    assert describe_usage(usage, 0.0123) == "12,345 in · 678 out · 10,000 cached · ≈ $0.0123"
    assert describe_usage(Usage(input_tokens=5, output_tokens=1), None) == "5 in · 1 out"
    assert describe_usage(Usage(input_tokens=5, output_tokens=1), 0.5, partial=True).endswith("≈ $0.5000 + unpriced")


def test_window_gauge_uses_reported_usage_plus_what_came_after():
    messages = [user("q"), assistant("a", usage=Usage(input_tokens=90_000, output_tokens=5_000)), user("next question")]
    gauge = window_gauge(messages, 128_000)
    assert not gauge.estimated
    assert 95_000 < gauge.used_tokens < 95_100
    assert gauge.level == "warn" and 0.74 < gauge.fraction < 0.75
    assert gauge.describe().startswith("74% of the context window (95,0")
    fresh = window_gauge([user("hello")], 128_000, fixed_tokens=1_000)
    assert fresh.estimated and fresh.level == "ok" and fresh.used_tokens > 1_000
    assert fresh.describe().startswith("about 1% of the context window")  # a little is never "0 %"
    assert window_gauge(messages, 100_000).level == "full"
