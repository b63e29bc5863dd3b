"""The sync feed: first sync, backfill on join, drop on leave, retention window, paging, repeated cursors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from atrium.server.database import create_db_engine
from tests.harness import Api, RunningServer
from tests.server.helpers import join
from tests.server.helpers import make_comment as comment
from tests.server.helpers import make_community as community
from tests.server.helpers import make_post as post


def ids_of(changes: list[dict[str, Any]], kind: str, op: str = "upsert") -> set[str]:
    return {c["id"] for c in changes if c["type"] == kind and c["op"] == op}


def test_first_sync_carries_only_what_the_user_may_read(make_user: Callable[..., Api]) -> None:
    owner, reader = make_user("olga"), make_user("ravi")
    public = community(owner, "Photography")
    secret = community(owner, "Project Falcon", "private")
    joined_post = post(owner, public, "Golden hour tips #photo")
    secret_post = post(owner, secret, "Falcon budget")
    assert reader.put(f"/communities/{public}/members/{reader.user_id}").status_code == 200

    changes, _ = reader.sync_all()
    assert joined_post in ids_of(changes, "post")
    assert secret_post not in ids_of(changes, "post")
    assert secret not in ids_of(changes, "community")
    assert public in ids_of(changes, "community")
    assert {owner.user_id, reader.user_id} <= ids_of(changes, "user")
    for change in changes:  # no private object leaks through any field
        assert secret not in str(change)


def test_joining_a_private_community_backfills_its_old_content(make_user: Callable[..., Api]) -> None:
    owner, newcomer = make_user("olga"), make_user("ravi")
    secret = community(owner, "Leadership", "private")
    old_posts = {post(owner, secret, f"Old decision {n}") for n in range(7)}
    _, cursor = newcomer.sync_all()

    assert owner.put(f"/communities/{secret}/members/{newcomer.user_id}").status_code == 200
    changes, cursor = newcomer.sync_all(since=cursor, limit=3)  # paged backfill
    assert old_posts <= ids_of(changes, "post")
    assert secret in ids_of(changes, "community")
    assert f"{secret}:{newcomer.user_id}" in ids_of(changes, "membership")
    assert [c for c in changes if c["type"] == "notification" and c["data"]["kind"] == "added_to_community"]

    again, _ = newcomer.sync_all(since=cursor)
    assert again == []


def test_leaving_sends_a_scope_drop_and_stops_the_flow(make_user: Callable[..., Api]) -> None:
    owner, member = make_user("olga"), make_user("ravi")
    secret = community(owner, "Leadership", "private")
    owner.put(f"/communities/{secret}/members/{member.user_id}")
    _, cursor = member.sync_all()

    assert owner.delete(f"/communities/{secret}/members/{member.user_id}").status_code == 204
    later = post(owner, secret, "After you left")
    changes, cursor = member.sync_all(since=cursor)
    assert {"type": "scope", "id": f"community:{secret}", "op": "drop"} in changes
    assert later not in str(changes)

    public = community(owner, "Running Club")
    member.put(f"/communities/{public}/members/{member.user_id}")
    _, cursor = member.sync_all(since=cursor)
    member.delete(f"/communities/{public}/members/{member.user_id}")
    changes, _ = member.sync_all(since=cursor)
    assert {"type": "scope", "id": f"community:{public}", "op": "drop"} in changes
    # a public community stays visible: its card follows the drop
    assert public in ids_of(changes, "community")


def test_repeating_a_cursor_gives_the_same_correct_answer(make_user: Callable[..., Api]) -> None:
    owner = make_user("olga")
    cid = community(owner, "Python Guild", kind="expertise")
    _, cursor = owner.sync_all()
    first = post(owner, cid, "one")
    changes_a, cursor_a = owner.sync_all(since=cursor)
    changes_b, cursor_b = owner.sync_all(since=cursor)
    assert changes_a == changes_b and cursor_a == cursor_b
    assert first in ids_of(changes_a, "post")
    owner.delete(f"/posts/{first}")
    changes_c, _ = owner.sync_all(since=cursor)
    assert first in ids_of(changes_c, "post", "delete")
    assert first not in ids_of(changes_c, "post")


def test_pages_never_exceed_limit_and_miss_nothing(make_user: Callable[..., Api]) -> None:
    owner = make_user("olga")
    cid = community(owner, "Agile Coaches", kind="practice")
    made = {post(owner, cid, f"Retro idea {n}") for n in range(23)}
    cursor = None
    seen: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["since"] = cursor
        page = owner.get("/sync", params=params).json()
        assert len(page["changes"]) <= 4
        seen.extend(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert made <= ids_of(seen, "post")


def test_writes_between_pages_arrive_exactly_once_overall(make_user: Callable[..., Api]) -> None:
    owner = make_user("olga")
    cid = community(owner, "Lean Manufacturing", kind="practice")
    for n in range(10):
        post(owner, cid, f"Kaizen {n}")
    page = owner.get("/sync", params={"limit": 5}).json()
    late = post(owner, cid, "written while the client was paging")
    rest, cursor = owner.sync_all(since=page["cursor"], limit=5)
    after, _ = owner.sync_all(since=cursor, limit=5)  # the late post belongs to the next round
    everything = page["changes"] + rest + after
    posts = [c["id"] for c in everything if c["type"] == "post"]
    assert late in posts
    assert len(posts) == len(set(posts)) == 11


def test_retention_window_skips_old_posts_on_first_sync_but_keeps_announcements(
    make_user: Callable[..., Api], engine: Any
) -> None:
    from sqlalchemy import update

    from atrium.server.schema import change_log

    comms = make_user("carla")
    news = community(comms, "Announcements", kind="announcements")
    chat = community(comms, "Cafe", kind="social")
    old_chat = post(comms, chat, "Old cafe chatter")
    old_news = post(comms, news, "Old announcement", kind="announcement")
    with engine.begin() as conn:  # age both posts to 200 days
        conn.execute(
            update(change_log)
            .where(change_log.c.object_id.in_([old_chat, old_news]))
            .values(ts="2020-01-01T00:00:00.000Z")
        )
    changes, _ = comms.sync_all(window_days=90)
    assert old_news in ids_of(changes, "post")
    assert old_chat not in ids_of(changes, "post")
    changes, _ = comms.sync_all(window_days=5000)
    assert old_chat in ids_of(changes, "post")


def test_likes_follow_their_post_when_it_is_pinned_or_unpinned_later(
    make_user: Callable[..., Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention follows pinning for a whole thread: the likes on a post and on its comments are
    kept exactly when the post is. An old post pinned later brings its likes (a first sync, a
    join, and an incremental sync of someone whose first sync left it out); an old post unpinned
    later leaves no like behind on a first sync (it would be an orphan without its post)."""
    from atrium.server import clock

    owner, bob, carol, dave = (make_user(name) for name in ("olga", "bob", "carol", "dave"))
    garden = community(owner, "Garden")
    for member in (bob, dave):
        join(member, garden)
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() - timedelta(days=200))
    to_pin = post(owner, garden, "Old, pinned later")
    to_unpin = post(owner, garden, "Old, pinned then unpinned")
    assert owner.patch(f"/posts/{to_unpin}", json={"pinned": True}).status_code == 200
    threads: dict[str, set[str]] = {}  # post -> the ids of its comment and its likes
    for pid in (to_pin, to_unpin):
        cid = comment(bob, pid, "A comment")
        assert bob.put(f"/reactions/post/{pid}").status_code == 204
        assert owner.put(f"/reactions/comment/{cid}").status_code == 204
        threads[pid] = {cid, f"post:{pid}:{bob.user_id}:like", f"comment:{cid}:{owner.user_id}:like"}
    monkeypatch.setattr(clock, "now", real_now)

    before, dave_cursor = dave.sync_all()  # first sync while TO_PIN is old and unpinned
    assert to_pin not in ids_of(before, "post") and not threads[to_pin] & ids_of(before, "reaction")
    assert owner.patch(f"/posts/{to_pin}", json={"pinned": True}).status_code == 200
    assert owner.patch(f"/posts/{to_unpin}", json={"pinned": False}).status_code == 200
    _, carol_cursor = carol.sync_all()  # not a member yet: joining backfills the community
    join(carol, garden)

    def thread_of(changes: list[dict[str, Any]], pid: str) -> set[str]:
        return threads[pid] & (ids_of(changes, "comment") | ids_of(changes, "reaction"))

    first, _ = bob.sync_all(limit=3)
    backfill, _ = carol.sync_all(since=carol_cursor, limit=3)
    later, _ = dave.sync_all(since=dave_cursor)
    for changes in (first, backfill, later):
        assert to_pin in ids_of(changes, "post")
        assert thread_of(changes, to_pin) == threads[to_pin]
    for changes in (first, backfill):
        assert to_unpin not in ids_of(changes, "post")
        assert thread_of(changes, to_unpin) == set()

    # The change numbers handed out stay unique and ahead: later writes still publish.
    assert carol.put(f"/reactions/post/{to_pin}").status_code == 204
    changes, _ = dave.sync_all()
    assert f"post:{to_pin}:{carol.user_id}:like" in ids_of(changes, "reaction")


