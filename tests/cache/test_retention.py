"""What is kept: the retention window, body eviction under a size cap, and read marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atrium.cache import (
    Cache,
    apply_sync_page,
    catch_up_search,
    database_size,
    enforce_retention,
    enqueue,
    mark_read,
    retention,
    thread,
)

from . import factory as f
from .conftest import ME


def ids(cache: Cache, table: str) -> set[str]:
    return {row[0] for row in cache.conn.execute(f"SELECT id FROM {table}")}


def test_old_posts_go_with_their_comments_but_kept_kinds_stay(cache: Cache) -> None:
    group = f.community("G")
    old = f.post(group["id"], "x", "old news", created_at=f.moment(days_ago=120))
    recent = f.post(group["id"], "x", "fresh", created_at=f.moment(days_ago=10))
    pinned = f.post(group["id"], "x", "rules", created_at=f.moment(days_ago=400), pinned=True)
    announcement = f.post(
        group["id"], "x", "all hands", kind="announcement", created_at=f.moment(days_ago=400)
    )
    old_comment = f.comment(old["id"], "y")
    page = [f.upsert("post", p) for p in (old, recent, pinned, announcement)]
    page += [
        f.upsert("comment", old_comment),
        f.upsert("reaction", f.reaction("post", old["id"], ME)),
        f.upsert("reaction", f.reaction("comment", old_comment["id"], ME)),
        f.upsert(
            "wiki_page", f.wiki_page(group["id"], "ancient", "Ancient", created_at="2001-01-01T00:00:00.000Z")
        ),
    ]
    apply_sync_page(cache, page, "c1")
    report = enforce_retention(cache, days=90)
    assert ids(cache, "posts") == {recent["id"], pinned["id"], announcement["id"]}
    assert ids(cache, "comments") == set() and ids(cache, "reactions") == set()
    assert len(ids(cache, "wiki_pages")) == 1
    assert report.posts_deleted == 1 and report.changes["post"] == {old["id"]}


def test_posts_with_unsent_local_work_are_kept(cache: Cache) -> None:
    group = f.community("G")
    mine = f.post(group["id"], ME, "my offline post", created_at=f.moment(days_ago=200))
    commented = f.post(group["id"], "x", "old", created_at=f.moment(days_ago=200))
    edited = f.post(group["id"], "x", "old too", created_at=f.moment(days_ago=200))
    plain = f.post(group["id"], "x", "old and idle", created_at=f.moment(days_ago=200))
    apply_sync_page(cache, [f.upsert("post", p) for p in (commented, edited, plain)], "c1")
    enqueue(
        cache,
        "create_post",
        "POST",
        "/posts",
        {},
        "post",
        mine["id"],
        optimistic_rows=[f.upsert("post", mine)],
    )
    reply = f.comment(commented["id"], ME, "late reply")
    enqueue(
        cache,
        "comment",
        "POST",
        "/c",
        {},
        "comment",
        reply["id"],
        optimistic_rows=[f.upsert("comment", reply)],
    )
    enqueue(cache, "edit_post", "PATCH", f"/posts/{edited['id']}", {"body": "x"}, "post", edited["id"])
    enforce_retention(cache, days=90)
    assert ids(cache, "posts") == {mine["id"], commented["id"], edited["id"]}
    assert ids(cache, "comments") == {reply["id"]}


def _filler_threads(cache: Cache, count: int, body_size: int) -> list[str]:
    group = f.community("Big")
    posts = [f.post(group["id"], "x", f"post{n} " + "lorem ipsum " * (body_size // 12)) for n in range(count)]
    page = [f.upsert("post", p) for p in posts]
    page += [f.upsert("comment", f.comment(p["id"], "y", "dolor sit " * (body_size // 10))) for p in posts]
    apply_sync_page(cache, page, "c1")
    catch_up_search(cache)
    return [p["id"] for p in posts]


def test_over_the_size_cap_the_least_recently_read_bodies_go_first(cache: Cache) -> None:
    post_ids = _filler_threads(cache, 60, 4000)
    now = datetime.now(UTC)
    for n, post_id in enumerate(post_ids):  # read in reverse: the first posts were read most recently
        mark_read(cache, post_id, at=now - timedelta(minutes=n))
    size = database_size(cache)
    bodies = cache.conn.execute(
        "SELECT (SELECT sum(length(body)) FROM posts) + (SELECT sum(length(body)) FROM comments)"
    ).fetchone()[0]
    report = enforce_retention(cache, days=36500, size_cap_bytes=size - bodies // 2)
    assert report.bodies_evicted > 0
    assert report.size_after < size
    evicted = [row[0] for row in cache.conn.execute("SELECT id FROM posts WHERE body_evicted = 1")]
    kept = [row[0] for row in cache.conn.execute("SELECT id FROM posts WHERE body_evicted = 0")]
    assert evicted and kept
    order = {post_id: n for n, post_id in enumerate(post_ids)}
    assert min(order[p] for p in evicted) > max(order[p] for p in kept)  # read least recently = evicted
    found = thread(cache, evicted[0])
    assert found is not None and found.post.body == "" and found.post.body_evicted
    assert all(c.body == "" and c.body_evicted for c in found.comments)
    hits = cache.conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'lorem'").fetchone()[0]
    assert hits == len(kept)  # the index follows the evicted bodies
    body_bytes = cache.conn.execute("SELECT sum(length(body)) FROM posts").fetchone()[0]
    assert len(kept) * 4000 * 0.9 < body_bytes  # about half the bodies went, not all of them
    assert len(evicted) * 2 == pytest.approx(len(post_ids), abs=12)


def test_eviction_never_touches_pending_pinned_or_announcements(cache: Cache) -> None:
    post_ids = _filler_threads(cache, 20, 4000)
    group = f.community("Mine")
    big = "important " * 800
    pinned = f.post(group["id"], "x", big, pinned=True, created_at=f.moment(days_ago=1))
    announcement = f.post(group["id"], "x", big, kind="announcement", created_at=f.moment(days_ago=1))
    apply_sync_page(cache, [f.upsert("post", pinned), f.upsert("post", announcement)], "c2")
    mine = f.post(group["id"], ME, big, created_at=f.moment(days_ago=1))
    enqueue(
        cache,
        "create_post",
        "POST",
        "/posts",
        {},
        "post",
        mine["id"],
        optimistic_rows=[f.upsert("post", mine)],
    )
    reply = f.comment(post_ids[0], ME, big)
    enqueue(
        cache,
        "comment",
        "POST",
        "/c",
        {},
        "comment",
        reply["id"],
        optimistic_rows=[f.upsert("comment", reply)],
    )
    enforce_retention(cache, days=36500, size_cap_bytes=0)  # evict everything evictable
    bodies = dict(cache.conn.execute("SELECT id, body FROM posts"))
    for kept in (pinned, announcement, mine):
        assert bodies[kept["id"]] == big
    assert bodies[post_ids[0]] != ""  # a thread with my unsent reply stays whole
    assert cache.conn.execute("SELECT body FROM comments WHERE id = ?", (reply["id"],)).fetchone() == (big,)
    assert all(bodies[p] == "" for p in post_ids[1:])


def test_the_next_sync_of_an_evicted_post_brings_its_body_back(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], "x", "the full text")
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    enforce_retention(cache, days=36500, size_cap_bytes=0)
    assert cache.conn.execute("SELECT body, body_evicted FROM posts").fetchone() == ("", 1)
    apply_sync_page(cache, [f.upsert("post", post)], "c2")
    assert cache.conn.execute("SELECT body, body_evicted FROM posts").fetchone() == ("the full text", 0)


def test_mark_read_sets_the_read_time(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], "x")
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    mark_read(cache, post["id"], at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    found = thread(cache, post["id"])
    assert found is not None and found.post.last_read_at == "2026-11-27T09:30:00.000Z"


def test_compacting_gives_the_evicted_space_back(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "EVICTION_BATCH", 7)  # several short transactions
    _filler_threads(cache, 60, 4000)
    size = database_size(cache)
    bodies = cache.conn.execute(
        "SELECT (SELECT sum(length(body)) FROM posts) + (SELECT sum(length(body)) FROM comments)"
    ).fetchone()[0]
    report = enforce_retention(cache, days=36500, size_cap_bytes=size - bodies // 2, compact=True)
    assert 50 < report.bodies_evicted < 70  # about half of the 120 bodies
    assert report.size_after < size - bodies // 3  # the file really shrank
    assert cache.conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    catch_up_search(cache)
    cache.conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")
