"""Attachments in the core: kinds, limits and their messages, token rules, each protocol's wire shape, and
context fitting that leaves old attachments out first."""

from __future__ import annotations

import base64

import pytest

from app.chat.attachments import (
    file_tokens,
    image_tokens,
    kind_of,
    media_type,
    pdf_pages,
    problem,
    room_for,
    scaled_size,
    too_large,
)
from app.chat.context import fit
from app.chat.model import FilePart, Message, TextPart, assistant, user
from app.chat.request import ModelRequest
from app.providers import catalog
from app.providers.anthropic import MessagesProvider
from app.providers.gemini import GeminiProvider
from app.providers.openai import ResponsesProvider
from app.providers.openai_chat import ChatCompletionsProvider
from devkit.transports import BytesResponse, MockTransport

T = MockTransport(lambda r: BytesResponse(500))
PNG = b"\x89PNG\r\n\x1a\nfake"
PDF = b"%PDF-1.4 1 0 obj << /Type /Page >> 2 0 obj << /Type /Pages >> 3 0 obj << /Type /Page >>"
B64 = {"a" * 64: base64.b64encode(PNG).decode(), "b" * 64: base64.b64encode(PDF).decode()}
IMAGE = FilePart(name="chart.png", media_type="image/png", size=len(PNG), sha256="a" * 64, width=800, height=600)
DOC = FilePart(name="spec.pdf", media_type="application/pdf", size=len(PDF), sha256="b" * 64, pages=2)
NOTES = FilePart(name="notes.csv", media_type="text/csv", size=9, sha256="c" * 64)


def with_files(*files: FilePart, text: str = "What is this?") -> Message:
    return Message(role="user", parts=[TextPart(text=text), *files])


def req(model: str, *messages: Message, files=None) -> ModelRequest:
    return ModelRequest(model=model, system="", messages=list(messages), files=dict(B64 if files is None else files))


def test_kinds_by_type_or_extension():
    assert media_type("photo.JPG") == "image/jpeg"
    assert media_type("x", "image/webp") == "image/webp"
    assert media_type("data.json", "") == "application/json"
    assert media_type("page.html", "text/html; charset=utf-8") == "text/html"
    assert media_type("archive.zip", "application/zip") is None
    assert [kind_of(t) for t in ("image/gif", "application/pdf", "text/markdown")] == ["image", "pdf", "text"]


def test_a_model_that_cannot_take_a_kind_is_told_before_sending():
    said = problem([IMAGE, NOTES], "chat", takes=(), model_name="llama3")
    assert said == "llama3 does not take images (chart.png). Remove it or choose a model that reads images."
    assert problem([NOTES], "chat", takes=()) is None  # text is always taken
    assert "does not take PDFs (spec.pdf)" in (problem([DOC], "chat", takes=("image",)) or "")


def test_limits_name_the_provider_and_the_limit():
    big = IMAGE.model_copy(update={"size": 6 * 1024 * 1024})
    assert problem([big], "anthropic", takes=("image",)) == "chart.png is 6 MB; Anthropic takes images up to 5 MB."
    assert problem([big], "responses", takes=("image",)) is None
    long = DOC.model_copy(update={"pages": 150})
    assert (
        problem([long], "anthropic", takes=("pdf",))
        == "spec.pdf has 150 pages; Anthropic takes PDFs of up to 100 pages."
    )
    many = [IMAGE.model_copy(update={"size": 4 * 1024 * 1024}) for _ in range(4)]
    assert "add up to 16 MB; Gemini takes up to 15 MB per request" in (problem(many, "gemini", takes=("image",)) or "")
    assert problem([IMAGE] * 11, "gemini", takes=("image",)) == "At most 10 files can be attached to one message."


