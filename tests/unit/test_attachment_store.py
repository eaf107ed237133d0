"""The attachment store: content-addressed, its own budget, the files used longest ago dropped first, a full disk
never fatal; and the pending files of the message being written."""

from __future__ import annotations

import itertools

from app.chat.model import FilePart, Message, TextPart
from app.hub import Hub
from app.pending_files import PendingFiles
from app.store.attachment_store import AttachmentStore, BlobError, MemoryBlobs


class FullDisk(MemoryBlobs):
    """Refuses a put once it holds `room` characters of blobs (the index does not count)."""

    def __init__(self, room: int):
        super().__init__()
        self.room = room

    async def put(self, key: str, value: str) -> None:
        used = sum(len(v) for k, v in self.values.items() if k not in ("index", key))
        if key != "index" and used + len(value) > self.room:
            raise BlobError("QuotaExceededError")
        await super().put(key, value)


def clock():
    ticks = itertools.count(1)
    return lambda: float(next(ticks))


async def test_files_are_kept_once_by_content_and_survive_a_new_store():
    blobs = MemoryBlobs()
    store = AttachmentStore(blobs, budget=100, clock=clock())
    assert await store.put("a" * 64, "QUJD", 3)
    assert await store.put("a" * 64, "QUJD", 3)  # the same bytes again: one copy
    assert store.used == 3 and store.session == {}  # kept: read back from the store, not held in memory
    again = AttachmentStore(blobs, budget=100)  # after a reload
    await again.open()
    assert again.kept("a" * 64) and await again.get_many(["a" * 64, "b" * 64]) == {"a" * 64: "QUJD"}


async def test_the_budget_drops_the_file_used_longest_ago_first():
    blobs = MemoryBlobs()
    store = AttachmentStore(blobs, budget=10, clock=clock())
    await store.put("old", "x", 4)
    await store.put("mid", "y", 4)
    await store.get_many(["old"])  # used again: now "mid" is the oldest
    await store.put("new", "z", 4)
    assert (store.kept("old"), store.kept("mid"), store.kept("new")) == (True, False, True)
    assert "mid" not in blobs.values


async def test_a_file_larger_than_the_budget_is_not_kept_but_sent_from_memory():
    store = AttachmentStore(MemoryBlobs(), budget=10)
    assert not await store.put("big", "data", 11)
    assert not store.kept("big") and store.available("big")
    assert await store.get_many(["big"]) == {"big": "data"}
    fresh = AttachmentStore(store.blobs, budget=10)  # after a reload it is gone
    await fresh.open()
    assert await fresh.get_many(["big"]) == {}


async def test_a_full_disk_drops_old_files_then_gives_up_without_raising():
    store = AttachmentStore(FullDisk(room=8), budget=1000, clock=clock())
    assert await store.put("one", "11111", 5)
    assert await store.put("two", "22222", 5)  # the disk is full: "one" makes room
    assert not store.kept("one") and store.kept("two")
    assert not await store.put("huge", "x" * 9, 9)  # never fits: every file dropped, then it gives up
    assert not store.kept("huge") and store.available("huge")


async def test_an_unreadable_index_means_nothing_is_known_to_be_kept():
    blobs = MemoryBlobs()
    blobs.values["index"] = "{not json"
    store = AttachmentStore(blobs)
    await store.open()
    assert store.index == {}


async def test_pending_files_are_listed_kept_and_taken():
    hub = Hub()
    topics: list[str] = []
    hub.listeners.append(topics.append)
    files = PendingFiles(hub)
    part = FilePart(name="a.png", media_type="image/png", size=3, sha256="s1")
    files.add(part, "QUJD")
    files.add(part, "QUJD")  # twice: one chip
    assert [p.name for p in files.parts] == ["a.png"] and "conversation" in topics
    for task in list(hub._tasks):  # the bytes going to the store
        await task
    assert files.kept("s1") is True
    history = [Message(role="user", parts=[TextPart(text="hi"), *files.take()])]
    assert files.parts == [] and await files.load(history) == {"s1": "QUJD"}


async def test_attach_again_replaces_a_file_that_was_not_kept():
    files = PendingFiles(Hub())
    old = FilePart(name="a.png", media_type="image/png", size=3, sha256="gone")
    messages = [Message(role="user", parts=[TextPart(text="see"), old])]
    new = old.model_copy(update={"sha256": "back", "size": 4})
    assert files.replace(messages, "gone", new, "QUJDRA==") == 1
    assert messages[0].files == [new]


