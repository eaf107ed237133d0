"""Classify provider failures once, at the edge, into `ProviderError` with plain-words messages.

    ProviderError(kind, message, retryable, retry_after, status)
      no_key            no key set                          -> says where to set it
      bad_key           401 (Gemini: 400 API_KEY_INVALID)   -> check the key in the settings
      no_access         403                                 -> the key may not use this model
      model_not_found   404                                 -> misspelled or retired (names the successor)
      rate_limited      429                                 -> retried with backoff; wait and try again
      billing           402, 429 insufficient_quota         -> out of credits; not retried
      overloaded        529, 503, overloaded_error          -> retried; try again later / another model
      server_error      500, 502, 504, 408, 409             -> retried
      context_too_long  400/413 (+ LM Studio's 500) whose text says the input is too long
      invalid_request   any other 4xx                       -> the provider's own message
      network           no HTTP answer: unreachable or CORS -> what to check (OLLAMA_ORIGINS, LM Studio CORS);
                        a redirect, which is never followed  -> enter the final address
      truncated         stream ended before its final event -> try again
      bad_response      unreadable answer; a malformed stream (e.g. JSON nested too deep to read safely)

Every error is made here, by `_error`, which hides keys in its message and detail (app/providers/redact.py): the
request's own key (`ErrorContext.secrets`) and anything shaped like a key, so an error that echoes one is never
shown, stored in the conversation or exported.

Provider labels and the hosts of the public APIs come from app/providers/registry.py.

The protocol modules call `http_error` for non-2xx answers, `stream_error` for errors that arrive inside an
HTTP 200 stream (classified by the error's type, not the HTTP status), `network_error` when the transport
got no answer, and `truncated` when a stream ends early.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Mapping, Optional
from urllib.parse import urlsplit

from app.chat.events import ErrorKind, ProviderError
from app.json_depth import STREAM_DEPTH, too_deep
from app.providers import registry
from app.providers.redact import hide_keys
from app.providers.registry import ProviderInfo
from app.transport import RedirectRefused

CONTEXT_OVERFLOW = re.compile(
    r"context_length_exceeded|maximum context length|context window|prompt is too long|exceed context limit"
    r"|input is too long|exceeds the maximum number of tokens|contextwindowexceedederror|too many tokens"
    r"|input token count .*exceeds|context length",
    re.IGNORECASE,
)

BILLING = re.compile(
    r"credit balance|enable billing|out of credits|insufficient credits|insufficient_quota", re.IGNORECASE
)

PUBLIC_HOSTS = frozenset(urlsplit(p.base_url).hostname for p in registry.FIRST_PARTY)


@dataclass
class ErrorContext:
    """Who we were talking to, so messages can name it and say what to check."""

    provider: str  # provider name, e.g. "openai", "compatible:ollama"
    model: str = ""
    base_url: str = ""
    server: str = ""  # for compatible endpoints: "ollama", "lmstudio", "azure", "mistral", ... or ""
    successor: Optional[str] = None  # catalog successor of a retired model
    secrets: tuple[str, ...] = field(default=(), repr=False)  # the key (and auth headers) the request sends

    def error(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: Optional[bool] = None,
        retry_after: Optional[float] = None,
        status: Optional[int] = None,
        detail: Optional[str] = None,
    ) -> ProviderError:
        """The one way an error is made: keys hidden in the message and in the provider's own text."""
        return ProviderError(
            kind,
            hide_keys(message, self.secrets),
            retryable=retryable,
            retry_after=retry_after,
            status=status,
            provider=self.provider,
            detail=hide_keys(detail, self.secrets) if detail else None,
        )

    @property
    def first_party(self) -> Optional[ProviderInfo]:
        """The registry's entry for OpenAI, Anthropic or Gemini; None for an OpenAI-compatible endpoint."""
        return _FIRST_PARTY.get(self.provider)

    @property
    def label(self) -> str:
        if self.first_party is not None:
            return self.first_party.label
        name = self.provider.split(":", 1)[-1]
        return (
            "the endpoint \u201c%s\u201d (%s)" % (name, self.base_url)
            if self.base_url
            else "the endpoint \u201c%s\u201d" % name
        )

    @property
    def settings_hint(self) -> str:
        if self.first_party is not None:
            return self.first_party.settings_hint
        return "%s \u2192 %s" % (registry.COMPATIBLE.settings_hint, self.provider.split(":", 1)[-1])


