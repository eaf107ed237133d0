"""Sign-in with two-factor authentication against the real Directus (every version of the matrix): the admin turns
on 2FA with its own password, a sign-in without the code is asked for one, a wrong code is refused, the current
code signs in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest

from app.directus.client import DirectusClient, DirectusError
from devkit.transports import HttpxTransport


def totp(secret: str, at: float, step: int = 30) -> str:
    """RFC 6238 (SHA-1, 6 digits), as authenticator apps and Directus compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


async def test_sign_in_asks_for_the_one_time_code_and_takes_it(directus_reset):
    directus = directus_reset
    with directus.client() as http:
        answer = http.post("/users/me/tfa/generate", json={"password": directus.admin_password})
        assert answer.status_code == 200, answer.text
        secret = answer.json()["data"]["secret"]
        window = time.time() // 30
        enabled = http.post("/users/me/tfa/enable", json={"secret": secret, "otp": totp(secret, time.time())})
        if enabled.status_code not in (200, 204) and time.time() // 30 != window:  # the 30 s window turned meanwhile
            enabled = http.post("/users/me/tfa/enable", json={"secret": secret, "otp": totp(secret, time.time())})
        assert enabled.status_code in (200, 204), enabled.text

    transport = HttpxTransport()
    try:
        client = DirectusClient(directus.url, transport)
        with pytest.raises(DirectusError) as asked:
            await client.login(directus.admin_email, directus.admin_password)
        assert asked.value.code == "OTP_REQUIRED" and "one-time code" in asked.value.message
        wrong = "%06d" % ((int(totp(secret, time.time())) + 1) % 1_000_000)
        with pytest.raises(DirectusError) as refused:
            await client.login(directus.admin_email, directus.admin_password, wrong)
        assert refused.value.code == "INVALID_OTP"
        window = time.time() // 30
        try:
            await client.login(directus.admin_email, directus.admin_password, totp(secret, time.time()))
        except DirectusError:
            if time.time() // 30 == window:
                raise
            # the 30 s window turned between computing the code and Directus checking it: the new one
            await client.login(directus.admin_email, directus.admin_password, totp(secret, time.time()))
        assert (await client.me(fresh=True)).email == directus.admin_email
    finally:
        await transport.aclose()
