"""How much the browser's storage holds, by conversation, and what a save that does not fit raises.

    report = store.usage_report()          # UsageReport: total, quota, each conversation (largest first)
    report.describe()                      # "1.2 of about 5.2 million characters used (23%) by 40 conversations"

`StorageFull` carries such a report, so the "export or delete" notice can name the largest conversations.
Browsers do not tell the quota; `quota_chars` is an estimate (app/store/kv.py: DEFAULT_QUOTA_CHARS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from app.store.format import META_PREFIX, QUARANTINE_PREFIX, SECRETS_KEY, SETTINGS_KEY, conversation_id_of
from app.store.kv import KeyValueStore, utf16_len

if TYPE_CHECKING:
    from app.store.conversations import ConversationSummary


@dataclass
class ConversationUsage:
    id: str
    title: str
    chars: int
    updated_at: float


@dataclass
class UsageReport:
    total_chars: int  # everything this origin stores (other keys count against the same quota)
    quota_chars: int  # an estimate: browsers do not tell
    conversations: list[ConversationUsage]  # largest first
    settings_chars: int = 0
    quarantine_chars: int = 0
    other_chars: int = 0

    @property
    def fraction(self) -> float:
        return self.total_chars / self.quota_chars if self.quota_chars else 0.0

    @property
    def free_chars(self) -> int:
        return max(0, self.quota_chars - self.total_chars)

    def describe(self) -> str:
        return "%.1f of about %.1f million characters used (%d%%) by %d conversations" % (
            self.total_chars / 1e6,
            self.quota_chars / 1e6,
            round(100 * self.fraction),
            len(self.conversations),
        )


class StorageFull(Exception):
    """A save did not fit in the browser's storage. The conversation is still open and unchanged in memory."""

    def __init__(self, report: UsageReport, needed_chars: int, conversation_id: str, title: str):
        self.report = report
        self.needed_chars = needed_chars
        self.conversation_id = conversation_id
        largest = ", ".join(
            '"%s" (%s chars)' % (c.title or c.id, format(c.chars, ",")) for c in report.conversations[:3]
        )
        message = (
            'Could not save "%s": browser storage for this site is full (%s; the save needs %s characters). '
            "Export or delete old conversations to make room%s. Until then this conversation stays open in "
            "this tab and nothing you typed is lost."
        ) % (
            title or conversation_id,
            report.describe(),
            format(needed_chars, ","),
            (" - the largest are " + largest) if largest else "",
        )
        super().__init__(message)


def measure(store: KeyValueStore, summaries: Iterable[ConversationSummary], quota_chars: int) -> UsageReport:
    """What every key of the store takes: a conversation as its summary recorded it (key and entry), the rest
    by its text."""
    titles = {s.id: s for s in summaries}
    conversations: list[ConversationUsage] = []
    total = settings = set_aside = other = 0
    for key in store.keys():
        cid = conversation_id_of(key)
        if cid is not None and cid in titles and titles[cid].chars:
            size = titles[cid].chars
        else:
            size = utf16_len(key) + utf16_len(store.get(key) or "")
        total += size
        if cid is not None:
            summary = titles.get(cid)
            conversations.append(
                ConversationUsage(cid, summary.title if summary else "", size, summary.updated_at if summary else 0.0)
            )
        elif key.startswith(META_PREFIX):
            other += size
        elif key in (SETTINGS_KEY, SECRETS_KEY):
            settings += size
        elif key.startswith(QUARANTINE_PREFIX):
            set_aside += size
        else:
            other += size
    conversations.sort(key=lambda c: c.chars, reverse=True)
    return UsageReport(total, quota_chars, conversations, settings, set_aside, other)
