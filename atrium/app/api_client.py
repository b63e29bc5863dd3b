"""The desktop's async client for the Atrium API (protocol.md), on one ``httpx.AsyncClient``.

Every failure leaves as an ``errors.ApiError`` subclass: never a raw httpx exception, and never a
KeyError from a reply of the wrong shape. Works on plain asyncio and on the Qt loop via qasync.
Create one client per event loop and ``await client.aclose()`` while that loop still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote

import httpx
import orjson

from atrium.cache.attachments import DOWNLOAD_PREFIX

from .. import __version__
from .api_connection import connection_options, error_for_transport, normalise_base_url
from .errors import (
    AnswerTooLarge,
    AnswerTooSlow,
    ApiError,
    CaptivePortal,
    MalformedReply,
    SignInFailed,
    Unauthorized,
    error_for_reply,
    is_json_type,
    looks_like_html,
)

if TYPE_CHECKING:
    from .settings import Settings

# Heartbeats come at least every 25 s (protocol): a minute of silence means a dead connection.
EVENTS_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=10.0)
USER_AGENT = f"Atrium-Desktop/{__version__}"
DOWNLOAD_CHUNK = 1024 * 1024  # a file is downloaded (and written) this much at a time
MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""The longest answer read into memory. A sync page of 5000 changes is a few megabytes (a page of
big wiki pages more; the engine then asks for smaller pages); a longer answer is a broken or
hostile server, and reading it whole once took 3.5 GB of memory for a 1.5 GB body."""
ERROR_BODY_BYTES = 64 * 1024  # of a refusal, only its problem details are read
MAX_DOWNLOAD_BYTES = 16 * 1024**3  # a file whose size is not known stops here (the disk is not filled)
MAX_EVENT_BYTES = 64 * 1024  # one line or one event of /events (a wake-up is a few hundred bytes)
REQUEST_DEADLINE = 300.0  # seconds for a whole answer (a sync page of 5000 changes on a slow link)
SIGN_IN_DEADLINE = 60.0  # seconds for the sign-in answer: a person is waiting


@dataclass(frozen=True)
class Answer:
    """An answer read whole (``ApiClient._send``): what callers use of an ``httpx.Response``."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass(frozen=True)
class LoginResult:
    token: str
    device_id: str
    user: dict[str, Any]


@dataclass(frozen=True)
class SyncPage:
    cursor: str
    has_more: bool
    changes: list[dict[str, Any]]


@dataclass(frozen=True)
class CommunityPage:
    communities: list[dict[str, Any]]
    next_cursor: str | None


def _malformed(what: str) -> MalformedReply:
    return MalformedReply(detail=what)


_LINE_END = re.compile(r"\r\n|\r|\n")


async def _event_lines(response: httpx.Response) -> AsyncGenerator[str, None]:
    """The stream's lines (ended by CRLF, CR or LF, as text/event-stream allows); a line longer
    than MAX_EVENT_BYTES is a broken stream, not something to keep reading into memory."""
    pending = ""
    async for text in response.aiter_text():
        pending += text
        while (found := _LINE_END.search(pending)) is not None:
            if found.group() == "\r" and found.end() == len(pending):
                break  # maybe the first half of a CRLF: wait for the next chunk
            yield pending[: found.start()]
            pending = pending[found.end() :]
        if len(pending) > MAX_EVENT_BYTES:
            raise _malformed(f"a line longer than {_size(MAX_EVENT_BYTES)} in the event stream")
    if pending:
        yield pending.removesuffix("\r")


async def _read_at_most(response: httpx.Response, limit: int, *, partial: bool = True) -> tuple[bytes, bool]:
    """At most LIMIT bytes of RESPONSE's body (decoded), read as it streams, and whether that
    was all of it: a body that never ends is cut off, not read into memory. PARTIAL=False: the
    caller has no use for a cut-off body (b"", not a copy of it)."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            if not partial:
                return b"", False
            del body[limit:]
            return bytes(body), False
    return bytes(body), True


