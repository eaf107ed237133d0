"""What a conversation is, independent of providers and of the browser.

A conversation is a list of messages; a message is a list of parts. Parts are plain values tagged by
`kind`; provider data that must be echoed back on the next request (Anthropic thinking signatures,
OpenAI encrypted reasoning, Gemini thought signatures) rides in `provider_details`, keyed by nothing
but what the provider module that wrote it needs to read it back.

Roles:
- `user`: what the person typed (text parts) and the files they attached (file parts: metadata and a thumbnail;
  the bytes live in the attachment store, app/store/attachment_store.py, and reach a provider as
  `ModelRequest.files`).
- `assistant`: one model response (reasoning, text and tool-call parts), with usage and status.
- `tool`: the results of the tool calls of the assistant message just before it, one part per call.

Every tool call of an assistant message is answered exactly once by the `tool` message that follows
it; a call without a result is waiting for the user's decision or still running.

Closed sets are `Literal`s (`PartKind`, `Role`, `MessageStatus`, `ToolStatus`, `FinishReason`, `ErrorKind`):
a code that adds a value to one is found by the type checker wherever the set is matched. Their values are
stored as they are; a finish reason or an error kind that this version does not know (written by a newer
one) reads as "other" / "invalid_request" rather than making the conversation unreadable.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any, Callable, Literal, Optional, Union, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator


def new_id(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:16]


class _Value(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _read_as(known: tuple[str, ...], fallback: str) -> Callable[[object], object]:
    """A stored value outside a closed set (written by a newer version) reads as `fallback`."""

    def read(value: object) -> object:
        return value if value is None or value in known else fallback

    return read


UNKNOWN_MEDIA = "application/octet-stream"  # a file part's media type that is none the assistant attaches


def _known_media(value: object) -> object:
    """A file part's media type outside the kinds the assistant attaches (an edited or hostile export) reads as
    UNKNOWN_MEDIA: never sent to a model, shown and exported as a plain file."""
    from app.chat.attachments import kind_of

    return value if isinstance(value, str) and kind_of(value) is not None else UNKNOWN_MEDIA


PartKind = Literal["text", "reasoning", "tool_call", "tool_result", "file"]


class PinnedItem(_Value):
    """A Directus item the user pinned to their message as context (app/directus/context_items.py): shown as a chip;
    its part's text is the item as read when the message was sent, replayed as it is by later requests."""

    collection: str
    key: str
    label: str = ""
    url: str = ""  # where Directus's app shows it


class TextPart(_Value):
    kind: Literal["text"] = "text"
    text: str = ""
    item: Optional[PinnedItem] = None  # user messages: this text is a pinned item's block, not what they typed


class ReasoningPart(_Value):
    kind: Literal["reasoning"] = "reasoning"
    text: str = ""
    # Which provider wrote provider_details; reasoning is replayed only to the same provider.
    provider: Optional[str] = None
    provider_details: dict[str, Any] = Field(default_factory=dict)


class ToolCallPart(_Value):
    kind: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    # The raw JSON text of the arguments as the model streamed it; parsed once, when the call is complete.
    arguments: str = ""
    provider: Optional[str] = None
    provider_details: dict[str, Any] = Field(default_factory=dict)
    # Set once the tool starts running, so that after a reload a call without a result is known to be
    # interrupted (it may have been applied) rather than still waiting for the user's decision.
    started: bool = False


ToolStatus = Literal["ok", "error", "denied", "stopped"]


class ToolResultPart(_Value):
    kind: Literal["tool_result"] = "tool_result"
    call_id: str
    name: str
    # What the model reads: a JSON text (or plain text) describing the outcome.
    content: str
    status: ToolStatus = "ok"
    # How the user can undo the write (app/directus/undo.py's UndoPlan as a dict), kept with the conversation
    # and never sent to the model; `undone` once they have.
    undo: Optional[dict[str, Any]] = None
    undone: bool = False
    # What the page draws for the call (a chart's spec and a bounded snapshot of its rows), never sent to the model.
    view: Optional[dict[str, Any]] = None

    @property
    def is_error(self) -> bool:
        return self.status != "ok"


class FilePart(_Value):
    """A file the user attached (app/chat/attachments.py: kinds, limits). Only metadata and a small thumbnail
    are kept here; the bytes are in the attachment store under `sha256` (content-addressed)."""

    kind: Literal["file"] = "file"
    name: str
    # image/png | image/jpeg | image/webp | image/gif | application/pdf | text/plain ... (else UNKNOWN_MEDIA)
    media_type: Annotated[str, BeforeValidator(_known_media)]
    size: int = 0  # bytes, as sent (an image after scaling)
    sha256: str
    width: Optional[int] = None  # images
    height: Optional[int] = None
    pages: Optional[int] = None  # PDFs (counted, approximately)
    thumbnail: Optional[str] = None  # a small data:image/jpeg URL, shown in <img> only
    directus_id: Optional[str] = None  # the Directus file it came from, told to the model


# Every mapper of parts (app/providers/*, app/chat/tokens.py, app/providers/history.py) matches each of these
# and ends in `assert_never`, so a new part kind cannot be left out silently.
Part = Annotated[Union[TextPart, ReasoningPart, ToolCallPart, ToolResultPart, FilePart], Field(discriminator="kind")]


