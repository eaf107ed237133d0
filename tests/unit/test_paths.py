"""URL paths to Directus (app/directus/paths.py) and the client held to a call's paths (app/directus/scope.py):
nothing a name or a key holds can make a request reach another endpoint, in any encoding a browser resolves."""

from __future__ import annotations

import json

import pytest

from app.directus.client import DirectusClient, DirectusError
from app.directus.paths import PathRefused, api_path, final_path, key_problem, name_problem
from app.directus.scope import Scope, scoped
from devkit.transports import BytesResponse, MockTransport

FLOW = "0b5b1b52-6d4b-4f3e-9a53-3d2d6c1a2b3c"


def recording(data=None):
    """A client on https://cms.test whose transport answers `{"data": data}` and records what was sent."""
    transport = MockTransport(lambda r: BytesResponse(200, json.dumps({"data": data}).encode()))
    return DirectusClient("https://cms.test", transport, token="t"), transport


def test_segments_are_encoded_and_dot_segments_refused_in_every_form():
    assert api_path("items", "articles", 3) == "/items/articles/3"
    assert api_path("items", "articles", "a b?c#d&e") == "/items/articles/a%20b%3Fc%23d%26e"
    for bad in ("..", ".", "%2e%2E", ".%2E", "%2E.", "%252e%252e", " .. ", "a/b", "a\\b", "a%2Fb", "x\tz", "", True):
        with pytest.raises(PathRefused) as refused:
            api_path("items", bad)
        assert refused.value.code == "PATH_REFUSED" and "Refused before sending" in refused.value.message


def test_final_path_resolves_like_a_browser():
    assert final_path("/items/../users") == "/users"
    assert final_path("/items/x/%2e%2E/../users") == "/users"
    assert final_path("/items/x/..\\..\\flows/trigger/" + FLOW) == "/flows/trigger/" + FLOW
    assert final_path("/items/.\t./users") == "/users"  # a browser drops tabs and newlines first
    assert final_path("/items/articles/.") == "/items/articles/"
    assert final_path("/items/articles/3?x=1#y") == "/items/articles/3"


def test_names_are_identifiers_and_keys_one_segment():
    assert name_problem("articles_2-b") == ""
    for bad in ("..", "x/../../flows/trigger/" + FLOW, "a b", "a.b", "", "x" * 65, 3):
        assert name_problem(bad)
    assert key_problem(3) == key_problem("slug-1") == key_problem("a b?c#d") == key_problem(FLOW, uuid=True) == ""
    not_keys: tuple[object, ...] = ("..", ".", " .. ", "a/b", "a\\b", "%2e%2e", "a\nb", "", True, None, "x" * 256)
    for not_key in not_keys:
        assert key_problem(not_key)
    assert "UUID" in key_problem("../users/me", uuid=True) and "UUID" in key_problem(5, uuid=True)


async def test_a_scoped_client_sends_only_what_its_call_declared():
    client, transport = recording([])
    scope = Scope.of("GET PATCH", "items", "articles", 3) | Scope.of("GET", "fields", "articles")
    api = scoped(client, scope)
    await api.request("PATCH", "/items/articles/3", json={"title": "x"})
    await api.request("GET", "/fields/articles")
    attempts = [
        ("DELETE", "/items/articles/3"),  # a method it did not declare
        ("GET", "/items/articles"),  # a path it did not declare
        ("GET", "/flows/trigger/" + FLOW),
        ("PATCH", "/items/articles/3/../../../users"),
        ("PATCH", "/items/articles/%2e%2e/%2E%2E/users"),
        ("GET", "/items/articles/3\\..\\..\\..\\flows"),
    ]
    for method, path in attempts:
        with pytest.raises(PathRefused) as refused:
            await api.request(method, path)
        assert "Refused before sending" in refused.value.message and "/items/articles/3" in refused.value.message
    with pytest.raises(PathRefused):
        await api.request_body("GET", "/users")
    assert [(r.method, r.url) for r in transport.requests] == [
        ("PATCH", "https://cms.test/items/articles/3"),
        ("GET", "https://cms.test/fields/articles"),
    ]


async def test_a_scope_under_a_base_path_is_checked_as_the_browser_resolves_it():
    transport = MockTransport(lambda r: BytesResponse(200, b'{"data": []}'))
    client = DirectusClient("https://cms.test/directus/", transport, token="t")
    api = scoped(client, Scope.of("GET", "items", "articles"))
    await api.request("GET", "/items/articles")
    with pytest.raises(PathRefused):
        await api.request("GET", "/items/articles/../../../admin")
    assert [r.url for r in transport.requests] == ["https://cms.test/directus/items/articles"]


async def test_the_client_itself_never_sends_a_path_the_browser_would_resolve_elsewhere():
    client, transport = recording({"id": "u1"})
    for path in ("/items/../users", "/items/%2e%2e/users", "/items\\..\\users", "/items/a?x=1", "items/a"):
        with pytest.raises(DirectusError) as refused:
            await client.request("PATCH", path, json={})
        assert refused.value.code == "PATH_REFUSED"
    assert transport.requests == []


def test_a_call_that_declared_nothing_reaches_nothing():
    assert not Scope().allows("GET", "/items/articles") and str(Scope()) == "nothing"
