"""The full-text index never drifts from its tables, whatever the sequence of writes and catch-ups."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atrium.cache import (
    Cache,
    apply,
    apply_changes,
    apply_sync_page,
    catch_up_search,
    enforce_retention,
    enqueue,
    open_cache,
    reindex_search,
    search_backlog,
)
from atrium.cache.errors import MalformedPageError
from atrium.cache.search_index import SEARCHABLE, watermark

from . import factory as f

# No word is a substring of another, and the porter stemmer maps each to a distinct stem.
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "kilo"]
COMMUNITIES = ["01900000-0000-7000-8000-0000000000c1", "01900000-0000-7000-8000-0000000000c2"]
POST_IDS = [f"01900000-0000-7000-8000-00000000010{n}" for n in range(6)]
COMMENT_IDS = [f"01900000-0000-7000-8000-00000000020{n}" for n in range(6)]
USER_IDS = [f"01900000-0000-7000-8000-00000000030{n}" for n in range(4)]
PAGE_IDS = [f"01900000-0000-7000-8000-00000000040{n}" for n in range(4)]

text = st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join)


def _post(post_id: str, community: str, title: str, body: str) -> dict[str, Any]:
    return f.upsert("post", f.post(community, USER_IDS[0], body, id=post_id, title=title or None))


operations = st.one_of(
    st.builds(_post, st.sampled_from(POST_IDS), st.sampled_from(COMMUNITIES), text, text),
    st.builds(lambda i: f.delete("post", i), st.sampled_from(POST_IDS)),
    st.builds(
        lambda i, p, body: f.upsert("comment", f.comment(p, USER_IDS[1], body, id=i)),
        st.sampled_from(COMMENT_IDS),
        st.sampled_from(POST_IDS),
        text,
    ),
    st.builds(lambda i: f.delete("comment", i), st.sampled_from(COMMENT_IDS)),
    st.builds(
        lambda i, name, dept, title: f.upsert(
            "user", f.user("h" + i[-1], name or "nobody", id=i, department=dept, title=title)
        ),
        st.sampled_from(USER_IDS),
        text,
        text,
        text,
    ),
    st.builds(lambda i: f.delete("user", i), st.sampled_from(USER_IDS)),
    st.builds(
        lambda i, c, title, body: f.upsert(
            "wiki_page", f.wiki_page(c, f"p{i[-1]}", title or "untitled", body, id=i)
        ),
        st.sampled_from(PAGE_IDS),
        st.sampled_from([*COMMUNITIES, None]),
        text,
        text,
    ),
    st.builds(lambda i: f.delete("wiki_page", i), st.sampled_from(PAGE_IDS)),
    st.builds(f.drop, st.sampled_from(COMMUNITIES)),
)

# A step: a sync page (with an indexing choice), an optimistic write, a partial catch-up, or eviction.
steps = st.one_of(
    st.tuples(
        st.just("page"), st.lists(operations, min_size=1, max_size=6), st.sampled_from([None, True, False])
    ),
    st.tuples(st.just("optimistic"), st.lists(operations.filter(lambda c: c["type"] != "scope"), max_size=2)),
    st.tuples(st.just("catch_up"), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("evict")),
)


def assert_index_matches_tables(cache: Cache) -> None:
    """Every indexed row is found by exactly the words it holds now; unindexed rows by none."""
    conn = cache.conn
    for table, columns in SEARCHABLE.items():
        indexed_upto = watermark(conn, table)
        for word in WORDS:
            like = " OR ".join(f"ifnull({column}, '') LIKE ?" for column in columns)
            expected = {
                row[0]
                for row in conn.execute(
                    f"SELECT seq FROM {table} WHERE seq <= ? AND ({like})",
                    (indexed_upto, *[f"%{word}%"] * len(columns)),
                )
            }
            found = {
                row[0]
                for row in conn.execute(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?", (word,))
            }
            assert found == expected, (table, word)


def run_steps(cache: Cache, plan: list[tuple[Any, ...]]) -> None:
    for number, step in enumerate(plan):
        if step[0] == "page":
            apply_sync_page(cache, step[1], f"c{number}", index_now=step[2])
        elif step[0] == "optimistic":
            enqueue(cache, "test", "POST", "/x", optimistic_rows=step[1])
        elif step[0] == "catch_up":
            catch_up_search(cache, max_rows=step[1])
        else:
            enforce_retention(cache, days=36500, size_cap_bytes=0)
        assert_index_matches_tables(cache)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=1, max_size=12), st.sampled_from([apply.BULK_RUN, 1]))
def test_the_index_never_drifts_from_the_tables(plan: list[tuple[Any, ...]], bulk_run: int) -> None:
    """Also with every run counted as bulk, so the trigger-free path meets every sequence."""
    with (
        tempfile.TemporaryDirectory() as directory,
        open_cache(Path(directory) / "cache.db") as cache,
        mock.patch.object(apply, "BULK_RUN", bulk_run),
    ):
        run_steps(cache, plan)
        catch_up_search(cache)
        assert search_backlog(cache) == 0
        assert_index_matches_tables(cache)
        for table in SEARCHABLE:  # SQLite's own check: index == content table
            cache.conn.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('integrity-check')")


def test_small_pages_are_searchable_at_once(cache: Cache) -> None:
    group = f.community("G")
    apply_sync_page(cache, [f.upsert("post", f.post(group["id"], None, "alpha bravo"))], "c1")
    assert search_backlog(cache) == 0
    assert (
        cache.conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'alpha'").fetchone()[0] == 1
    )


def test_a_big_page_is_written_first_and_indexed_in_bulk_later(cache: Cache) -> None:
    group = f.community("G")
    page = [f.upsert("post", f.post(group["id"], None, f"alpha number{n}")) for n in range(2500)]
    apply_sync_page(cache, page, "c1")
    assert cache.conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 2500  # readable now
    assert search_backlog(cache) == 2500
    assert (
        cache.conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'alpha'").fetchone()[0] == 0
    )
    assert catch_up_search(cache, max_rows=1000) == 1000  # in slices ...
    assert search_backlog(cache) == 1500
    assert catch_up_search(cache) == 1500  # ... or all at once
    assert catch_up_search(cache) == 0
    assert (
        cache.conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'alpha'").fetchone()[0]
        == 2500
    )


def test_rows_of_an_indexed_table_stay_exact_while_a_backlog_waits(cache: Cache) -> None:
    group = f.community("G")
    first = f.post(group["id"], None, "alpha")
    apply_sync_page(cache, [f.upsert("post", first)], "c1")  # indexed at once
    apply_sync_page(cache, [f.upsert("post", f.post(group["id"], None, "alpha")) for _ in range(3000)], "c2")
    apply_sync_page(cache, [f.upsert("post", {**first, "body": "bravo"})], "c3")  # edit of an indexed row
    assert_index_matches_tables(cache)
    assert (
        cache.conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'bravo'").fetchone()[0] == 1
    )


def test_reindex_rebuilds_everything(cache: Cache) -> None:
    group = f.community("G")
    apply_sync_page(cache, [f.upsert("post", f.post(group["id"], None, "alpha")) for _ in range(2500)], "c1")
    apply_changes(cache, [f.upsert("user", f.user("echo"))])
    reindex_search(cache)
    assert search_backlog(cache) == 0
    assert_index_matches_tables(cache)
    for table in SEARCHABLE:
        cache.conn.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('integrity-check')")


def test_a_reused_rowid_below_the_watermark_is_indexed_at_once(cache: Cache) -> None:
    """Deleting the newest row lets SQLite hand its rowid out again, below the watermark."""
    people = [f.user(f"user{n}", "alpha") for n in range(3)]
    apply_sync_page(cache, [f.upsert("user", person) for person in people], "c1")
    catch_up_search(cache)
    apply_sync_page(cache, [f.delete("user", people[-1]["id"])], "c2", index_now=False)
    apply_sync_page(cache, [f.upsert("user", f.user("newcomer", "bravo"))], "c3", index_now=False)
    reused = cache.conn.execute("SELECT seq FROM users WHERE handle = 'newcomer'").fetchone()[0]
    assert reused <= watermark(cache.conn, "users")
    assert_index_matches_tables(cache)
    assert (
        cache.conn.execute("SELECT count(*) FROM users_fts WHERE users_fts MATCH 'bravo'").fetchone()[0] == 1
    )


def index_triggers(cache: Cache) -> list[tuple[str, str]]:
    return cache.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%' ORDER BY name"
    ).fetchall()


def test_a_big_page_of_new_rows_pays_no_trigger_and_leaves_the_triggers_in_place(cache: Cache) -> None:
    before = index_triggers(cache)
    group = f.community("G")
    first = f.post(group["id"], None, "alpha")
    apply_sync_page(cache, [f.upsert("post", first)], "c1")  # indexed at once: watermark 1
    statements: list[str] = []
    cache.conn.set_trace_callback(statements.append)
    page = [f.upsert("post", f.post(group["id"], None, f"bravo number{n}")) for n in range(apply.BULK_RUN)]
    apply_sync_page(cache, page, "c2")
    cache.conn.set_trace_callback(None)
    assert any(s.startswith("DROP TRIGGER posts_fts_insert") for s in statements)
    assert index_triggers(cache) == before
    catch_up_search(cache)
    assert_index_matches_tables(cache)


def test_a_big_page_editing_indexed_rows_keeps_them_exact(cache: Cache) -> None:
    group = f.community("G")
    posts = [f.post(group["id"], None, "alpha") for _ in range(apply.BULK_RUN)]
    apply_sync_page(cache, [f.upsert("post", post) for post in posts], "c1")
    catch_up_search(cache)
    statements: list[str] = []
    cache.conn.set_trace_callback(statements.append)
    edits = [f.upsert("post", {**post, "body": "bravo"}) for post in posts]
    edits.append(f.upsert("post", f.post(group["id"], None, "charlie")))
    apply_sync_page(cache, edits, "c2", index_now=False)
    cache.conn.set_trace_callback(None)
    assert not any(s.startswith("DROP TRIGGER") for s in statements)  # the triggers had work to do
    assert_index_matches_tables(cache)
    match = "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?"
    assert cache.conn.execute(match, ("bravo",)).fetchone()[0] == apply.BULK_RUN
    assert cache.conn.execute(match, ("alpha",)).fetchone()[0] == 0


def test_a_failing_big_page_restores_the_triggers_and_writes_nothing(cache: Cache) -> None:
    before = index_triggers(cache)
    group = f.community("G")
    page = [f.upsert("post", f.post(group["id"], None, "alpha")) for _ in range(apply.BULK_RUN)]
    page.append(f.upsert("post", {**f.post(group["id"], None, "bravo"), "like_count": 2**70}))
    with pytest.raises(MalformedPageError, match="out of range"):
        apply_sync_page(cache, page, "c1")
    assert index_triggers(cache) == before
    assert cache.conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 0
