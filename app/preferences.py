"""The user's settings and secrets, the deployment's config.json, and what follows from both.

    prefs = Preferences(local, session, hub)
    prefs.set_config(config_json)          # deployment defaults: Directus URL, endpoints, allowed models, prompt
    prefs.reload()                         # settings + secrets from storage (at start, and on another tab's save)
    prefs.save(new_settings)               # False when storage is full: they stay in effect in this tab
    prefs.provider_settings()              # the user's providers plus the deployment's endpoints

Secrets (provider keys, the Directus token or session) are kept apart from the settings document: in
localStorage when the user ticks "remember on this device", else in sessionStorage (app/store/settings.py;
the split is app/settings.py's `split_secrets`/`join_secrets`). config.json is public: keys in it are dropped;
a broken file is reported and ignored. What the user sets wins over the deployment's defaults.

The Directus token or session is bound to the URL it was made for (app/settings.py `DirectusSettings`): a save
binds a token entered with it to the URL saved with it, and drops the old ones when the URL changes; one stored by
an older version is bound, when loaded, to the URL it was in use with.

`revision` counts the settings' changes (saved here or loaded from another tab), so what is derived from them
(app/model_choice.py's model cache) knows when to derive it again.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Optional

from app.settings import (
    DeploymentConfig,
    ProviderSettings,
    Settings,
    directus_url,
    join_secrets,
    split_secrets,
)
from app.store.settings import SettingsNotSaved, SettingsStore

if TYPE_CHECKING:
    from app.hub import Hub
    from app.store.kv import KeyValueStore


MOVED = (
    "The Directus URL is now %s: the token or sign-in made for the old address was removed, since it is never sent "
    "to another one. Enter a token or sign in for this address in Settings."
)


class Preferences:
    def __init__(
        self, local: KeyValueStore, session: KeyValueStore, hub: Hub, *, clock: Callable[[], float] = time.time
    ):
        self.store = SettingsStore(local, session, clock=clock)
        self.hub = hub
        self.config = DeploymentConfig()
        self.config_problem = ""
        self.settings = Settings()
        self.revision = 0

    def set_config(self, raw: object) -> None:
        """Deployment defaults from config.json. A broken file is reported and ignored."""
        try:
            config = DeploymentConfig.model_validate(raw)
        except ValueError as exc:
            self.config_problem = (
                "config.json next to the app is not valid and was ignored: %s" % str(exc).splitlines()[0]
            )
            self.hub.add_notice(self.config_problem, "warning", "config")
            return
        for endpoint in config.endpoints:
            endpoint.api_key = ""  # never keys from a public file
        self.config = config

    def reload(self) -> None:
        """The settings and secrets as stored: at start, and when another tab saved them. An unreadable entry is
        set aside (app/store/settings.py) and becomes a notice; defaults stand in for it."""
        stored = self.store.load()
        self.settings = join_secrets(stored.settings, stored.secrets)
        self.settings.remember = stored.remember
        self.settings.directus.bind(directus_url(self.settings, self.config))  # (stored by an older version)
        for problem in stored.problems:
            self.hub.add_notice(problem.message, "warning", "settings-" + problem.key, set_aside=problem.quarantine_key)
        self.revision += 1
        self.hub.notify("settings")

    def save(self, settings: Optional[Settings] = None) -> bool:
        """Store the settings (secrets where `remember` says). False when storage is full (they stay in effect)."""
        if settings is not None and settings is not self.settings:
            old, new_url = self.settings, directus_url(settings, self.config)
            if old.directus.carry_to(settings.directus, directus_url(old, self.config), new_url):
                self.hub.add_notice(MOVED % new_url, "info", "directus-moved")
            self.settings = settings
        self.settings.directus.bind(directus_url(self.settings, self.config))
        doc, secrets = split_secrets(self.settings)
        try:
            self.store.save(doc, secrets, self.settings.remember)
        except SettingsNotSaved as exc:
            self.hub.add_notice(str(exc), "error", "settings-save")
            self.hub.notify("settings")
            return False
        self.hub.clear_notice("settings-save")
        self.revision += 1  # an endpoint's models or windows may have changed
        self.hub.notify("settings")
        self.hub.notify("conversation")
        return True

    def provider_settings(self) -> ProviderSettings:
        """The user's providers plus the deployment's endpoints (a user's endpoint of the same name wins)."""
        providers = self.settings.providers.model_copy(deep=True)
        names = {e.name for e in providers.compatible}
        for endpoint in self.config.endpoints:
            if endpoint.name not in names:
                providers.compatible.append(endpoint.model_copy(deep=True))
        return providers

    def system_prompt(self) -> str:
        from app.chat.prompt import system_prompt

        return system_prompt(self.settings.system_prompt or self.config.system_prompt)

    def default_system_prompt(self) -> str:
        """The app's own prompt, which an empty prompt in Settings stands for (the field's placeholder)."""
        from app.chat.prompt import DEFAULT_SYSTEM_PROMPT

        return DEFAULT_SYSTEM_PROMPT
