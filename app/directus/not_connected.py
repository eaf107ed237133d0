"""The tools of a turn while Directus is not connected (never connected, failed, or the session expired): none. A
call the model makes anyway is told so, in words for the user and the model alike (app/connection.py `TurnTools`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Collection

if TYPE_CHECKING:
    from app.chat.model import ToolSpec
    from app.directus.prepared import PreparedCall
    from app.directus.tools.definition import ToolOutcome

NOT_CONNECTED = {
    "error": {
        "code": "NOT_CONNECTED",
        "message": "Directus is not connected (or the session expired): sign in to Directus, then ask again.",
    }
}


class NoTools:
    """The tools when Directus is not connected: none (a call the model makes anyway is told so)."""

    def specs(self, used: Collection[str] = ()) -> list[ToolSpec]:
        return []

    def prepare(self, name: str, arguments: str) -> PreparedCall:
        from app.directus.prepared import PreparedCall

        return PreparedCall(name, arguments, error=NOT_CONNECTED)

    async def run(self, call: PreparedCall) -> ToolOutcome:
        from app.directus.tools.definition import ToolOutcome

        return ToolOutcome(content=json.dumps(NOT_CONNECTED, separators=(",", ":")), ok=False)
