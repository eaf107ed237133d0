"""What a user message carries, ready for any wire protocol: text, and files with their bytes.

    for piece in user_pieces(message, files, takes):
        str    -> a text block (what the user typed; a text file as <file name="...">...</file>; a note)
        Inline -> an image or PDF with its base64 bytes, in the protocol's own block

Each protocol module maps the pieces to its shape (Responses input_image / input_file, Anthropic image / document,
Gemini inline_data, Chat Completions image_url / file). A file the store no longer has, or of a kind the model does
not take, becomes a note, so the model knows it was there and the request never fails for it. A file from Directus
carries its id, so the model can use it in tool calls.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Union, assert_never

from app.chat.model import FilePart, Message, ReasoningPart, TextPart, ToolCallPart, ToolResultPart


@dataclass(frozen=True)
class Inline:
    part: FilePart
    data: str  # base64

    @property
    def data_url(self) -> str:
        return "data:%s;base64,%s" % (self.part.media_type, self.data)


Piece = Union[str, Inline]


def _label(part: FilePart) -> str:
    label = part.name
    if part.directus_id:
        label += " (Directus file id %s)" % part.directus_id
    return label


def _decode_text(data: str) -> Optional[str]:
    try:
        return base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def file_pieces(part: FilePart, files: dict[str, str], takes: Iterable[str]) -> list[Piece]:
    from app.chat.attachments import LEFT_OUT, kind_of

    kind = kind_of(part.media_type)
    data = files.get(part.sha256)
    if kind is None:
        return ["[Attached file %s: a kind of file that is not sent.]" % _label(part)]
    if kind != "text" and kind not in set(takes):
        return ["[Attached file %s (%s): this model cannot read it.]" % (_label(part), part.media_type)]
    if data == LEFT_OUT:
        return [
            "[Attached file %s (%s): left out of this request to stay within the provider's size limits.]"
            % (_label(part), part.media_type)
        ]
    if data is None:
        return [
            "[Attached file %s (%s): its content is not kept on this device any more; ask the user to attach it "
            "again if you need it.]" % (_label(part), part.media_type)
        ]
    if kind == "text":
        text = _decode_text(data)
        if text is None:
            return ["[Attached file %s could not be read as text.]" % _label(part)]
        name = part.name.replace('"', "'")
        extra = ' directus_file_id="%s"' % part.directus_id if part.directus_id else ""
        return ['<file name="%s"%s>\n%s\n</file>' % (name, extra, text)]
    pieces: list[Piece] = []
    if part.directus_id:
        pieces.append("[The next attachment is the Directus file %s, id %s.]" % (part.name, part.directus_id))
    pieces.append(Inline(part, data))
    return pieces


def user_pieces(message: Message, files: dict[str, str], takes: Iterable[str]) -> list[Piece]:
    """The user's text first, then each attached file, in order."""
    takes = tuple(takes)
    text: list[str] = []
    attached: list[Piece] = []
    for p in message.parts:
        match p:
            case TextPart():
                text.append(p.text)
            case FilePart():
                attached.extend(file_pieces(p, files, takes))
            case ReasoningPart() | ToolCallPart() | ToolResultPart():
                pass  # not a user's part
            case _:
                assert_never(p)
    joined = "".join(text)
    return ([joined] if joined else []) + attached


def content_or_text(
    message: Message, files: dict[str, str], takes: Iterable[str], block: Callable[[Piece], dict[str, Any]]
) -> Any:
    """A user message's content for the OpenAI protocols: one string when it is all text (the compact shape), else
    a list of the protocol's blocks (`block` maps each piece)."""
    pieces = user_pieces(message, files, takes)
    text = only_text(pieces)
    return text if text is not None else [block(p) for p in pieces]


def only_text(pieces: list[Piece]) -> Optional[str]:
    """The pieces as one string when all are text (the compact shape every protocol takes), else None."""
    if all(isinstance(p, str) for p in pieces):
        return "\n\n".join(p for p in pieces if isinstance(p, str))
    return None
