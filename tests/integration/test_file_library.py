"""Directus's file library for "Attach from Directus", against the real Directus: listing with search, folder and
kind, and the bytes read through /assets/<id> with the user's own permissions (the seeded Reader may read none)."""

from __future__ import annotations

import pytest

from app.directus.client import DirectusClient
from app.directus.errors import DirectusError
from app.directus.file_library import list_files, list_folders, read_file
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus


@pytest.fixture
async def clients(directus):
    transport = HttpxTransport()
    admin = DirectusClient(directus.url, transport, token=directus.admin_token)
    reader = DirectusClient(directus.url, transport, token=directus.reader_token)
    yield admin, reader
    await transport.aclose()


async def test_the_library_lists_by_search_folder_and_kind(clients):
    admin, _ = clients
    images = await list_files(admin, kind="image")
    gradient = next(f for f in images if f.name == "Gradient")
    assert gradient.filename == "gradient.png" and gradient.media_type == "image/png" and (gradient.size or 0) > 0
    assert [f.id for f in await list_files(admin, search="gradient")] == [gradient.id]
    assert await list_files(admin, kind="pdf") == []
    folders = dict((name, folder_id) for folder_id, name in await list_folders(admin))
    assert gradient.folder == folders["Demo images"]
    assert [f.id for f in await list_files(admin, folder=folders["Demo images"])] == [gradient.id]
    assert gradient.id not in [f.id for f in await list_files(admin, folder="")]  # the root holds no such file


async def test_assets_are_read_with_the_users_permissions(clients):
    admin, reader = clients
    [gradient] = await list_files(admin, search="gradient")
    data, media = await read_file(admin, gradient)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) == gradient.size and media == "image/png"
    with pytest.raises(DirectusError) as refused:
        await read_file(reader, gradient)  # the Reader may not read files
    assert refused.value.status == 403
    with pytest.raises(DirectusError) as listing:
        await list_files(reader)
    assert listing.value.status == 403


async def test_an_id_that_is_not_a_uuid_is_refused_before_sending(clients):
    admin, _ = clients
    [gradient] = await list_files(admin, search="gradient")
    with pytest.raises(DirectusError, match="UUID"):
        await read_file(admin, gradient.__class__(**{**gradient.__dict__, "id": "../users/me"}))
