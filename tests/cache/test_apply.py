"""apply_sync_page: order, upsert/delete/drop semantics, atomicity, malformed pages, ChangeSet."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atrium.cache import (
    Cache,
    MalformedPageError,
    apply_changes,
    apply_sync_page,
    commit_held,
    open_cache,
    read_sync_state,
)
from atrium.cache.ids import reaction_id, reactions_on
from atrium.cache.purge import collect_doomed_posts

from . import factory as f
from .conftest import ME


def count(cache: Cache, table: str) -> int:
    return int(cache.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def one(cache: Cache, sql: str, *params: Any) -> Any:
    row = cache.conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def test_every_protocol_type_is_stored_with_its_fields(cache: Cache) -> None:
    alice = f.user("alice")
    group = f.community("Printers")
    post = f.post(group["id"], alice["id"], "body text", title="Title", topics=["printing"], mentions=[ME])
    note = f.post(group["id"], alice["id"])
    changes = [
        f.upsert("user", alice),
        f.upsert("community", group),
        f.upsert("membership", f.membership(group["id"], ME)),
        f.upsert("follow", f.follow(ME, "user", alice["id"])),
        f.upsert("post", post),
        f.upsert("post", note),
        f.upsert("comment", f.comment(post["id"], alice["id"])),
        f.upsert("reaction", f.reaction("post", post["id"], ME)),
        f.upsert("wiki_page", f.wiki_page(group["id"], "howto", "How to")),
        f.upsert("app", f.app("expenses")),
        f.upsert("notification", f.notification("mention", alice["id"], post["id"])),
    ]
    apply_sync_page(cache, changes, "c1")
    for table in (
        "users",
        "communities",
        "memberships",
        "follows",
        "comments",
        "reactions",
        "wiki_pages",
        "apps",
    ):
        assert count(cache, table) == 1, table
    assert count(cache, "posts") == 2
    assert count(cache, "notifications") == 1
    row = cache.conn.execute(
        "SELECT title, body, topics, mentions, pinned, comments_enabled, pending FROM posts WHERE id = ?",
        (post["id"],),
    ).fetchone()
    assert row == ("Title", "body text", '["printing"]', f'["{ME}"]', 0, 1, 0)
    assert one(cache, "SELECT allowed_origins FROM apps") == '["https://apps.example"]'
    assert one(cache, "SELECT id FROM memberships") == f"{group['id']}:{ME}"


def test_the_cursor_is_stored_with_the_page(cache: Cache) -> None:
    apply_sync_page(cache, [], "c1")
    state = read_sync_state(cache)
    assert state.cursor == "c1" and state.last_sync_at is not None
    apply_sync_page(cache, [f.upsert("user", f.user("bob"))], "c2")
    assert read_sync_state(cache).cursor == "c2"


def test_upsert_replaces_the_whole_row_and_clears_pending(cache: Cache) -> None:
    group = f.community("Cafe", kind="social")
    post = f.post(group["id"], ME, "draft", title="Mine", topics=["old"])
    apply_changes(cache, [f.upsert("post", post)], pending=True)
    assert one(cache, "SELECT pending FROM posts") == 1
    confirmed = {**post, "body": "final", "title": None, "topics": ["new"], "like_count": 4}
    apply_sync_page(cache, [f.upsert("post", confirmed)], "c1")
    row = cache.conn.execute("SELECT body, title, topics, like_count, pending FROM posts").fetchone()
    assert row == ("final", None, '["new"]', 4, 0)
    assert [r[0] for r in cache.conn.execute("SELECT tag FROM post_tags")] == ["topic:new"]


def test_later_changes_to_the_same_id_win_within_a_page(cache: Cache) -> None:
    group = f.community("Cafe")
    post = f.post(group["id"], ME, "v1")
    comment = f.comment(post["id"], ME)
    apply_sync_page(
        cache,
        [
            f.upsert("post", post),
            f.upsert("comment", comment),
            f.upsert("post", {**post, "body": "v2"}),
            f.upsert("comment", {**comment, "body": "c2"}),
            f.upsert("post", {**post, "body": "v3"}),
        ],
        "c1",
    )
    assert one(cache, "SELECT body FROM posts") == "v3"
    assert one(cache, "SELECT body FROM comments") == "c2"


def test_deletes_keep_their_place_between_upserts(cache: Cache) -> None:
    group = f.community("Cafe")
    post = f.post(group["id"], ME, "v1")
    other = f.post(group["id"], ME, "other")
    apply_sync_page(
        cache,
        [
            f.upsert("post", post),
            f.upsert("post", other),
            f.delete("post", post["id"]),
            f.upsert("post", {**other, "body": "other v2"}),
            f.upsert("post", {**post, "body": "back"}),
            f.delete("post", other["id"]),
        ],
        "c1",
    )
    assert cache.conn.execute("SELECT id, body FROM posts").fetchall() == [(post["id"], "back")]


def test_deleting_a_post_takes_its_comments_and_reactions(cache: Cache) -> None:
    group = f.community("Cafe")
    post = f.post(group["id"], ME, topics=["t"])
    kept = f.post(group["id"], ME)
    comment = f.comment(post["id"], ME)
    apply_sync_page(
        cache,
        [
            f.upsert("post", post),
            f.upsert("post", kept),
            f.upsert("comment", comment),
            f.upsert("comment", f.comment(kept["id"], ME)),
            f.upsert("reaction", f.reaction("post", post["id"], ME)),
            f.upsert("reaction", f.reaction("comment", comment["id"], ME)),
            f.upsert("reaction", f.reaction("post", kept["id"], ME)),
        ],
        "c1",
    )
    changes = apply_sync_page(cache, [f.delete("post", post["id"])], "c2")
    assert count(cache, "posts") == 1 and count(cache, "comments") == 1 and count(cache, "reactions") == 1
    assert count(cache, "post_tags") == 0
    assert changes["post"] == {post["id"]}
    assert changes["comment"] == {comment["id"]}
    assert len(changes["reaction"]) == 2


@pytest.mark.parametrize(
    "targets",
    [
        "SELECT id FROM temp.doomed_posts",
        "SELECT value FROM json_each('[\"a\"]')",
        "SELECT id FROM comments WHERE post_id IN (SELECT id FROM temp.doomed_posts)",
    ],
)
def test_reactions_on_given_targets_are_read_as_key_ranges_not_a_scan(cache: Cache, targets: str) -> None:
    collect_doomed_posts(cache.conn, "SELECT 'a'", ())
    plan = " / ".join(
        row[3] for row in cache.conn.execute(f"EXPLAIN QUERY PLAN {reactions_on('post', targets)}")
    )
    assert "SEARCH r USING PRIMARY KEY (id>? AND id<?)" in plan and "SCAN r" not in plan, plan


def test_a_post_goes_with_its_own_reactions_only_whatever_its_id(cache: Cache) -> None:
    """Reactions are found by their id's target prefix; a neighbour whose id extends this one's
    (not a server's UUID, but any input) keeps its likes."""
    group = f.community("Cafe")
    short, longer = f.post(group["id"], ME, id="a"), f.post(group["id"], ME, id="a:b")
    apply_sync_page(
        cache,
        [f.upsert("post", short), f.upsert("post", longer)]
        + [f.upsert("reaction", f.reaction("post", pid, ME)) for pid in ("a", "a:b")],
        "c1",
    )
    changes = apply_sync_page(cache, [f.delete("post", "a")], "c2")
    assert changes["reaction"] == {reaction_id("post", "a", ME)}
    assert [row[0] for row in cache.conn.execute("SELECT target_id FROM reactions")] == ["a:b"]


def test_a_scope_drop_purges_the_community_and_only_it(cache: Cache) -> None:
    left = f.community("Left", visibility="private")
    stays = f.community("Stays")
    lost_post = f.post(left["id"], ME)
    kept_post = f.post(stays["id"], ME)
    lost_comment = f.comment(lost_post["id"], ME)
    apply_sync_page(
        cache,
        [
            f.upsert("community", left),
            f.upsert("community", stays),
            f.upsert("membership", f.membership(left["id"], ME)),
            f.upsert("membership", f.membership(stays["id"], ME)),
            f.upsert("post", lost_post),
            f.upsert("post", kept_post),
            f.upsert("comment", lost_comment),
            f.upsert("comment", f.comment(kept_post["id"], ME)),
            f.upsert("reaction", f.reaction("comment", lost_comment["id"], ME)),
            f.upsert("reaction", f.reaction("post", lost_post["id"], ME)),
            f.upsert("wiki_page", f.wiki_page(left["id"], "a", "A")),
            f.upsert("wiki_page", f.wiki_page(None, "company", "Company")),
            f.upsert("notification", f.notification("reply", ME, lost_post["id"])),
        ],
        "c1",
    )
    changes = apply_sync_page(cache, [f.drop(left["id"])], "c2")
    assert [r[0] for r in cache.conn.execute("SELECT id FROM communities")] == [stays["id"]]
    assert [r[0] for r in cache.conn.execute("SELECT id FROM posts")] == [kept_post["id"]]
    assert count(cache, "comments") == 1 and count(cache, "reactions") == 0
    assert [r[0] for r in cache.conn.execute("SELECT community_id FROM memberships")] == [stays["id"]]
    assert [r[0] for r in cache.conn.execute("SELECT path FROM wiki_pages")] == ["company"]
    assert count(cache, "notifications") == 1  # the user's own, not the community's
    assert changes["scope"] == {f"community:{left['id']}"}
    assert changes["post"] == {lost_post["id"]}
    assert changes["community"] == {left["id"]}


def test_a_public_community_card_resent_after_its_drop_stays(cache: Cache) -> None:
    public = f.community("Public")
    post = f.post(public["id"], ME)
    apply_sync_page(
        cache,
        [
            f.upsert("community", public),
            f.upsert("membership", f.membership(public["id"], ME)),
            f.upsert("post", post),
        ],
        "c1",
    )
    apply_sync_page(cache, [f.drop(public["id"]), f.upsert("community", public)], "c2")
    assert [r[0] for r in cache.conn.execute("SELECT id FROM communities")] == [public["id"]]
    assert count(cache, "posts") == 0 and count(cache, "memberships") == 0


def test_unknown_types_and_scopes_are_skipped(cache: Cache) -> None:
    alice = f.user("alice")
    apply_sync_page(
        cache,
        [
            {"type": "hologram", "id": "x", "op": "upsert", "data": {"anything": 1}},
            {"type": "hologram", "id": "y", "op": "teleport"},
            {"type": "scope", "id": "galaxy:far", "op": "drop"},
            f.upsert("user", {**alice, "future_field": {"nested": True}}),
        ],
        "c1",
    )
    assert count(cache, "users") == 1
    assert read_sync_state(cache).cursor == "c1"


def _malformed_pages() -> list[tuple[str, Any]]:
    group = f.community("G")
    good = f.post(group["id"], ME)
    return [
        ("missing id", {"type": "post", "op": "upsert", "data": good}),
        ("missing type", {"id": good["id"], "op": "upsert", "data": good}),
        ("not an object", ["post", good["id"]]),
        ("data is a list", {"type": "post", "id": good["id"], "op": "upsert", "data": [good]}),
        ("no data", {"type": "post", "id": good["id"], "op": "upsert"}),
        ("required field missing", f.upsert("post", {k: v for k, v in good.items() if k != "body"})),
        ("required field null", f.upsert("post", {**good, "community_id": None})),
        ("wrong field type", f.upsert("post", {**good, "like_count": "7"})),
        ("bool as int", f.upsert("post", {**good, "pinned": 1})),
        ("list as string", f.upsert("post", {**good, "topics": "a,b"})),
        ("id differs from data", {"type": "post", "id": "another", "op": "upsert", "data": good}),
        ("unknown op", {"type": "post", "id": good["id"], "op": "merge", "data": good}),
        ("scope upsert", {"type": "scope", "id": "community:x", "op": "upsert"}),
        ("empty id", {"type": "comment", "id": "", "op": "delete"}),
    ]


@pytest.mark.parametrize(("reason", "bad"), _malformed_pages(), ids=[r for r, _ in _malformed_pages()])
def test_a_malformed_third_change_writes_nothing_of_the_page(cache: Cache, reason: str, bad: Any) -> None:
    apply_sync_page(cache, [f.upsert("user", f.user("zed"))], "before")
    group = f.community("G2")
    page = [
        f.upsert("community", group),
        f.upsert("post", f.post(group["id"], ME)),
        bad,
        f.upsert("user", f.user("x")),
    ]
    with pytest.raises(MalformedPageError) as raised:
        apply_sync_page(cache, page, "after")
    assert raised.value.index == 2
    assert read_sync_state(cache).cursor == "before"
    assert count(cache, "communities") == 0 and count(cache, "posts") == 0 and count(cache, "users") == 1


def test_a_failure_while_writing_rolls_the_whole_page_back(cache: Cache) -> None:
    apply_sync_page(cache, [], "before")
    cache.conn.execute(
        "CREATE TRIGGER explode BEFORE INSERT ON comments BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    group = f.community("G")
    post = f.post(group["id"], ME)
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        apply_sync_page(
            cache, [f.upsert("post", post), f.upsert("comment", f.comment(post["id"], ME))], "after"
        )
    assert read_sync_state(cache).cursor == "before"
    assert count(cache, "posts") == 0
    assert not cache.conn.in_transaction


def test_reapplying_a_page_is_idempotent(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], ME, topics=["x"], mentions=[ME])
    page = [
        f.upsert("community", group),
        f.upsert("post", post),
        f.upsert("comment", f.comment(post["id"], ME)),
        f.upsert("reaction", f.reaction("post", post["id"], ME)),
    ]
    apply_sync_page(cache, page, "c1")
    snapshot = {t: count(cache, t) for t in ("communities", "posts", "comments", "reactions", "post_tags")}
    apply_sync_page(cache, page, "c1")
    assert (
        {t: count(cache, t) for t in snapshot}
        == snapshot
        == {
            "communities": 1,
            "posts": 1,
            "comments": 1,
            "reactions": 1,
            "post_tags": 2,
        }
    )


def test_the_changeset_names_every_touched_id(cache: Cache) -> None:
    alice = f.user("alice")
    group = f.community("G")
    post = f.post(group["id"], alice["id"])
    changes = apply_sync_page(
        cache, [f.upsert("user", alice), f.upsert("post", post), f.delete("comment", "gone")], "c1"
    )
    assert changes == {"user": {alice["id"]}, "post": {post["id"]}, "comment": {"gone"}}
    assert changes.touches("post", post["id"]) and not changes.touches("wiki_page")


def test_a_post_without_author_from_an_app_is_accepted(cache: Cache) -> None:
    group = f.community("G")
    apply_sync_page(
        cache, [f.upsert("post", f.post(group["id"], None, kind="app_event", app_id="app-1"))], "c1"
    )
    assert one(cache, "SELECT app_id FROM posts") == "app-1"


def test_a_number_wider_than_sqlite_takes_is_refused_and_nothing_written(cache: Cache) -> None:
    apply_sync_page(cache, [], "before")
    group = f.community("G")
    page = [f.upsert("community", group), f.upsert("post", {**f.post(group["id"], ME), "like_count": 2**70})]
    with pytest.raises(MalformedPageError, match="out of range"):
        apply_sync_page(cache, page, "after")
    assert read_sync_state(cache).cursor == "before"
    assert count(cache, "communities") == 0 and count(cache, "posts") == 0


def test_held_pages_are_seen_together_when_committed(cache: Cache) -> None:
    group = f.community("G")
    apply_sync_page(cache, [f.upsert("community", group)], "c1", commit=False)
    apply_sync_page(cache, [f.upsert("post", f.post(group["id"], ME))], "c2", commit=False)
    reader = open_cache(cache.path, read_only=True)
    try:
        assert count(reader, "communities") == 0 and read_sync_state(reader).cursor is None
        assert commit_held(cache) is True
        assert count(reader, "communities") == 1 and count(reader, "posts") == 1
        assert read_sync_state(reader).cursor == "c2"
    finally:
        reader.close()
    assert commit_held(cache) is False  # nothing left open


def test_a_held_page_that_fails_while_writing_is_undone_alone(cache: Cache) -> None:
    group = f.community("G")
    apply_sync_page(cache, [f.upsert("community", group)], "c1", commit=False)
    bad = [f.upsert("user", f.user("x")), f.upsert("post", {**f.post(group["id"], ME), "like_count": 2**70})]
    with pytest.raises(MalformedPageError, match="out of range"):
        apply_sync_page(cache, bad, "c2", commit=False)
    commit_held(cache)
    assert read_sync_state(cache).cursor == "c1"
    assert count(cache, "communities") == 1
    assert count(cache, "users") == 0 and count(cache, "posts") == 0


def test_a_write_after_held_pages_commits_them_and_fails_alone(cache: Cache) -> None:
    apply_sync_page(cache, [f.upsert("user", f.user("ann"))], "c1", commit=False)
    group = f.community("G")
    bad = [
        f.upsert("user", f.user("bob")),
        f.upsert("post", {**f.post(group["id"], ME), "like_count": 2**70}),
    ]
    with pytest.raises(MalformedPageError):
        apply_changes(cache, bad)  # its own transaction: nothing of it is written
    assert not cache.conn.in_transaction
    handles = [row[0] for row in cache.conn.execute("SELECT handle FROM users ORDER BY handle")]
    assert handles == ["ann"] and read_sync_state(cache).cursor == "c1"
    assert commit_held(cache) is False  # the write committed the held page before it began


def test_closing_the_cache_commits_held_pages(cache_path: Any) -> None:
    cache = open_cache(cache_path)
    apply_sync_page(cache, [f.upsert("user", f.user("x"))], "c1", commit=False)
    cache.close()
    reopened = open_cache(cache_path)
    try:
        assert read_sync_state(reopened).cursor == "c1" and count(reopened, "users") == 1
    finally:
        reopened.close()


_texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    versions=st.lists(
        st.fixed_dictionaries(
            {
                "body": _texts.filter(bool),
                "title": st.none() | _texts,
                "like_count": st.integers(min_value=-(2**63), max_value=2**63 - 1),
                "pinned": st.booleans(),
                "topics": st.lists(_texts.filter(bool), max_size=3),
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_every_field_value_survives_the_bulk_write_and_the_last_version_wins(
    cache: Cache, versions: list[dict[str, Any]]
) -> None:
    """Any text (emoji, quotes, backslashes, other scripts), any 64-bit integer, booleans, nulls
    and lists come out of the cache as they went in, and the page's last version of a row wins."""
    group = f.community("G")
    base = f.post(group["id"], ME)
    page = [f.upsert("community", group)] + [f.upsert("post", {**base, **version}) for version in versions]
    apply_sync_page(cache, page, "c")
    last = versions[-1]
    row = cache.conn.execute(
        "SELECT body, title, like_count, pinned, topics FROM posts WHERE id = ?", (base["id"],)
    ).fetchone()
    assert row == (
        last["body"],
        last["title"],
        last["like_count"],
        int(last["pinned"]),
        orjson.dumps(last["topics"]).decode(),
    )
    tags = {
        tag for (tag,) in cache.conn.execute("SELECT tag FROM post_tags WHERE post_id = ?", (base["id"],))
    }
    assert tags == {f"topic:{topic.lower()}" for topic in last["topics"]}


# A small universe of ids that extend one another across the ':' and ';' the key ranges use.
_odd_ids = st.sampled_from(["a", "a:", "a:a", "a:b", "a;", "a;b", ":", "b"])


@settings(max_examples=80, deadline=None)
@given(
    post_ids=st.lists(_odd_ids, min_size=1, max_size=5, unique=True),
    comment_ids=st.lists(_odd_ids, max_size=5, unique=True),
    likers=st.lists(st.sampled_from(["u", "u:1", "v;", ME]), min_size=1, max_size=3, unique=True),
    data=st.data(),
)
def test_deletes_take_exactly_the_reactions_on_what_goes(
    tmp_path_factory: pytest.TempPathFactory,
    post_ids: list[str],
    comment_ids: list[str],
    likers: list[str],
    data: st.DataObject,
) -> None:
    """Reactions are found by their id's target prefix: whatever the ids (':' and ';' included,
    posts and comments sharing ids), deleting posts and comments removes the reactions on them,
    their comments' reactions, and nothing else."""
    comment_post = {cid: data.draw(st.sampled_from(post_ids)) for cid in comment_ids}
    targets = [("post", pid) for pid in post_ids] + [("comment", cid) for cid in comment_ids]
    liked = data.draw(st.lists(st.sampled_from(targets), unique=True))
    deleted_posts = set(data.draw(st.lists(st.sampled_from(post_ids), unique=True)))
    deleted_comments = (
        set(data.draw(st.lists(st.sampled_from(comment_ids), unique=True))) if comment_ids else set()
    )
    reactions = {reaction_id(kind, target, user): (kind, target) for kind, target in liked for user in likers}
    group = f.community("G")
    with open_cache(tmp_path_factory.mktemp("odd") / "cache.db") as cache:
        apply_sync_page(
            cache,
            [f.upsert("community", group)]
            + [f.upsert("post", f.post(group["id"], ME, id=pid)) for pid in post_ids]
            + [f.upsert("comment", f.comment(post, ME, id=cid)) for cid, post in comment_post.items()]
            + [
                f.upsert("reaction", f.reaction(kind, target, user))
                for kind, target in liked
                for user in likers
            ],
            "c1",
        )
        changes = apply_sync_page(
            cache,
            [f.delete("comment", cid) for cid in sorted(deleted_comments)]
            + [f.delete("post", pid) for pid in sorted(deleted_posts)],
            "c2",
        )
        gone_comments = deleted_comments | {
            cid for cid, post in comment_post.items() if post in deleted_posts
        }
        gone = {
            rid
            for rid, (kind, target) in reactions.items()
            if (kind == "post" and target in deleted_posts) or (kind == "comment" and target in gone_comments)
        }
        left = {row[0] for row in cache.conn.execute("SELECT id FROM reactions")}
        assert left == set(reactions) - gone
        assert changes.get("reaction", set()) == gone
