"""The panes' hot queries read through indexes: a guard against a full scan creeping back in."""

from __future__ import annotations

import pytest

from atrium.cache import Cache, feed

PARAMS = {"key": "x", "kind": None, "before_at": "z", "before_id": "", "n": 30, "me": "m"}


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (feed._BY_COMMUNITY, "posts_by_community"),
        (feed._BY_AUTHOR, "posts_by_author"),
        (feed._BY_TAG, "post_tags_by_tag"),
        (feed._ANNOUNCEMENTS, "posts_announcements"),
        (
            "SELECT id FROM posts p WHERE p.kind = 'question' AND (p.created_at, p.id) < ('z', '') "
            "ORDER BY p.created_at DESC, p.id DESC LIMIT 30",
            "posts_questions",
        ),
        (
            "SELECT id FROM comments c WHERE c.post_id = 'x' ORDER BY c.created_at, c.id",
            "comments_by_post",
        ),
        (
            "SELECT id FROM notifications n ORDER BY n.read, n.created_at DESC, n.id DESC LIMIT 50",
            "notifications_by_state",
        ),
        ("SELECT id FROM users WHERE display_name LIKE 'al%' ESCAPE '\\'", "users_by_display_name"),
    ],
)
def test_hot_queries_use_their_index(cache: Cache, sql: str, index: str) -> None:
    plan = " | ".join(row[3] for row in cache.conn.execute(f"EXPLAIN QUERY PLAN {sql}", PARAMS))
    assert f"INDEX {index}" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
