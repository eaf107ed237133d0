"""Attachments in the page: picked, dropped or pasted files become chips, reach each protocol's fake provider in the
shape its official SDK accepts, and the answer streams back; a model without vision says so before anything is
sent; images are scaled to the provider's size; bytes live in IndexedDB, so a full localStorage loses no
conversation, and a file no longer on this device is said to be so and can be attached again.

One page serves the whole module (tests/fixtures/app.py: `chat`); each test starts a new conversation.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.settings import MODELS
from tests.e2e.test_storage import _FILL  # fill localStorage up to its quota
from tests.fixtures.sdk_shapes import sdk_files

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >>\n%%EOF\n"
VISION = dict(MODELS, chat="compatible:local:llava:7b")  # the compatible model marked as taking images and PDFs
DELETE_FILES = """() => new Promise(r => {
  const q = indexedDB.deleteDatabase('directus-assistant-files'); q.onsuccess = q.onerror = q.onblocked = r; })"""


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def attach(page, *files: tuple[str, str, bytes]) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": n, "mimeType": t, "buffer": b} for n, t, b in files])


def composer_chips(page):
    return page.locator("#composer-chips .chip")


@pytest.mark.parametrize("protocol", sorted(VISION))
def test_an_image_and_a_pdf_reach_each_provider_in_its_own_shape(protocol, chat, fake_provider):
    page = chat.page
    chat.pick(VISION[protocol])
    image = png(40, 30)
    attach(page, ("chart.png", "image/png", image), ("spec.pdf", "application/pdf", PDF))
    expect(composer_chips(page)).to_have_count(2)
    expect(composer_chips(page).first.locator(".chip-name")).to_have_text("chart.png")
    expect(composer_chips(page).nth(1)).to_contain_text("spec.pdf")
    chat.send("What do these show?")
    expect(chat.last_answer()).to_contain_text(
        "You said: What do these show? [received: image/png %d bytes, application/pdf %d bytes]"
        % (len(image), len(PDF))
    )
    expect(composer_chips(page)).to_have_count(0)  # taken with the message
    sent = page.locator("article.message.user").last
    expect(sent.locator(".chip-name")).to_have_text(["chart.png", "spec.pdf"])
    expect(sent.locator("img.chip-thumb")).to_have_count(1)
    request = fake_provider.last
    assert request.protocol == ("chat" if protocol == "chat" else protocol)
    assert sdk_files(protocol, request.body) == [("image/png", image), ("application/pdf", PDF)]


def test_a_model_without_vision_says_so_before_anything_is_sent(chat, fake_provider, axe):
    page = chat.page
    chat.pick(MODELS["chat"])  # llama3.2:3b: text only
    attach(page, ("photo.png", "image/png", png(10, 10)))
    expect(composer_chips(page)).to_have_count(1)
    chat.send("Describe it")
    notice = page.locator(".notice.error")
    expect(notice).to_contain_text("does not take images (photo.png)")
    expect(page.get_by_role("textbox", name="Message")).to_have_value("Describe it")  # nothing was taken
    expect(composer_chips(page)).to_have_count(1)
    assert fake_provider.requests_for() == []
    axe.check(page, "a chip above the box, and the notice")
    page.get_by_role("button", name="Remove photo.png").click()
    expect(composer_chips(page)).to_have_count(0)
    page.get_by_role("textbox", name="Message").press("Enter")
    expect(chat.last_answer()).to_contain_text("You said: Describe it")


def test_a_large_image_is_scaled_to_the_providers_size(chat, fake_provider):
    page = chat.page
    chat.pick(MODELS["anthropic"])
    attach(page, ("wide.png", "image/png", png(3000, 1000, (10, 120, 200))))
    expect(composer_chips(page)).to_have_count(1)
    chat.send("Big one")
    expect(chat.last_answer()).to_contain_text("[received: image/png")
    [(media, data)] = sdk_files("anthropic", fake_provider.last.body)
    assert media == "image/png" and png_size(data) == (1568, 523)


def test_pasted_and_dropped_images_are_attached(chat):
    page = chat.page
    data = base64.b64encode(png(12, 12)).decode()
    page.evaluate(
        """(b64) => {
          const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
          const paste = new DataTransfer();
          paste.items.add(new File([bytes], "pasted.png", {type: "image/png"}));
          document.querySelector("#composer-input").dispatchEvent(
            new ClipboardEvent("paste", {clipboardData: paste, bubbles: true, cancelable: true}));
          const drop = new DataTransfer();
          drop.items.add(new File(["a,b\\n1,2\\n"], "table.csv", {type: "text/csv"}));
          const zone = document.querySelector("#conversation");
          zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: drop, bubbles: true, cancelable: true}));
          zone.dispatchEvent(new DragEvent("drop", {dataTransfer: drop, bubbles: true, cancelable: true}));
        }""",
        data,
    )
    names = page.locator("#composer-chips .chip-name")
    expect(names).to_have_count(2)
    assert sorted(names.all_inner_texts()) == ["pasted.png", "table.csv"]


def test_images_survive_a_reload_and_a_full_local_storage_and_what_is_not_kept_is_said(chat, fake_provider, axe):
    page = chat.page
    chat.pick(MODELS["gemini"])
    chat.send("An earlier conversation")
    expect(chat.last_answer()).to_contain_text("You said: An earlier conversation")
    chat.new_conversation()
    colours = [(200, 0, 0), (0, 200, 0), (0, 0, 200)]
    images = [png(600, 400, c) for c in colours]
    attach(page, *[("photo%d.png" % i, "image/png", b) for i, b in enumerate(images)])
    expect(composer_chips(page)).to_have_count(3)
    chat.send("Three photos")
    expect(chat.last_answer()).to_contain_text("[received: image/png")
    stored = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.startsWith('da.conv.'))")
    assert all(len(v) < 40_000 for _, v in stored), "a conversation holds the bytes, not only thumbnails"
    conversations = page.locator(".conv-item").count()
    try:
        assert page.evaluate(_FILL, ["zz-filler", 100]) > 3_000_000
        chat.reload()
        expect(page.locator(".conv-item")).to_have_count(conversations)  # no conversation lost
        sent = page.locator("article.message.user").last
        expect(sent.locator(".chip")).to_have_count(3)
        expect(sent.locator(".chip.not-kept")).to_have_count(0)
        chat.send("Still there?")  # the bytes come from IndexedDB after the reload
        expect(chat.last_answer()).to_contain_text("You said: Still there?")
        assert [d for _, d in sdk_files("gemini", fake_provider.last.body)] == images
    finally:
        page.evaluate("() => localStorage.removeItem('zz-filler')")

    # The bytes are gone from this device (site data cleared, another browser): the chips say so, the model is told.
    page.evaluate(
        "() => new Promise(r => { const q = indexedDB.deleteDatabase('directus-assistant-files'); q.onsuccess = q.onerror = q.onblocked = r; })"
    )
    chat.reload()
    sent = page.locator("article.message.user", has_text="Three photos")
    expect(sent.locator(".chip.not-kept")).to_have_count(3)
    expect(sent.locator(".chip.not-kept").first).to_contain_text("Not kept on this device")
    axe.check(page, "chips of files not kept on this device")
    chat.send("And now?")
    expect(chat.last_answer()).to_contain_text("You said: And now?")
    assert "photo0.png (image/png): its content is not kept on this device" in json.dumps(fake_provider.last.body)

    with page.expect_file_chooser() as chooser:
        sent.get_by_role("button", name="Attach again: photo0.png").click()
    chooser.value.set_files([{"name": "photo0.png", "mimeType": "image/png", "buffer": images[0]}])
    expect(sent.locator(".chip.not-kept")).to_have_count(2)


def test_a_compatible_model_marked_in_settings_takes_images(chat, fake_provider):
    page = chat.page
    page.get_by_role("button", name="Settings").click()
    endpoint = page.locator(".compat-endpoint").first  # "local" (devkit/fake_provider/settings.py)
    models = endpoint.get_by_label("Models", exact=True)
    expect(models).to_have_value("llama3.2:3b 8192\nllava:7b 128000 images pdfs")  # written back as it reads
    models.fill("llama3.2:3b 8192\nllava:7b 128000 images pdfs\nmoondream 4096 images")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#settings-dialog")).to_be_hidden()
    chat.rendered()
    chat.pick("compatible:local:moondream")
    attach(page, ("doc.pdf", "application/pdf", PDF))
    expect(composer_chips(page)).to_have_count(1)
    chat.send("Read it")
    expect(page.locator(".notice.error")).to_contain_text("does not take PDFs (doc.pdf)")
    page.get_by_role("button", name="Remove doc.pdf").click()
    image = png(8, 8)
    attach(page, ("small.png", "image/png", image))
    expect(composer_chips(page)).to_have_count(1)
    page.get_by_role("textbox", name="Message").press("Enter")
    expect(chat.last_answer()).to_contain_text("You said: Read it [received: image/png %d bytes]" % len(image))
    assert sdk_files("chat", fake_provider.last.body) == [("image/png", image)]


def test_a_file_from_directus_is_attached_with_its_id(chat, fake_provider, directus, axe):
    page = chat.page
    chat.pick(MODELS["responses"])
    with directus.client() as http:
        gradient = http.get("/files", params={"filter[filename_download][_eq]": "gradient.png"}).json()["data"][0]
        png_bytes = http.get("/assets/" + gradient["id"]).content
    page.get_by_role("button", name="Attach from Directus").click()
    dialog = page.locator("#files-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("combobox", name="Kind").select_option("pdf")
    expect(dialog.get_by_role("status")).to_have_text("No files.")
    dialog.get_by_role("combobox", name="Kind").select_option("image")
    dialog.get_by_role("searchbox", name="Search files").fill("gradi")
    expect(dialog.get_by_role("button", name="Gradient")).to_be_visible()
    axe.check(page, "Attach from Directus", include="#files-dialog")
    dialog.get_by_role("button", name="Gradient").click()
    expect(dialog).to_be_hidden()
    expect(composer_chips(page).locator(".chip-name")).to_have_text(["gradient.png"])
    chat.send("What is in this file?")
    expect(chat.last_answer()).to_contain_text("[received: image/png %d bytes]" % len(png_bytes))
    body = fake_provider.last.body
    assert sdk_files("responses", body) == [("image/png", png_bytes)]
    assert "id %s" % gradient["id"] in json.dumps(body)  # the model is told the file's id


def test_an_export_with_attachments_brings_them_back_on_import(chat, fake_provider, tmp_path):
    page = chat.page
    chat.pick(MODELS["anthropic"])
    image = png(20, 20, (1, 2, 3))
    attach(page, ("kept.png", "image/png", image))
    expect(composer_chips(page)).to_have_count(1)
    chat.send("Keep this picture")
    expect(chat.last_answer()).to_contain_text("[received: image/png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export all with attachments").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    doc = json.loads(path.read_text())
    assert base64.b64encode(image).decode() in doc["attachments"].values()

    cid = page.locator(".conv-item.current").get_attribute("data-id")
    page.evaluate(DELETE_FILES)  # this device forgets the bytes (site data cleared, another browser)
    chat.reload()
    page.locator('.conv-item[data-id="%s"] .conv-open' % cid).click()
    sent = page.locator("article.message.user", has_text="Keep this picture")
    expect(sent.locator(".chip.not-kept")).to_have_count(1)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import…").click()
    chooser.value.set_files(path)
    expect(sent.locator(".chip")).to_have_count(1)
    expect(sent.locator(".chip.not-kept")).to_have_count(0)  # the import put the bytes back


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no start-of-frame marker")


def test_a_dropped_photo_stays_a_jpeg_scaled_for_the_provider(chat, fake_provider):
    page = chat.page
    chat.pick(MODELS["anthropic"])
    page.evaluate(
        """async () => {
          const canvas = new OffscreenCanvas(4000, 3000);
          const ctx = canvas.getContext("2d");
          ctx.fillStyle = "#3a7"; ctx.fillRect(0, 0, 4000, 3000); ctx.fillStyle = "#a37"; ctx.fillRect(0, 0, 2000, 1500);
          const photo = await canvas.convertToBlob({type: "image/jpeg", quality: 0.9});
          const drop = new DataTransfer();
          drop.items.add(new File([photo], "holiday.jpg", {type: "image/jpeg"}));
          const zone = document.querySelector("#conversation");
          zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: drop, bubbles: true, cancelable: true}));
          zone.dispatchEvent(new DragEvent("drop", {dataTransfer: drop, bubbles: true, cancelable: true}));
        }"""
    )
    expect(composer_chips(page).locator(".chip-name")).to_have_text(["holiday.jpg"])
    chat.send("Where was this?")
    expect(chat.last_answer()).to_contain_text("[received: image/jpeg")
    [(media, data)] = sdk_files("anthropic", fake_provider.last.body)
    assert media == "image/jpeg" and jpeg_size(data) == (1568, 1176)


def test_a_broken_image_and_an_unknown_kind_are_refused_with_a_message(chat):
    page = chat.page
    attach(page, ("broken.png", "image/png", b"\x89PNG but not really"))
    expect(page.locator(".notice.error")).to_contain_text("broken.png could not be read as an image.")
    attach(page, ("archive.zip", "application/zip", b"PK\x03\x04"))
    expect(page.locator(".notice.error")).to_contain_text("archive.zip is not a kind of file the assistant can send")
    expect(composer_chips(page)).to_have_count(0)


DROP_TEXT_FILES = """([names, size]) => {
  const files = new DataTransfer();
  names.forEach((name, i) => files.items.add(new File([new Uint8Array(size + i)], name, {type: "text/plain"})));
  document.querySelector("#conversation").dispatchEvent(
    new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
}"""


def test_a_file_too_large_and_files_past_ten_are_refused_before_they_are_read(chat):
    page = chat.page
    page.evaluate(DROP_TEXT_FILES, [["huge.txt"], 3 * 1024 * 1024])
    expect(page.locator(".notice.error")).to_contain_text("huge.txt is 3 MB; text files can be attached up to 0.5 MB.")
    page.evaluate(DROP_TEXT_FILES, [["note%d.txt" % i for i in range(12)], 10])
    expect(page.locator(".notice.error")).to_contain_text(
        "At most 10 files can be attached to one message; 2 files were not attached."
    )
    expect(composer_chips(page)).to_have_count(10)
    for left in range(9, -1, -1):  # the next test starts with no chips
        page.locator("#composer-chips .chip-remove").first.click()
        expect(composer_chips(page)).to_have_count(left)
