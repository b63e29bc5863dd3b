"""Child process for test_kill.py: applies deterministic sync pages to a cache until killed.

``python -m tests.cache.kill_child <cache path>``; prints "ready" once the cache is open.
"""

from __future__ import annotations

import sys
from typing import Any

from atrium.cache import apply_sync_page, open_cache, read_sync_state

PAGES = 80
POSTS_PER_PAGE = 300
COMMUNITY = "01900000-0000-7000-8000-0000000000c1"
AUTHOR = "01900000-0000-7000-8000-0000000000a1"


def post_id(page: int, number: int) -> str:
    return f"01900000-{page:04x}-7000-8000-{number:012x}"


def comment_id(page: int, number: int) -> str:
    return f"01900001-{page:04x}-7000-8000-{number:012x}"


def _post(page: int, number: int, body: str) -> dict[str, Any]:
    return {
        "id": post_id(page, number),
        "community_id": COMMUNITY,
        "author_id": AUTHOR,
        "kind": "post",
        "title": f"page {page} post {number}",
        "body": body,
        "created_at": f"2026-11-01T00:00:00.{page:03d}Z",
        "pinned": False,
        "comments_enabled": True,
        "mentions": [],
        "topics": [f"p{page}"],
        "attachments": [],
        "like_count": 0,
        "comment_count": 1,
    }


def page_changes(page: int) -> list[dict[str, Any]]:
    """Page ``page`` (1-based): new posts and comments, an edit of the previous page's first post,
    and the delete of post 1 of the page before that."""
    changes: list[dict[str, Any]] = []
    for number in range(POSTS_PER_PAGE):
        data = _post(page, number, f"word{page} body of post {number} " * 8)
        changes.append({"type": "post", "id": data["id"], "op": "upsert", "data": data})
        comment = {
            "id": comment_id(page, number),
            "post_id": data["id"],
            "author_id": AUTHOR,
            "body": f"comment on page {page} " * 5,
            "created_at": data["created_at"],
            "like_count": 0,
        }
        changes.append({"type": "comment", "id": comment["id"], "op": "upsert", "data": comment})
    if page >= 2:
        edited = _post(page - 1, 0, f"edited in page {page}")
        changes.append({"type": "post", "id": edited["id"], "op": "upsert", "data": edited})
    if page >= 3:
        changes.append({"type": "post", "id": post_id(page - 2, 1), "op": "delete"})
    return changes


def main() -> None:
    cache = open_cache(sys.argv[1])
    cursor = read_sync_state(cache).cursor
    start = int(cursor) + 1 if cursor else 1
    print("ready", flush=True)
    for page in range(start, PAGES + 1):
        apply_sync_page(cache, page_changes(page), str(page))
    print("done", flush=True)


if __name__ == "__main__":
    main()
