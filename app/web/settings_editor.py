"""The settings dialog's link to the assistant: open it on the current settings, save what the user entered
(reconnecting when the Directus part changed), Connect / sign in, Disconnect, and keep its connection line and
tool rows current while the connection changes.

The dialog's module is imported at the first open, not at start-up (the first screen does not need it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional

if TYPE_CHECKING:
    from app.assistant import Assistant
    from app.web.dom import Element
    from app.web.views.settings_dialog import SettingsDialog


class SettingsEditor:
    def __init__(self, assistant: Assistant, element: Element, spawn: Callable[[Coroutine[Any, Any, Any]], None]):
        self.assistant = assistant
        self.element = element  # the <dialog>
        self.spawn = spawn
        self._dialog: Optional[SettingsDialog] = None

    @property
    def dialog(self) -> SettingsDialog:
        if self._dialog is None:
            from app.web.views.settings_dialog import SettingsDialog

            self._dialog = SettingsDialog(self.element, self._on_submit)
        return self._dialog

    @property
    def is_open(self) -> bool:
        return bool(self.element.open)

    def open(self, key_of: str = "", sign_in: bool = False) -> None:
        """Show the dialog filled from the settings; `key_of` (a model ref): focus its provider's key field;
        `sign_in`: focus the Directus token or password field (after a session expired)."""
        from app.web.views.settings_form import FormDefaults

        a = self.assistant
        defaults = FormDefaults(a.config.directus_url, a.default_system_prompt())
        self.dialog.open(a.settings, a.settings_tools(), defaults, a.connection)
        if key_of:
            self.dialog.focus_key(key_of)
        elif sign_in:
            password = a.settings.directus.auth == "password"
            self.dialog.focus_field("set-directus-password" if password else "set-directus-token")

    def show_connection(self) -> None:
        """The connection changed: its line in the dialog, and the tool rows (a non-admin sees fewer)."""
        if self._dialog is not None:
            self._dialog.show_connection(self.assistant.connection)
            self._dialog.show_tools(self.assistant.settings_tools(), self.assistant.settings)

    async def connect(self) -> None:
        """Connect: save the dialog, then sign in (email and password) or connect with the token."""
        self._save()
        a = self.assistant
        if a.settings.directus.auth == "password":
            await a.sign_in(*self.dialog.sign_in_values())
        else:
            await a.connect()

    async def disconnect(self) -> None:
        self.dialog.forget_secrets()  # or saving the dialog afterwards would sign in again
        await self.assistant.disconnect()

    def _save(self) -> bool:
        """Save what the dialog holds; True when the Directus connection settings changed."""
        a = self.assistant
        old = a.settings
        new = self.dialog.read(old, a.config.directus_url)
        changed_directus = (new.directus.url, new.directus.token, new.directus.auth) != (
            old.directus.url,
            old.directus.token,
            old.directus.auth,
        )
        a.save_settings(new)
        return changed_directus

    def _on_submit(self) -> None:
        if self._save() and self.assistant.settings.directus.auth == "token":
            self.spawn(self.assistant.connect())
        self.dialog.close()
