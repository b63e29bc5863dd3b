"""Post lists for the panes: the personal feed, a community's feed, questions, a person's posts.

Every list is newest first with keyset pagination: pass the last item's ``position`` (or the
page's ``next_before``) as ``before``. The first page of a feed starts with its pinned posts.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

from .db import CacheLike, connection_of
from .models import POST_SELECT, FeedPage, Post, post_from_row
from .sync_state import current_user_id

FeedFilter = Literal["all", "following", "announcements", "questions", "blogs"]
QuestionState = Literal["open", "solved", "all"]

_KIND_OF_FILTER: dict[str, str | None] = {
    "all": None,
    "following": None,
    "announcements": "announcement",
    "questions": "question",
    "blogs": "blog",
}
_NEWEST = "\U0010ffff"  # sorts after every time string: "before the end of time"
_MAX_PINNED = 20

# Sources of the personal feed, each a boolean over posts ``p``.
_JOINED = "p.community_id IN (SELECT community_id FROM memberships WHERE user_id = :me)"
_FOLLOWED_COMMUNITY = (
    "p.community_id IN (SELECT target_id FROM follows WHERE user_id = :me AND target_type = 'community')"
)
_FOLLOWED_PERSON = (
    "p.author_id IN (SELECT target_id FROM follows WHERE user_id = :me AND target_type = 'user')"
)
_FOLLOWED_TOPIC_TAGS = (
    "SELECT 'topic:' || lower(target_id) FROM follows WHERE user_id = :me AND target_type = 'topic'"
)
_MENTION_TAG = "SELECT 'mention:' || :me"
_KEYSET = "(p.created_at, p.id) < (:before_at, :before_id)"


def _params(
    conn: sqlite3.Connection, me: str | None, before: tuple[str, str] | None, limit: int
) -> dict[str, Any]:
    at, object_id = before if before is not None else (_NEWEST, "")
    return {"me": me or current_user_id(conn) or "", "before_at": at, "before_id": object_id, "n": limit}


def _kind_clause(kind: str | None) -> str:
    return "" if kind is None else f" AND p.kind = '{kind}'"


def _page(conn: sqlite3.Connection, pinned: list[Post], rows: list[Post], limit: int) -> FeedPage:
    next_before = rows[-1].position if len(rows) == limit else None
    return FeedPage(pinned + rows, next_before)


def _fetch(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[Post]:
    return [post_from_row(row) for row in conn.execute(sql, params)]


def personal_feed(
    target: CacheLike,
    *,
    filter: FeedFilter = "all",
    before: tuple[str, str] | None = None,
    limit: int = 30,
    me: str | None = None,
) -> FeedPage:
    """Posts in joined communities, by followed people, with followed topics, announcements and
    posts mentioning me (``following``: followed people, topics and communities only).

    Each source is read through its own index, newest first and bounded by ``limit``; the union
    of those small sets is then ordered, so a page costs the same on a cache of any size.
    """
    if filter not in _KIND_OF_FILTER:
        raise ValueError(f"unknown feed filter {filter!r}")
    conn = connection_of(target)
    params = _params(conn, me, before, limit)
    kind = _KIND_OF_FILTER[filter]
    kinds = _kind_clause(kind)
    following = filter == "following"
    tags = _FOLLOWED_TOPIC_TAGS if following else f"{_FOLLOWED_TOPIC_TAGS} UNION ALL {_MENTION_TAG}"
    if filter == "announcements":
        by_place = "p.kind = 'announcement'"
    elif following:
        by_place = _FOLLOWED_COMMUNITY
    else:
        by_place = f"({_JOINED} OR {_FOLLOWED_COMMUNITY} OR p.kind = 'announcement')"
    branches = [
        f"SELECT p.id, p.created_at FROM posts p WHERE {by_place} AND p.pinned = 0 AND {_KEYSET}{kinds} "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
    ]
    if filter != "announcements":
        branches.append(
            f"SELECT p.id, p.created_at FROM posts p WHERE {_FOLLOWED_PERSON} AND p.pinned = 0 AND {_KEYSET}{kinds} "
            "ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
        )
        branches.append(
            f"SELECT t.post_id, t.created_at FROM post_tags t JOIN posts p ON p.id = t.post_id "
            f"WHERE t.tag IN ({tags}) AND (t.created_at, t.post_id) < (:before_at, :before_id) "
            f"AND p.pinned = 0{kinds} ORDER BY t.created_at DESC, t.post_id DESC LIMIT :n"
        )
    candidates = " UNION ".join(f"SELECT * FROM ({branch})" for branch in branches)
    rows = _fetch(
        conn,
        f"WITH candidates (id) AS (SELECT id FROM ({candidates})) "
        f"SELECT {POST_SELECT} FROM candidates JOIN posts p ON p.id = candidates.id "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    pinned: list[Post] = []
    if before is None:
        tagged = f"EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = p.id AND t.tag IN ({tags}))"
        sources = by_place if filter == "announcements" else f"({by_place} OR {_FOLLOWED_PERSON} OR {tagged})"
        pinned = _fetch(
            conn,
            f"SELECT {POST_SELECT} FROM posts p WHERE p.pinned = 1 AND {sources}{kinds} "
            f"ORDER BY p.created_at DESC, p.id DESC LIMIT {_MAX_PINNED}",
            params,
        )
    return _page(conn, pinned, rows, limit)


def community_feed(
    target: CacheLike,
    community_id: str,
    *,
    kind: str | None = None,
    before: tuple[str, str] | None = None,
    limit: int = 30,
    me: str | None = None,
) -> FeedPage:
    """A community's posts (optionally of one ``kind``), pinned first on the first page."""
    conn = connection_of(target)
    params = {**_params(conn, me, before, limit), "community": community_id, "kind": kind}
    kinds = "" if kind is None else " AND p.kind = :kind"
    rows = _fetch(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE p.community_id = :community AND p.pinned = 0 "
        f"AND {_KEYSET}{kinds} ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    pinned: list[Post] = []
    if before is None:
        pinned = _fetch(
            conn,
            f"SELECT {POST_SELECT} FROM posts p WHERE p.community_id = :community AND p.pinned = 1{kinds} "
            f"ORDER BY p.created_at DESC, p.id DESC LIMIT {_MAX_PINNED}",
            params,
        )
    return _page(conn, pinned, rows, limit)


def questions(
    target: CacheLike,
    *,
    state: QuestionState = "open",
    community_id: str | None = None,
    before: tuple[str, str] | None = None,
    limit: int = 30,
    me: str | None = None,
) -> FeedPage:
    """Questions, newest first: ``open`` (no accepted answer), ``solved`` or ``all``."""
    if state not in ("open", "solved", "all"):
        raise ValueError(f"unknown question state {state!r}")
    conn = connection_of(target)
    params = {**_params(conn, me, before, limit), "community": community_id}
    clauses = ["p.kind = 'question'", _KEYSET]
    if state == "open":
        clauses.append("p.accepted_comment_id IS NULL")
    elif state == "solved":
        clauses.append("p.accepted_comment_id IS NOT NULL")
    if community_id is not None:
        clauses.append("p.community_id = :community")
    rows = _fetch(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE {' AND '.join(clauses)} "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    return _page(conn, [], rows, limit)


def person_posts(
    target: CacheLike,
    user_id: str,
    *,
    before: tuple[str, str] | None = None,
    limit: int = 30,
    me: str | None = None,
) -> FeedPage:
    """A person's recent posts (those the cache holds), newest first."""
    conn = connection_of(target)
    params = {**_params(conn, me, before, limit), "author": user_id}
    rows = _fetch(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE p.author_id = :author AND {_KEYSET} "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    return _page(conn, [], rows, limit)
