"""The app's settings with every provider pointed at a fake provider server, and one model per protocol.

- ``settings_for(url)`` -> ``ProviderSettings``: OpenAI, Anthropic and Gemini at the fake with a key each, and one
  compatible endpoint per flavour: "local" (generic, model llama3.2:3b with an 8,192-token window, text only, and
  llava:7b, marked as taking images and PDFs), "azure",
  "mistral";
- ``chat_settings(url, remember=True)`` -> (settings document, secrets document) as the app stores them in
  localStorage: those providers, Directus with no sign-in, the Anthropic model chosen, secrets remembered;
- ``MODELS``: protocol -> a model reference the fake answers in that protocol.
"""

from __future__ import annotations

import json

from app.settings import CompatibleEndpoint, CustomModel, ProviderAccount, ProviderSettings, Settings, split_secrets

MODELS = {
    "responses": "openai:gpt-5-mini",
    "anthropic": "anthropic:claude-haiku-4-5",
    "gemini": "gemini:gemini-2.5-flash",
    "chat": "compatible:local:llama3.2:3b",
}


def settings_for(url: str) -> ProviderSettings:
    """ProviderSettings pointing every provider at a fake server at `url`."""
    return ProviderSettings(
        openai=ProviderAccount(api_key="sk-openai-test", base_url=url + "/v1"),
        anthropic=ProviderAccount(api_key="sk-ant-test", base_url=url),
        gemini=ProviderAccount(api_key="gemini-test-key", base_url=url),
        compatible=[
            CompatibleEndpoint(
                name="local",
                base_url=url + "/v1",
                api_key="local-key",
                kind="generic",
                models=[
                    CustomModel(id="llama3.2:3b", context_window=8192, output_limit=2048),
                    CustomModel(id="llava:7b", images=True, pdfs=True),
                ],
            ),
            CompatibleEndpoint(
                name="azure",
                base_url=url,
                api_key="azure-key",
                kind="azure",
                models=[CustomModel(id="my-gpt4o-deployment")],
            ),
            CompatibleEndpoint(
                name="mistral",
                base_url=url + "/v1",
                api_key="mistral-key",
                kind="mistral",
                models=[CustomModel(id="mistral-small-latest")],
            ),
        ],
    )


def chat_settings(fake_url: str, remember: bool = True) -> tuple[str, str]:
    """The settings and secrets documents (JSON text) the app keeps in localStorage ("da.settings", "da.secrets")."""
    settings = Settings(providers=settings_for(fake_url), remember=remember, model=MODELS["anthropic"])
    doc, secrets = split_secrets(settings)
    return json.dumps({"v": 1, "settings": doc}), json.dumps({"v": 1, "secrets": secrets})
