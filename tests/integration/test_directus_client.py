"""DirectusClient: sign-in, token refresh, who am I, and errors in plain words.

The first half scripts Directus's answers with MockTransport (expiry, a 401 mid-session, 2FA, CORS); the
second half signs in to the real local Directus.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from app.directus.client import DirectusClient, DirectusError, Session, encode_params
from app.transport import NetworkError, RedirectRefused
from devkit.transports import BytesResponse, HttpxTransport, MockTransport

URL = "http://cms.test"


def ok(data, status=200):
    return BytesResponse(status, json.dumps({"data": data}).encode(), {"content-type": "application/json"})


def fail(status, code, message="nope"):
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return BytesResponse(status, json.dumps(body).encode(), {"content-type": "application/json"})


def tokens(n, expires=900000):
    return {"access_token": f"access-{n}", "refresh_token": f"refresh-{n}", "expires": expires}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def body_of(request):
    return json.loads(request.body) if request.body else None


# --- scripted ---------------------------------------------------------------------------------------------------


async def test_login_keeps_tokens_and_sends_the_access_token():
    saved: list = []  # the sessions handed to on_session_change

    def handler(request):
        if request.url.endswith("/auth/login"):
            return ok(tokens(1))
        assert request.headers["authorization"] == "Bearer access-1"
        return ok([{"id": 1}])

    transport = MockTransport(handler)
    client = DirectusClient(URL, transport, on_session_change=saved.append)
    await client.login("a@b.c", "pw")
    assert body_of(transport.requests[0]) == {"email": "a@b.c", "password": "pw", "mode": "json"}
    assert await client.request("GET", "/items/articles") == [{"id": 1}]
    assert saved and saved[-1].access_token == "access-1" and saved[-1].refresh_token == "refresh-1"


async def test_token_is_refreshed_before_it_expires():
    clock = Clock()
    refreshed = []

    def handler(request):
        if request.url.endswith("/auth/login"):
            return ok(tokens(1, expires=900000))
        if request.url.endswith("/auth/refresh"):
            refreshed.append(body_of(request))
            return ok(tokens(2))
        return ok({"auth": request.headers["authorization"]})

    client = DirectusClient(URL, MockTransport(handler), clock=clock)
    await client.login("a@b.c", "pw")
    assert await client.request("GET", "/users/me") == {"auth": "Bearer access-1"}
    clock.now += 900 - 30  # 30 s before expiry: inside the refresh margin
    assert await client.request("GET", "/users/me") == {"auth": "Bearer access-2"}
    assert refreshed == [{"refresh_token": "refresh-1", "mode": "json"}]


async def test_a_401_refreshes_once_and_retries():
    calls = []

    def handler(request):
        calls.append(request.url)
        if request.url.endswith("/auth/refresh"):
            return ok(tokens(2))
        if request.headers.get("authorization") == "Bearer access-1":
            return fail(401, "TOKEN_EXPIRED", "Token expired.")
        return ok({"fine": True})

    client = DirectusClient(URL, MockTransport(handler), session=Session("access-1", "refresh-1", 10**12))
    assert await client.request("GET", "/items/articles") == {"fine": True}
    assert [c.rsplit("/", 2)[-1] for c in calls] == ["articles", "refresh", "articles"]


async def test_a_second_401_after_refresh_is_an_error_not_a_loop():
    calls = []

    def handler(request):
        calls.append(request.url)
        if request.url.endswith("/auth/refresh"):
            return ok(tokens(len(calls)))
        return fail(401, "TOKEN_EXPIRED")

    client = DirectusClient(URL, MockTransport(handler), session=Session("a", "r", 10**12))
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/articles")
    assert err.value.code == "TOKEN_EXPIRED"
    assert "sign in again" in err.value.message.lower()
    assert len(calls) == 3  # request, refresh, retry


async def test_parallel_requests_share_one_refresh():
    refreshes = []

    async def handler(request):
        if request.url.endswith("/auth/refresh"):
            refreshes.append(1)
            await asyncio.sleep(0.01)
            return ok(tokens(2))
        if request.headers.get("authorization") == "Bearer access-1":
            return fail(401, "TOKEN_EXPIRED")
        return ok("fine")

    client = DirectusClient(URL, MockTransport(handler), session=Session("access-1", "refresh-1", 10**12))
    results = await asyncio.gather(*(client.request("GET", f"/items/a{i}") for i in range(4)))
    assert results == ["fine"] * 4
    assert len(refreshes) == 1  # Directus rotates refresh tokens: a second refresh would sign the user out


async def test_refused_refresh_signs_out_and_says_so():
    saved: list[Session | None] = []

    def handler(request):
        if request.url.endswith("/auth/refresh"):
            return fail(401, "INVALID_CREDENTIALS", "Invalid user credentials.")
        return fail(401, "TOKEN_EXPIRED")

    client = DirectusClient(
        URL, MockTransport(handler), session=Session("a", "r", 10**12), on_session_change=saved.append
    )
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/x")
    assert err.value.code == "TOKEN_EXPIRED" and err.value.status == 401
    assert client.session is None and saved == [None]


async def test_two_factor_code_required_then_accepted():
    def handler(request):
        body = body_of(request)
        if "otp" not in body:
            return fail(401, "INVALID_OTP", "Invalid user OTP.")
        if body["otp"] != "123456":
            return fail(401, "INVALID_OTP", "Invalid user OTP.")
        return ok(tokens(1))

    client = DirectusClient(URL, MockTransport(handler))
    with pytest.raises(DirectusError) as err:
        await client.login("a@b.c", "pw")
    assert err.value.code == "OTP_REQUIRED" and "one-time code" in err.value.message
    with pytest.raises(DirectusError) as err:
        await client.login("a@b.c", "pw", otp="000000")
    assert err.value.code == "INVALID_OTP"
    await client.login("a@b.c", "pw", otp=" 123456 ")
    assert client.session is not None
    assert client.session.access_token == "access-1"


async def test_wrong_password_is_invalid_credentials():
    client = DirectusClient(URL, MockTransport(lambda r: fail(401, "INVALID_CREDENTIALS", "Invalid user credentials.")))
    with pytest.raises(DirectusError) as err:
        await client.login("a@b.c", "bad")
    assert err.value.code == "INVALID_CREDENTIALS"
    assert "email or password" in err.value.message


async def test_network_failure_names_cors_settings_and_the_app_origin():
    def handler(request):
        raise NetworkError("TypeError: Failed to fetch")

    client = DirectusClient(URL, MockTransport(handler), token="t", origin="https://assistant.example")
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/server/ping")
    e = err.value
    assert e.code == "UNREACHABLE" and e.status == 0 and e.retryable
    assert URL in e.message
    assert "CORS_ENABLED" in e.message and "CORS_ORIGIN" in e.message and "https://assistant.example" in e.message


async def test_cors_error_gets_its_own_code_when_the_transport_can_tell():
    def handler(request):
        raise NetworkError("blocked by CORS policy")

    client = DirectusClient(URL, MockTransport(handler), token="t", origin="http://localhost:8000")
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/a")
    assert err.value.code == "CORS" and "http://localhost:8000" in err.value.message


async def test_html_answer_is_not_directus():
    client = DirectusClient(URL, MockTransport(lambda r: BytesResponse(200, b"<html>hello</html>")), token="t")
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/a")
    assert err.value.code == "NOT_DIRECTUS" and "URL" in err.value.message


@pytest.mark.parametrize(
    "body",
    [b"[1,2]", b'{"data":"x"}', b'{"data":[]}', b'{"data":{}}', b'{"ok":true}', b"pong", b"[" * 30000 + b"]" * 30000],
)
async def test_a_server_that_does_not_answer_like_directus_says_so(body):
    client = DirectusClient(URL, MockTransport(lambda r: BytesResponse(200, body)), token="t")
    with pytest.raises(DirectusError) as err:
        await client.me()
    assert err.value.code == "NOT_DIRECTUS"
    assert "does not answer like a Directus API" in err.value.message and "Check the Directus URL" in err.value.message


async def test_a_redirect_gets_its_own_error_with_the_transports_words():
    raised: list[RedirectRefused] = []

    async def redirect(request):
        raised.append(RedirectRefused(request.url))
        raise raised[-1]

    client = DirectusClient(URL, MockTransport(redirect), token="t")
    with pytest.raises(DirectusError) as err:
        await client.me()
    assert err.value.code == "REDIRECT" and err.value.message == str(raised[0])  # written for the user: kept
    assert "final address" in err.value.message and "Could not reach" not in err.value.message


async def test_forbidden_and_refused_static_token_messages():
    client = DirectusClient(
        URL, MockTransport(lambda r: fail(403, "FORBIDDEN", "You don't have permission to access this.")), token="t"
    )
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/a")
    assert err.value.code == "FORBIDDEN" and not err.value.retryable
    assert "administrator" in err.value.message
    client = DirectusClient(
        URL, MockTransport(lambda r: fail(401, "INVALID_CREDENTIALS", "Invalid user credentials.")), token="t"
    )
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/a")
    assert "static token" in err.value.message


async def test_204_is_none_and_logout_forgets_the_session():
    sent = []

    def handler(request):
        sent.append((request.method, request.url, body_of(request)))
        return BytesResponse(204)

    saved: list[Session | None] = []
    client = DirectusClient(
        URL, MockTransport(handler), session=Session("a", "r", 10**12), on_session_change=saved.append
    )
    assert await client.request("DELETE", "/items/a/1") is None
    await client.logout()
    assert sent[-1] == ("POST", URL + "/auth/logout", {"refresh_token": "r", "mode": "json"})
    assert client.session is None and not client.signed_in and saved == [None]


def test_query_params_are_encoded_the_way_directus_reads_them():
    text = encode_params(
        {
            "fields": ["id", "author.name"],
            "filter": {"status": {"_eq": "published"}},
            "sort": ["-views"],
            "limit": 5,
            "meta": "total_count",
            "skip": None,
        }
    )
    assert text == (
        "fields=id,author.name&filter=%7B%22status%22%3A%7B%22_eq%22%3A%22published%22%7D%7D"
        "&sort=-views&limit=5&meta=total_count"
    )


# --- real Directus --------------------------------------------------------------------------------------------


@pytest.fixture
async def http():
    transport = HttpxTransport()
    yield transport
    await transport.aclose()


async def test_real_login_me_and_logout(directus, http):
    client = DirectusClient(directus.url, http)
    await client.login(directus.admin_email, directus.admin_password)
    me = await client.me()
    assert me.email == directus.admin_email and me.admin and me.app_access and me.role_name == "Administrator"
    await client.logout()
    with pytest.raises(DirectusError):
        await client.request("GET", "/items/authors")  # no token any more: the public role may not read


async def test_real_wrong_password(directus, http):
    client = DirectusClient(directus.url, http)
    with pytest.raises(DirectusError) as err:
        await client.login(directus.admin_email, "wrong-password")
    assert err.value.code == "INVALID_CREDENTIALS"


async def test_real_refresh_trades_the_refresh_token(directus, http):
    client = DirectusClient(directus.url, http)
    await client.login(directus.reader_email, directus.reader_password)
    first = client.session
    await client.refresh()
    assert first is not None and client.session is not None
    assert client.session.refresh_token != first.refresh_token  # rotated
    stale = DirectusClient(directus.url, http, session=Session("expired", first.refresh_token, 0))
    with pytest.raises(DirectusError) as err:
        await stale.request("GET", "/items/articles")
    assert err.value.code == "TOKEN_EXPIRED"  # the old refresh token is spent
    assert await client.request("GET", "/items/articles", params={"limit": 1, "fields": ["id"]})


async def test_real_reader_is_not_admin_and_static_tokens_work(directus, http):
    reader = DirectusClient(directus.url, http, token=directus.reader_token)
    me = await reader.me()
    assert me.email == directus.reader_email and not me.admin
    bad = DirectusClient(directus.url, http, token="not-a-token")
    with pytest.raises(DirectusError) as err:
        await bad.me()
    assert err.value.status == 401 and "token" in err.value.message.lower()


async def test_real_unreachable_port(http):
    client = DirectusClient("http://127.0.0.1:9", http, token="t")
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/server/ping")
    assert err.value.code == "UNREACHABLE" and "http://127.0.0.1:9" in err.value.message


@pytest.mark.parametrize(
    "blocked, code, words",
    [
        (True, "CORS", "answered, but the browser blocked the response"),
        (False, "UNREACHABLE", "nothing answered"),
    ],
)
async def test_the_transport_probe_tells_cors_from_unreachable(blocked, code, words):
    def handler(request):
        raise NetworkError("TypeError: Failed to fetch", blocked=blocked, origin="https://assistant.example")

    client = DirectusClient(URL, MockTransport(handler), token="t")
    with pytest.raises(DirectusError) as err:
        await client.request("GET", "/items/a")
    assert err.value.code == code and words in err.value.message
    # CORS advice names the page's origin (taken from the transport) only when CORS is the cause
    assert ("CORS_ORIGIN" in err.value.message and "https://assistant.example" in err.value.message) == blocked
