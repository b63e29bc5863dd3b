"""The API client against the real Atrium server; a mock transport only for faults the server cannot make."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import gc
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from atrium.app import api_client as api_client_module
from atrium.app.api_client import ApiClient, ServerSentEvents, normalise_base_url
from atrium.app.errors import (
    AnswerTooLarge,
    ApiError,
    BadRequest,
    CaptivePortal,
    Conflict,
    DeviceRevoked,
    Forbidden,
    Invalid,
    InvalidServerAddress,
    MalformedReply,
    NotFound,
    Offline,
    ProxyError,
    RateLimited,
    ServerError,
    SignInFailed,
    Timeout,
    TooLarge,
    Unauthorized,
    file_problem,
    parse_retry_after,
    sign_in_message,
)
from tests.conftest import PASSWORD
from tests.harness import Api, RunningServer, free_port
from tests.server.helpers import make_community, make_post

from .conftest import run

MakeUser = Callable[..., Api]


def client_for(server: RunningServer, api: Api | None = None, **kw: Any) -> ApiClient:
    return ApiClient(server.url, token=api.token if api else None, **kw)


# --- base URL ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("server.example.com", "https://server.example.com/api/v1"),
        ("https://Server.Example.com/", "https://server.example.com/api/v1"),
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470/api/v1"),
        ("localhost:8470", "http://localhost:8470/api/v1"),
        ("[::1]:8470", "http://[::1]:8470/api/v1"),
        ("https://corp.example/atrium/", "https://corp.example/atrium/api/v1"),
        ("https://corp.example/api/v1/", "https://corp.example/api/v1"),
        ("  atrium.example.com:8443  ", "https://atrium.example.com:8443/api/v1"),
    ],
)
def test_base_url_normalisation(typed: str, base: str) -> None:
    assert normalise_base_url(typed) == base


@pytest.mark.parametrize("typed", ["", "ftp://x.example", "https://", "https://u:p@x.example", "x.example:99999",
                                   "a b.example"])  # fmt: skip
def test_unusable_addresses_are_refused(typed: str) -> None:
    with pytest.raises(InvalidServerAddress) as caught:
        ApiClient(typed)
    assert isinstance(caught.value, ValueError) and caught.value.message


# --- against the real server -----------------------------------------------------------------------------


def test_login_me_and_logout(server: RunningServer, make_user: MakeUser) -> None:
    make_user("alice", display_name="Alice A")

    async def scenario() -> None:
        async with client_for(server) as client:
            with pytest.raises(SignInFailed) as wrong:
                await client.login("alice", "wrong password", "laptop")
            assert wrong.value.message == "Wrong user name or password." and not wrong.value.retryable
            signed_in = await client.login("Alice", PASSWORD, "Alice's laptop")
            assert client.token == signed_in.token and signed_in.user["handle"] == "alice"
            me = await client.me()
            assert me["display_name"] == "Alice A"
            assert (await client.health())["status"] == "ok"
            await client.logout()
            assert client.token is None
            client.token = signed_in.token
            with pytest.raises(Unauthorized) as after:
                await client.me()
            assert "Sign in again" in after.value.message and not after.value.retryable

    run(scenario())


def test_repeated_failed_sign_ins_are_rate_limited(server: RunningServer, make_user: MakeUser) -> None:
    make_user("bob")

    async def scenario() -> RateLimited:
        async with client_for(server) as client:
            for _ in range(5):
                with pytest.raises(SignInFailed):
                    await client.login("bob", "nope", "laptop")
            with pytest.raises(RateLimited) as caught:
                await client.login("bob", PASSWORD, "laptop")
            return caught.value

    limited = run(scenario())
    assert limited.retryable and limited.retry_after is not None and 0 < limited.retry_after <= 301
    assert "Try again in" in limited.message


def test_sync_pages_follow_the_cursor(server: RunningServer, make_user: MakeUser) -> None:
    alice = make_user("alice")
    community = make_community(alice, "Travel tips")
    posts = {make_post(alice, community, f"Tip {n}") for n in range(3)}

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        async with client_for(server, alice) as client:
            changes: list[dict[str, Any]] = []
            cursor, pages = None, 0
            while True:
                page = await client.sync(cursor, limit=2, window_days=30)
                changes.extend(page.changes)
                cursor, pages = page.cursor, pages + 1
                if not page.has_more:
                    break
            again = await client.sync(cursor)
            assert again.changes == [] and not again.has_more
            return changes, pages

    changes, pages = run(scenario())
    assert pages > 1
    assert posts <= {c["id"] for c in changes if c["type"] == "post"}
    assert all(c["op"] == "upsert" and isinstance(c["data"], dict) for c in changes)


def test_writes_replay_safely_with_an_idempotency_key(server: RunningServer, make_user: MakeUser) -> None:
    alice = make_user("alice")
    body = {"id": str(uuid.uuid4()), "name": "Offline writers", "kind": "interest", "visibility": "public",
            "description": "made on a plane"}  # fmt: skip
    key = str(uuid.uuid4())

    async def scenario() -> tuple[Any, Any, Any]:
        async with client_for(server, alice) as client:
            first = await client.request("POST", "/communities", json=body, idempotency_key=key)
            second = await client.request("POST", "/communities", json=body, idempotency_key=key)
            liked = await client.request(
                "PUT", f"/follows/community/{body['id']}", idempotency_key=str(uuid.uuid4())
            )
            return first, second, liked

    first, second, liked = run(scenario())
    assert first == second and first["id"] == body["id"]
    assert liked is None  # 204
    mine = alice.get("/communities", params={"joined": "true"}).json()["communities"]
    assert [c["id"] for c in mine].count(body["id"]) == 1


def test_server_refusals_map_to_the_taxonomy(server: RunningServer, make_user: MakeUser) -> None:
    alice = make_user("alice")
    community = make_community(alice, "Wiki writers")

    async def expect(error: type[ApiError], call: Any) -> ApiError:
        with pytest.raises(error) as caught:
            await call
        return caught.value

    async def scenario() -> None:
        async with client_for(server, alice) as client:
            missing = await expect(NotFound, client.request("GET", f"/posts/{uuid.uuid4()}"))
            assert missing.status == 404 and not missing.retryable
            forbidden = await expect(
                Forbidden, client.request("GET", "/admin/devices", params={"user_id": "x"})
            )
            assert forbidden.message == "Only administrators may list other people's devices."
            invalid = await expect(Invalid, client.request("POST", "/communities", json={"name": "x"}))
            assert isinstance(invalid, Invalid) and {e.field for e in invalid.field_errors} >= {"id"}
            big = {"id": str(uuid.uuid4()), "community_id": community, "body": "x" * 70_000}
            too_large = await expect(TooLarge, client.request("POST", "/posts", json=big))
            assert isinstance(too_large, TooLarge) and too_large.field == "body"
            page = await client.request("POST", "/wiki/pages", json={
                "id": str(uuid.uuid4()), "path": "travel/visa", "title": "Visas", "body": "v1"})  # fmt: skip
            base = page["revision_id"]
            edit = {"id": str(uuid.uuid4()), "base_revision_id": base, "body": "v2"}
            await client.request("POST", f"/wiki/pages/{page['id']}/revisions", json=edit)
            stale = {"id": str(uuid.uuid4()), "base_revision_id": base, "body": "v2 from the plane"}
            conflict = await expect(Conflict, client.request("POST", f"/wiki/pages/{page['id']}/revisions",
                                                             json=stale))  # fmt: skip
            assert isinstance(conflict, Conflict) and conflict.current is not None
            assert conflict.current["body"] == "v2" and conflict.current["revision_id"] == edit["id"]
            not_allowed = await expect(BadRequest, client.request("DELETE", "/health"))
            assert not_allowed.status == 405 and not not_allowed.retryable

    run(scenario())


def test_files_search_and_browsing(server: RunningServer, make_user: MakeUser, tmp_path: Path) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    community = make_community(bob, "Kayaking club")
    make_post(bob, community, "Paddling the fjords this summer")
    data = bytes(range(256)) * 1000

    async def scenario() -> None:
        async with client_for(server, alice) as client:
            file = await client.upload_file(data, "bytes.bin", "application/octet-stream")
            assert file["size"] == len(data)
            downloads = tmp_path / "downloads"
            first = await client.download_file(file["id"], downloads, file["sha256"])
            second = await client.download_file(file["id"], downloads)  # checked against the ETag
            assert first.read_bytes() == second.read_bytes() == data and first != second
            with pytest.raises(NotFound):
                await client.download_file(str(uuid.uuid4()), downloads)
            assert sorted(downloads.iterdir()) == sorted([first, second]), "a failed one leaves nothing"
            results = await client.search("fjords", types=["post"], limit=5)
            assert [r.get("type") for r in results] == ["post"]
            page = await client.browse_communities(q="kayak")
            assert [c["id"] for c in page.communities] == [community] and page.next_cursor is None

    run(scenario())


def test_push_events_wake_the_client(server: RunningServer, make_user: MakeUser) -> None:
    alice = make_user("alice")
    app: Any = server.server.config.app
    hub = app.state.events

    async def scenario() -> tuple[str, dict[str, Any]]:
        async with client_for(server, alice) as client:
            async with contextlib.aclosing(client.events()) as events:
                first = asyncio.ensure_future(anext(events))
                for _ in range(500):
                    if hub.subscriber_count:
                        break
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(make_community, alice, "Wake me up")
                event = await asyncio.wait_for(first, 10)
            assert client.events_retry_ms == 3000
            return event

    assert run(scenario()) == ("changed", {"hint": None})


def test_a_revoked_device_is_told_to_wipe(server: RunningServer, make_user: MakeUser) -> None:
    alice = make_user("alice")  # her other, trusted device

    async def scenario() -> None:
        async with client_for(server) as laptop:
            signed_in = await laptop.login("alice", PASSWORD, "lost laptop")
            await laptop.sync()
            revoked = await asyncio.to_thread(alice.delete, f"/devices/{signed_in.device_id}")
            assert revoked.status_code == 204
            for call in (laptop.me(), laptop.sync("whatever"), anext(laptop.events())):
                with pytest.raises(DeviceRevoked) as caught:
                    await call
                assert caught.value.problem.get("wipe") is True and not caught.value.retryable
                assert not isinstance(caught.value, Unauthorized)  # "sign in again" code must not catch it

    run(scenario())


def test_a_closed_port_is_offline() -> None:
    async def scenario() -> Offline:
        async with ApiClient(f"http://127.0.0.1:{free_port()}") as client:
            with pytest.raises(Offline) as caught:
                await client.health()
            return caught.value

    offline = run(scenario())
    assert offline.retryable and "offline" in offline.message


def test_an_unknown_host_is_offline_with_a_hint_about_the_address() -> None:
    async def scenario() -> None:
        async with ApiClient("https://atrium.invalid") as client:
            with pytest.raises(Offline, match="could not be looked up"):
                await client.health()

    run(scenario())


def test_read_answers_are_freed_without_the_cyclic_collector(
    server: RunningServer, make_user: MakeUser
) -> None:
    """A sync page is megabytes; the engine pauses the collector while it pulls pages, so an
    answer kept alive by a reference cycle (httpx ties a response to its stream) would pile up."""
    alice = make_user("alice")

    async def scenario() -> list[httpx.Response]:
        async with client_for(server, alice) as client:
            gc.collect()
            gc.disable()
            try:
                for _ in range(3):
                    await client.sync_bytes(limit=50)
                await client.me()
                gc.set_debug(gc.DEBUG_SAVEALL)
                gc.collect()
                return [found for found in gc.garbage if isinstance(found, httpx.Response)]
            finally:
                gc.set_debug(0)
                gc.garbage.clear()
                gc.enable()

    assert run(scenario()) == []


_ON_QASYNC = """
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import qasync
from PySide6.QtWidgets import QApplication
from atrium.app.api_client import ApiClient
from atrium.ui.widgets.pyside_guard import guard_none_refcount