async def test_an_export_carries_the_attachments_and_an_import_keeps_only_honest_ones():
    import base64
    import hashlib
    import json

    from app.chat.model import Conversation
    from app.pending_files import keep_imported, with_attachments
    from app.store.export import export_document

    raw = b"\x89PNG fake bytes"
    sha = hashlib.sha256(raw).hexdigest()
    data = base64.b64encode(raw).decode()
    part = FilePart(name="a.png", media_type="image/png", size=len(raw), sha256=sha)
    conversation = Conversation(messages=[Message(role="user", parts=[TextPart(text="see"), part])])
    here = AttachmentStore(MemoryBlobs())
    await here.put(sha, data, len(raw))
    exported = await with_attachments(export_document([conversation], 0.0), here)
    assert json.loads(exported)["attachments"] == {sha: data}

    elsewhere = AttachmentStore(MemoryBlobs())
    assert await keep_imported(exported, elsewhere, [conversation]) == 1 and elsewhere.kept(sha)
    lying = json.loads(exported)
    lying["attachments"] = {"0" * 64: data, sha: "not base64!"}  # bytes under another file's address; garbage
    fresh = AttachmentStore(MemoryBlobs())
    assert await keep_imported(json.dumps(lying), fresh, [conversation]) == 0 and fresh.index == {}


async def test_an_import_keeps_only_the_files_its_imported_conversations_refer_to_with_their_real_size():
    import base64
    import hashlib
    import json

    from app.assistant import Assistant
    from app.chat.model import Conversation
    from app.pending_files import keep_imported
    from app.store.export import export_document
    from app.store.kv import MemoryStore
    from devkit.transports import NoNetwork

    def make() -> Assistant:
        return Assistant(MemoryStore(), MemoryStore(), transport=NoNetwork())

    def stored(raw: bytes) -> tuple[str, str]:
        return hashlib.sha256(raw).hexdigest(), base64.b64encode(raw).decode()

    (sha, data), (stray, stray_data) = stored(b"referenced"), stored(b"nobody refers to this")
    part = FilePart(name="a.txt", media_type="text/plain", size=len(b"referenced"), sha256=sha)
    conversation = Conversation(messages=[Message(role="user", parts=[TextPart(text="see"), part])])
    doc = json.loads(export_document([conversation], 0.0))
    doc["attachments"] = {sha: data, stray: stray_data}
    a = make()
    a.load()
    assert a.import_json(json.dumps(doc)) == "Import: 1 imported."
    store = AttachmentStore(MemoryBlobs())
    assert await keep_imported(json.dumps(doc), store, a.library.imported) == 1
    assert store.kept(sha) and not store.kept(stray)

    failed = make()
    failed.load()
    assert "not" in failed.import_json(json.dumps({**doc, "format": "something else"})).lower()
    nothing = AttachmentStore(MemoryBlobs())
    assert await keep_imported(json.dumps(doc), nothing, failed.library.imported) == 0 and nothing.index == {}

    small = part.model_copy(update={"size": 1})  # a part that says it is smaller than its bytes
    lying = Conversation(messages=[Message(role="user", parts=[small])])
    sized = AttachmentStore(MemoryBlobs())
    assert await keep_imported(json.dumps(doc), sized, [lying]) == 0 and not sized.kept(sha)


async def test_a_file_attached_while_the_index_is_being_read_is_not_forgotten():
    import asyncio

    class SlowIndex(MemoryBlobs):
        async def get(self, key: str):
            await asyncio.sleep(0.01)
            return await super().get(key)

    blobs = SlowIndex()
    blobs.values["index"] = '{"old": [1, 1]}'
    store = AttachmentStore(blobs)
    reading = asyncio.ensure_future(store.open())
    await asyncio.sleep(0)  # the index is being read
    assert store.opened and not store.ready
    assert await store.put("new", "eA==", 1)
    await reading
    assert store.ready and store.kept("old") and store.kept("new")


async def test_a_request_carries_the_newest_files_within_the_providers_limits():
    from app.chat.attachments import LEFT_OUT, MB

    files = PendingFiles(Hub())
    big = [FilePart(name="p%d.png" % i, media_type="image/png", size=5 * MB, sha256="s%d" % i) for i in range(6)]
    for part in big:
        await files.store.put(part.sha256, "QUJD", part.size)
    history = [Message(role="user", parts=[TextPart(text="t"), part]) for part in big]
    loaded = await files.load(history, "anthropic")  # Anthropic: 24 MB of attachments per request
    assert [sha for sha, data in loaded.items() if data == LEFT_OUT] == ["s1", "s0"]  # the two oldest
    assert all(loaded["s%d" % i] == "QUJD" for i in range(2, 6))
    assert list((await files.load(history, "gemini")).values()).count(LEFT_OUT) == 3  # Gemini: 15 MB
