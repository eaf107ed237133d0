"""The `ask_user` tool: the model asks the user a question and the turn waits for the answer.

    ASK_USER_SPEC                                  # offered with the Directus tools (short: bench/tokens.py)
    question, problem = read_question(arguments)   # the model's arguments checked (untrusted text, kept as text)
    answer = read_answer(question, {"choices": ["Yes"], "text": ""})   # the user's answer checked; None if invalid
    answer_result(call, answer)                    # the tool result the model reads

A question has a text and up to MAX_OPTIONS options (one, or with `multi` several, may be chosen); the user may
always answer in their own words too (a free-text answer, the only one when there are no options). Its definition
has no description (the names say it) and nothing required: at most 50 tokens on every protocol (bench/tokens.py). It changes nothing, so it never asks for approval: the agent answers it itself
(app/chat/call_runner.py) and never hands it to the Directus tools. Its card (app/web/views/question_card.py) shows
the text as text, never as markdown or HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from app.chat.model import ToolCallPart, ToolResultPart, ToolSpec
from app.json_depth import load_json

ASK_USER = "ask_user"
MAX_OPTIONS = 4
MAX_QUESTION = 500  # characters shown of the question
MAX_OPTION = 120
MAX_ANSWER = 2000  # characters kept of a free-text answer

ASK_USER_SPEC = ToolSpec(
    name=ASK_USER,
    description="",
    parameters={
        "type": "object",
        "properties": {
            "question": {"type": "string"},
            "options": {"type": "array", "items": {"type": "string"}},
            "multi": {"type": "boolean"},
        },
    },
)


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...] = ()
    multiple: bool = False  # several options may be chosen


@dataclass(frozen=True)
class Answer:
    choices: tuple[str, ...] = ()
    text: str = ""


def read_question(arguments: str) -> tuple[Optional[Question], str]:
    """(the question, "") from the model's arguments, or (None, what is wrong, for the model)."""
    try:
        args = load_json(arguments or "{}")
    except ValueError:
        return None, "arguments are not valid JSON"
    if not isinstance(args, dict):
        return None, "arguments are an object"
    text = args.get("question")
    if not isinstance(text, str) or not text.strip():
        return None, "question is a non-empty string"
    options = args.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        return None, "options is a list of non-empty strings"
    if len(options) > MAX_OPTIONS:
        return None, f"at most {MAX_OPTIONS} options"
    shown = tuple(dict.fromkeys(" ".join(o.split())[:MAX_OPTION] for o in options))
    multiple = args.get("multi", False)
    if not isinstance(multiple, bool):
        return None, "multi is true or false"
    return Question(text.strip()[:MAX_QUESTION], shown, multiple and bool(shown)), ""


def read_answer(question: Question, raw: Any) -> Optional[Answer]:
    """The user's answer to `question` (from its card, or another tab: untrusted), or None when it does not fit it:
    choices that are not its options, several for a single choice, or nothing at all."""
    if not isinstance(raw, dict):
        return None
    choices, text = raw.get("choices") or [], raw.get("text") or ""
    if not isinstance(choices, list) or not isinstance(text, str):
        return None
    if not all(isinstance(c, str) and c in question.options for c in choices) or len(set(choices)) != len(choices):
        return None
    text = text.strip()[:MAX_ANSWER]
    if (len(choices) > 1 and not question.multiple) or not (choices or text):
        return None
    return Answer(tuple(c for c in question.options if c in choices), text)


def answer_result(call: ToolCallPart, answer: Answer) -> ToolResultPart:
    body: dict[str, Any] = {}
    if answer.choices:
        body["chosen"] = list(answer.choices)
    if answer.text:
        body["text"] = answer.text
    return ToolResultPart(call_id=call.id, name=call.name, content=json.dumps({"answer": body}, ensure_ascii=False))


def answer_of(result: ToolResultPart) -> Optional[Answer]:
    """What the user answered, read back from the result (the card of an answered question shows it)."""
    try:
        body = load_json(result.content)
    except ValueError:
        return None
    answer = body.get("answer") if isinstance(body, dict) else None
    if not isinstance(answer, dict):
        return None
    chosen, text = answer.get("chosen") or [], answer.get("text") or ""
    if not isinstance(chosen, list) or not isinstance(text, str):
        return None
    return Answer(tuple(str(c) for c in chosen), text)
