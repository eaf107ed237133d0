"""A hostile or odd Directus behind "Attach from Directus": a listed size that is no number, a file far larger
than it was listed as (its download is stopped at the limit of its kind, not read whole)."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from app.directus.client import DirectusClient
from app.directus.errors import DirectusError
from app.directus.file_library import LibraryFile, list_files, read_file
from devkit.transports import BytesResponse, MockTransport

FILE_ID = "4f1c2a9e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
MB = 1024 * 1024


class Endless(BytesResponse):
    """A body of 1 MB chunks that never ends; counts what was read."""

    def __init__(self) -> None:
        super().__init__(200, headers={"content-type": "text/plain"})
        self.sent = 0

    async def stream(self) -> AsyncIterator[bytes]:
        while not self.closed:
            self.sent += MB
            yield b"x" * MB

    async def read(self) -> bytes:
        raise AssertionError("the whole body was asked for")


async def test_a_file_larger_than_listed_is_stopped_at_the_limit_of_its_kind():
    body = Endless()
    client = DirectusClient("https://cms.example", MockTransport(lambda r: body), token="t")
    listed = LibraryFile(
        id=FILE_ID, name="notes.txt", filename="notes.txt", media_type="text/plain", size=1, folder=None
    )
    with pytest.raises(DirectusError) as refused:
        await read_file(client, listed)
    assert refused.value.message == (
        "notes.txt is larger than 0.5 MB (not the size Directus lists); reading it stopped there."
    )
    assert body.closed and body.sent == MB  # one chunk past the limit, then the connection is closed


async def test_a_file_listed_too_large_is_not_downloaded():
    transport = MockTransport(lambda r: Endless())
    client = DirectusClient("https://cms.example", transport, token="t")
    listed = LibraryFile(FILE_ID, "scan.pdf", "scan.pdf", "application/pdf", 40 * MB, None)
    with pytest.raises(DirectusError, match="scan.pdf is 40 MB; PDFs can be attached up to 32 MB."):
        await read_file(client, listed)
    assert transport.requests == []


async def test_a_listed_size_that_is_no_number_reads_as_unknown():
    rows = [
        {"id": FILE_ID, "filename_download": "a.png", "type": "image/png", "filesize": "12 KB"},
        {"id": FILE_ID, "filename_download": "b.png", "type": "image/png", "filesize": "2048"},
        {"id": FILE_ID, "filename_download": "c.png", "type": "image/png", "filesize": [1]},
        {"id": FILE_ID, "filename_download": "d.png", "type": "image/png"},
    ]
    client = DirectusClient("https://cms.example", MockTransport(lambda r: _json({"data": rows})), token="t")
    assert [f.size for f in await list_files(client)] == [None, 2048, None, None]


def _json(payload: object) -> BytesResponse:
    import json

    return BytesResponse(200, json.dumps(payload).encode(), {"content-type": "application/json"})
