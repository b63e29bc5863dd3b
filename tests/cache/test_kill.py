"""A sync killed at any instant leaves the cache at a page boundary: SIGKILL a child mid-sync."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atrium.cache import catch_up_search, open_cache, read_sync_state

from .kill_child import PAGES, POSTS_PER_PAGE, comment_id, post_id

REPO = Path(__file__).resolve().parents[2]


def expected_posts(cursor: int) -> set[str]:
    present = {post_id(page, n) for page in range(1, cursor + 1) for n in range(POSTS_PER_PAGE)}
    return present - {post_id(page - 2, 1) for page in range(3, cursor + 1)}


def run_child_and_kill(path: Path, delay: float) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.cache.kill_child", str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()


def check_consistent(path: Path) -> int:
    with open_cache(path) as cache:
        assert cache.recovered_from is None
        conn = cache.conn
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        cursor_text = read_sync_state(cache).cursor
        cursor = int(cursor_text) if cursor_text else 0
        posts = {row[0] for row in conn.execute("SELECT id FROM posts")}
        assert posts == expected_posts(cursor)
        comments = {row[0] for row in conn.execute("SELECT id FROM comments")}
        deleted = {post_id(page - 2, 1) for page in range(3, cursor + 1)}
        assert comments == {
            comment_id(page, n)
            for page in range(1, cursor + 1)
            for n in range(POSTS_PER_PAGE)
            if post_id(page, n) not in deleted
        }
        if cursor >= 2:
            edited = conn.execute("SELECT body FROM posts WHERE id = ?", (post_id(cursor - 1, 0),)).fetchone()
            assert edited == (f"edited in page {cursor}",)
        catch_up_search(cache)
        for table in ("posts", "comments"):
            conn.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('integrity-check')")
        if cursor:
            hits = conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?", (f"word{cursor}",))
            assert hits.fetchone()[0] == POSTS_PER_PAGE
        return cursor


@pytest.mark.slow
def test_sigkill_at_random_instants_leaves_a_page_boundary(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    cursors = []
    for attempt in range(20):
        path = tmp_path / f"attempt{attempt}" / "cache.db"
        if attempt % 4 == 3:  # resume a killed cache and kill it again
            path = tmp_path / f"attempt{attempt - 1}" / "cache.db"
        run_child_and_kill(path, rng.uniform(0.0, 1.5))
        cursors.append(check_consistent(path))
    print("cursors at kill:", cursors)
    assert any(0 < cursor < PAGES for cursor in cursors), cursors  # some kills did land mid-sync
