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
        post = f.post("c-1", ME, "typed on the plane")
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
        assert cache.rescued == Rescued(unsent=1, drafts=1, conflicts=1)
        state = read_sync_state(cache)
        assert (state.server, state.user_id, state.cursor) == (SERVER, ME, None), "whose, not how far"
        [entry] = entries(cache)
        assert entry.object_id == post_id and entry.state == "pending"
        row = cache.conn.execute("SELECT body, pending FROM posts WHERE id = ?", (post_id,)).fetchone()
        assert tuple(row) == ("typed on the plane", 1), "still shown as sending"
        draft = load_draft(cache, "question")
        assert draft is not None and draft.fields == {"title": "Half a question"}
        assert [c.local_body for c in wiki_conflicts(cache)] == ["mine"]
        assert cache.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0, "the rest comes by sync"


def test_a_damaged_outbox_gives_what_can_be_read_and_nothing_without_an_owner(cache_path: Path) -> None:
    cache_with_unsent_work(cache_path)
    damage_table(cache_path, "outbox")
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        assert cache.rescued == Rescued(unsent=0, drafts=1, conflicts=1), "the drafts still came"
    for file in cache_path.parent.glob("cache.db*"):
        file.unlink()
    cache_with_unsent_work(cache_path)
    damage_table(cache_path, "sync_state")
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        assert not cache.rescued, "whose work it was is unknown: it stays in the damaged copy"
        assert entries(cache) == [] and read_sync_state(cache).user_id is None
