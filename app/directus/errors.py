"""Directus failures as one typed error with plain words: what happened, what to do, whether a retry can help.

    DirectusError(status, code, message, retryable)
      code: Directus's own `extensions.code` (FORBIDDEN, INVALID_PAYLOAD, INVALID_QUERY, RECORD_NOT_UNIQUE,
            LIMIT_EXCEEDED, ...) or ours: UNREACHABLE, CORS, REDIRECT, NOT_DIRECTUS, INVALID_CREDENTIALS,
            OTP_REQUIRED, INVALID_OTP, TOKEN_EXPIRED, NOT_FOUND, PATH_REFUSED (app/directus/paths.py)

Every HTTP error body from Directus looks like
`{"errors":[{"message": "...", "extensions": {"code": "...", "reason": "..."}}]}`; `from_response()` turns
it into a DirectusError once, at the edge, so nothing above has to read raw bodies.
"""

from __future__ import annotations

from typing import Any, Optional


class DirectusError(Exception):
    def __init__(self, status: int, code: str, message: str, retryable: bool = False, detail: str = ""):
        super().__init__(message)
        self.status = status  # HTTP status, 0 when no response came back
        self.code = code
        self.message = message
        self.retryable = retryable
        self.detail = detail  # Directus's own message, when we reworded it

    def __repr__(self) -> str:
        return f"DirectusError({self.status}, {self.code!r}, {self.message!r})"


def network_error(url: str, origin: Optional[str], cause: str = "", blocked: Optional[bool] = None) -> DirectusError:
    """No HTTP response: the host is down or wrong, or (in a browser) CORS blocked the answer.

    `blocked` comes from the transport's probe (app.transport.NetworkError): True = Directus answered but the
    browser blocked the response, False = nothing answered, None = unknown (the message names both).
    """
    page = origin or "this app's origin"
    cors = (
        f"on the Directus server set CORS_ENABLED=true and add {page} to CORS_ORIGIN "
        "(with the Authorization and Content-Type headers allowed), then restart Directus."
    )
    if blocked or (blocked is None and "cors" in cause.lower()):
        code = "CORS"
        message = f"Directus at {url} answered, but the browser blocked the response because this app's origin is not allowed: {cors}"
    elif blocked is False:
        code = "UNREACHABLE"
        message = f"Could not reach Directus at {url}: nothing answered. Check the URL and that the server is running."
    else:
        code = "UNREACHABLE"
        message = (
            f"Could not reach Directus at {url}. Check the URL and that the server is running. "
            f"If it is running, the browser may be blocking it: {cors}"
        )
    return DirectusError(0, code, message, retryable=code == "UNREACHABLE", detail=cause)


def redirect_error(url: str, message: str) -> DirectusError:
    """The server answered with a redirect, which is never followed (app.transport.RedirectRefused): its message is
    already written for the user (enter the final address)."""
    return DirectusError(0, "REDIRECT", message, detail=url)


def not_directus(url: str, why: str, status: int = 200) -> DirectusError:
    """Something answered at `url`, but not as a Directus API does (`why`: what was wrong with the answer)."""
    return DirectusError(
        status,
        "NOT_DIRECTUS",
        f"The server at {url} answered, but it does not answer like a Directus API ({why}). "
        "Check the Directus URL: it is the address of the Directus project, without /admin.",
    )


_FIXED_MESSAGES = {
    "INVALID_CREDENTIALS": "Wrong email or password (or the token is invalid). Check them and sign in again.",
    "TOKEN_EXPIRED": "Your Directus session has expired. Sign in again.",
    "INVALID_TOKEN": "The Directus token is not valid. Check it in the settings, or sign in with email and password.",
    "OTP_REQUIRED": "This account uses two-factor authentication: enter the one-time code from your authenticator app.",
    "INVALID_OTP": "The one-time code is wrong or has expired. Enter the current code from your authenticator app.",
    "USER_SUSPENDED": "This Directus user is suspended. Ask an administrator to reactivate it.",
}

_RETRYABLE = {"UNREACHABLE", "CORS", "SERVICE_UNAVAILABLE", "REQUESTS_EXCEEDED", "INTERNAL"}


def from_response(status: int, body: Any, *, otp_given: bool = False) -> DirectusError:
    """Map an HTTP error response (status >= 400) to a DirectusError."""
    first: dict = {}
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        if isinstance(body["errors"][0], dict):
            first = body["errors"][0]
    extensions = first.get("extensions")
    extensions = extensions if isinstance(extensions, dict) else {}
    code = str(extensions.get("code") or "")
    raw = str(first.get("message") or "").strip()

    if code == "INVALID_OTP" and not otp_given:
        code = "OTP_REQUIRED"
    if not code:
        code = {
            401: "INVALID_CREDENTIALS",
            403: "FORBIDDEN",
            404: "NOT_FOUND",
            429: "REQUESTS_EXCEEDED",
            503: "SERVICE_UNAVAILABLE",
        }.get(status, "INTERNAL" if status >= 500 else "HTTP_" + str(status))
    if code in _FIXED_MESSAGES:
        return DirectusError(status, code, _FIXED_MESSAGES[code], retryable=False, detail=raw)

    text = raw or f"Directus answered HTTP {status}."
    if code == "FORBIDDEN":
        # The user's words only: Directus's own text ("…Queried in root.") stays in `detail`, for the model, and
        # the model's advice (check the names with the schema tool) is the registry's `next` (app/directus/registry.py).
        text = (
            "Directus refused this: your role may not do it, or the collection or item does not exist. "
            "If you need it, ask a Directus administrator for access."
        )
    elif code == "ROUTE_NOT_FOUND" or (status == 404 and not raw):
        text = f"{_sentence(raw or 'Not found.')} Check the URL: is this a Directus server?"
    elif code == "LIMIT_EXCEEDED":
        text = f"{_sentence(raw)} The Directus license tier limits this; remove something first or upgrade."
    elif code in ("REQUESTS_EXCEEDED",):
        text = f"{_sentence(raw or 'Too many requests.')} Wait a moment and try again."
    elif status >= 500:
        text = f"{_sentence(raw or 'Server error.')} Directus failed (HTTP {status}); try again later."
    return DirectusError(status, code, text, retryable=code in _RETRYABLE or status >= 500, detail=raw)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
