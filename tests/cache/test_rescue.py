"""A damaged cache is replaced by a fresh one, and the work only this computer held comes along:
unsent changes (with their "sending" rows), drafts and wiki conflicts, as far as they can be read."""

from __future__ import annotations

from pathlib import Path

from atrium.cache import (
    add_wiki_conflict,
    apply_sync_page,
    enqueue,
    entries,
    load_draft,
    mark_damaged,
    open_cache,
    read_sync_state,
    save_draft,
    set_identity,
    wiki_conflicts,
)
from atrium.cache.rescue import Rescued

from . import factory as f
from .conftest import ME
from .damage import damage_table

SERVER = "https://atrium.example"


def cache_with_unsent_work(path: Path) -> str:
    """A cache of ME with 300 synced users, an unsent post (shown as sending), a draft and a wiki
    conflict; the unsent post's id."""
    with open_cache(path) as cache:
        set_identity(cache, SERVER, ME)
        apply_sync_page(cache, [f.upsert("user", f.user(f"user{n}")) for n in range(300)], "c1")
        post = f.post("c-1", ME, "typed on the plane #travel", topics=["travel"])
        enqueue(cache, "create_post", "POST", "/posts", post, "post", post["id"],
                optimistic_rows=[f.upsert("post", post)])  # fmt: skip
        save_draft(cache, "question", {"title": "Half a question"})
        add_wiki_conflict(cache, "page-1", base_revision_id="r1", base_body="a", local_body="mine",
                          remote_body="theirs", remote_revision_id="r2")  # fmt: skip
    return str(post["id"])


def test_unsent_work_comes_along_from_a_damaged_cache(cache_path: Path) -> None:
    post_id = cache_with_unsent_work(cache_path)
    damage_table(cache_path, "users")
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None, "the damage was found"
        assert cache.rescued == Rescued(unsent=1, drafts=1, conflicts=1, incomplete=False)
        state = read_sync_state(cache)
        assert (state.server, state.user_id, state.cursor) == (SERVER, ME, None), "whose, not how far"
        [entry] = entries(cache)
        assert entry.object_id == post_id and entry.state == "pending"
        row = cache.conn.execute("SELECT body, pending FROM posts WHERE id = ?", (post_id,)).fetchone()
        assert tuple(row) == ("typed on the plane #travel", 1), "still shown as sending"
        tags = cache.conn.execute("SELECT tag FROM post_tags WHERE post_id = ?", (post_id,)).fetchall()
        assert [tag for (tag,) in tags] == ["topic:travel"], "and in its topic's feed"
        draft = load_draft(cache, "question")
        assert draft is not None and draft.fields == {"title": "Half a question"}
        assert [c.local_body for c in wiki_conflicts(cache)] == ["mine"]
        assert cache.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0, "the rest comes by sync"


def test_a_damaged_outbox_gives_what_can_be_read_and_nothing_without_an_owner(cache_path: Path) -> None:
    cache_with_unsent_work(cache_path)
    damage_table(cache_path, "outbox")
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        assert cache.rescued == Rescued(unsent=0, drafts=1, conflicts=1, incomplete=True), "drafts came"
    for file in cache_path.parent.glob("cache.db*"):
        file.unlink()
    cache_with_unsent_work(cache_path)
    damage_table(cache_path, "sync_state")
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        assert not cache.rescued and cache.rescued.incomplete, "whose work it was is unknown: it stays"
        assert entries(cache) == [] and read_sync_state(cache).user_id is None


def test_one_damaged_page_of_the_outbox_loses_only_the_changes_on_it(cache_path: Path) -> None:
    """300 posts typed offline, one page of the outbox damaged: the rest come along, in order,
    each with its row shown as sending; none shows as sending without its change."""
    with open_cache(cache_path) as cache:
        set_identity(cache, SERVER, ME)
        for n in range(300):
            post = f.post("c-1", ME, f"offline post {n} " + "words " * 20)
            enqueue(cache, "create_post", "POST", "/posts", post, "post", post["id"],
                    optimistic_rows=[f.upsert("post", post)])  # fmt: skip
    damage_table(cache_path, "outbox", one_leaf=True)
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        rescued = cache.rescued
        assert 250 < rescued.unsent < 300 and rescued.incomplete, rescued
        kept = entries(cache)
        assert [e.id for e in kept] == sorted(e.id for e in kept), "in the order they were typed"
        sending = {row[0] for row in cache.conn.execute("SELECT id FROM posts WHERE pending = 1")}
        assert sending == {e.object_id for e in kept}, "every post shown as sending has its change"


def test_damage_met_while_opening_without_the_full_check_is_recovered_too(cache_path: Path) -> None:
    """After a clean shutdown no quick_check runs; the damage is met by the first statement that
    reads the page (the outbox's start-up requeue): the copy is set aside all the same."""
    cache_with_unsent_work(cache_path)
    damage_table(cache_path, "outbox")
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is not None and cache.rescued.incomplete
        assert cache.rescued.drafts == 1 and read_sync_state(cache).user_id == ME
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is None, "the fresh copy opens as it is"


def test_a_marker_left_beside_a_deleted_file_does_not_condemn_the_next_one(cache_path: Path) -> None:
    cache_with_unsent_work(cache_path)
    mark_damaged(cache_path)
    for file in cache_path.parent.glob("cache.db*"):
        if not file.name.endswith(".damaged"):
            file.unlink()
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is None
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is None


def test_rows_far_past_a_damaged_page_are_found(cache_path: Path) -> None:
    """Outbox ids jump (a change that waited months): the rescue goes on past the damage by
    seeking, not by trying every id after it."""
    with open_cache(cache_path) as cache:
        set_identity(cache, SERVER, ME)
        for n in range(300):
            post = f.post("c-1", ME, f"offline post {n} " + "words " * 20)
            enqueue(cache, "create_post", "POST", "/posts", post, "post", post["id"])
        cache.conn.execute("UPDATE outbox SET id = id + 1000000 WHERE id > 150")
    damage_table(cache_path, "outbox", one_leaf=True)
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        assert 250 < cache.rescued.unsent < 300, cache.rescued
        assert max(e.id for e in entries(cache)) > 1000000
