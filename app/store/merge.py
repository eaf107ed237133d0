"""Merging a conversation saved by this tab with what another tab stored meanwhile.

Three-way, by message id. `base` is what this tab last read from or wrote to storage for the
conversation (message id -> dumped message), `ours` what this tab holds now, `theirs` what is stored
now. For each message:

- in ours and theirs: ours, unless this tab did not change it since base and the other tab did (a copy with a
  lower `rev` than ours is not a change but a stale write from a race: ours stays);
- only in ours: ours (a new message, or one the other tab's write lost in a race), unless it is
  unchanged here and the other tab deleted it on purpose (its id is in the stored `deleted` list);
- only in theirs: theirs (appended in another tab), unless base had it (this tab removed it) or this tab keeps it
  in an older version of a message (app/chat/versions.py).

A message missing from the other side is never taken as deleted: two tabs writing at the same moment
can lose one write, and the next save of the losing tab puts its messages back. Deletions travel as
tombstones (`deleted_ids`).

`MergeBases` keeps each open conversation object's base (and the stored text it came from: storage that has
not changed since needs no merge).

The result is ordered by created_at, with every tool message kept right after the assistant message
whose calls it answers. Messages that change side are updated in place, so a message object someone
holds (the agent streaming into it) stays the one in the conversation.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Iterable, Optional

from app.chat.model import Conversation, Message
from app.chat.versions import every_message
from app.store.format import Decoded

_FIELDS = tuple(Message.model_fields)


def order_messages(messages: list[Message]) -> list[Message]:
    """Messages by created_at (ties keep their order); tool messages right after their calls."""
    owner_of_call: dict[str, str] = {}
    for message in messages:
        if message.role != "tool":
            for call in message.tool_calls:
                owner_of_call[call.id] = message.id
    heads: list[tuple[float, int, Message]] = []
    attached: dict[str, list[tuple[float, int, Message]]] = {}
    for index, message in enumerate(messages):
        owner = None
        if message.role == "tool":
            owner = next((owner_of_call[r.call_id] for r in message.tool_results if r.call_id in owner_of_call), None)
        if owner is None:
            heads.append((message.created_at, index, message))
        else:
            attached.setdefault(owner, []).append((message.created_at, index, message))
    heads.sort(key=lambda item: (item[0], item[1]))
    ordered: list[Message] = []
    for _, _, head in heads:
        ordered.append(head)
        for _, _, tool in sorted(attached.get(head.id, ()), key=lambda item: (item[0], item[1])):
            ordered.append(tool)
    return ordered


def merge_messages(
    base: Optional[dict[str, dict]],
    ours: list[Message],
    ours_dumped: list[dict],
    theirs: list[Message],
    theirs_dumped: list[dict],
    their_deleted: Iterable[str] = (),
) -> tuple[list[Message], bool]:
    """The merged message list and whether anything came from `theirs`."""
    base = base or {}
    their_deleted = set(their_deleted)
    theirs_by_id = {m.id: (m, d) for m, d in zip(theirs, theirs_dumped, strict=True)}
    ours_ids = set()
    merged: list[Message] = []
    took_theirs = False
    for message, dumped in zip(ours, ours_dumped, strict=True):
        ours_ids.add(message.id)
        known = base.get(message.id)
        unchanged_here = known is not None and known == dumped
        other = theirs_by_id.get(message.id)
        if other is None:
            if unchanged_here and message.id in their_deleted:
                took_theirs = True  # deleted on purpose in the other tab, untouched here
                continue
        elif unchanged_here and other[1] != dumped and other[1].get("rev", 0) >= dumped.get("rev", 0):
            for name in _FIELDS:
                setattr(message, name, getattr(other[0], name))
            took_theirs = True
        merged.append(message)
    kept = {m.id for m in every_message(ours)} - ours_ids
    for message in theirs:
        if message.id in ours_ids or message.id in base or message.id in kept:
            continue  # ours, or deleted here, or kept here as part of another version
        merged.append(message)
        took_theirs = True
    ordered = order_messages(merged)
    if not took_theirs and [m.id for m in ordered] != [m.id for m in ours]:
        took_theirs = True
    return ordered, took_theirs


def deleted_ids(base: Optional[dict[str, dict]], previous: Iterable[str], messages: list[Message]) -> list[str]:
    """Tombstones to store: earlier ones plus messages this tab removed since base, minus any present."""
    present = {m.id for m in messages}
    out = [i for i in previous if i not in present]
    seen = set(out)
    for message_id in base or {}:
        if message_id not in present and message_id not in seen:
            out.append(message_id)
            seen.add(message_id)
    return out


@dataclass
class MergeBase:
    """What this tab last read or wrote for one conversation: the reference point of a merge."""

    messages: dict[str, dict]
    title: str
    model: Optional[str]
    raw: Optional[str] = None  # the stored text it came from: unchanged storage needs no merge
    deleted: list[str] = field(default_factory=list)  # tombstones stored with it


class MergeBases:
    """The base of each open conversation object, not of each id: two objects of one conversation are two views.
    A base goes with its object (weak references), so closed conversations leave nothing behind."""

    def __init__(self) -> None:
        self._bases: dict[int, tuple[weakref.ref[Conversation], MergeBase]] = {}

    def remember(self, conversation: Conversation, stored: Decoded, raw: str) -> None:
        """Record what storage now holds for this conversation object: the reference of its next merge."""
        base = MergeBase(
            {m["id"]: m for m in stored.messages},
            stored.conversation.title,
            stored.conversation.model,
            raw,
            list(stored.deleted),
        )
        key = id(conversation)
        bases = self._bases

        def forget(ref: weakref.ref[Conversation], key: int = key) -> None:
            if key in bases and bases[key][0] is ref:
                del bases[key]

        self._bases[key] = (weakref.ref(conversation, forget), base)

    def of(self, conversation: Conversation) -> Optional[MergeBase]:
        entry = self._bases.get(id(conversation))
        if entry is None or entry[0]() is not conversation:
            return None
        return entry[1]