def test_a_file_too_large_for_any_provider_is_refused_before_it_is_read():
    gb = 1024 * 1024 * 1024
    assert too_large("x.txt", "text", 3 * gb // 2) == "x.txt is 1536 MB; text files can be attached up to 0.5 MB."
    assert too_large("notes.txt", "text", 512 * 1024) is None
    assert too_large("photo.png", "image", 20 * 1024 * 1024) is None  # the most an image is taken (OpenAI, Gemini)
    assert (
        too_large("photo.png", "image", 25 * 1024 * 1024) == "photo.png is 25 MB; images can be attached up to 20 MB."
    )
    assert too_large("spec.pdf", "pdf", 32 * 1024 * 1024) is None
    assert too_large("spec.pdf", "pdf", 40 * 1024 * 1024) == "spec.pdf is 40 MB; PDFs can be attached up to 32 MB."


def test_at_most_ten_files_per_message_are_taken_and_the_rest_named():
    assert room_for(0, 500) == (10, "At most 10 files can be attached to one message; 490 files were not attached.")
    assert room_for(8, 2) == (2, None)
    assert room_for(9, 2) == (1, "At most 10 files can be attached to one message; 1 file was not attached.")
    assert room_for(10, 1)[0] == 0


def test_a_file_part_of_an_unknown_media_type_reads_as_a_plain_file_and_exports_inert():
    from app.chat.model import UNKNOWN_MEDIA, Conversation
    from app.store.export import export_markdown

    hostile = {"kind": "file", "name": "a.png", "media_type": "<img src=x onerror=alert(1)>", "sha256": "d" * 64}
    part = Conversation.model_validate({"messages": [{"role": "user", "parts": [hostile]}]}).messages[0].parts[0]
    assert isinstance(part, FilePart) and part.media_type == UNKNOWN_MEDIA
    assert problem([part], "responses", takes=("image",)) == (
        "a.png is not a kind of file the assistant can send (images, PDF or text files)."
    )
    # even a part that skipped validation exports inert
    unchecked = FilePart.model_construct(name="a.png", media_type=str(hostile["media_type"]), size=1, sha256="d" * 64)
    markdown = export_markdown(Conversation(messages=[Message(role="user", parts=[unchecked])]))
    assert "<img" not in markdown and "_Attached: a.png (<\u200bimg src=x onerror=alert(1)>, 1 bytes)_" in markdown


def test_sizes_and_token_rules():
    assert scaled_size(4000, 3000, 1568) == (1568, 1176)
    assert scaled_size(800, 600, 1568) == (800, 600)  # never up
    assert image_tokens(1000, 750, "anthropic") == 1000
    assert image_tokens(4000, 3000, "anthropic") == 1600  # scaled to about 1.15 megapixels
    assert image_tokens(300, 300, "gemini") == 258
    assert image_tokens(1024, 1024, "responses") == 85 + 170 * 4  # 768 x 768 -> 2 x 2 tiles
    assert pdf_pages(PDF) == 2
    assert file_tokens(DOC, "gemini") == 2 * 258
    assert file_tokens(NOTES) == 2


def test_responses_sends_input_image_and_input_file():
    content = ResponsesProvider("k", T, catalog.lookup("openai", "gpt-5-mini")).body(
        req("gpt-5-mini", with_files(IMAGE, DOC))
    )["input"][0]["content"]
    assert content == [
        {"type": "input_text", "text": "What is this?"},
        {"type": "input_image", "image_url": "data:image/png;base64," + B64["a" * 64], "detail": "auto"},
        {"type": "input_file", "filename": "spec.pdf", "file_data": "data:application/pdf;base64," + B64["b" * 64]},
    ]


def test_anthropic_sends_image_and_document_blocks():
    content = MessagesProvider("k", T, catalog.lookup("anthropic", "claude-haiku-4-5")).body(
        req("claude-haiku-4-5", with_files(IMAGE, DOC))
    )["messages"][0]["content"]
    assert content[1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": B64["a" * 64]},
    }
    assert content[2]["type"] == "document" and content[2]["source"]["media_type"] == "application/pdf"
    assert content[2]["title"] == "spec.pdf"


def test_gemini_sends_inline_data():
    parts = GeminiProvider("k", T, catalog.lookup("gemini", "gemini-2.5-flash")).body(
        req("gemini-2.5-flash", with_files(IMAGE, DOC))
    )["contents"][0]["parts"]
    assert parts == [
        {"text": "What is this?"},
        {"inline_data": {"mime_type": "image/png", "data": B64["a" * 64]}},
        {"inline_data": {"mime_type": "application/pdf", "data": B64["b" * 64]}},
    ]


def test_chat_completions_sends_data_urls_to_a_vision_model_and_text_files_as_text():
    vision = catalog.custom("local", "llava", takes=("image", "pdf"))
    files = dict(B64, **{"c" * 64: base64.b64encode(b"a,b\n1,2\n").decode()})
    content = ChatCompletionsProvider("local", "http://x/v1", "k", T, vision).body(
        req("llava", with_files(IMAGE, DOC, NOTES), files=files)
    )["messages"][0]["content"]
    assert content[1] == {"type": "image_url", "image_url": {"url": "data:image/png;base64," + B64["a" * 64]}}
    assert content[2] == {
        "type": "file",
        "file": {"filename": "spec.pdf", "file_data": "data:application/pdf;base64," + B64["b" * 64]},
    }
    assert content[3] == {"type": "text", "text": '<file name="notes.csv">\na,b\n1,2\n\n</file>'}


def test_text_only_model_gets_notes_not_bytes_and_a_missing_file_is_named():
    plain = ChatCompletionsProvider("local", "http://x/v1", "k", T, catalog.custom("local", "llama3"))
    content = plain.body(req("llama3", with_files(IMAGE)))["messages"][0]["content"]
    assert content == "What is this?\n\n[Attached file chart.png (image/png): this model cannot read it.]"
    vision = ChatCompletionsProvider("local", "http://x/v1", "k", T, catalog.custom("local", "llava", takes=("pdf",)))
    content = vision.body(req("llava", with_files(DOC), files={}))["messages"][0]["content"]
    assert "spec.pdf (application/pdf): its content is not kept on this device" in content


def test_a_directus_file_carries_its_id():
    from_directus = IMAGE.model_copy(update={"directus_id": "4f6a-11"})
    content = ResponsesProvider("k", T, catalog.lookup("openai", "gpt-5-mini")).body(
        req("gpt-5-mini", with_files(from_directus))
    )["input"][0]["content"]
    assert "id 4f6a-11" in content[1]["text"] and content[2]["type"] == "input_image"


def test_a_message_with_only_files_is_sent():
    only = Message(role="user", parts=[IMAGE])
    parts = GeminiProvider("k", T, catalog.lookup("gemini", "gemini-2.5-flash")).body(req("gemini-2.5-flash", only))
    assert parts["contents"][0]["parts"] == [{"inline_data": {"mime_type": "image/png", "data": B64["a" * 64]}}]


@pytest.mark.parametrize("model_id", ["anthropic:claude-haiku-4-5", "openai:gpt-5-mini", "gemini:gemini-2.5-flash"])
def test_context_fitting_leaves_old_attachments_out_first_and_says_so(model_id):
    photos = [IMAGE.model_copy(update={"width": 1568, "height": 1176, "name": "p%d.png" % i}) for i in range(6)]
    history = [with_files(*photos, text="old"), assistant("seen"), user("latest question")]
    whole = fit(history, 0, 0, 200_000, 0, model_id=model_id)
    assert whole.left_out_files == 0 and whole.estimated_tokens > 1500
    tight = fit(history, 0, 0, whole.estimated_tokens, 0, model_id=model_id)
    assert tight.left_out_files == 6 and tight.left_out_turns == 0
    assert tight.messages[0].text.startswith("old[Attachment p0.png left out to fit the context window.]")
    assert tight.notice is not None and "6 older attachments left out" in tight.notice
    assert history[0].files == photos  # the conversation itself keeps them


async def test_the_agent_sends_the_files_bytes_and_an_edit_keeps_the_attachments():
    from app.chat.agent import Agent
    from app.chat.approvals import ApprovalPolicy
    from app.chat.model import Conversation
    from tests.doubles import FakeTools, ScriptedProvider, text

    seen: list[dict] = []

    class Recording(ScriptedProvider):
        async def stream(self, request):
            seen.append(dict(request.files))
            async for event in super().stream(request):
                yield event

    async def load(history: list[Message]) -> dict[str, str]:
        return {f.sha256: B64[f.sha256] for m in history for f in m.files if f.sha256 in B64}

    agent = Agent(
        Conversation(), Recording(text("one"), text("two")), "m", FakeTools(), ApprovalPolicy(), "s", files=load
    )
    await agent.send("look", [IMAGE, NOTES])
    assert seen == [{"a" * 64: B64["a" * 64]}]  # notes.csv is not kept: the mapper sends a note for it
    await agent.edit_last("look again")
    assert agent.conversation.messages[0].text == "look again"
    assert agent.conversation.messages[0].files == [IMAGE, NOTES]


def test_a_file_left_out_for_the_request_limit_is_named_to_the_model():
    from app.chat.attachments import LEFT_OUT

    body = MessagesProvider("k", T, catalog.lookup("anthropic", "claude-haiku-4-5")).body(
        req("claude-haiku-4-5", with_files(IMAGE), files={IMAGE.sha256: LEFT_OUT})
    )
    blocks = body["messages"][0]["content"]
    assert [b["type"] for b in blocks] == ["text", "text"]
    assert "chart.png (image/png): left out of this request" in blocks[1]["text"]


def test_search_and_the_markdown_export_name_the_attachments():
    from app.chat.model import Conversation
    from app.store.export import export_markdown
    from app.store.search import _find_snippet

    conversation = Conversation(title="Files", messages=[with_files(IMAGE, DOC)])
    assert "_Attached: chart.png (image/png, 12 bytes)_" in export_markdown(conversation)
    assert _find_snippet(conversation, "spec.pdf") == "spec.pdf"