guard_none_refcount()
app = QApplication([])

async def scenario():
    async with ApiClient(sys.argv[1], token=sys.argv[2]) as client:
        page = await client.sync()
        assert not page.has_more
        return (await client.me())["handle"]

print(qasync.QEventLoop(app).run_until_complete(scenario()))
"""


def test_works_on_the_qt_event_loop_via_qasync(server: RunningServer, make_user: MakeUser) -> None:
    """In a process of its own, as the desktop runs it: a qasync loop made and closed inside the
    test session left Qt socket notifiers behind, and pytest-qt's event processing before a
    later test crashed on them (seen once in CI)."""
    alice = make_user("alice")
    assert alice.token is not None
    done = subprocess.run(
        [sys.executable, "-c", _ON_QASYNC, server.url, alice.token],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alice"


# --- faults the real server cannot produce (mock transport) ------------------------------------------------


def faulty(handler: Callable[[httpx.Request], httpx.Response]) -> ApiClient:
    return ApiClient(
        "https://atrium.example.com", token="t0ken-for-tests", transport=httpx.MockTransport(handler)
    )


def fails_with(handler: Callable[[httpx.Request], httpx.Response], call: str = "sync") -> ApiError:
    async def scenario() -> ApiError:
        async with faulty(handler) as client:
            with pytest.raises(ApiError) as caught:
                if call == "events":
                    await anext(client.events())
                else:
                    await getattr(client, call)()
            return caught.value

    return run(scenario())


PORTAL = b"<!DOCTYPE html><html><body>Welcome to Airport Wi-Fi. Accept the terms.</body></html>"


@pytest.mark.parametrize("call", ["sync", "me", "events"])
def test_captive_portal_page(call: str) -> None:
    error = fails_with(
        lambda r: httpx.Response(200, content=PORTAL, headers={"content-type": "text/html"}), call
    )
    assert isinstance(error, CaptivePortal) and error.retryable and "sign in to this network" in error.message


def test_captive_portal_redirect() -> None:
    error = fails_with(lambda r: httpx.Response(302, headers={"location": "http://login.hotel.example/"}))
    assert isinstance(error, CaptivePortal) and "login.hotel.example" in error.detail


def test_html_without_a_content_type_is_still_a_portal() -> None:
    assert isinstance(fails_with(lambda r: httpx.Response(200, content=PORTAL)), CaptivePortal)


def test_proxy_error_pages() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>squid/5.7</body></html>"
    error = fails_with(lambda r: httpx.Response(502, content=page, headers={"content-type": "text/html"}))
    assert isinstance(error, ProxyError) and error.retryable and error.status == 502
    auth = fails_with(lambda r: httpx.Response(407, content=page, headers={"content-type": "text/html"}))
    assert isinstance(auth, ProxyError) and "proxy needs you to sign in" in auth.message
    plain = fails_with(lambda r: httpx.Response(504, content=b"Gateway Timeout"))
    assert isinstance(plain, ProxyError)


def test_server_errors_are_retryable() -> None:
    problem = b'{"type":"about:blank","title":"Server error","status":500,"detail":"Something went wrong."}'
    error = fails_with(lambda r: httpx.Response(500, content=problem,
                                                headers={"content-type": "application/problem+json"}))  # fmt: skip
    assert isinstance(error, ServerError) and error.retryable and error.detail == "Something went wrong."
    assert isinstance(fails_with(lambda r: httpx.Response(503)), ServerError)


def test_rate_limits_in_seconds_and_as_a_date() -> None:
    seconds = fails_with(lambda r: httpx.Response(429, headers={"retry-after": "17"}))
    assert isinstance(seconds, RateLimited) and seconds.retry_after == 17
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    dated = fails_with(lambda r: httpx.Response(429, headers={"retry-after": when}))
    assert (
        isinstance(dated, RateLimited) and dated.retry_after is not None and 115 <= dated.retry_after <= 121
    )
    unusable = fails_with(lambda r: httpx.Response(429, headers={"retry-after": "soon"}))
    assert isinstance(unusable, RateLimited) and unusable.retry_after is None


def test_parse_retry_after() -> None:
    assert parse_retry_after("0") == 0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 + 60) == 0  # past: now
    assert parse_retry_after(None) is None and parse_retry_after("") is None


def json_reply(body: bytes) -> Callable[[httpx.Request], httpx.Response]:
    return lambda r: httpx.Response(200, content=body, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    "body",
    [
        b'{"cursor": "c1", "has_more": false, "changes": [{"type": "post", "id": "p1", "op": "ups',  # truncated
        b'{"cursor": "c1", "changes": []}',  # no has_more
        b'{"cursor": 7, "has_more": false, "changes": []}',
        b'{"cursor": "c1", "has_more": false, "changes": [{"type": "post", "op": "delete"}]}',  # no id
        b'{"cursor": "c1", "has_more": false, "changes": [{"type": "post", "id": "p", "op": "upsert"}]}',
        b'{"cursor": "c1", "has_more": false, "changes": {"a": 1}}',
        b'["not", "a", "page"]',
        b"",
    ],
)
def test_malformed_sync_pages(body: bytes) -> None:
    error = fails_with(json_reply(body))
    assert isinstance(error, MalformedReply) and error.retryable


def test_malformed_answers_elsewhere_never_leak_key_errors() -> None:
    assert isinstance(fails_with(json_reply(b'{"handle": "alice"}'), "me"), MalformedReply)
    assert isinstance(fails_with(json_reply(b"[]"), "health"), MalformedReply)
    plain = fails_with(
        lambda r: httpx.Response(200, content=b"ok", headers={"content-type": "text/plain"}), "me"
    )
    assert isinstance(plain, MalformedReply)


def raising(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


def test_network_failures() -> None:
    assert isinstance(fails_with(raising(httpx.ConnectError("refused"))), Offline)
    assert isinstance(fails_with(raising(httpx.ReadTimeout("slow"))), Timeout)
    assert isinstance(fails_with(raising(httpx.ConnectTimeout("slow"))), Timeout)
    assert isinstance(fails_with(raising(httpx.RemoteProtocolError("peer closed"))), Offline)
    assert isinstance(fails_with(raising(httpx.ProxyError("proxy down"))), ProxyError)
    timeout = fails_with(raising(httpx.ReadTimeout("slow")), "events")
    assert isinstance(timeout, Timeout) and timeout.retryable


def test_a_damaged_download_is_refused(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"tampered", headers={"etag": '"' + "0" * 64 + '"'})

    async def scenario() -> None:
        async with faulty(handler) as client:
            with pytest.raises(MalformedReply, match="damaged"):
                await client.download_file("f1", tmp_path)
        assert list(tmp_path.iterdir()) == [], "nothing damaged is left on disk"

    run(scenario())


def test_the_token_goes_only_to_the_server_and_paths_stay_relative() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    async def scenario() -> None:
        async with faulty(handler) as client:
            await client.request("DELETE", "/reactions/post/p1", idempotency_key="k-1")
            with pytest.raises(ValueError, match="relative"):
                await client.request("GET", "https://elsewhere.example/steal")

    run(scenario())
    assert len(seen) == 1
    assert str(seen[0].url) == "https://atrium.example.com/api/v1/reactions/post/p1"
    assert seen[0].headers["authorization"] == "Bearer t0ken-for-tests"
    assert seen[0].headers["idempotency-key"] == "k-1"


def test_event_stream_parsing_over_a_stream() -> None:
    stream = (
        b': connected\nretry: 5000\n\n: heartbeat\n\nevent: changed\ndata: {"hint": null}\n\n'
        b'data: first line\ndata: second line\n\nevent: changed\r\ndata: {"hint":"c5"}\r\n\r\n'
        b'event: changed\ndata: {"hint": null}\n'
    )  # fmt: skip  (the last event is never finished)

    async def scenario() -> tuple[list[tuple[str, dict[str, Any]]], int | None]:
        async with faulty(
            lambda r: httpx.Response(200, content=stream, headers={"content-type": "text/event-stream"})
        ) as client:
            return [event async for event in client.events()], client.events_retry_ms

    events, retry = run(scenario())
    assert events == [("changed", {"hint": None}), ("message", {"data": "first line\nsecond line"}),
                      ("changed", {"hint": "c5"})]  # fmt: skip
    assert retry == 5000


def test_sse_parser_ignores_comments_and_unknown_fields() -> None:
    parser = ServerSentEvents()
    lines = [": hi", "foo: bar", "id: 7", "data", "", "event: changed", ""]
    assert [parser.feed(line) for line in lines] == [
        None,
        None,
        None,
        None,
        ("message", {"data": ""}),
        None,
        None,
    ]
    assert parser.last_id == "7"


# --- TLS: the OS trust store plus an extra CA bundle --------------------------------------------------------


def test_tls_needs_the_extra_ca_bundle_for_a_private_ca(tls_server: tuple[str, str]) -> None:
    url, ca_file = tls_server

    async def scenario() -> None:
        async with ApiClient(url) as untrusted:
            with pytest.raises(ApiError) as caught:
                await untrusted.health()
            assert type(caught.value).__name__ == "CertificateError" and not caught.value.retryable
        async with ApiClient(url, extra_ca_bundle=ca_file) as trusted:
            assert trusted.problems == []
            assert (await trusted.health())["status"] == "ok"
        async with ApiClient(url, extra_ca_bundle=ca_file + ".missing") as broken:
            assert broken.problems and "could not be loaded" in broken.problems[0]

    run(scenario())


# --- proxies: explicit, the system's, the environment's, none ------------------------------------------------

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def _health_via(server: RunningServer, proxy: str) -> str:
    async def scenario() -> str:
        async with ApiClient(server.url, proxy=proxy) as client:
            return str((await client.health())["status"])

    return run(scenario())


def test_explicit_proxy(sqlite_server: RunningServer, forward_proxy: tuple[str, list[str]],
                        clean_proxy_environment: pytest.MonkeyPatch) -> None:  # fmt: skip
    proxy_url, forwarded = forward_proxy
    assert _health_via(sqlite_server, proxy_url) == "ok"
    assert forwarded == [sqlite_server.api + "/health"]


@pytest.mark.parametrize("mode", ["system", ""])
def test_system_and_environment_proxies(
    mode: str,
    sqlite_server: RunningServer,
    forward_proxy: tuple[str, list[str]],
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    proxy_url, forwarded = forward_proxy
    clean_proxy_environment.setenv("HTTP_PROXY", proxy_url)  # what urllib.request.getproxies() reads on Linux
    assert _health_via(sqlite_server, mode) == "ok"
    assert len(forwarded) == 1
    clean_proxy_environment.setenv("NO_PROXY", "127.0.0.1")
    assert _health_via(sqlite_server, mode) == "ok"
    assert len(forwarded) == 1  # the bypass list was honoured
    clean_proxy_environment.delenv("NO_PROXY")
    assert _health_via(sqlite_server, "direct") == "ok"
    assert len(forwarded) == 1  # "direct" ignores the environment


def test_an_unreachable_proxy_is_reported(sqlite_server: RunningServer,
                                          clean_proxy_environment: pytest.MonkeyPatch) -> None:  # fmt: skip
    with pytest.raises(ApiError) as caught:
        _health_via(sqlite_server, f"http://127.0.0.1:{free_port()}")
    assert isinstance(caught.value, Offline | ProxyError) and caught.value.retryable


class Trickle(httpx.AsyncByteStream):
    """A body that comes a byte at a time, each within any read timeout."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            await asyncio.sleep(0.05)
            yield b" "


