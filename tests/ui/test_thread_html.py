"""The thread document says what the offline copy lacks instead of miscounting it."""

from __future__ import annotations

from typing import Any

from atrium.cache.models import Post, Thread
from atrium.ui.widgets.thread_html import ThreadState, thread_html


def a_post(**changes: Any) -> Post:
    fields: dict[str, Any] = {
        "id": "p1", "community_id": "c1", "author_id": "u1", "app_id": None, "kind": "post",
        "title": None, "body": "Golden hour over the harbour", "created_at": "2026-11-27T10:00:00Z",
        "edited_at": None, "pinned": False, "comments_enabled": True, "accepted_comment_id": None,
        "mentions": [], "topics": [], "attachments": [], "like_count": 0, "comment_count": 0,
        "pending": False, "body_evicted": False, "last_read_at": None, "author_name": "Ana",
        "community_name": "Photography", "liked_by_me": False,
    }  # fmt: skip
    fields.update(changes)
    return Post(**fields)


def test_comments_not_kept_offline_are_counted_and_explained() -> None:
    """A followed person's post in a community one has not joined comes without its comments."""
    page = thread_html(Thread(a_post(comment_count=5), []), ThreadState(me="u2"))
    assert "5 comments" in page
    assert "not in your offline copy" in page


def test_a_complete_thread_has_no_such_note() -> None:
    page = thread_html(Thread(a_post(comment_count=0), []), ThreadState(me="u2"))
    assert "0 comments" in page
    assert "offline copy" not in page


def test_a_refused_comment_says_why_and_is_not_counted() -> None:
    from atrium.cache.models import Comment

    refused = Comment(
        "k1", "p1", "u2", None, "Me too", "2026-11-27T10:05:00Z", None, 0, True, False, "Bo", False, False
    )
    page = thread_html(
        Thread(a_post(comment_count=0), [refused]),
        ThreadState(me="u2", failed_comments={"k1": "Comments are switched off for this post."}),
    )
    assert "0 comments" in page, "the card and the thread agree: the server has none"
    assert "Comments are switched off for this post." in page
    assert "atrium://action/retry/comment%3Ak1" in page and "atrium://action/discard/comment%3Ak1" in page
    assert "like-comment" not in page and "action/reply" not in page, (
        "no like or reply to what the server lacks"
    )
