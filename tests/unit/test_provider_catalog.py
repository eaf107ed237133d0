"""The model catalog, model references and the provider part of the settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.providers import catalog, open_provider
from app.providers.factory import parse_ref, resolve_model
from app.settings import (
    CompatibleEndpoint,
    CustomModel,
    ProviderAccount,
    ProviderSettings,
    Settings,
)
from devkit.transports import BytesResponse, MockTransport

SEED = Path("/work/shared/seed")
SEEDED = {
    "openai": [
        "gpt-4o-mini",
        "gpt-4.1-nano",
        "gpt-4.1-mini",
        "gpt-4.1",
        "gpt-5-nano",
        "gpt-5-mini",
        "gpt-5",
        "gpt-5.2",
        "gpt-5.2-chat-latest",
        "gpt-5.2-pro",
    ],
    "anthropic": ["claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-5"],
    "gemini": ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-flash-preview", "gemini-3-pro-preview"],
}


def test_every_seeded_model_is_known_with_limits_and_protocol():
    for provider, ids in SEEDED.items():
        for model_id in ids:
            m = catalog.lookup(provider, model_id)
            assert m.known, model_id
            assert m.context_window >= 128_000 and m.output_limit >= 16_384
            assert m.protocol == {"openai": "responses", "anthropic": "anthropic", "gemini": "gemini"}[provider]


@pytest.mark.skipif(not SEED.exists(), reason="seed documents not available")
def test_the_catalog_covers_the_seed_documents():
    text = " ".join(p.read_text() for p in SEED.glob("*.txt"))
    named = set(re.findall(r"`((?:gpt|claude|gemini)-[a-z0-9.\-]+)`", text))
    known = {m.id for m in catalog.MODELS}
    assert named and named <= known


def test_context_windows_match_the_documents():
    assert catalog.lookup("openai", "gpt-4o-mini").context_window == 128_000
    assert catalog.lookup("openai", "gpt-5.2-chat-latest").context_window == 128_000
    assert catalog.lookup("openai", "gpt-5").context_window == 400_000
    assert catalog.lookup("anthropic", "claude-haiku-4-5").context_window == 200_000
    assert catalog.lookup("gemini", "gemini-2.5-pro").context_window == 1_048_576


def test_retired_models_name_their_successor():
    g3 = catalog.lookup("gemini", "gemini-3-pro-preview")
    assert g3.retired is not None
    assert "2026-03-09" in g3.retired and g3.successor == "gemini-3.1-pro-preview"
    s45 = catalog.lookup("anthropic", "claude-sonnet-4-5")
    assert s45.retired is not None
    assert "2026-11-30" in s45.retired and s45.successor == "claude-sonnet-4-6"
    for m in catalog.MODELS:
        if m.successor:
            assert catalog.lookup(m.provider, m.successor).known, m.successor


def test_cost_uses_cached_price_and_unknown_prices_give_none():
    m = catalog.lookup("anthropic", "claude-haiku-4-5")
    assert m.cost(input_tokens=1_000_000, cached_tokens=500_000, output_tokens=100_000) == pytest.approx(
        0.5 + 0.05 + 0.5
    )
    # Anthropic's cache writes cost 1.25x the input price; they are part of the input tokens.
    assert m.cost(1_000_000, 0, 0, cache_write_tokens=1_000_000) == pytest.approx(1.25)
    assert catalog.lookup("anthropic", "claude-opus-4-7").cost(10, 0, 10) is None


def test_unknown_ids_get_guessed_limits_and_still_work():
    m = catalog.lookup("openai", "gpt-7-turbo")
    assert not m.known and m.protocol == "responses" and m.reasoning == "effort"


def test_model_refs():
    assert parse_ref("openai:gpt-5-mini") == ("openai", "gpt-5-mini")
    assert parse_ref("google:gemini-2.5-flash") == ("gemini", "gemini-2.5-flash")
    assert parse_ref("compatible:ollama:llama3.2:3b") == ("compatible:ollama", "llama3.2:3b")


def test_custom_models_of_compatible_endpoints_carry_their_configured_window():
    settings = ProviderSettings(
        compatible=[
            CompatibleEndpoint(
                name="ollama",
                base_url="http://localhost:11434/v1",
                models=[CustomModel(id="qwen3:8b", context_window=32_768, output_limit=8_192, reasoning=True)],
            )
        ]
    )
    m = resolve_model("compatible:ollama:qwen3:8b", settings)
    assert (m.provider, m.id, m.context_window, m.output_limit, m.reasoning) == (
        "compatible:ollama",
        "qwen3:8b",
        32_768,
        8_192,
        "effort",
    )
    other = resolve_model("compatible:ollama:phi4", settings)
    assert (other.context_window, other.output_limit) == (128_000, 16_000)


def test_server_kind_is_guessed_from_the_base_url():
    kinds = {
        url: CompatibleEndpoint(name="e", base_url=url).server
        for url in [
            "http://localhost:11434/v1",
            "http://127.0.0.1:1234/v1",
            "https://api.mistral.ai/v1",
            "https://my.openai.azure.com",
            "https://openrouter.ai/api/v1",
            "http://vllm.lan:8000/v1",
        ]
    }
    assert list(kinds.values()) == ["ollama", "lmstudio", "mistral", "azure", "openrouter", "generic"]


def test_base_url_override_and_whole_settings_are_accepted():
    settings = Settings(
        providers=ProviderSettings(anthropic=ProviderAccount(api_key="k", base_url="https://gw.example/anthropic/"))
    )
    provider, model = open_provider("anthropic:claude-haiku-4-5", settings, MockTransport(lambda r: BytesResponse(500)))
    assert provider.name == "anthropic" and provider.base_url == "https://gw.example/anthropic"
    assert (
        Settings.model_validate({"providers": {}, "directus": {"url": "x"}}).providers.compatible == []
    )  # unknown sections ignored