def test_pinning_a_thread_writes_the_feed_once_per_kind_however_long_it_is(
    make_user: Callable[..., Api], server: RunningServer, engine: Engine
) -> None:
    """A thread's retention moves in a few statements, not one per comment and like; its rows
    get fresh change numbers in one block at the top of the feed, with the counter at its end."""
    from sqlalchemy import event, func, select

    from atrium.server.schema import change_log, sync_counter

    owner, fan = make_user("olga"), make_user("bob")
    garden = community(owner, "Garden")
    join(fan, garden)
    pid = post(owner, garden, "A long thread")
    assert fan.put(f"/reactions/post/{pid}").status_code == 204
    for n in range(25):
        cid = comment(fan, pid, f"Comment {n}")
        assert owner.put(f"/reactions/comment/{cid}").status_code == 204
    with engine.connect() as conn:
        before = conn.execute(select(sync_counter.c.value)).scalar_one()

    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "change_log" in statement and not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    server_engine = server.app.state.atrium.engine
    event.listen(server_engine, "before_cursor_execute", count)
    try:
        assert owner.patch(f"/posts/{pid}", json={"pinned": True}).status_code == 200
    finally:
        event.remove(server_engine, "before_cursor_execute", count)
    assert len(writes) == 3, writes  # the post, its comments, the likes on it and on them

    with engine.connect() as conn:
        top = conn.execute(select(sync_counter.c.value)).scalar_one()
        assert conn.execute(select(func.max(change_log.c.seq))).scalar_one() == top
        moved = conn.execute(
            select(change_log.c.type, change_log.c.seq, change_log.c.keep).where(change_log.c.seq > before)
        ).all()
    assert sorted(seq for _, seq, _ in moved) == list(range(before + 1, top + 1))
    assert sorted(kind for kind, _, _ in moved) == ["comment"] * 25 + ["post"] + ["reaction"] * 26
    assert all(keep for _, _, keep in moved)


