"""The incremental SSE decoder: chunks cut anywhere, even inside "\\r\\n" or a UTF-8 character."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.providers.sse import SSEDecoder, SSEEvent


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    d = SSEDecoder()
    out: list[SSEEvent] = []
    for c in chunks:
        out.extend(d.decode(c))
    out.extend(d.flush())
    return out


def splits(data: bytes) -> Iterator[list[bytes]]:
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]
    for k in range(1, len(data)):
        yield [data[:k], data[k:]]
    for k in range(1, len(data) - 1):
        yield [data[:k], data[k : k + 2], data[k + 2 :]]


STREAM = (
    'event: message_start\r\ndata: {"a":"\u00e9\u20ac\U0001f600"}\r\n\r\n'
    ": a comment line\n\n"
    "data: first\ndata:second\n\n"
    "id: 7\rdata: cr only\r\r"
    "event: ping\n\n"  # no data: skipped
    "data: [DONE]\n\n"
).encode("utf-8")
EXPECTED = [
    SSEEvent(data='{"a":"\u00e9\u20ac\U0001f600"}', event="message_start"),
    SSEEvent(data="first\nsecond"),
    SSEEvent(data="cr only", id="7"),
    SSEEvent(data="[DONE]", id="7"),
]


def test_every_split_gives_the_same_events():
    for chunks in splits(STREAM):
        assert decode(chunks) == EXPECTED, chunks


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r", b""])
def test_last_event_without_blank_line_is_delivered_at_eof(ending: bytes):
    assert decode([b"data: tail" + ending]) == [SSEEvent(data="tail")]


def test_crlf_split_between_chunks_is_one_line_break():
    # "\r" ends one chunk and "\n" starts the next: that is one line end, not an empty line.
    events = decode([b"data: a\r", b"\ndata: b\r\n\r\n"])
    assert events == [SSEEvent(data="a\nb")]


def test_utf8_character_split_across_chunks():
    data = "data: \U0001f600\u00e9\n\n".encode()
    d = SSEDecoder()
    assert d.decode(data[:7]) == []
    assert d.decode(data[7:9]) == []
    assert d.decode(data[9:]) == [SSEEvent(data="\U0001f600\u00e9")]


def test_only_one_space_after_the_colon_is_stripped():
    assert decode([b"data:  two spaces\n\n"]) == [SSEEvent(data=" two spaces")]


def test_comments_are_counted_and_skipped():
    d = SSEDecoder()
    assert d.decode(b": OPENROUTER PROCESSING\n\n: again\n\ndata: x\n\n") == [SSEEvent(data="x")]
    assert d.comments == 2


def test_invalid_utf8_does_not_crash():
    assert decode([b"data: \xff\xfe ok\n\n"]) == [SSEEvent(data="\ufffd\ufffd ok")]
