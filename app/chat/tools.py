"""What the agent loop needs from the tools (app/directus/toolbox.py implements it), as app/chat/request.py says
what it needs from a model: Protocols only, so app/chat imports nothing from app/directus.

    call = tools.prepare(name, arguments)   # once the call's arguments have streamed: parsed and checked once
    call.preview                            # what the approval prompt shows and the policy decides on
    outcome = await tools.run(call)         # the same prepared call, not parsed again
"""

from __future__ import annotations

from typing import Collection, Optional, Protocol, TypeVar

from app.chat.model import ToolSpec


class CallPreview(Protocol):
    """What the approval prompt shows and the policy reads (app.directus.tools.definition.CallPreview)."""

    summary: str
    read_only: bool
    destructive: bool
    bulk: bool
    action: str
    writes: int
    always_ask: bool


class PreparedCall(Protocol):
    """One call as the tools prepared it once its arguments were complete (app.directus.prepared.PreparedCall)."""

    @property
    def name(self) -> str: ...

    @property
    def preview(self) -> Optional[CallPreview]:
        """What the call will do; None when the tool is unknown or the arguments are invalid (it then runs at
        once: its outcome tells the model what is wrong)."""
        ...


class ToolOutcome(Protocol):
    content: str
    ok: bool


Prepared = TypeVar("Prepared", bound=PreparedCall)


class Tools(Protocol[Prepared]):
    def specs(self, used: Collection[str] = ()) -> list[ToolSpec]:
        """The tools to offer the model (disabled and not-permitted ones left out), given the names of the
        tools the conversation has called so far (some tools are offered only once they are needed)."""
        ...

    def prepare(self, name: str, arguments: str) -> Prepared:
        """The call parsed and checked, once; never raises for a wrong tool or wrong arguments."""
        ...

    async def run(self, call: Prepared) -> ToolOutcome:
        """Run a prepared call; errors come back as an outcome with ok=False, never as an exception."""
        ...
