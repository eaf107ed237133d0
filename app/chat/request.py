"""What the agent loop hands a provider, and the shape every provider module has (app/providers/ implement it).

Provider names (also written into `ReasoningPart.provider` / `ToolCallPart.provider`, so reasoning is
replayed only to the provider that wrote it):
    "openai"                  OpenAI's own API, Responses protocol (`openai.py`)
    "anthropic"               Anthropic Messages (`anthropic.py`)
    "gemini"                  Google Gemini streamGenerateContent (`gemini.py`)
    "compatible:<endpoint>"   an OpenAI-compatible endpoint from the settings, Chat Completions (`openai_chat.py`)

Model references are "<provider>:<model id>": "openai:gpt-5-mini", "anthropic:claude-haiku-4-5",
"gemini:gemini-2.5-flash" ("google:" is accepted too), "compatible:<endpoint>:<model id>" (the model id may
itself contain colons, e.g. "compatible:ollama:llama3.2:3b").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import AsyncIterator, Optional, Protocol

from app.chat.events import Event
from app.chat.model import Message, ToolSpec


@dataclass
class ModelRequest:
    model: str  # the provider's model id (no "provider:" prefix)
    system: str
    messages: list[Message]
    tools: list[ToolSpec] = field(default_factory=list)
    max_output_tokens: Optional[int] = None
    reasoning: Optional[str] = (
        None  # effort hint: "none" | "minimal" | "low" | "medium" | "high" | "xhigh"; None = provider default
    )
    # The bytes of the attached files (FilePart.sha256 -> base64), read from the attachment store for this request;
    # a file missing here is sent as a note that it is not kept on this device; one mapped to LEFT_OUT
    # (app/chat/attachments.py) as a note that it was left out to stay within the provider's limits.
    files: dict[str, str] = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def stream(self, request: ModelRequest) -> AsyncIterator[Event]:
        """Yield the events of one model call. Raises ProviderError. Cancelling the consuming task
        cancels the HTTP request."""
        ...
