"""A post with its comments, for the thread view."""

from __future__ import annotations

from .db import CacheLike, connection_of
from .models import COMMENT_SELECT, POST_SELECT, Thread, comment_from_row, post_from_row
from .sync_state import current_user_id


def thread(target: CacheLike, post_id: str, *, me: str | None = None) -> Thread | None:
    """The post and its comments oldest first (``parent_id`` gives replies), or None if not cached."""
    conn = connection_of(target)
    params = {"me": me or current_user_id(conn) or "", "post": post_id}
    row = conn.execute(f"SELECT {POST_SELECT} FROM posts p WHERE p.id = :post", params).fetchone()
    if row is None:
        return None
    comments = [
        comment_from_row(comment)
        for comment in conn.execute(
            f"SELECT {COMMENT_SELECT} FROM comments c WHERE c.post_id = :post ORDER BY c.created_at, c.id",
            params,
        )
    ]
    return Thread(post_from_row(row), comments)
