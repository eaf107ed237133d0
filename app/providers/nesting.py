"""How deep a provider's JSON nests, found without recursing, so a hostile stream cannot overflow the stack.

`json.loads` recurses once per nested array or object: a 30,000-deep `[[[...]]]` in one SSE event raises
RecursionError under CPython and can exhaust the JavaScript stack under Pyodide. Nothing a model sends needs
anywhere near MAX_DEPTH levels (a Directus filter is a dozen), so deeper text is refused before it is parsed.

    too_deep(text)                     a whole JSON text, e.g. one event's data
    nesting = Nesting(); nesting.feed(fragment) -> True once too deep
                                       the same, fed in fragments (a tool call's streamed arguments)

Only brackets outside strings count; brackets inside strings and escaped quotes are skipped, also when a
fragment ends in the middle of an escape. Cost: one C-level count for ordinary text, one regex pass otherwise.
"""

from __future__ import annotations

import re
from typing import Optional

MAX_DEPTH = 100

_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


class Nesting:
    """The bracket depth of a JSON text fed in pieces; `feed` returns True once it went over `limit`."""

    def __init__(self, limit: int = MAX_DEPTH):
        self.limit = limit
        self.depth = 0
        self._in_string = False
        self._escaped_at: Optional[int] = None  # index (in the next text fed) of the character a backslash escapes

    def feed(self, text: str) -> bool:
        if not self._in_string and self.depth + text.count("[") + text.count("{") <= self.limit and '"' not in text:
            self.depth += text.count("[") + text.count("{") - text.count("]") - text.count("}")
            return False  # ordinary text: no string starts here, and it cannot go over the limit
        for match in _SIGNIFICANT.finditer(text):
            i = match.start()
            if self._escaped_at is not None:
                escaped, self._escaped_at = self._escaped_at, None
                if i == escaped:
                    continue  # this character is escaped (the escape may have begun in the previous piece)
            ch = text[i]
            if self._in_string:
                if ch == "\\":
                    self._escaped_at = i + 1
                elif ch == '"':
                    self._in_string = False
            elif ch == '"':
                self._in_string = True
            elif ch in "[{":
                self.depth += 1
                if self.depth > self.limit:
                    return True
            elif ch in "]}":
                self.depth -= 1
        if self._escaped_at is not None:
            self._escaped_at -= len(text)  # 0 when the escaped character starts the next piece
            if self._escaped_at < 0:
                self._escaped_at = None
        return False


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests arrays and objects more than `limit` levels deep."""
    if text.count("[") + text.count("{") <= limit:
        return False
    return Nesting(limit).feed(text)
