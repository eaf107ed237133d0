"""Fit a history into a model's context window before each request.

    result = fit(messages, system_tokens, tools_tokens, context_window, reserve_output,
                 last_usage=True, harder=False, model_id="anthropic:claude-sonnet-4-5")
    send(result.messages); if result.notice: show it

What is kept: the system prompt, the tools and the latest turn always (a turn is a user message and
everything after it until the next user message). When the history does not fit:

1. large tool results of older turns are shortened to a short note, oldest first;
   attachments (images, PDFs, files) of older turns are left out, oldest first, each replaced by a note;
2. then the oldest whole turns are left out, so a tool call is never sent without its result nor a
   result without its call;
3. if the latest turn alone is still too big, its older tool results are shortened too (the results
   of the last step stay whole: the model is about to read them).

Estimates are offline (app/chat/tokens.py) times a provider factor; an attachment counts by its provider's rule
(app/chat/attachments.py file_tokens). When the provider reported usage
for an earlier request, the estimate is scaled up if the provider counted more than we estimated for
the same messages (never down: that request may itself have been trimmed). A margin of 12 % is kept.
After a context-too-long error, call again with harder=True: the budget drops to 60 %.
Messages are never changed: shortened ones are copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from app.chat.model import FilePart, Message, Part, TextPart, ToolResultPart
from app.chat.tokens import estimate_message_tokens, estimate_tokens, provider_factor

MARGIN = 0.12
HARDER_FRACTION = 0.6
# Old tool results above this many estimated tokens are replaced by a note when space is short.
SHORTEN_ABOVE_TOKENS = 200


@dataclass
class FitResult:
    messages: list[Message]
    estimated_tokens: int  # estimate of the whole request input: system + tools + messages (with scale)
    budget_tokens: int  # what the input may take: (window - reserved output) less the margin
    left_out_messages: int = 0
    left_out_turns: int = 0
    shortened_results: int = 0
    left_out_files: int = 0
    fits: bool = True  # False: even the latest turn alone is too big; the request will likely fail
    notice: Optional[str] = None  # for the user, when anything was left out or shortened


def split_turns(messages: list[Message]) -> list[list[Message]]:
    """Turns: each user message with what follows it; messages before the first user message form a turn."""
    turns: list[list[Message]] = []
    for message in messages:
        if message.role == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns


def shortened_result_note(part: ToolResultPart) -> str:
    return "[Result of %s left out to fit the context window (%s characters). Call the tool again if you need it.]" % (
        part.name,
        format(len(part.content), ","),
    )


def _shorten(message: Message) -> tuple[Message, int]:
    """A copy of a tool message with its large results replaced by a note, and how many were replaced."""
    parts: list[Part] = []
    count = 0
    for part in message.parts:
        if isinstance(part, ToolResultPart) and estimate_tokens(part.content) > SHORTEN_ABOVE_TOKENS:
            parts.append(part.model_copy(update={"content": shortened_result_note(part)}))
            count += 1
        else:
            parts.append(part)
    if not count:
        return message, 0
    return message.model_copy(update={"parts": parts}), count


def _without_files(message: Message) -> tuple[Message, int]:
    """A copy of a user message with its attachments replaced by a note, and how many were replaced."""
    if not message.files:
        return message, 0
    parts: list[Part] = [
        TextPart(text="[Attachment %s left out to fit the context window.]" % p.name) if isinstance(p, FilePart) else p
        for p in message.parts
    ]
    return message.model_copy(update={"parts": parts}), len(message.files)


def protocol_of(model_id: Optional[str]) -> str:
    """The wire protocol of "provider:model", for the attachment token rules."""
    provider = (model_id or "").split(":", 1)[0].lower()
    return {"openai": "responses", "anthropic": "anthropic", "gemini": "gemini", "google": "gemini"}.get(
        provider, "chat"
    )


def usage_scale(messages: list[Message], fixed_tokens: int, factor: float) -> float:
    """>= 1: how much more than our estimate the provider counted for the input of its last reported call."""
    for index in range(len(messages) - 1, -1, -1):
        usage = messages[index].usage
        if messages[index].role == "assistant" and usage is not None and usage.input_tokens > 0:
            estimated = (fixed_tokens + sum(estimate_message_tokens(m) for m in messages[:index])) * factor
            if estimated <= 0:
                return 1.0
            return min(3.0, max(1.0, usage.input_tokens / estimated))
    return 1.0


def fit(
    messages: list[Message],
    system_tokens: int,
    tools_tokens: int,
    context_window: int,
    reserve_output: int,
    *,
    last_usage: bool = True,
    harder: bool = False,
    model_id: Optional[str] = None,
    margin: float = MARGIN,
) -> FitResult:
    """The messages to send so that system + tools + messages fit the window with `reserve_output` left."""
    factor = provider_factor(model_id)
    scale = factor * (usage_scale(messages, system_tokens + tools_tokens, factor) if last_usage else 1.0)
    budget = int((context_window - reserve_output) / (1.0 + margin))
    if harder:
        budget = int(budget * HARDER_FRACTION)
    fixed = int((system_tokens + tools_tokens) * scale)
    available = budget - fixed

    protocol = protocol_of(model_id)

    def cost(message: Message) -> int:
        return int(estimate_message_tokens(message, protocol) * scale)

    turns = split_turns(messages)
    costs = [[cost(m) for m in turn] for turn in turns]
    total = sum(sum(c) for c in costs)
    result = FitResult(messages=list(messages), estimated_tokens=fixed + total, budget_tokens=budget)
    if total <= available or not turns:
        result.fits = total <= available
        if not result.fits:
            result.notice = _notice(result)
        return result

    def lighten(make: Callable[[Message], tuple[Message, int]]) -> int:
        """Replace messages of the older turns by lighter copies, oldest first, while too big; how many parts."""
        nonlocal total
        replaced = 0
        for t in range(len(turns) - 1):
            for i, message in enumerate(turns[t]):
                if total <= available:
                    return replaced
                light, count = make(message)
                if count:
                    turns[t][i] = light
                    new_cost = cost(light)
                    total += new_cost - costs[t][i]
                    costs[t][i] = new_cost
                    replaced += count
        return replaced

    # 1. shorten large tool results of older turns, then leave out their attachments, oldest first
    result.shortened_results += lighten(_shorten)
    result.left_out_files += lighten(_without_files)
    # 2. leave out the oldest whole turns
    first = 0
    while total > available and first < len(turns) - 1:
        total -= sum(costs[first])
        result.left_out_messages += len(turns[first])
        result.left_out_turns += 1
        first += 1
    # 3. the latest turn alone is too big: shorten its tool results except the last step's
    last = turns[-1]
    tool_indexes = [i for i, m in enumerate(last) if m.role == "tool"]
    for i in tool_indexes[:-1]:
        if total <= available:
            break
        short, count = _shorten(last[i])
        if count:
            last[i] = short
            new_cost = cost(short)
            total += new_cost - costs[-1][i]
            costs[-1][i] = new_cost
            result.shortened_results += count
    result.messages = [m for turn in turns[first:] for m in turn]
    result.estimated_tokens = fixed + total
    result.fits = total <= available
    result.notice = _notice(result)
    return result


def _notice(result: FitResult) -> Optional[str]:
    said = []
    if result.left_out_messages:
        said.append(
            "%d older message%s (%d turn%s) left out"
            % (
                result.left_out_messages,
                "s" if result.left_out_messages != 1 else "",
                result.left_out_turns,
                "s" if result.left_out_turns != 1 else "",
            )
        )
    if result.left_out_files:
        said.append(
            "%d older attachment%s left out" % (result.left_out_files, "s" if result.left_out_files != 1 else "")
        )
    if result.shortened_results:
        said.append(
            "%d large tool result%s shortened"
            % (result.shortened_results, "s" if result.shortened_results != 1 else "")
        )
    if not result.fits:
        said.append(
            "the latest message is still larger than the model's context window allows - start a new "
            "conversation or choose a model with a larger window"
        )
    if not said:
        return None
    text = "To fit the model's context window: " + "; ".join(said) + "."
    if result.left_out_messages or result.shortened_results or result.left_out_files:
        text += " The model no longer sees them; they stay in this conversation."
    return text