def test_an_answer_that_trickles_in_forever_runs_out_of_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_client_module, "REQUEST_DEADLINE", 0.5)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle(), headers={"content-type": "application/json"})

    async def scenario() -> None:
        async with faulty(handler) as client:
            for call in (client.sync_bytes(None), client.login("ann", "secret", "laptop")):
                with pytest.raises(Timeout, match=r"within [01] s"):
                    await asyncio.wait_for(call, 10)

    run(scenario())


class Endless(httpx.AsyncByteStream):
    """A body that never ends, as fast as it can be read: a broken server or a hostile one."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b"[" * 65536
        while True:
            self.sent += len(chunk)
            yield chunk


def test_an_endless_answer_is_cut_off_before_it_fills_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_client_module, "MAX_ANSWER_BYTES", 1024 * 1024)
    bodies: list[Endless] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(Endless())
        return httpx.Response(200, stream=bodies[-1], headers={"content-type": "application/json"})

    for call in ("sync", "me", "health"):
        error = fails_with(handler, call)
        assert isinstance(error, AnswerTooLarge) and error.retryable
        assert error.statement == "The Atrium server sent an answer larger than 1 MB; Atrium did not read it."
        assert bodies[-1].sent <= 1024 * 1024 + 65536, "reading stopped at the limit"


def test_an_answer_announced_too_large_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_client_module, "MAX_ANSWER_BYTES", 1024 * 1024)
    body = Endless()

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-length": str(1500 * 1024 * 1024)}
        return httpx.Response(200, stream=body, headers=headers)

    error = fails_with(handler, "sync")
    assert isinstance(error, AnswerTooLarge) and "announced 1,572,864,000 bytes" in str(error)
    assert body.sent == 0


def test_a_huge_refusal_is_read_only_for_its_problem_details() -> None:
    problem = b'{"title": "Service Unavailable", "detail": "maintenance"}'

    class HugeRefusal(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield problem
            while True:
                yield b" " * 65536

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, stream=HugeRefusal(), headers={"content-type": "application/problem+json"})

    error = fails_with(handler, "me")
    assert isinstance(error, ServerError) and error.retryable and error.detail == "maintenance"


def test_a_download_that_grows_past_its_announced_size_stops(tmp_path: Path) -> None:
    body = Endless()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body, headers={"etag": '"' + "0" * 64 + '"'})

    async def scenario() -> None:
        async with faulty(handler) as client:
            with pytest.raises(MalformedReply, match="larger than the 100,000 bytes announced"):
                await client.download_file("f1", tmp_path, "0" * 64, expected_size=100_000)
        assert list(tmp_path.iterdir()) == [], "nothing is left on disk"
        assert body.sent <= api_client_module.DOWNLOAD_CHUNK + 65536, (
            "it stopped at the first chunk past the size"
        )

    run(scenario())


def test_the_running_app_says_it_tries_again_and_a_one_shot_command_does_not() -> None:
    error = Timeout(detail="no whole answer within 300 s")
    said = "The Atrium server did not answer in time (no whole answer within 300 s)."
    assert error.one_shot() == said and str(error) == f"{said} Atrium will try again."
    assert (
        ServerError("Maintenance until 6:00.").message
        == "Maintenance until 6:00. Atrium will try again later."
    )
    assert Forbidden().message == Forbidden().one_shot()
    # a server's own words: a sentence after the first, never "(… .)."; a title gets its period
    assert (
        ServerError(detail="Something went wrong.").one_shot()
        == "The Atrium server had a problem. Something went wrong."
    )
    assert RateLimited("Too many requests").message == "Too many requests. Atrium will try again shortly."
    # nothing tries a sign-in again by itself
    waiting = RateLimited("Too many failed sign-ins. Try again in 298 seconds.")
    assert sign_in_message(waiting) == "Too many failed sign-ins. Try again in 298 seconds."
    assert file_problem(ServerError()) == "the Atrium server had a problem"
    bracketed = MalformedReply(detail="invalid JSON (line 1 column 1)").one_shot()
    assert (
        bracketed
        == "The Atrium server sent an answer Atrium could not read — invalid JSON (line 1 column 1)."
    )


@pytest.mark.parametrize("shape", ["one endless line", "an endless event of many lines"])
def test_an_event_stream_that_never_ends_a_line_or_an_event_is_refused(shape: str) -> None:
    class Flood(httpx.AsyncByteStream):
        sent = 0

        async def __aiter__(self) -> AsyncIterator[bytes]:
            piece = b"x" * 4096 if shape == "one endless line" else b"data: " + b"x" * 100 + b"\r\n"
            yield b"event: changed\n"
            while True:
                Flood.sent += len(piece)
                yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Flood(), headers={"content-type": "text/event-stream"})

    error = fails_with(handler, "events")
    assert isinstance(error, MalformedReply) and "event stream" in str(error)
    assert Flood.sent < 1024 * 1024, "cut off early, not read into memory"


def test_event_lines_end_with_crlf_cr_or_lf_even_split_across_chunks() -> None:
    class Pieces(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for piece in (b"event: changed\r", b'\ndata: {"hint": 1}\r', b"\r: heartbeat\ndata: 2\n\n"):
                yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Pieces(), headers={"content-type": "text/event-stream"})

    async def scenario() -> list[tuple[str, dict[str, Any]]]:
        async with faulty(handler) as client:
            return [event async for event in client.events()]

    assert run(scenario()) == [("changed", {"hint": 1}), ("message", {"data": "2"})]