_FIRST_PARTY = {p.name: p for p in registry.FIRST_PARTY}  # by name only: an error names the provider as opened


def no_key(provider: str) -> ProviderError:
    """No key is set for a first-party provider: say where to set it."""
    ctx = ErrorContext(provider)
    label = ctx.first_party.label if ctx.first_party is not None else provider
    return ctx.error("no_key", "No API key is set for %s. Add one in %s." % (label, ctx.settings_hint))


def _error_fields(body: object) -> tuple[str, list[str]]:
    """(message, codes) from any provider's error body; codes are lower-case type/code/status/reason strings."""
    message = ""
    codes: list[str] = []
    if isinstance(body, list) and body:  # Gemini sometimes wraps the error in a list
        body = body[0]
    if not isinstance(body, dict):
        return message, codes
    err = body.get("error", body)
    if isinstance(err, str):
        return err, codes
    if not isinstance(err, dict):
        return message, codes
    for key in ("message", "detail", "msg"):
        value = err.get(key)
        if isinstance(value, str) and value:
            message = value
            break
        if isinstance(value, list) and value:  # FastAPI-style validation errors (Mistral 422)
            message = "; ".join(str(v.get("msg", v)) if isinstance(v, dict) else str(v) for v in value)
            break
    for key in ("type", "code", "status"):
        value = err.get(key)
        if value is not None and value != "":
            codes.append(str(value).lower())
    for detail in err.get("details") or []:
        if isinstance(detail, dict) and detail.get("reason"):
            codes.append(str(detail["reason"]).lower())
    if not message and isinstance(body.get("message"), str):
        message = body["message"]
    return message, codes


def retry_after(headers: Mapping[str, str], body: object = None) -> Optional[float]:
    """The provider's hint, when readable: retry-after-ms, retry-after (seconds), Gemini RetryInfo."""
    h = {k.lower(): v for k, v in (headers or {}).items()}
    try:
        if "retry-after-ms" in h:
            return max(0.0, float(h["retry-after-ms"]) / 1000.0)
        if "retry-after" in h:
            return max(0.0, float(h["retry-after"]))
    except ValueError:
        pass
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        for detail in body["error"].get("details") or []:
            if isinstance(detail, dict) and "retryDelay" in detail:
                match = re.match(r"^\s*([0-9.]+)s\s*$", str(detail["retryDelay"]))
                if match:
                    return float(match.group(1))
    return None


def _parse(body: bytes) -> object:
    """The body as JSON; None when empty, not JSON, or nested too deep to parse safely."""
    text = body.decode("utf-8", "replace") if body else ""
    if not text or too_deep(text, STREAM_DEPTH):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def http_error(ctx: ErrorContext, status: int, body: bytes, headers: Mapping[str, str]) -> ProviderError:
    """A non-2xx answer, classified by status, the error's type/code and its text."""
    parsed = _parse(body)
    message, codes = _error_fields(parsed)
    if not message and body and parsed is None:
        message = body.decode("utf-8", "replace").strip()[:300]
    return _classify(ctx, status, message, codes, retry_after(headers, parsed))


def stream_error(ctx: ErrorContext, payload: object) -> ProviderError:
    """An error that arrived inside an HTTP 200 stream (Anthropic `error` event, OpenAI/Gemini `{error}`)."""
    message, codes = _error_fields(payload)
    status = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        code = payload["error"].get("code")
        if isinstance(code, int):
            status = code
        elif isinstance(code, str) and code.isdigit():
            status = int(code)
    return _classify(ctx, status, message, codes, None, in_stream=True)


