"""Sanity of the offline token estimate (no tokenizer needed)."""

from __future__ import annotations

import time

from app.chat.model import (
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from app.chat.tokens import estimate_message_tokens, estimate_tokens, provider_factor


def test_empty_and_small_texts():
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") == 1
    assert 8 <= estimate_tokens("The quick brown fox jumps over the lazy dog.") <= 12


def test_grows_with_text_and_dense_scripts_count_more_per_character():
    english = "Hello world, this is a test of the estimate. " * 20
    chinese = "这是一个估算的测试，你好世界。" * 20
    assert estimate_tokens(english * 2) > 1.9 * estimate_tokens(english)
    assert estimate_tokens(chinese) / len(chinese) > 2 * estimate_tokens(english) / len(english)


def test_message_estimate_counts_every_part():
    text_only = Message(role="assistant", parts=[TextPart(text="Done.")])
    full = Message(
        role="assistant",
        parts=[
            ReasoningPart(text="Think about the collection first."),
            TextPart(text="Done."),
            ToolCallPart(id="c1", name="items_read", arguments='{"collection": "articles", "limit": 10}'),
        ],
    )
    result = Message(
        role="tool", parts=[ToolResultPart(call_id="c1", name="items_read", content='{"data": [1, 2, 3]}')]
    )
    assert estimate_message_tokens(full) > estimate_message_tokens(text_only) + 15
    assert estimate_message_tokens(result) > 10


def test_provider_factors():
    assert provider_factor("openai:gpt-5") == 1.0
    assert provider_factor("anthropic:claude-haiku-4-5") > 1.2
    assert provider_factor("openrouter:anthropic/claude-sonnet") > 1.2
    assert provider_factor("gemini:gemini-2.5-flash") > 1.0
    assert provider_factor(None) == 1.0


def test_a_megabyte_is_estimated_quickly():
    text = ('{"id": 12345, "title": "Статья о лете", "body": "Some English text here."} ' * 14_000)[:1_000_000]
    start = time.perf_counter()
    estimate_tokens(text)
    first = time.perf_counter() - start
    start = time.perf_counter()
    estimate_tokens(text)
    cached = time.perf_counter() - start
    assert first < 1.0 and cached < first / 10