class Usage(_Value):
    """Token counts of one model call (or a sum of several). Input includes cached tokens."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0  # input tokens read from the provider's prompt cache
    cache_write_tokens: int = 0  # input tokens written to the prompt cache (Anthropic)
    reasoning_tokens: int = 0  # part of output_tokens
    # Some of it is our estimate: the call was stopped or failed before the provider's final count came
    # (app/chat/usage.py settle_usage). Shown as such.
    estimated: bool = False

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            estimated=self.estimated or other.estimated,
        )


# Why a model call failed (app/chat/events.py ProviderError; classified in app/providers/errors.py):
#   no_key            no API key configured for the provider
#   bad_key           the provider rejected the key
#   no_access         the key is valid but may not use this model / feature
#   model_not_found   unknown, retired or misspelled model id
#   rate_limited      too many requests (retryable)
#   billing           out of credits / quota (not retryable)
#   overloaded        the provider is overloaded (retryable)
#   server_error      a 5xx (retryable)
#   context_too_long  the conversation does not fit the model's context window
#   invalid_request   any other 4xx; the message carries the provider's own words
#   network           no answer: host unreachable or blocked by CORS
#   truncated         the stream ended before its final event
#   bad_response      the provider sent something we cannot read
ErrorKind = Literal[
    "no_key",
    "bad_key",
    "no_access",
    "model_not_found",
    "rate_limited",
    "billing",
    "overloaded",
    "server_error",
    "context_too_long",
    "invalid_request",
    "network",
    "truncated",
    "bad_response",
]
ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)

# Why a model call ended, the same for every provider (app/chat/events.py Finish):
#   stop             the model finished its answer
#   tool_calls       the model wants tools run (decided from content, not only from the vendor's reason)
#   length           the output-token limit was hit
#   content_filter   the provider refused or filtered the answer
#   context_too_long the input did not fit (Anthropic model_context_window_exceeded)
#   pause            the provider paused a long turn (Anthropic pause_turn); send the history again to go on
#   other            anything else the vendor reported
FinishReason = Literal["stop", "tool_calls", "length", "content_filter", "context_too_long", "pause", "other"]
FINISH_REASONS: tuple[FinishReason, ...] = get_args(FinishReason)
# Why an assistant message ended: its model call's reason, or the agent's step limit (app/chat/agent.py).
MessageFinish = Union[FinishReason, Literal["step_limit"]]
MESSAGE_FINISHES: tuple[str, ...] = FINISH_REASONS + ("step_limit",)


class ErrorInfo(_Value):
    """An error shown in the conversation: what happened and what to do, in plain words."""

    kind: Annotated[ErrorKind, BeforeValidator(_read_as(ERROR_KINDS, "invalid_request"))]  # a stable code
    message: str
    retryable: bool = False


class Version(_Value):
    """Another version of a user message: its parts and the messages that followed it (app/chat/versions.py)."""

    parts: list[Part] = Field(default_factory=list)
    tail: list["Message"] = Field(default_factory=list)


class Versions(_Value):
    """The versions of a user message not shown, in order; the shown one sits at position `current` among them."""

    others: list[Version] = Field(default_factory=list)
    current: int = 0

    @model_validator(mode="after")
    def _in_range(self) -> "Versions":
        self.current = min(max(self.current, 0), len(self.others))  # an entry edited by hand stays usable
        return self


MessageStatus = Literal["streaming", "done", "stopped", "error"]
Role = Literal["user", "assistant", "tool"]


class Message(_Value):
    id: str = Field(default_factory=lambda: new_id("m_"))
    role: Role
    parts: list[Part] = Field(default_factory=list)
    created_at: float = Field(default_factory=time.time)
    # assistant only
    model: Optional[str] = None  # "provider:model" that wrote it
    usage: Optional[Usage] = None
    finish_reason: Annotated[Optional[MessageFinish], BeforeValidator(_read_as(MESSAGE_FINISHES, "other"))] = None
    status: MessageStatus = "done"
    error: Optional[ErrorInfo] = None
    # user only: what an edit or a regenerate replaced, kept so that the user can switch back
    versions: Optional[Versions] = None
    # Bumped by each save that changes the message (app/store/format.py): between two tabs' copies, the higher
    # one is the newer, so a stale copy written back in a race is not taken for a change.
    rev: int = 0

    @property
    def text(self) -> str:
        """What was written (by the user: typed; pinned items' blocks are not part of it)."""
        return "".join(p.text for p in self.parts if isinstance(p, TextPart) and p.item is None)

    @property
    def pinned(self) -> list[TextPart]:
        return [p for p in self.parts if isinstance(p, TextPart) and p.item is not None]

    @property
    def files(self) -> list[FilePart]:
        return [p for p in self.parts if isinstance(p, FilePart)]

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.parts if isinstance(p, ToolCallPart)]

    @property
    def tool_results(self) -> list[ToolResultPart]:
        return [p for p in self.parts if isinstance(p, ToolResultPart)]


Version.model_rebuild()


class Conversation(_Value):
    id: str = Field(default_factory=lambda: new_id("c_"))
    title: str = ""
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    model: Optional[str] = None
    messages: list[Message] = Field(default_factory=list)
    # A note shown to the user, e.g. when older messages were left out of the context window.
    notice: Optional[str] = None


class ToolSpec(_Value):
    """A tool as offered to a model: its name, a short description and the JSON schema of its input."""

    name: str
    description: str
    parameters: dict[str, Any]

    def description_field(self) -> dict[str, str]:
        """{"description": ...} for a request body, or {} when there is none (every provider takes it as optional)."""
        return {"description": self.description} if self.description else {}


Messages = TypeAdapter(list[Message])


def user(text: str) -> Message:
    return Message(role="user", parts=[TextPart(text=text)])


def assistant(*parts: Union[str, Part], **fields: Any) -> Message:
    return Message(role="assistant", parts=[TextPart(text=p) if isinstance(p, str) else p for p in parts], **fields)


def tool_results(*results: ToolResultPart) -> Message:
    return Message(role="tool", parts=list(results))
