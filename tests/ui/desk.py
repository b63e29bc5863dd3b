"""A signed-in desktop for pane tests: the session, a read-only cache and the UiContext the shell builds.

Shared by the pane tests (the ``desk`` fixture lives in conftest.py). Wait only through the
asyncio loop: qtbot's waits spin Qt events while asyncio is not running.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import qasync

from atrium.app.engine import EngineStatus
from atrium.app.services import Actions
from atrium.cache import Cache, ChangeSet, open_cache
from atrium.server.admin_ops import add_user
from atrium.server.database import create_db_engine
from atrium.ui.app import DesktopSession
from atrium.ui.context import UiContext
from tests.harness import Api, RunningServer

T = TypeVar("T")
PASSWORD = "correct horse battery staple"


def run_on(loop: qasync.QEventLoop, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    """Run COROUTINE on the Qt loop until it is done. Not ``run_until_complete``: qasync's processes
    events once more after the loop stopped, so a task could take a step with no running loop."""
    future = asyncio.ensure_future(asyncio.wait_for(coroutine, timeout), loop=loop)
    future.add_done_callback(lambda _done: loop.stop())
    loop.run_forever()
    return future.result()


@dataclass
class Desk:
    """What the shell gives a pane (UiContext over a read-only cache), on a started session.

    Wait only through the asyncio loop (``wait_until``, ``pause``): qtbot's waits spin Qt events
    while asyncio is not running, and a task stepped then finds no running loop.
    """

    loop: qasync.QEventLoop
    session: DesktopSession
    server: RunningServer
    reader: Cache
    context: UiContext
    navigated: list[tuple[str, str]] = field(default_factory=list)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return run_on(self.loop, coroutine, timeout)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        async def poll() -> None:
            while not predicate():
                await asyncio.sleep(0.02)

        self.run(poll(), timeout)

    def pause(self, seconds: float) -> None:
        self.run(asyncio.sleep(seconds))

    def sync(self) -> None:
        assert self.session.engine is not None
        self.run(self.session.engine.sync_once())

    def colleague(self, handle: str, display_name: str) -> Api:
        """A new user on the server, signed in through the API."""
        engine = create_db_engine(self.server.database_url, pool_size=1)
        try:
            with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
                add_user(conn, handle, password=PASSWORD, display_name=display_name)
        finally:
            engine.dispose()
        anonymous = Api(self.server.api)
        login = {"username": handle, "password": PASSWORD, "device_name": "test"}
        answer = anonymous.post("/auth/login", json=login).json()
        anonymous.close()
        return Api(self.server.api, answer["token"], answer["user"])

    def colleague_in_community(self, handle: str, display_name: str, *, shared: bool) -> tuple[Api, str]:
        """A new colleague who joined a public community (not an announcements one) that this
        desk's user belongs to (SHARED) or not: their API and the community's id."""
        colleague = self.colleague(f"{handle}{uuid.uuid4().hex[:6]}", display_name)
        mine = "IN" if shared else "NOT IN"
        community_id = self.reader.conn.execute(
            f"SELECT id FROM communities WHERE visibility = 'public' AND kind != 'announcements' AND id {mine} "
            "(SELECT community_id FROM memberships WHERE user_id = ?) ORDER BY name LIMIT 1",
            (self.context.me,),
        ).fetchone()[0]
        joined = colleague.put(f"/communities/{community_id}/members/{colleague.user_id}", json={})
        assert joined.status_code in (200, 201, 204), joined.text
        return colleague, community_id


def make_desk(
    qloop: qasync.QEventLoop, demo_server: RunningServer, signed_in_session: DesktopSession
) -> Iterator[Desk]:
    """Built as AppController._open builds it: engine (loop not started), reader, actions, context."""
    session = signed_in_session
    assert session.account is not None
    contexts: list[UiContext] = []

    def changed(changes: ChangeSet) -> None:
        for context in contexts:
            context.emit_changes(changes)

    def status(status: EngineStatus) -> None:
        for context in contexts:
            context.emit_status(status)

    engine = run_on(
        qloop, session.start(on_changed=changed, on_status=status, listen_events=False, run_loop=False)
    )
    assert session.writer is not None
    reader = open_cache(session.profile.cache_db, read_only=True, verify=False)
    user_id = session.account.user_id
    actions = Actions(session.writer, user_id, engine.wake, on_changed=changed)
    context = UiContext(reader, actions, session.settings, user_id, api=session.client)
    contexts.append(context)
    desk = Desk(qloop, session, demo_server, reader, context)
    context.navigate.connect(lambda kind, object_id: desk.navigated.append((kind, object_id)))
    desk.sync()
    yield desk
    run_on(qloop, context.cancel_tasks())
    reader.close()