def test_public_announcements_reach_everyone_without_joining(make_user: Callable[..., Api]) -> None:
    comms, employee = make_user("carla"), make_user("eve")
    news = community(comms, "Company News", kind="announcements")
    item = post(comms, news, "Welcome to Atrium", kind="announcement")
    changes, _ = employee.sync_all()
    assert item in ids_of(changes, "post")
    assert any(c["type"] == "notification" and c["data"]["kind"] == "announcement" for c in changes) is False


def test_bad_cursors_and_limits_are_422(make_user: Callable[..., Api]) -> None:
    api = make_user("olga")
    for since in ["garbage", "eyJ2IjoxfQ", "%%%"]:
        answer = api.get("/sync", params={"since": since})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert api.get("/sync", params={"limit": 5001}).status_code == 422
    assert api.get("/sync", params={"limit": 0}).status_code == 422
    assert api.get("/sync", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_sync_survives_the_database_dropping_its_connections(
    make_user: Callable[..., Api], engine: Engine, database_url: str
) -> None:
    """A database restart or a failover closes the server's pooled connections: the next sync
    still answers (the dead connection is replaced), and so does the one after."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no connections to drop")
    owner = make_user("olga")
    public = community(owner, "Photography")
    _, cursor = owner.sync_all()
    with engine.connect() as conn:
        dropped = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert dropped > 0
    later = post(owner, public, "Still here after the database blinked")
    changes, cursor = owner.sync_all(since=cursor)
    assert later in ids_of(changes, "post")
    again, _ = owner.sync_all(since=cursor)
    assert again == []


@pytest.mark.parametrize("query", ["_DELTA", "_DELTA_RETAINED"])
def test_the_feed_query_walks_the_change_number_index(sqlite_url: str, query: str) -> None:
    """The sync page query must walk ``seq`` in order and stop at LIMIT. A plan that gathers
    every row of the user's scopes and sorts them made each page of a first sync cost the
    whole feed (3,500 changes/s instead of 50,000+: bench/RESULTS.md)."""
    from atrium.server import hot_reads

    authors = [f"author:a{n}" for n in range(10)]
    scopes = ["", "user:u", *(f"community:c{n}" for n in range(30)), *authors]
    dialect = hot_reads.Dialect(postgres=False)
    sql = dialect.sql(getattr(hot_reads, query), [scopes, authors])
    params = [0, 10, *scopes, *authors] + (["2026-01-01", True] if query == "_DELTA_RETAINED" else []) + [500]
    engine = create_db_engine(sqlite_url, pool_size=1)
    try:
        with engine.connect() as conn:
            plan = " | ".join(
                row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params))
            )
    finally:
        engine.dispose()
    assert "seq>? AND seq<?" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
