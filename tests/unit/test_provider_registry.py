"""One provider registry; closed sets; no part kind or event left out silently.

- every fact about a provider (name, label, protocol, base URL, class) is read from app/providers/registry.py:
  the protocol classes, the catalog, the error messages and the factory agree with it;
- a part of a kind no mapper knows (say, an attachment added to `Part` without teaching the adapters) raises in
  every message mapper and in the builder, rather than being dropped from what the model is sent;
- the closed sets read stored values unchanged, and a value a newer version wrote does not make a conversation
  unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, get_args

import pytest
from pydantic import BaseModel

from app.chat.builder import MessageBuilder
from app.chat.events import FINISH_REASONS, Finish, ProviderError
from app.chat.model import (
    ERROR_KINDS,
    MESSAGE_FINISHES,
    ErrorInfo,
    Message,
    Messages,
    Part,
    PartKind,
    ReasoningPart,
    ToolCallPart,
    ToolResultPart,
    assistant,
    tool_results,
    user,
)
from app.chat.request import ModelRequest
from app.chat.tokens import estimate_message_tokens
from app.providers import anthropic, catalog, errors, gemini, history, open_provider, openai, openai_chat, registry
from app.settings import ProviderSettings
from devkit.transports import BytesResponse, MockTransport

T = MockTransport(lambda r: BytesResponse(500))


# --- one registry -------------------------------------------------------------------------------------------


def test_each_provider_class_takes_its_name_and_base_url_from_the_registry():
    for info in registry.FIRST_PARTY:
        provider_class = info.load()
        provider = provider_class("key", T, catalog.lookup(info.name, "some-model"))
        assert provider.name == info.name
        assert provider.base_url.startswith(info.base_url.rstrip("/"))
    assert registry.COMPATIBLE.load() is openai_chat.ChatCompletionsProvider


def test_the_registry_imports_no_protocol_module():
    source = open(registry.__file__).read()
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in imports if "app.providers." in line and "registry" not in line]


def test_catalog_rows_take_provider_and_protocol_from_the_registry():
    for info in registry.FIRST_PARTY:
        rows = catalog.models(info.name)
        assert rows and {m.protocol for m in rows} == {info.protocol}
        assert catalog.lookup(info.name, "not-in-the-catalog").protocol == info.protocol
    assert catalog.custom("ollama", "llama3").protocol == registry.COMPATIBLE.protocol == "chat"
    assert catalog.lookup("somewhere", "x").protocol == "chat"


def test_labels_in_errors_come_from_the_registry():
    for info in registry.FIRST_PARTY:
        ctx = errors.ErrorContext(info.name, "m")
        assert ctx.label == info.label == registry.label(info.name)
        assert ctx.settings_hint == "Settings \u2192 Providers \u2192 " + info.label
        with pytest.raises(ProviderError) as raised:
            open_provider("%s:m" % info.name, ProviderSettings(), T)
        assert raised.value.kind == "no_key" and info.label in raised.value.message
    endpoint = errors.ErrorContext("compatible:ollama", "m", "http://localhost:11434/v1")
    assert endpoint.first_party is None
    assert endpoint.settings_hint == "Settings \u2192 Providers \u2192 OpenAI-compatible \u2192 ollama"
    assert registry.label("compatible:ollama") == "ollama" and registry.label("google") == "Google Gemini"


def test_a_public_api_host_is_not_called_an_override():
    for info in registry.FIRST_PARTY:
        exc = errors.network_error(errors.ErrorContext(info.name, "m", info.base_url), OSError("down"))
        assert "override" not in exc.message
    proxy = errors.network_error(errors.ErrorContext("openai", "m", "https://proxy.example/v1"), OSError("down"))
    assert "base URL override (https://proxy.example/v1)" in proxy.message


# --- closed sets --------------------------------------------------------------------------------------------


def test_part_kinds_are_the_kinds_of_the_part_union():
    union = get_args(get_args(Part)[0])
    assert {get_args(part.model_fields["kind"].annotation)[0] for part in union} == set(get_args(PartKind))


def test_stored_closed_set_values_read_back_unchanged():
    messages = [assistant("x", finish_reason=reason) for reason in MESSAGE_FINISHES]
    messages += [
        Message(role="assistant", status="error", error=ErrorInfo(kind=kind, message="m")) for kind in ERROR_KINDS
    ]
    again = Messages.validate_json(Messages.dump_json(messages))
    assert [m.finish_reason for m in again[: len(MESSAGE_FINISHES)]] == list(MESSAGE_FINISHES)
    assert [m.error.kind for m in again[len(MESSAGE_FINISHES) :] if m.error] == list(ERROR_KINDS)
    assert "step_limit" in MESSAGE_FINISHES and set(FINISH_REASONS) < set(MESSAGE_FINISHES)


def test_a_value_written_by_a_newer_version_does_not_make_a_conversation_unreadable():
    stored = [
        {
            "role": "assistant",
            "finish_reason": "thought_too_long",
            "status": "error",
            "error": {"kind": "attachment_too_large", "message": "Too large."},
        }
    ]
    message = Messages.validate_python(stored)[0]
    assert message.finish_reason == "other"
    assert (
        message.error is not None and message.error.kind == "invalid_request" and message.error.message == "Too large."
    )


# --- no part kind or event left out silently ----------------------------------------------------------------


class ImagePart(BaseModel):  # a part kind the mappers do not know yet
    kind: Literal["image"] = "image"
    url: str = "https://example.com/cat.png"


def with_unknown_part(role: str, unknown: bool = True) -> list[Message]:
    """A well-formed history whose message of `role` also holds a part of an unknown kind (unless not `unknown`)."""
    messages = [
        user("Hi"),
        assistant(
            ReasoningPart(text="hm", provider="openai"),
            "Let me look.",
            ToolCallPart(id="c1", name="read_items", arguments="{}"),
        ),
        tool_results(ToolResultPart(call_id="c1", name="read_items", content="[]")),
    ]
    target = {"user": messages[0], "assistant": messages[1], "tool": messages[2]}[role]
    if unknown:
        target.parts.append(ImagePart())  # type: ignore[arg-type]  # not a Part, on purpose (appends are not validated)
    return messages


def request(messages: list[Message]) -> ModelRequest:
    return ModelRequest(model="m", system="Be brief.", messages=messages)


BODIES: dict[str, Callable[[list[Message]], Any]] = {
    "responses": lambda ms: openai.ResponsesProvider("k", T, catalog.lookup("openai", "gpt-5-mini")).body(request(ms)),
    "chat": lambda ms: openai_chat.ChatCompletionsProvider(
        "compatible:x", "http://x/v1", "", T, catalog.custom("x", "m")
    ).body(request(ms)),
    "anthropic": lambda ms: anthropic.MessagesProvider("k", T, catalog.lookup("anthropic", "claude-haiku-4-5")).body(
        request(ms)
    ),
    "gemini": lambda ms: gemini.GeminiProvider("k", T, catalog.lookup("gemini", "gemini-3-flash-preview")).body(
        request(ms)
    ),
}
MAPPERS: dict[str, tuple[Any, Callable[[list[Message]], Any]]] = {
    "responses": (openai, lambda ms: openai.map_input(ms, "openai")),
    "chat": (openai_chat, lambda ms: openai_chat.map_messages("", ms)),
    "anthropic": (anthropic, lambda ms: anthropic.map_messages(ms, "anthropic")),
    "gemini": (gemini, lambda ms: gemini.map_contents(ms, "gemini", True)),
}
ROLES = ("user", "assistant", "tool")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("protocol", sorted(BODIES))
def test_a_request_body_with_an_unknown_part_kind_raises(protocol: str, role: str):
    assert BODIES[protocol](with_unknown_part(role, unknown=False))
    with pytest.raises(AssertionError, match="ImagePart|image"):
        BODIES[protocol](with_unknown_part(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("protocol", sorted(MAPPERS))
def test_each_message_mapper_has_a_case_for_every_part_kind(protocol: str, role: str, monkeypatch):
    module, mapper = MAPPERS[protocol]
    monkeypatch.setattr(module, "well_formed", lambda messages: messages)  # the mapper alone, unfiltered
    assert mapper(with_unknown_part(role, unknown=False))
    with pytest.raises(AssertionError, match="ImagePart|image"):
        mapper(with_unknown_part(role))


@pytest.mark.parametrize("role", ROLES)
def test_well_formed_and_the_token_estimate_have_a_case_for_every_part_kind(role: str):
    with pytest.raises(AssertionError, match="ImagePart|image"):
        history.well_formed(with_unknown_part(role))
    message = next(m for m in with_unknown_part(role) if m.role == role)
    with pytest.raises(AssertionError, match="ImagePart|image"):
        estimate_message_tokens(message)


def test_an_unknown_role_raises_in_every_mapper(monkeypatch):
    odd = user("Hi").model_copy(update={"role": "system"})  # not a Role: model_copy does not validate
    with pytest.raises(AssertionError, match="system"):
        history.well_formed([odd])
    for module, mapper in MAPPERS.values():
        monkeypatch.setattr(module, "well_formed", lambda messages: messages)
        with pytest.raises(AssertionError, match="system"):
            mapper([odd])


@dataclass(frozen=True)
class AttachmentDelta:  # an event type the builder does not know
    data: bytes


def test_the_builder_raises_on_an_unknown_event_and_keeps_the_known_ones():
    message = Message(role="assistant", status="streaming")
    builder = MessageBuilder(message, "openai")
    builder.apply(Finish("stop"))
    assert message.finish_reason == "stop"
    with pytest.raises(AssertionError, match="AttachmentDelta"):
        builder.apply(AttachmentDelta(b"x"))  # type: ignore[arg-type]  # not an Event, on purpose
