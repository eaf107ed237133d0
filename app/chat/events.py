"""The closed set of stream events a provider module yields, and the one error it raises.

Every wire protocol (`openai.py`, `openai_chat.py`, `anthropic.py`, `gemini.py`) turns bytes into these
events and nothing else; `builder.MessageBuilder` (app/chat/builder.py) is the one place that folds them into a message.

Order a consumer can rely on:
- text and reasoning arrive as deltas; a `ReasoningDone` closes the reasoning part being streamed (or
  stands alone for reasoning that has no visible text, e.g. redacted thinking or a bare signature);
- a tool call is `ToolCallStart` (id and name known), any number of `ToolCallDelta` (raw JSON fragments,
  kept raw), then `ToolCallDone` (which carries the whole arguments when the vendor sends them whole);
  `index` is the vendor's part id and several calls may interleave;
- `UsageUpdate` is cumulative for this call: the latest replaces earlier ones;
- `Finish` comes last, once. Its reason is a `FinishReason` (app/chat/model.py says what each means).

Errors are raised as `ProviderError`, never yielded; a stream that ends without its terminal event
raises `ProviderError(kind="truncated")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from app.chat.model import FINISH_REASONS as FINISH_REASONS  # the closed sets are declared (and explained) in model.py
from app.chat.model import ErrorInfo, ErrorKind, FinishReason, Usage

PartId = Union[int, str]  # the vendor's part id: OpenAI output/tool index, Anthropic block index, a fresh id for Gemini


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    text: str  # reasoning summary / thinking text


@dataclass(frozen=True)
class ReasoningDone:
    # What must be replayed to the same provider: Anthropic signature / redacted data, OpenAI item id and
    # encrypted_content, Gemini thought signature.
    provider_details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCallStart:
    index: PartId
    id: str
    name: str


@dataclass(frozen=True)
class ToolCallDelta:
    index: PartId
    arguments: str  # a raw JSON fragment


@dataclass(frozen=True)
class ToolCallDone:
    index: PartId
    arguments: Optional[str] = None  # the whole arguments, when the vendor sends them whole
    provider_details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UsageUpdate:
    usage: Usage  # cumulative for this call


@dataclass(frozen=True)
class Finish:
    reason: FinishReason
    raw: Optional[str] = None  # the vendor's own reason, for diagnostics


Event = Union[TextDelta, ReasoningDelta, ReasoningDone, ToolCallStart, ToolCallDelta, ToolCallDone, UsageUpdate, Finish]


# The kinds of error (ErrorKind) and what each means are listed in app/chat/model.py.
RETRYABLE_KINDS: frozenset[ErrorKind] = frozenset({"rate_limited", "overloaded", "server_error"})


class ProviderError(Exception):
    """A failed model call, classified once at the edge, with a message a user can act on."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: Optional[bool] = None,
        retry_after: Optional[float] = None,
        status: Optional[int] = None,
        provider: Optional[str] = None,
        detail: Optional[str] = None,
    ):
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.retryable = kind in RETRYABLE_KINDS if retryable is None else retryable
        self.retry_after = retry_after
        self.status = status
        self.provider = provider
        self.detail = detail  # the provider's own error text, when there is one

    def info(self) -> ErrorInfo:
        return ErrorInfo(kind=self.kind, message=self.message, retryable=self.retryable)

    def __repr__(self) -> str:
        return "ProviderError(kind=%r, status=%r, message=%r)" % (self.kind, self.status, self.message)


def event_kind(event: object) -> str:
    """A short name for an event, for logs and test assertions."""
    return type(event).__name__
