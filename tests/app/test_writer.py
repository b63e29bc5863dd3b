"""The cache writer thread: a transaction the sync engine holds open between pages never takes in
anyone else's write, and closing the writer keeps what was held."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from atrium.app.writer import CacheWriter
from atrium.cache import Cache, apply_sync_page, enqueue, open_cache, read_sync_state
from tests.app.conftest import run
from tests.cache import factory as f


def committed_cursor_and_outbox(path: Path) -> tuple[str | None, int]:
    """What another connection (a pane, a restarted process) sees."""
    reader = open_cache(path, read_only=True)
    try:
        outbox = reader.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        return read_sync_state(reader).cursor, int(outbox)
    finally:
        reader.close()


def test_a_persons_action_commits_the_held_pages_and_itself_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"

    async def scenario() -> None:
        writer = CacheWriter(path)
        await writer.open()
        await writer.call_held(apply_sync_page, [f.upsert("user", f.user("ann"))], "c1", commit=False)
        assert committed_cursor_and_outbox(path) == (None, 0)  # held: not visible yet

        def act(cache: Cache) -> bool:
            inside = cache.conn.in_transaction
            enqueue(cache, "post.create", "POST", "/posts", {"body": "hi"})
            return inside

        assert await writer.call(act) is False  # the action did not run inside the held pages
        assert committed_cursor_and_outbox(path) == ("c1", 1)
        await writer.call_held(apply_sync_page, [f.upsert("user", f.user("bob"))], "c2", commit=False)
        assert await writer.commit_held() is True
        assert await writer.commit_held() is False
        await writer.call_held(apply_sync_page, [f.upsert("user", f.user("cy"))], "c3", commit=False)
        await writer.close()

    run(scenario())
    assert committed_cursor_and_outbox(path) == ("c3", 1)  # closing commits held pages


def test_an_action_queued_before_close_is_still_written(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"

    async def scenario() -> None:
        writer = CacheWriter(path)
        await writer.open()
        busy = asyncio.ensure_future(writer.run(time.sleep, 0.2))  # e.g. a sync page being written
        await asyncio.sleep(0.01)
        action = asyncio.ensure_future(writer.call(enqueue, "post.create", "POST", "/posts", {"body": "hi"}))
        await asyncio.sleep(0.01)
        await writer.close()  # the app quits while the action waits its turn
        await busy
        await action

    run(scenario())
    assert committed_cursor_and_outbox(path) == (None, 1)
