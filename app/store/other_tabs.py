"""What another tab's write means here: the browser's `storage` event, read as a change of ours.

Tabs of one site share localStorage, and each learns of another's writes only through that event (key and new
value; no key at all when the other tab cleared everything). `ConversationStore.apply_external_change` reads it:

    "updated"   a conversation was saved: `refresh(conversation)` if it is open, and re-read the list
    "listed"    a summary was written (just after its conversation): re-read the list, or it keeps the old title
    "deleted"   a conversation was deleted: close it if it is open (a save would store it again; nothing is lost)
    "cleared"   everything was cleared: re-read everything
    "settings"  the settings or the remembered secrets changed: load them again

How the open conversation and another tab's copy are merged is app/store/merge.py's business; which tab runs a
turn in which conversation, app/store/leases.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from app.store.format import META_PREFIX, SECRETS_KEY, SETTINGS_KEY, conversation_id_of

ChangeKind = Literal["updated", "listed", "deleted", "cleared", "settings"]


@dataclass
class ExternalChange:
    kind: ChangeKind
    conversation_id: Optional[str] = None


def external_change(key: Optional[str], new_value: Optional[str]) -> Optional[ExternalChange]:
    """What a `storage` event from another tab changed; None when the key is none of ours."""
    if key is None:
        return ExternalChange("cleared")
    cid = conversation_id_of(key)
    if cid is not None:
        return ExternalChange("deleted" if new_value is None else "updated", cid)
    if key.startswith(META_PREFIX):
        return ExternalChange("listed", key[len(META_PREFIX) :])
    if key in (SETTINGS_KEY, SECRETS_KEY):
        return ExternalChange("settings")
    return None
