"""Versions of a user message: an edit or a regenerate keeps what it replaces, and the user can switch back.

The user message carries its other versions, each with the messages that followed it (`Message.versions`).
Switching swaps the shown tail of the conversation for a kept one. So `conversation.messages` is always one
plain branch: the one sent to the model, fitted into its window, shown and exported as Markdown.

    keep_version(messages, i)        before messages[i] (a user message) or what follows it is replaced
    switch_version(messages, i, n)   show version n (0-based, in the order they were made)
"""

from __future__ import annotations

from typing import Iterable, Iterator

from app.chat.model import Message, Version, Versions


def keep_version(messages: list[Message], index: int) -> None:
    """Keep messages[index]'s parts and everything after it as a version; the one about to be written is the last."""
    head = messages[index]
    kept = Version(parts=[p.model_copy(deep=True) for p in head.parts], tail=messages[index + 1 :])
    others = list(head.versions.others) if head.versions is not None else []
    others.insert(head.versions.current if head.versions is not None else 0, kept)
    head.versions = Versions(others=others, current=len(others))


def version_position(message: Message) -> tuple[int, int]:
    """(shown, count), 1-based: (2, 3) for the second of three versions; (1, 1) for a message never replaced."""
    if message.versions is None:
        return 1, 1
    return message.versions.current + 1, len(message.versions.others) + 1


def switch_version(messages: list[Message], index: int, to: int) -> bool:
    """Show version `to` of messages[index] and what followed it; False when there is no such other version."""
    head = messages[index]
    versions = head.versions
    if versions is None or not 0 <= to <= len(versions.others) or to == versions.current:
        return False
    everything = list(versions.others)
    everything.insert(versions.current, Version(parts=head.parts, tail=messages[index + 1 :]))
    chosen = everything.pop(to)
    head.parts = chosen.parts
    head.versions = Versions(others=everything, current=to)
    messages[index + 1 :] = chosen.tail
    return True


def every_message(messages: Iterable[Message]) -> Iterator[Message]:
    """The messages and those of every kept version, at any depth (what the whole conversation cost)."""
    for message in messages:
        yield message
        if message.versions is not None:
            for version in message.versions.others:
                yield from every_message(version.tail)
