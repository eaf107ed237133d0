"""The project's shared prompts (app/directus/prompts.py): the values a prompt asks for, and its text filled in."""

from __future__ import annotations

from app.directus.prompts import Prompt, _prompt, render, variables


def test_variables_with_and_without_a_hint_in_order_of_first_use():
    p = Prompt(
        "1",
        "Summarize",
        system_prompt="Write for {{audience}}.",
        messages=['Summarize "{{ title: the article\'s title }}" for {{ audience: who reads it }}.'],
    )
    assert variables(p) == [("audience", "who reads it"), ("title", "the article's title")]


def test_render_fills_in_values_and_joins_system_prompt_and_messages():
    p = Prompt(
        "1", "Summarize", system_prompt="Be brief.", messages=["About {{ title: a title }}.", "Thanks {{ who }}"]
    )
    assert render(p, {"title": "Poetical science"}) == "Be brief.\n\nAbout Poetical science.\n\nThanks "
    assert render(Prompt("2", "Plain", messages=["No values here: {not one}"]), {}) == "No values here: {not one}"


def test_rows_that_are_not_prompts_are_skipped_and_odd_fields_tolerated():
    assert _prompt({"id": 1}) is None and _prompt("text") is None
    p = _prompt(
        {
            "id": 7,
            "name": "Report",
            "description": None,
            "system_prompt": None,
            "messages": [{"role": "user", "text": "Go"}, {"role": "user"}, "junk"],
        }
    )
    assert p == Prompt("7", "Report", "", "", ["Go"])
