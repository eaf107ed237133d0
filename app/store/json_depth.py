"""JSON from storage or a file, parsed only when it nests no deeper than the app ever writes.

`json.loads` recurses once per nested array or object. A 30,000-deep `[[[...]]]` raises RecursionError under
CPython and, under Pyodide, overflows the JavaScript stack first ("Maximum call stack size exceeded"), which no
`except` catches: the page dies. So the depth is measured on the text, without recursing, before it is parsed:

    load_json(text)      the value; TooDeep (a ValueError) when nested more than MAX_DEPTH levels
    nesting(text)        how deep the arrays and objects of a JSON text nest (brackets outside strings)

The measure is two C-level regex passes (strings out, then everything but brackets out) and a running sum over the
brackets left, so a conversation of megabytes costs milliseconds; a text with few brackets costs a count. Every
pattern is linear: an unterminated string runs to the end of the text instead of being retried.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

# A conversation needs about 10 levels (more for the versions kept of edited messages and a provider's details);
# the app's own serializer (pydantic) gives up past 254.
MAX_DEPTH = 200

_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)  # possessive: it never backtracks
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


def load_json(text: str, limit: int = MAX_DEPTH) -> Any:
    """json.loads for text read from storage or a file: any failure is a ValueError (TooDeep when nested more
    than `limit` levels), never a RecursionError or a stack overflow."""
    if text.count("[") + text.count("{") > limit and nesting(text) > limit:
        raise TooDeep(limit)
    try:
        return json.loads(text)
    except RecursionError:  # (not reached below the limit; kept so that no RecursionError ever escapes)
        raise TooDeep(limit) from None
