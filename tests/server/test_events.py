"""``GET /events``: server-sent wake-ups, in one server process and across processes.

A real SSE client (httpx streaming on its own thread) listens while other users
write: it must hear ``event: changed`` within a second for anything in its
scopes, nothing for a private community it is not in, a wake-up when it gains a
community, heartbeats, and its disconnect must unsubscribe it from the hub.
Across processes, PostgreSQL's LISTEN/NOTIFY and SQLite's poller carry the wake-up.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from atrium.server import events as hub_module
from atrium.server.admin_ops import add_user
from atrium.server.database import create_db_engine
from atrium.server.events import EventHub
from tests.conftest import PASSWORD
from tests.harness import (
    Api,
    PostgresCluster,
    RunningServer,
    fresh_sqlite_url,
    prepare_database,
    start_server_process,
)
from tests.server.helpers import is_problem, join, make_community, make_post

WAKE_WITHIN = 1.0  # seconds from the write's request to the listener's `changed`


@dataclass
class Message:
    """One SSE message: the lines up to a blank line."""

    at: float
    event: str | None = None
    data: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def is_changed(self) -> bool:
        return self.event == "changed"


class SseListener:
    """An SSE client on a background thread; every message it receives lands in ``messages``."""

    def __init__(self, base_api: str, token: str) -> None:
        self.messages: queue.Queue[Message] = queue.Queue()
        self.status: int | None = None
        self._url = base_api + "/events"
        self._token = token
        self._connected = threading.Event()
        self._finished = threading.Event()
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="sse-listener", daemon=True)
        self._thread.start()
        if not self._connected.wait(10):
            raise AssertionError(f"no ': connected' from /events (status {self.status})")

    def _run(self) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=120)) as client,
                client.stream(
                    "GET", self._url, headers={"Authorization": f"Bearer {self._token}"}
                ) as response,
            ):
                self.status = response.status_code
                assert response.headers["content-type"].startswith("text/event-stream")
                self._socket = response.extensions["network_stream"].get_extra_info("socket")
                current = Message(at=0.0)
                for line in response.iter_lines():
                    if line == "":
                        current.at = time.monotonic()
                        if "connected" in current.comments:
                            self._connected.set()  # the server subscribed before it sent this
                        self.messages.put(current)
                        current = Message(at=0.0)
                    elif line.startswith(":"):
                        current.comments.append(line[1:].strip())
                    else:
                        name, _, value = line.partition(":")
                        value = value.removeprefix(" ")
                        if name == "event":
                            current.event = value
                        elif name == "data":
                            current.data = value
        except (httpx.HTTPError, OSError, AssertionError):
            pass
        finally:
            self._finished.set()

    def settle(self, quiet: float = 0.7, limit: float = 10.0) -> None:
        """Drain messages until none arrives for QUIET seconds (setup writes may still wake us)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                self.messages.get(timeout=quiet)
            except queue.Empty:
                return
        raise AssertionError("the event stream never went quiet")

    def wait_changed(self, deadline: float) -> Message | None:
        """The first `changed` message before DEADLINE (a time.monotonic() value), or None."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                return None
            if message.is_changed:
                return message
        return None

    def collect(self, seconds: float) -> list[Message]:
        """Every message that arrives in the next SECONDS."""
        deadline = time.monotonic() + seconds
        seen: list[Message] = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                seen.append(self.messages.get(timeout=left))
            except queue.Empty:
                break
        return seen

    def close(self) -> None:
        """Hang up as a client would: shut the socket down (this also ends the reader thread)."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self._finished.wait(10)
        self._thread.join(10)


@pytest.fixture
def listen() -> Iterator[Callable[[Api], SseListener]]:
    """listen(api) -> an SSE listener signed in with API's token on API's server."""
    listeners: list[SseListener] = []

    def start(api: Api) -> SseListener:
        listener = SseListener(str(api.client.base_url).rstrip("/"), str(api.token))
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.close()


def assert_woken(listener: SseListener, write: Callable[[], object]) -> float:
    """Run WRITE and assert the listener hears `changed` within WAKE_WITHIN; returns the delay."""
    started = time.monotonic()
    write()
    message = listener.wait_changed(started + WAKE_WITHIN)
    assert message is not None, f"no 'changed' within {WAKE_WITHIN} s of the write"
    assert message.data == '{"hint": null}'
    return message.at - started


# --- one server process (SQLite and PostgreSQL) ----------------------------------------------


def test_a_post_in_a_joined_community_wakes_the_listener(
    make_user: Callable[..., Api], listen: Callable[[Api], SseListener]
) -> None:
    author, reader = make_user("olga"), make_user("ravi")
    guild = make_community(author, "Python Guild", kind="expertise")
    join(reader, guild)
    listener = listen(reader)
    listener.settle()

    assert_woken(listener, lambda: make_post(author, guild, "Type hints everywhere?"))
    # and again: one wake-up per change burst, not one per connection
    listener.settle()
    assert_woken(listener, lambda: make_post(author, guild, "Ruff or flake8?"))


def test_a_post_in_a_private_community_of_others_does_not_wake_the_listener(
    make_user: Callable[..., Api], listen: Callable[[Api], SseListener]
) -> None:
    author, outsider = make_user("olga"), make_user("ravi")
    secret = make_community(author, "Project Falcon", "private")
    public = make_community(author, "Running Club")
    join(outsider, public)
    listener = listen(outsider)
    listener.settle()

    make_post(author, secret, "Falcon budget: confidential")
    heard = listener.collect(1.5)
    assert not [m for m in heard if m.event is not None], [(m.event, m.data) for m in heard]
    assert all(m.comments for m in heard)  # only heartbeats or comments, if anything

    # the stream is alive: a post where the listener belongs still wakes it
    assert_woken(listener, lambda: make_post(author, public, "10 km on Sunday"))


