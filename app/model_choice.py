"""Which models the user can pick, the one picked and its reasoning effort, and what answers cost.

    choice = ModelChoice(prefs)
    choice.model_options()                 # [ModelOption(ref, label, group)]: configured providers only
    choice.selected_model()                # the chosen ref, or the first option when it is not available
    choice.select_effort("medium")         # kept per model in the settings
    choice.usage_summary(conversation)     # totals, cost and how full the selected model's window is

Options list the models of the first-party providers with a key set (app/providers/registry.py, in its
order, under its labels; models shut down are left out) and each OpenAI-compatible endpoint's own models,
as far as config.json's `allowed_models` allows.

Usage: `message_usage_text(message)` (tokens and cost of one answer) and `usage_summary()` (the open
conversation's totals, kept versions included, their cost, and how full the selected model's context window
is), priced at the catalog's list prices of the model that wrote each answer (app/chat/usage.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from app.chat.model import Conversation, Message
    from app.chat.usage import WindowGauge
    from app.preferences import Preferences
    from app.providers.catalog import CatalogModel


@dataclass
class ModelOption:
    ref: str
    label: str
    group: str  # the provider's label, or the endpoint's name


@dataclass
class UsageSummary:
    """The open conversation's usage for the bar above the composer."""

    totals: str  # "1,234 in · 56 out · ≈ $0.0012", "" before the first answer
    gauge: Optional[WindowGauge]  # of the selected model; None without a model or messages
    notice: str  # what was left out to fit the window ("" when nothing)


class ModelChoice:
    def __init__(self, prefs: Preferences):
        self.prefs = prefs
        self._models: dict[str, Optional[CatalogModel]] = {}  # ref -> its model (None: unknown)
        self._revision = prefs.revision  # of the settings the cache was filled from

    def model_options(self) -> list[ModelOption]:
        """Models of the configured providers only (a key set; endpoints with their models), as the deployment allows."""
        from app.providers import catalog
        from app.providers.registry import FIRST_PARTY

        providers = self.prefs.provider_settings()
        options: list[ModelOption] = []
        for provider in FIRST_PARTY:
            if not getattr(providers, provider.name).api_key:
                continue
            for model in catalog.models(provider.name):
                if model.retired and model.retired.startswith("Shut down"):
                    continue
                options.append(ModelOption(model.ref, model.name, provider.label))
        for endpoint in providers.compatible:
            for custom in endpoint.models:
                ref = "compatible:%s:%s" % (endpoint.name, custom.id)
                options.append(ModelOption(ref, custom.name or custom.id, endpoint.name))
        return [o for o in options if self.prefs.config.allows(o.ref)]

    def selected_model(self) -> Optional[str]:
        refs = [o.ref for o in self.model_options()]
        if self.prefs.settings.model in refs:
            return self.prefs.settings.model
        return refs[0] if refs else None

    def select_model(self, ref: str) -> None:
        self.prefs.settings.model = ref
        self.prefs.save()  # redraws the effort picker and the window gauge, both the selected model's

    def effort_options(self) -> list[tuple[str, str]]:
        """The reasoning efforts of the selected model, ("", its default) first; [] when it takes none."""
        from app.providers.catalog import effort_choices

        return effort_choices(self.model_info(self.selected_model()))

    def selected_effort(self) -> str:
        """The effort chosen for the selected model ("" = its default), if that model still takes it."""
        chosen = self.prefs.settings.efforts.get(self.selected_model() or "", "")
        return chosen if chosen in [value for value, _ in self.effort_options()] else ""

    def select_effort(self, effort: str) -> None:
        ref = self.selected_model()
        if ref is None:
            return
        if effort:
            self.prefs.settings.efforts[ref] = effort
        else:
            self.prefs.settings.efforts.pop(ref, None)
        self.prefs.save()

    def model_info(self, ref: Optional[str]) -> Optional[CatalogModel]:
        """The catalog model of a ref (custom endpoints with their configured window), None when unknown."""
        if not ref:
            return None
        if self._revision != self.prefs.revision:  # an endpoint's models or windows may have changed
            self._models.clear()
            self._revision = self.prefs.revision
        if ref not in self._models:
            from app.providers.factory import resolve_model

            try:
                self._models[ref] = resolve_model(ref, self.prefs.provider_settings())
            except Exception:  # noqa: BLE001 - a ref that no longer parses: no price, no window
                self._models[ref] = None
        return self._models[ref]

    def message_usage_text(self, message: Message) -> str:
        """Tokens of one answer, and its cost at the list prices of the model that wrote it."""
        from app.chat.usage import describe_usage, message_cost

        usage = message.usage
        if usage is None:
            return ""
        return describe_usage(usage, message_cost(usage, self.model_info(message.model)))

    def usage_summary(self, conversation: Conversation) -> UsageSummary:
        from app.chat.usage import conversation_cost, describe_usage, window_gauge
        from app.chat.versions import every_message

        messages = conversation.messages
        estimate = conversation_cost(every_message(messages), self.model_info)  # kept versions cost too
        priced = estimate.dollars if (estimate.dollars or estimate.complete) else None  # None: nothing priced
        totals = (
            describe_usage(estimate.usage, priced, partial=not estimate.complete)
            if (estimate.usage.input_tokens or estimate.usage.output_tokens)
            else ""
        )
        model = self.model_info(self.selected_model())
        gauge = None
        if model is not None and messages:
            from app.chat.tokens import estimate_tokens

            gauge = window_gauge(messages, model.context_window, estimate_tokens(self.prefs.system_prompt()))
        return UsageSummary(totals, gauge, conversation.notice or "")