def _classify(
    ctx: ErrorContext,
    status: Optional[int],
    detail: str,
    codes: list[str],
    hint: Optional[float],
    in_stream: bool = False,
) -> ProviderError:
    label = _sentence(ctx.label)  # every message below starts with it: "The endpoint …", never "the endpoint …"
    model = ctx.model or "this model"
    code_text = " ".join(codes)
    shown = "%s" % status if status else "in the stream"
    speaker = ctx.first_party.label if ctx.first_party is not None else "The endpoint"
    said = (" %s said: \u201c%s\u201d" % (speaker, detail.strip())) if detail.strip() else ""

    def err(
        kind: ErrorKind, message: str, *, retryable: Optional[bool] = None, retry_after: Optional[float] = None
    ) -> ProviderError:
        message = message[:1].upper() + message[1:] + said
        return ctx.error(
            kind, message, retryable=retryable, retry_after=retry_after, status=status, detail=detail or None
        )

    if CONTEXT_OVERFLOW.search(detail) or "context_length_exceeded" in code_text or status == 413:
        return err(
            "context_too_long",
            "The conversation is too long for %s's context window. Start a new conversation, or remove older "
            "messages or large tool results, and try again." % model,
        )
    if "insufficient_quota" in code_text or status == 402 or "billing" in code_text or BILLING.search(detail):
        return err(
            "billing",
            "%s says this account is out of credits or quota (%s). Check the billing and spending limits of this key."
            % (label, shown),
            retryable=False,
        )
    if (
        "api_key_invalid" in code_text
        or status == 401
        or "authentication_error" in code_text
        or "invalid_api_key" in code_text
    ):
        return err("bad_key", "%s rejected the API key (%s). Check the key in %s." % (label, shown, ctx.settings_hint))
    if status == 403 or "permission_denied" in code_text or "permission_error" in code_text:
        return err(
            "no_access",
            "%s refused access to %s (%s). Check that this key's account, project or plan may use it, or pick "
            "another model." % (label, model, shown),
        )
    if status == 404 or "not_found" in code_text or "model_not_found" in code_text:
        if ctx.successor:
            why = " It has been retired (or is being retired): use %s instead." % ctx.successor
        else:
            why = " It may be misspelled or retired: pick another model."
        if ctx.server and ctx.first_party is None:
            why += " Also check the endpoint's base URL (it usually ends in /v1)."
        return err(
            "model_not_found", "%s does not know the model \u201c%s\u201d (%s).%s" % (label, ctx.model, shown, why)
        )
    if status == 429 or "rate_limit" in code_text or "resource_exhausted" in code_text:
        wait = (" in about %d s" % max(1, round(hint))) if hint else " in a moment"
        return err(
            "rate_limited",
            "%s is limiting how many requests this key may send (429). Wait and try again%s." % (label, wait),
            retry_after=hint,
        )
    if (
        status == 529
        or "overloaded" in code_text
        or status == 503
        or "unavailable" in code_text
        or "overloaded" in detail.lower()
    ):
        return err(
            "overloaded",
            "%s is overloaded right now (%s). Try again in a moment, or pick another model." % (label, shown),
            retry_after=hint,
        )
    if (
        (status is not None and (status >= 500 or status in (408, 409)))
        or "server_error" in code_text
        or "api_error" in code_text
    ):
        return err(
            "server_error", "%s had a server error (%s). Try again in a moment." % (label, shown), retry_after=hint
        )
    if in_stream and status is None:
        return err("server_error", "%s reported an error while answering. Try again." % label, retryable=False)
    if not detail.strip():
        return err("invalid_request", "%s rejected the request (%s) without saying why." % (label, shown))
    return err("invalid_request", "%s rejected the request (%s)." % (label, shown))