async def _refusal(response: httpx.Response) -> ApiError:
    """The error for a streamed answer that is not a success, read from its problem details."""
    body, _whole = await _read_at_most(response, ERROR_BODY_BYTES)
    return error_for_reply(response.status_code, response.headers, body)


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{max(1, count // 1024)} KB"


def _too_large(limit: int, detail: str) -> AnswerTooLarge:
    return AnswerTooLarge(
        f"The Atrium server sent an answer larger than {_size(limit)}; Atrium did not read it.",
        detail=detail,
    )


def _require_dict(value: Any, what: str, keys: Iterable[str] = ()) -> dict[str, Any]:
    """VALUE if it is an object whose KEYS are all strings; else MalformedReply naming WHAT."""
    if not isinstance(value, dict):
        raise _malformed(f"{what} is not a JSON object")
    for key in keys:
        if not isinstance(value.get(key), str):
            raise _malformed(f"{what} has no text field '{key}'")
    return value


def _require_list_of_dicts(value: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _malformed(f"{what} is not a list of objects")
    return value


def validate_sync_page(body: Any) -> SyncPage:
    """The page checked as far as the protocol client can: its envelope and each change's type,
    id, op and data object. Each object's fields are checked where the page is applied
    (``atrium.cache.apply.plan_changes``), before anything is written."""
    page = _require_dict(body, "the sync page", ("cursor",))
    if not isinstance(page.get("has_more"), bool):
        raise _malformed("the sync page has no true/false 'has_more'")
    changes = _require_list_of_dicts(page.get("changes"), "the sync page's 'changes'")
    for position, change in enumerate(changes):
        _require_dict(change, f"change {position}", ("type", "id", "op"))
        if change["op"] == "upsert" and not isinstance(change.get("data"), dict):
            raise _malformed(f"change {position} is an upsert without its object")
    return SyncPage(cursor=page["cursor"], has_more=page["has_more"], changes=changes)


def parse_sync_page(body: bytes) -> SyncPage:
    """A ``/sync`` answer's bytes as a checked page (the engine runs this on its writer thread)."""
    return validate_sync_page(parse_json(body))


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise _malformed(f"invalid JSON ({error})") from error


class ServerSentEvents:
    """An incremental text/event-stream parser (the WHATWG rules this protocol needs)."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._data_size = 0
        self.retry_ms: int | None = None
        self.last_id = ""

    def feed(self, line: str) -> tuple[str, dict[str, Any]] | None:
        """Take one line (without its end); return (event, data) when a blank line completes one."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment: the server's heartbeat
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data_size += len(value) + 1
            if self._data_size > MAX_EVENT_BYTES:  # wake-ups are a few hundred bytes
                raise _malformed(f"an event longer than {_size(MAX_EVENT_BYTES)} in the event stream")
            self._data.append(value)
        elif name == "id" and "\x00" not in value:
            self.last_id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> tuple[str, dict[str, Any]] | None:
        event, data = self._event or "message", self._data
        self._event, self._data, self._data_size = "", [], 0
        if not data:
            return None
        text = "\n".join(data)
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            parsed = None
        return event, parsed if isinstance(parsed, dict) else {"data": text}


class ApiClient:
    """Calls the Atrium server for one signed-in (or signing-in) person."""

    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        proxy: str = "",
        extra_ca_bundle: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """SERVER_URL as a person typed it. TRANSPORT is for tests that inject network faults."""
        self.base_url = normalise_base_url(server_url)
        options = connection_options(proxy, extra_ca_bundle, transport)
        self.problems: list[str] = options.problems  # e.g. an unreadable extra CA bundle
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            **options.kwargs,
        )
        self.token = token
        self.events_retry_ms: int | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> ApiClient:
        return cls(
            settings.get("server_url"),
            token=token,
            proxy=settings.get("proxy"),
            extra_ca_bundle=settings.get("extra_ca_bundle"),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # -- the one place requests are made -------------------------------------------------------------

    def _headers(self, idempotency_key: str | None = None, *, auth: bool = True) -> dict[str, str]:
        headers: dict[str, str] = {}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        idempotency_key: str | None = None,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> Answer:
        """Send; any non-2xx answer or network failure becomes an ApiError. The whole answer must
        arrive within DEADLINE seconds: httpx's timeouts are per read, so a server trickling a
        byte at a time would otherwise hold a sync (or a sign-in) forever. A success answer longer
        than MAX_ANSWER_BYTES is AnswerTooLarge, cut off as it grows, before it fills memory."""
        if "://" in path or path.startswith("//"):
            raise ValueError(f"API paths are relative to the server, got {path!r}")
        headers = {**self._headers(idempotency_key, auth=auth), **kwargs.pop("headers", {})}
        deadline = deadline or REQUEST_DEADLINE
        try:
            request = self._client.build_request(method, path.lstrip("/"), headers=headers, **kwargs)
            answer = await asyncio.wait_for(self._receive(request), deadline)
        except TimeoutError:
            raise AnswerTooSlow(detail=f"no whole answer within {deadline:.0f} s") from None
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
            raise error_for_transport(error) from error
        if not answer.is_success:
            raise error_for_reply(answer.status_code, answer.headers, answer.content)
        return answer

    async def _receive(self, request: httpx.Request) -> Answer:
        """REQUEST's answer, its body read whole: at most MAX_ANSWER_BYTES (decoded) of a success,
        the first ERROR_BODY_BYTES of a refusal (enough for its problem details)."""
        response = await self._client.send(request, stream=True)
        try:
            limit = MAX_ANSWER_BYTES if response.is_success else ERROR_BODY_BYTES
            declared = response.headers.get("content-length", "")
            if response.is_success and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit, f"it announced {int(declared):,} bytes")
            body, whole = await _read_at_most(response, limit, partial=not response.is_success)
            if response.is_success and not whole:
                raise _too_large(limit, f"more than {limit:,} bytes arrived")
            return Answer(response.status_code, response.headers, body)
        finally:
            await response.aclose()
            # httpx ties each response to its stream and back (a reference cycle): untie it, so the
            # response goes as soon as it is dropped, even while the engine pauses the collector.
            response.stream = httpx.ByteStream(b"")

    @staticmethod
    def _json(response: Answer) -> Any:
        """The body as JSON; a web page or broken JSON in a success answer is reported as such."""
        return parse_json(ApiClient._json_bytes(response))

    @staticmethod
    def _json_bytes(response: Answer) -> bytes:
        """The body of a JSON answer, unparsed; a web page in a success answer is reported as such."""
        content_type = response.headers.get("content-type", "")
        body = response.content
        if not is_json_type(content_type):
            if looks_like_html(content_type, body):
                raise CaptivePortal(status=response.status_code, detail=f"got {content_type or 'a page'}")
            raise _malformed(f"expected JSON, got {content_type or 'no content type'}")
        return body

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Any call (the outbox replays writes with this): the parsed JSON answer, or None for 204."""
        kwargs: dict[str, Any] = {"params": params}
        if json is not None:
            kwargs["content"] = orjson.dumps(json)
            kwargs["headers"] = {"Content-Type": "application/json"}
        response = await self._send(method, path, idempotency_key=idempotency_key, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return self._json(response)

    # -- auth ------------------------------------------------------------------------------------------

    async def login(self, username: str, password: str, device_name: str) -> LoginResult:
        """Sign in; the client keeps the new token. SignInFailed for a wrong user name or password."""
        body = {"username": username, "password": password, "device_name": device_name}
        try:
            response = await self._send(
                "POST",
                "auth/login",
                auth=False,
                content=orjson.dumps(body),
                headers={"Content-Type": "application/json"},
                deadline=min(SIGN_IN_DEADLINE, REQUEST_DEADLINE),
            )
        except Unauthorized as error:
            raise SignInFailed(status=error.status, problem=error.problem, detail=error.detail) from None
        answer = _require_dict(self._json(response), "the sign-in answer", ("token", "device_id"))
        user = _require_dict(answer.get("user"), "the signed-in user", ("id", "handle"))
        self.token = answer["token"]
        return LoginResult(token=answer["token"], device_id=answer["device_id"], user=user)

    async def logout(self) -> None:
        """Revoke this device's token on the server and forget it. An already dead token is fine."""
        with contextlib.suppress(Unauthorized):
            await self._send("POST", "auth/logout")
        self.token = None

    async def me(self) -> dict[str, Any]:
        return _require_dict(await self.request("GET", "me"), "the user", ("id", "handle"))

    async def health(self) -> dict[str, Any]:
        response = await self._send("GET", "health", auth=False)
        return _require_dict(self._json(response), "the health answer", ("status",))

    # -- sync and push ---------------------------------------------------------------------------------

    async def sync(self, since: str | None = None, limit: int = 500, window_days: int = 90) -> SyncPage:
        """One page of changes after SINCE (None: from the beginning)."""
        return parse_sync_page(await self.sync_bytes(since, limit, window_days))

    async def sync_bytes(self, since: str | None = None, limit: int = 500, window_days: int = 90) -> bytes:
        """One page as the server sent it, for ``parse_sync_page`` elsewhere: parsing thousands of changes
        is CPU work that the sync engine keeps off its event loop."""
        params: dict[str, Any] = {"limit": limit, "window_days": window_days}
        if since is not None:
            params["since"] = since
        return self._json_bytes(await self._send("GET", "sync", params=params))

    async def events(self) -> AsyncGenerator[tuple[str, dict[str, Any]], None]:
        """Server-sent wake-ups as (event, data), e.g. ("changed", {"hint": None}), until the server closes.

        Close it when done (``async with contextlib.aclosing(client.events()) as events:``) so the
        connection is released at once; cancelling the task that iterates does that too.
        """
        parser = ServerSentEvents()
        headers = {**self._headers(), "Accept": "text/event-stream", "Cache-Control": "no-store"}
        try:
            async with self._client.stream(
                "GET", "events", headers=headers, timeout=EVENTS_TIMEOUT
            ) as response:
                if not response.is_success:
                    raise await _refusal(response)
                content_type = response.headers.get("content-type", "")
                if not content_type.lower().startswith("text/event-stream"):
                    body, _whole = await _read_at_most(response, ERROR_BODY_BYTES)
                    if looks_like_html(content_type, body):
                        raise CaptivePortal(status=response.status_code, detail=f"got {content_type}")
                    raise _malformed(f"expected an event stream, got {content_type or 'no content type'}")
                async for line in _event_lines(response):
                    event = parser.feed(line)
                    self.events_retry_ms = parser.retry_ms
                    if event is not None:
                        yield event
        except (httpx.HTTPError, OSError) as error:
            raise error_for_transport(error) from error

    # -- files -----------------------------------------------------------------------------------------

    async def upload_file(
        self,
        data: bytes | Path,
        name: str,
        mime: str = "application/octet-stream",
        *,
        file_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Upload bytes (or a file's bytes); returns the File. Checks the server got the same bytes."""
        content = await asyncio.to_thread(data.read_bytes) if isinstance(data, Path) else data
        params = {"name": name, **({"id": file_id} if file_id else {})}
        response = await self._send(
            "POST",
            "files",
            params=params,
            content=content,
            headers={"Content-Type": mime},
            idempotency_key=idempotency_key,
        )
        file = _require_dict(self._json(response), "the uploaded file", ("id", "sha256"))
        if file["sha256"] != hashlib.sha256(content).hexdigest():
            raise _malformed("the server stored different bytes than were sent")
        return file

    async def download_file(
        self,
        file_id: str,
        folder: Path,
        expected_sha256: str | None = None,
        *,
        expected_size: int | None = None,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> Path:
        """Stream the file's bytes into a new hidden file in FOLDER, checked against
        EXPECTED_SHA256 (from its File) or the server's ETag; its path (the caller moves or deletes
        it). Memory stays flat whatever the file's size, a download stops as soon as it grows past
        EXPECTED_SIZE (its File's ``size``: a broken server never fills the disk), and nothing is
        left behind on any failure or cancellation. ON_PROGRESS gets (bytes so far, bytes in all
        or None) after each chunk."""
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=DOWNLOAD_PREFIX)
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                digest, headers = await self._stream_to(
                    f"files/{quote(file_id, safe='')}", out, expected_size, on_progress
                )
            etag = headers.get("etag", "").removeprefix("W/").strip('"')
            expected = expected_sha256 or etag
            if not expected:
                with open(path, "rb") as start:
                    if looks_like_html(headers.get("content-type", ""), start.read(4096)):
                        raise CaptivePortal(detail="a page instead of the file")
                raise _malformed("the file came without a checksum")
            if digest != expected.lower():
                raise _malformed("the downloaded file is damaged: it does not match its checksum")
            return path
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    async def _stream_to(
        self,
        path: str,
        out: BinaryIO,
        size_limit: int | None,
        on_progress: Callable[[int, int | None], None] | None,
    ) -> tuple[str, httpx.Headers]:
        """GET PATH into OUT a chunk at a time; (the body's sha256, the answer's headers)."""
        digest = hashlib.sha256()
        headers = {**self._headers(), "Accept": "*/*"}
        written = 0
        try:
            async with self._client.stream("GET", path, headers=headers) as response:
                if not response.is_success:
                    raise await _refusal(response)
                declared = response.headers.get("content-length", "")
                total = (
                    size_limit if size_limit is not None else int(declared) if declared.isdigit() else None
                )
                pending = bytearray()  # written a DOWNLOAD_CHUNK at a time; progress told as it arrives
                limit = MAX_DOWNLOAD_BYTES if size_limit is None else size_limit
                async for chunk in response.aiter_bytes():
                    written += len(chunk)
                    if written > limit:
                        raise _malformed(
                            f"the file is larger than the {size_limit:,} bytes announced"
                            if size_limit is not None
                            else f"the file is larger than {_size(limit)}, and its size was not announced"
                        )
                    digest.update(chunk)
                    pending += chunk
                    if len(pending) >= DOWNLOAD_CHUNK:
                        await asyncio.to_thread(out.write, pending)  # a slow disk never stalls the GUI
                        pending = bytearray()
                    if on_progress is not None:
                        on_progress(written, total)
                await asyncio.to_thread(out.write, pending)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise error_for_transport(error) from error
        return digest.hexdigest(), response.headers

    # -- online search and browsing ----------------------------------------------------------------------

    async def search(
        self, q: str, types: Sequence[str] | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"q": q, "limit": limit}
        if types:
            params["types"] = ",".join(types)
        answer = _require_dict(await self.request("GET", "search", params=params), "the search answer")
        return _require_list_of_dicts(answer.get("results"), "the search results")

    async def browse_communities(
        self, q: str | None = None, cursor: str | None = None, limit: int | None = None
    ) -> CommunityPage:
        """Public communities the user has not joined, by name, a page at a time."""
        params = {k: v for k, v in {"q": q, "cursor": cursor, "limit": limit}.items() if v is not None}
        answer = _require_dict(await self.request("GET", "communities", params=params), "the community page")
        communities = _require_list_of_dicts(answer.get("communities"), "the communities")
        next_cursor = answer.get("next_cursor")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise _malformed("the community page's 'next_cursor' is not text")
        return CommunityPage(communities=communities, next_cursor=next_cursor)


__all__ = ["ApiClient", "ApiError", "CommunityPage", "LoginResult", "SyncPage", "normalise_base_url"]
