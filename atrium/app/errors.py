"""The errors the API client raises, one class per thing the sync engine and UI must treat differently.

Every error carries a user-facing ``message`` and says whether trying again later can help
(``retryable``). ``error_for_reply`` turns an HTTP answer into one of them; it takes plain values
(status, headers, body) so it does not depend on the HTTP library.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

__all__ = [
    "AnswerTooLarge",
    "AnswerTooSlow",
    "ApiError",
    "BadRequest",
    "CaptivePortal",
    "CertificateError",
    "Conflict",
    "DeviceRevoked",
    "FieldError",
    "Forbidden",
    "Invalid",
    "InvalidServerAddress",
    "MalformedReply",
    "NotFound",
    "Offline",
    "ProxyError",
    "RateLimited",
    "ServerError",
    "SignInFailed",
    "Timeout",
    "TooLarge",
    "Unauthorized",
    "error_for_reply",
    "is_json_type",
    "looks_like_html",
    "parse_retry_after",
]


class ApiError(Exception):
    """Base of everything the API client raises. ``message`` is for people, ``detail`` for logs."""

    retryable: ClassVar[bool] = False
    default_message: ClassVar[str] = "Something went wrong talking to the Atrium server."
    retry_note: ClassVar[str] = ""
    """What the running app adds to ``message``: it keeps the work and tries again by itself.
    ``statement`` leaves it out, for the commands that run once (``atrium sync --once``, ``logout``)."""

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: str = "",
        status: int | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        self.statement = message or self.default_message
        self.message = _sentences(self.statement, self.retry_note)
        self.detail = detail
        self.status = status
        self.problem: dict[str, Any] = dict(problem or {})
        super().__init__(self.message)

    def __str__(self) -> str:
        return _sentences(self.one_shot(), self.retry_note)

    def one_shot(self) -> str:
        """The ``statement`` with the detail: for a command that runs once and does not try again.

        A technical detail qualifies the first sentence, in parentheses ("did not answer in time
        (no whole answer within 300 s).", after a dash when it has brackets of its own); a detail
        that is a sentence (a server's own words) follows it."""
        text, detail = self.statement, self.detail.strip()
        if not detail or detail in text:
            return _sentences(text)
        first, separator, rest = text.partition(". ")
        first = first.rstrip(".")
        if detail.endswith((".", "!", "?")):  # a server's own words
            first = f"{first}. {detail}"
        elif "(" in detail:  # no brackets inside brackets
            first = f"{first} — {detail}."
        else:
            first = f"{first} ({detail})."
        return _sentences(f"{first} {rest}" if separator else first)


def _sentences(*texts: str) -> str:
    """TEXTS as sentences one after the other, each ending with a period if it had none."""
    shown = (text.strip() for text in texts)
    return " ".join(text if text.endswith((".", "!", "?")) else f"{text}." for text in shown if text)


# --- the network did not get us an answer from Atrium -------------------------------------------


class Offline(ApiError):
    """No connection: refused, DNS failure, network down, or the connection dropped."""

    retryable = True
    default_message = "You are offline or the Atrium server cannot be reached."
    retry_note = "Your changes are kept."


class Timeout(ApiError):
    retryable = True
    default_message = "The Atrium server did not answer in time."
    retry_note = "Atrium will try again."


class AnswerTooSlow(Timeout):
    """The answer kept coming but was not whole within its deadline (``ApiClient._send``): a slow
    link, or an answer too big for it. A sync page that does is asked for again smaller."""


class CaptivePortal(ApiError):
    """A web page answered instead of the API: usually a hotel or airport Wi-Fi sign-in page."""

    retryable = True
    default_message = (
        "The network answered with a web page instead of Atrium. You may need to sign in to "
        "this network (hotel or airport Wi-Fi) in your browser first."
    )


class ProxyError(ApiError):
    """A proxy or gateway between us and the server answered with its own error page."""

    retryable = True
    default_message = (
        "A proxy or gateway between you and the Atrium server could not reach it. "
        "If this persists, check the proxy settings."
    )
    retry_note = "Atrium will try again."


class CertificateError(ApiError):
    """TLS verification failed: not retryable, somebody must fix trust (or stop an interception)."""

    default_message = (
        "The Atrium server's certificate is not trusted on this computer. Ask IT support; "
        "if your company inspects TLS traffic, its certificate may need to be added."
    )


class InvalidServerAddress(ApiError, ValueError):
    """The configured address cannot be used (also a ValueError: it is bad input, not a network state)."""

    default_message = "The Atrium server address is not valid. Check it in the settings."


# --- the server answered with an error -------------------------------------------------------------


class ServerError(ApiError):
    retryable = True
    default_message = "The Atrium server had a problem."
    retry_note = "Atrium will try again later."


class RateLimited(ApiError):
    retryable = True
    default_message = "The Atrium server asked to slow down."
    retry_note = "Atrium will try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Unauthorized(ApiError):
    """The token is missing, expired or signed out: sign in again. Queued changes are kept."""

    default_message = "Your sign-in has expired. Sign in again; your unsent changes are kept."


class DeviceRevoked(ApiError):
    """This device was revoked remotely: wipe the cache and the stored token.

    Deliberately not a subclass of ``Unauthorized``: code that handles "sign in again" must never
    swallow a revocation, which demands deleting local data.
    """

    default_message = "This device was signed out remotely. Its local Atrium data will be deleted."


class SignInFailed(ApiError):
    default_message = "Wrong user name or password."


class Forbidden(ApiError):
    default_message = "You are not allowed to do that."


class NotFound(ApiError):
    default_message = "That item does not exist, or you cannot see it."


class Conflict(ApiError):
    """409; ``problem`` may carry the current state (the wiki sends the current page as ``current``)."""

    default_message = "Someone else changed this at the same time."

    @property
    def current(self) -> dict[str, Any] | None:
        value = self.problem.get("current")
        return value if isinstance(value, dict) else None


class TooLarge(ApiError):
    default_message = "That is too large for the Atrium server."

    @property
    def field(self) -> str | None:
        value = self.problem.get("field")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class Invalid(ApiError):
    """422 with the failing fields."""

    default_message = "The Atrium server did not accept the input."

    def __init__(
        self, message: str | None = None, *, field_errors: list[FieldError] | None = None, **kw: Any
    ):
        super().__init__(message, **kw)
        self.field_errors = field_errors or []


class BadRequest(ApiError):
    """Any other 4xx: a bug on our side or a server we do not understand; retrying will not help."""

    default_message = "The Atrium server refused the request."


class MalformedReply(ApiError):
    """A success answer whose body is not what the protocol promises (truncated, wrong shape)."""

    retryable = True
    default_message = "The Atrium server sent an answer Atrium could not read."
    retry_note = "Atrium will try again."


class AnswerTooLarge(MalformedReply):
    """A success answer longer than Atrium reads into memory (``api_client.MAX_ANSWER_BYTES``): cut off unread.

    A sync page that is too large is asked for again in smaller pages (the engine does)."""

    default_message = "The Atrium server sent an answer too large to read."


# --- recognising answers ---------------------------------------------------------------------------


def is_json_type(content_type: str) -> bool:
    """application/json, application/problem+json and other +json types."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def looks_like_html(content_type: str, body: bytes) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date; None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive result means the zone was missing
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _problem_of(content_type: str, body: bytes) -> dict[str, Any] | None:
    if not is_json_type(content_type) or not body:
        return None
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _text(problem: Mapping[str, Any], key: str) -> str:
    value = problem.get(key)
    return value if isinstance(value, str) else ""


def _field_errors(problem: Mapping[str, Any]) -> list[FieldError]:
    raw = problem.get("errors")
    if not isinstance(raw, list):
        return []
    found = []
    for item in raw:
        if isinstance(item, dict):
            field = item.get("field")
            message = item.get("message")
            if isinstance(field, str) and isinstance(message, str):
                found.append(FieldError(field, message))
    return found


def error_for_reply(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
) -> ApiError:
    """The error for an answer that is not a success we can use (any status other than 2xx).

    ``headers`` must be case-insensitive (``httpx.Headers`` is) or use lower-case names.
    """
    content_type = headers.get("content-type", "")
    problem = _problem_of(content_type, body)
    doc = problem or {}
    detail = _text(doc, "detail") or _text(doc, "title")
    kw: dict[str, Any] = {"status": status, "problem": problem, "detail": detail}

    if 300 <= status < 400:
        kw["detail"] = f"redirected to {headers.get('location', '?')}"
        return CaptivePortal(**kw)
    if status == 407:
        return ProxyError("The proxy needs you to sign in. Check the proxy settings.", **kw)
    if problem is None and looks_like_html(content_type, body):
        # An HTML page never comes from the Atrium API: a portal, a proxy or a gateway made it.
        return ProxyError(**kw) if status >= 400 else CaptivePortal(**kw)
    if status == 401:
        if _text(doc, "type").endswith("/device-revoked") and doc.get("wipe") is True:
            return DeviceRevoked(**kw)
        return Unauthorized(**kw)
    if status == 429:
        retry_after = parse_retry_after(headers.get("retry-after"))
        return RateLimited(detail or None, retry_after=retry_after, **kw)
    if status >= 500:
        if problem is None and body.strip() and not is_json_type(content_type):
            return ProxyError(**kw)  # a gateway's plain-text error, not our server's problem document
        return ServerError(**kw)
    simple: dict[int, type[ApiError]] = {403: Forbidden, 404: NotFound, 409: Conflict, 413: TooLarge}
    if status in simple:
        return simple[status](detail or None, **kw)
    if status == 422:
        errors = _field_errors(doc)
        message = "; ".join(f"{e.field}: {e.message}" for e in errors) or detail or None
        return Invalid(message, field_errors=errors, **kw)
    if 200 <= status < 300:
        return MalformedReply(**kw)
    return BadRequest(detail or None, **kw)


NOT_ATRIUM_AT_SIGN_IN = (
    "This address answered, but not as an Atrium server. Check the address (IT can tell you the "
    "right one); on hotel or airport Wi-Fi, sign in to the network in your browser first."
)
UNREACHABLE_AT_SIGN_IN = (
    "Atrium could not reach a server at this address. Check the address, and that you are "
    "online (some servers need the company network or VPN)."
)
SLOW_AT_SIGN_IN = "The server at this address did not answer in time. Check the address and try again."


def sign_in_message(error: ApiError) -> str:
    """What to say when signing in failed (the desktop's dialog and ``atrium login``).

    The classes' own messages speak of a running app (unsent changes kept, trying again later);
    at sign-in nothing is kept and nothing retries, and a wrong address is the likeliest cause.
    A message of the error's own (a failed name look-up, a server's reason) is kept."""
    if isinstance(error, NotFound) or error.status == 405:  # a web server without Atrium's API
        return NOT_ATRIUM_AT_SIGN_IN
    for kind, text in (
        (Offline, UNREACHABLE_AT_SIGN_IN),
        (Timeout, SLOW_AT_SIGN_IN),
        (CaptivePortal, NOT_ATRIUM_AT_SIGN_IN),
        (ProxyError, NOT_ATRIUM_AT_SIGN_IN),
        (MalformedReply, NOT_ATRIUM_AT_SIGN_IN),
    ):
        if isinstance(error, kind) and error.statement == kind.default_message:
            return text
    return error.statement  # nothing tries a sign-in again by itself


CONNECTION_ERRORS = (
    Offline,
    Timeout,
    CaptivePortal,
    ProxyError,
    CertificateError,
    RateLimited,
    Unauthorized,
    DeviceRevoked,
)
"""Failures of the connection or the sign-in, not of one request: whatever was being fetched
waits for the next sync (a single file's failure is that file's, ``file_problem``)."""


def file_problem(error: ApiError) -> str:
    """Why a file could not be downloaded, for a person (after "Could not open x.pdf: ")."""
    if isinstance(error, CONNECTION_ERRORS):
        return "you are offline, or the Atrium server cannot be reached now"
    if isinstance(error, MalformedReply):
        return "the copy on the server is damaged; ask whoever attached it to attach it again"
    if isinstance(error, NotFound | Forbidden):
        return "it is no longer on the server, or you may no longer read it"
    text = error.statement.rstrip(".")
    return text[0].lower() + text[1:] if text[:2].istitle() else text  # after "Could not open x: "


def plural(count: int, noun: str) -> str:
    """ "1 draft", "2 drafts" (English nouns with a plain -s; the desktop's strings use Qt's %n)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