def test_being_added_to_a_community_wakes_the_listener_and_its_posts_then_do(
    make_user: Callable[..., Api], listen: Callable[[Api], SseListener]
) -> None:
    owner, newcomer = make_user("olga"), make_user("ravi")
    secret = make_community(owner, "Leadership", "private")
    listener = listen(newcomer)
    listener.settle()

    def add() -> None:
        answer = owner.put(f"/communities/{secret}/members/{newcomer.user_id}")
        assert answer.status_code == 200, answer.text

    assert_woken(listener, add)
    listener.settle()
    # the hub now counts the gained scope as the listener's
    assert_woken(listener, lambda: make_post(owner, secret, "Welcome aboard"))


def test_a_followed_persons_post_in_a_community_not_joined_wakes_the_listener(
    make_user: Callable[..., Api], listen: Callable[[Api], SseListener]
) -> None:
    author, follower = make_user("olga"), make_user("ravi")
    public = make_community(author, "Photography")
    listener = listen(follower)
    listener.settle()

    def follow() -> None:
        assert follower.put(f"/follows/user/{author.user_id}").status_code == 204

    assert_woken(listener, follow)  # the author's posts are now the follower's to sync
    listener.settle()
    assert_woken(listener, lambda: make_post(author, public, "Golden hour"))


def test_events_without_a_token_is_a_401_problem(server: RunningServer) -> None:
    anonymous = Api(server.api)
    try:
        answer = anonymous.get("/events")
        assert is_problem(answer, 401)
        assert answer.headers.get("www-authenticate", "").lower().startswith("bearer")
        wrong = anonymous.get("/events", headers={"Authorization": "Bearer not-a-token"})
        assert is_problem(wrong, 401)
    finally:
        anonymous.close()


def test_heartbeat_comments_keep_an_idle_stream_alive(
    make_user: Callable[..., Api],
    listen: Callable[[Api], SseListener],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert 0 < hub_module.HEARTBEAT_SECONDS <= 25  # the protocol: a comment at least every 25 s
    monkeypatch.setattr(hub_module, "HEARTBEAT_SECONDS", 0.2)
    idle = make_user("ravi")
    listener = listen(idle)
    heard = listener.collect(2.5)  # the hub's ticker may first finish a tick of the old period (1 s)
    beats = [m for m in heard if "heartbeat" in m.comments]
    assert len(beats) >= 3, [(m.event, m.comments) for m in heard]
    assert all(m.event is None for m in beats)


def test_a_client_hanging_up_unsubscribes_it(
    server: RunningServer, make_user: Callable[..., Api], listen: Callable[[Api], SseListener]
) -> None:
    app: Any = server.server.config.app
    hub: EventHub = app.state.events
    before = hub.subscriber_count
    reader = make_user("ravi")
    first = listen(reader)
    second = listen(reader)
    assert hub.subscriber_count == before + 2

    first.close()
    deadline = time.monotonic() + 3
    while hub.subscriber_count != before + 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert hub.subscriber_count == before + 1  # without waiting for a heartbeat to fail
    second.close()
    while hub.subscriber_count != before and time.monotonic() < deadline + 3:
        time.sleep(0.02)
    assert hub.subscriber_count == before


# --- across server processes ------------------------------------------------------------------


def _login(base: str, handle: str) -> Api:
    anonymous = Api(base + "/api/v1")
    answer = anonymous.post(
        "/auth/login", json={"username": handle, "password": PASSWORD, "device_name": f"{handle}'s laptop"}
    )
    anonymous.close()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Api(base + "/api/v1", body["token"], body["user"])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _two_processes_wake_each_other(database_url: str, files_dir: Path) -> None:
    engine: Engine = create_db_engine(database_url, pool_size=1)
    try:
        with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
            add_user(conn, "olga", password=PASSWORD)
            add_user(conn, "ravi", password=PASSWORD)
    finally:
        engine.dispose()
    env = {"ATRIUM_FILES_DIR": str(files_dir)}
    process_a, base_a = start_server_process(database_url, env=env)
    apis: list[Api] = []
    listener: SseListener | None = None
    try:
        process_b, base_b = start_server_process(database_url, env=env)
        try:
            author = _login(base_b, "olga")  # writes through B
            reader = _login(base_a, "ravi")  # listens on A
            apis += [author, reader]
            guild = make_community(author, "Lean Manufacturing", kind="practice")
            join(reader, guild)
            listener = SseListener(base_a + "/api/v1", str(reader.token))
            listener.settle(quiet=1.0)  # longer than the SQLite poll: no setup wake-up still on its way
            for n in range(3):  # every time, not just once

                def write(n: int = n) -> str:
                    return make_post(author, guild, f"Kaizen {n}")

                assert_woken(listener, write)
                listener.settle(quiet=1.0)
            secret = make_community(author, "Board room", "private")
            listener.settle(quiet=1.0)
            make_post(author, secret, "not for ravi")
            assert not [m for m in listener.collect(1.2) if m.event is not None]
        finally:
            if listener is not None:
                listener.close()
            _stop(process_b)
    finally:
        for api in apis:
            api.close()
        _stop(process_a)


@pytest.mark.postgres
def test_a_post_through_one_process_wakes_a_listener_on_another_postgres(
    postgres: PostgresCluster, tmp_path: Path
) -> None:
    _two_processes_wake_each_other(prepare_database(postgres.create_database()), tmp_path / "files")


def test_a_post_through_one_process_wakes_a_listener_on_another_sqlite(tmp_path: Path) -> None:
    _two_processes_wake_each_other(prepare_database(fresh_sqlite_url(tmp_path)), tmp_path / "files")
