"""JSON we do not control (stored entries, imported files, provider streams, tool arguments, Directus answers),
parsed only when it nests no deeper than a limit.

`json.loads` recurses once per nested array or object. A 30,000-deep `[[[...]]]` raises RecursionError under
CPython and, under Pyodide, overflows the JavaScript stack first ("Maximum call stack size exceeded"), which no
`except` catches: the page dies. So the depth is measured on the text, without recursing, before it is parsed:

    load_json(text, limit)      the value; TooDeep (a ValueError) when nested more than `limit` levels
    too_deep(text, limit)       whether it is
    nesting(text)               how deep the arrays and objects of a JSON text nest (brackets outside strings)
    Nesting(limit).feed(piece)  the same for a text that arrives in pieces (a tool call's streamed arguments):
                                True once it went over `limit`

Each caller passes the limit of what it reads: a stored conversation needs about 10 levels (more for the versions
kept of edited messages), a stream event or a tool call's arguments far fewer; nothing legitimate comes near
MAX_DEPTH. `nesting` takes the escapes out (two replaces), keeps what lies between the quotes (a split), then only
the brackets of that (a linear regex), and sums them up: all C-level passes, so megabytes cost milliseconds and a
text with few brackets costs a count.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Optional

MAX_DEPTH = 200  # what the app stores and imports; its own serializer (pydantic) gives up past 254
STREAM_DEPTH = 100  # what a model sends: a stream event, a tool call's arguments (a Directus filter nests a dozen)

_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


class TooDeep(ValueError):
    """A JSON text nested more deeply than MAX_DEPTH."""

    def __init__(self, limit: int = MAX_DEPTH):
        super().__init__("nested too deeply (more than %d levels)" % limit)


def nesting(text: str) -> int:
    """How many levels the arrays and objects of a JSON text nest (0 for a scalar), counting the brackets outside
    strings. (For broken JSON it is a guess; json.loads says what is wrong with it.)"""
    opening = text.count("[") + text.count("{")
    if opening == 0:
        return 0
    if "\\" in text:  # escapes out, escaped backslashes first: every quote left opens or closes a string
        text = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(text.split('"')[::2])  # what lies between the strings (an unterminated one runs to the end)
    brackets = _NOT_BRACKET.sub("", outside)
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests arrays and objects more than `limit` levels deep."""
    return text.count("[") + text.count("{") > limit and nesting(text) > limit


def load_json(text: str, limit: int = MAX_DEPTH) -> Any:
    """json.loads for text we do not control: any failure is a ValueError (TooDeep when nested more
    than `limit` levels), never a RecursionError or a stack overflow."""
    if too_deep(text, limit):
        raise TooDeep(limit)
    try:
        return json.loads(text)
    except RecursionError:  # (not reached below the limit; kept so that no RecursionError ever escapes)
        raise TooDeep(limit) from None


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