def network_error(ctx: ErrorContext, exc: BaseException, origin: str = "") -> ProviderError:
    """No HTTP answer. In a browser a CORS refusal looks exactly like this, so say what to check. A redirect
    (never followed, so that the key stays with its host) says so in its own words."""
    if isinstance(exc, RedirectRefused):
        return redirect_refused(ctx, exc)
    base = ctx.base_url or ""
    parts = urlsplit(base) if base else None
    host = (parts.hostname or "") if parts else ""
    port = parts.port if parts else None
    page = origin or getattr(exc, "origin", None) or "this page's address"
    blocked = getattr(exc, "blocked", None)  # from the transport's probe: True = CORS, False = nothing answered
    local = host in ("localhost", "127.0.0.1", "0.0.0.0", "::1") or host.endswith(".local")
    if ctx.server == "ollama" or (local and port == 11434):
        hint = (
            "Check that Ollama is running, and that it accepts requests from this page: start it with "
            'OLLAMA_ORIGINS set to %s (or *), e.g. `OLLAMA_ORIGINS="*" ollama serve`.' % page
        )
    elif ctx.server == "lmstudio" or (local and port == 1234):
        hint = (
            "Check that the LM Studio server is running and that CORS is enabled (Developer \u2192 Server settings "
            "\u2192 \u201cEnable CORS\u201d, or `lms server start --cors`)."
        )
    elif ctx.first_party is not None:
        hint = "Check your internet connection%s, then try again." % (
            " and the base URL override (%s)" % base if base and host not in PUBLIC_HOSTS else ""
        )
    else:
        hint = (
            "Check the base URL, that the server is running and reachable, and that it allows requests from %s "
            "(CORS)." % page
        )
    where = " at %s" % base if base else ""
    label = ctx.label if ctx.first_party is not None else ctx.label.split(" (")[0]
    if blocked:
        what = "%s%s answered, but the browser blocked the response: it does not allow requests from %s (CORS)." % (
            label,
            where,
            page,
        )
    elif blocked is False:
        what = "Could not reach %s%s: nothing answered." % (label, where)
    else:
        what = "Could not reach %s%s: the network failed or the browser blocked the request (CORS)." % (label, where)
    return ctx.error("network", "%s %s" % (_sentence(what), hint), retryable=False, detail=str(exc) or None)


def redirect_refused(ctx: ErrorContext, exc: RedirectRefused) -> ProviderError:
    """The server answered with a redirect: the transport's message says why it is not followed (the key would go
    along) and what to enter instead; this adds where that address is set."""
    where = "%s (base URL)" % ctx.settings_hint
    if ctx.first_party is not None:
        where = "%s (base URL override; clear it to use %s's own address)" % (ctx.settings_hint, ctx.first_party.label)
    return ctx.error("network", "%s The address is set in %s." % (str(exc).rstrip(), where), retryable=False)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def truncated(ctx: ErrorContext, why: str = "") -> ProviderError:
    return ctx.error(
        "truncated",
        "The answer from %s was cut off before it finished%s. Try again."
        % (ctx.label, (" (" + why + ")") if why else ""),
        retryable=False,
    )


def bad_response(ctx: ErrorContext, what: str) -> ProviderError:
    return ctx.error(
        "bad_response",
        "%s sent an answer this app cannot read (%s). Try again; if it keeps happening, pick another model."
        % (_sentence(ctx.label), what),
    )


def malformed_stream(ctx: ErrorContext, what: str) -> ProviderError:
    """A stream this app refuses to read on: e.g. JSON nested deeper than any answer needs (app/json_depth.py),
    which would overflow the stack if parsed."""
    return ctx.error(
        "bad_response",
        "%s sent a malformed stream (%s), so this answer was stopped. Try again; if it keeps happening, pick "
        "another model." % (_sentence(ctx.label), what),
        retryable=False,
    )
