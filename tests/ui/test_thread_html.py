"""The thread document says what the offline copy lacks instead of miscounting it."""

from __future__ import annotations

from typing import Any

from atrium.cache import OfflineFiles
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


def test_each_attachment_says_whether_it_is_here_kept_or_failing() -> None:
    shas = ["a" * 64, "b" * 64, "c" * 64, "d" * 64]
    files = [
        {"id": f"f{n}", "name": f"file{n}.pdf", "size": 2048, "sha256": sha} for n, sha in enumerate(shas)
    ]
    state = ThreadState(
        me="u2",
        files=OfflineFiles(
            here=frozenset({shas[1], shas[2]}),
            kept=frozenset({shas[2], shas[3]}),
            failed={shas[3]: "the copy on the server is damaged"},
        ),
    )
    page = thread_html(Thread(a_post(attachments=files), []), state)
    lines = page.split("file")[1:]
    assert "Keep\u00a0offline" in lines[0] and "on\u00a0this" not in lines[0]
    assert "on\u00a0this\u00a0computer" in lines[1] and "Keep\u00a0offline" in lines[1]
    assert "✓ Kept offline" in lines[2] and "Stop\u00a0keeping" in lines[2]
    assert "could not be downloaded: the copy on the server is damaged" in lines[3]
    assert "Try\u00a0again" in lines[3]
