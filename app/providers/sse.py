"""Incremental server-sent-events decoder: bytes in, complete events out. Pure, no I/O.

    decoder = SSEDecoder()
    for chunk in chunks:                 # cut anywhere: inside a line, a "\\r\\n" or a UTF-8 character
        for event in decoder.decode(chunk):
            ...
    for event in decoder.flush():        # at EOF: an event not ended by a blank line is still delivered
        ...

Rules (WHATWG): lines end with "\\n", "\\r\\n" or "\\r"; a blank line ends an event; a line starting with ":"
is a comment; several "data:" lines are joined with "\\n"; one space after the colon is stripped; the
"event:" name is kept; events with no data lines are skipped.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class SSEEvent:
    data: str
    event: Optional[str] = None
    id: Optional[str] = None


class SSEDecoder:
    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._pending_cr = False  # the last chunk ended in "\r": a following "\n" belongs to it
        self._data: list[str] = []
        self._event: Optional[str] = None
        self._id: Optional[str] = None
        self.comments = 0  # how many comment lines were seen (for diagnostics and tests)

    def decode(self, chunk: bytes) -> list[SSEEvent]:
        return self._feed(self._utf8.decode(chunk))

    def flush(self) -> list[SSEEvent]:
        text = self._utf8.decode(b"", final=True)
        events = self._feed(text)
        if self._buffer:
            line, self._buffer = self._buffer, ""
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return events

    def _feed(self, text: str) -> list[SSEEvent]:
        if not text:
            return []
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
        buffer = self._buffer + text
        events: list[SSEEvent] = []
        start = 0
        n = len(buffer)
        i = 0
        while i < n:
            ch = buffer[i]
            if ch == "\n" or ch == "\r":
                line = buffer[start:i]
                if ch == "\r":
                    if i + 1 < n:
                        if buffer[i + 1] == "\n":
                            i += 1
                    else:
                        self._pending_cr = True
                event = self._line(line)
                if event is not None:
                    events.append(event)
                start = i + 1
            i += 1
        self._buffer = buffer[start:]
        return events

    def _line(self, line: str) -> Optional[SSEEvent]:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        return None  # "retry" and unknown fields are ignored

    def _dispatch(self) -> Optional[SSEEvent]:
        if not self._data:
            self._event = None
            return None
        event = SSEEvent(data="\n".join(self._data), event=self._event or None, id=self._id)
        self._data = []
        self._event = None
        return event
