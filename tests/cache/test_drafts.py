"""Drafts: kept across closes and restarts, replaced as one types, gone with the send that used them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from atrium.cache import (
    DRAFT,
    Cache,
    MalformedPageError,
    apply_sync_page,
    delete_draft,
    draft_count,
    drafts,
    enforce_retention,
    enqueue,
    entries,
    load_draft,
    open_cache,
    save_draft,
    set_identity,
)
from atrium.cache.migrations import MIGRATIONS

from . import factory as f
from .conftest import ME


def test_a_draft_is_there_after_the_cache_is_closed_and_opened_again(cache_path: Path) -> None:
    with open_cache(cache_path) as cache:
        changes = save_draft(
            cache, "post", {"title": "Q3 plan", "body": "First: é, 日本, 🙂", "kind": "blog"}
        )
        assert changes == {DRAFT: {"post"}}
    with open_cache(cache_path) as cache:
        found = load_draft(cache, "post")
        assert found is not None
        assert found.fields == {"title": "Q3 plan", "body": "First: é, 日本, 🙂", "kind": "blog"}
        assert found.updated_at


def test_saving_again_replaces_the_draft_and_deleting_forgets_it(cache: Cache) -> None:
    save_draft(cache, "comment:p1", {"body": "Thanks, th"})
    save_draft(cache, "comment:p1", {"body": "Thanks, that fixed it"})
    found = load_draft(cache, "comment:p1")
    assert found is not None and found.fields == {"body": "Thanks, that fixed it"}
    assert draft_count(cache) == 1
    assert delete_draft(cache, "comment:p1") == {DRAFT: {"comment:p1"}}
    assert load_draft(cache, "comment:p1") is None
    assert delete_draft(cache, "comment:p1") == {}  # nothing to forget: nothing changed


def test_drafts_are_listed_by_key_prefix(cache: Cache) -> None:
    save_draft(cache, "comment:p1", {"body": "one"})
    save_draft(cache, "comment:p2", {"body": "two"})
    save_draft(cache, "post", {"body": "three"})
    assert {d.key for d in drafts(cache, "comment:")} == {"comment:p1", "comment:p2"}
    assert len(drafts(cache)) == 3


def test_an_unreadable_draft_reads_as_none(cache: Cache) -> None:
    cache.conn.execute("INSERT INTO drafts VALUES ('post', '{not json', '2026-01-01T00:00:00Z')")
    cache.conn.execute("INSERT INTO drafts VALUES ('question', '[1, 2]', '2026-01-01T00:00:00Z')")
    assert load_draft(cache, "post") is None
    assert load_draft(cache, "question") is None
    assert drafts(cache) == []


def _queue_comment(
    cache: Cache, post_id: str, body: str, *, draft_key: str | None, rows: list[dict[str, Any]]
) -> None:
    enqueue(
        cache,
        "create_comment",
        "POST",
        f"/posts/{post_id}/comments",
        {"id": "c1", "body": body},
        "comment",
        "c1",
        optimistic_rows=rows,
        draft_key=draft_key,
    )


def test_sending_deletes_the_draft_in_the_same_transaction(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], ME, "Printer on floor 3?")
    apply_sync_page(cache, [f.upsert("community", group), f.upsert("post", post)], "c1")
    save_draft(cache, f"comment:{post['id']}", {"body": "Restart it"})
    comment = f.comment(post["id"], ME, "Restart it")
    key = f"comment:{post['id']}"
    _queue_comment(cache, post["id"], "Restart it", draft_key=key, rows=[f.upsert("comment", comment)])
    assert load_draft(cache, f"comment:{post['id']}") is None
    assert len(entries(cache)) == 1


def test_a_send_that_fails_keeps_the_draft(cache: Cache) -> None:
    save_draft(cache, "comment:p1", {"body": "Restart it"})
    with pytest.raises(MalformedPageError):
        _queue_comment(
            cache, "p1", "Restart it", draft_key="comment:p1", rows=[{"type": "comment", "op": "upsert"}]
        )
    assert load_draft(cache, "comment:p1") is not None
    assert entries(cache) == []


def test_retention_and_the_size_cap_never_touch_drafts(cache: Cache) -> None:
    save_draft(cache, "post", {"body": "x" * 200_000})
    enforce_retention(cache, days=0, size_cap_bytes=0)
    found = load_draft(cache, "post")
    assert found is not None and len(found.fields["body"]) == 200_000


def test_a_format_2_cache_gains_drafts_and_keeps_its_content(cache_path: Path) -> None:
    group = f.community("G")
    with open_cache(cache_path, migrations=MIGRATIONS[:2]) as cache:  # as the previous Atrium wrote it
        set_identity(cache, "https://atrium.example", ME)
        f.write_as_an_older_atrium(cache.conn, [f.upsert("community", group)])
    with open_cache(cache_path) as cache:
        save_draft(cache, "post", {"body": "hello"})
        assert load_draft(cache, "post") is not None
        assert cache.conn.execute("SELECT count(*) FROM communities").fetchone()[0] == 1
