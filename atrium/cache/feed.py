"""Post lists for the panes: the personal feed, a community's feed, questions, a person's posts.

Every list is newest first with keyset pagination: pass the page's ``next_before`` (the last
post's ``position``) as ``before``. The first page of a feed starts with its pinned posts.
"""

from __future__ import annotations

import heapq
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

import orjson

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
_KEYSET = "(p.created_at, p.id) < (:before_at, :before_id)"
_KIND = "(:kind IS NULL OR p.kind = :kind)"

# One newest-first index range per source, each bounded by the page size (covering indexes:
# the pinned/kind filters are read from the index, not the rows).
_BY_COMMUNITY = (
    f"SELECT p.created_at, p.id FROM posts p WHERE p.community_id = :key AND p.pinned = 0 AND {_KIND} "
    f"AND {_KEYSET} ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
)
_BY_AUTHOR = (
    f"SELECT p.created_at, p.id FROM posts p WHERE p.author_id = :key AND p.pinned = 0 AND {_KIND} "
    f"AND {_KEYSET} ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
)
_BY_TAG = (
    "SELECT t.created_at, t.post_id FROM post_tags t WHERE t.tag = :key AND t.pinned = 0 "
    "AND (:kind IS NULL OR t.kind = :kind) AND (t.created_at, t.post_id) < (:before_at, :before_id) "
    "ORDER BY t.created_at DESC, t.post_id DESC LIMIT :n"
)
_ANNOUNCEMENTS = (
    "SELECT p.created_at, p.id FROM posts p WHERE p.kind = 'announcement' AND p.pinned = 0 "
    f"AND {_KEYSET} ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
)


@dataclass(frozen=True)
class _Sources:
    """Where the personal feed's posts come from, for one user and filter."""

    communities: list[str]
    authors: list[str]
    tags: list[str]
    announcements: bool


def _me(conn: sqlite3.Connection, me: str | None) -> str:
    return me or current_user_id(conn) or ""


def _params(me: str, before: tuple[str, str] | None, limit: int, **more: Any) -> dict[str, Any]:
    at, object_id = before if before is not None else (_NEWEST, "")
    return {"me": me, "before_at": at, "before_id": object_id, "n": limit, **more}


def _column(conn: sqlite3.Connection, sql: str, *params: Any) -> list[str]:
    return [row[0] for row in conn.execute(sql, params)]


def _sources(conn: sqlite3.Connection, me: str, filter: str) -> _Sources:
    followed = "SELECT target_id FROM follows WHERE user_id = ? AND target_type = ?"
    if filter == "announcements":
        return _Sources([], [], [], True)
    communities = _column(conn, followed, me, "community")
    topics = [f"topic:{topic.lstrip('#').lower()}" for topic in _column(conn, followed, me, "topic")]
    authors = _column(conn, followed, me, "user")
    if filter == "following":
        return _Sources(communities, authors, topics, False)
    joined = _column(conn, "SELECT community_id FROM memberships WHERE user_id = ?", me)
    return _Sources(sorted({*joined, *communities}), authors, [*topics, f"mention:{me}"], True)


def _fetch_posts(conn: sqlite3.Connection, ids: list[str], me: str) -> list[Post]:
    """The posts with these ids, newest first."""
    rows = conn.execute(
        f"SELECT {POST_SELECT} FROM posts p WHERE p.id IN (SELECT value FROM json_each(:ids)) "
        "ORDER BY p.created_at DESC, p.id DESC",
        {"ids": orjson.dumps(ids).decode(), "me": me},
    )
    return [post_from_row(row) for row in rows]


def _select_posts(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[Post]:
    return [post_from_row(row) for row in conn.execute(sql, params)]


def _page(pinned: list[Post], rows: list[Post], limit: int) -> FeedPage:
    next_before = rows[-1].position if len(rows) == limit else None
    return FeedPage(pinned + rows, next_before)


def _pinned_from_sources(
    conn: sqlite3.Connection, sources: _Sources, kind: str | None, me: str
) -> list[Post]:
    """Pinned posts of the sources (few: read through the partial index of pinned posts)."""
    clauses = [
        "p.community_id IN (SELECT value FROM json_each(:communities))",
        "p.author_id IN (SELECT value FROM json_each(:authors))",
        "EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = p.id AND t.tag IN (SELECT value FROM json_each(:tags)))",
    ]
    if sources.announcements:
        clauses.append("p.kind = 'announcement'")
    return _select_posts(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE p.pinned = 1 AND ({' OR '.join(clauses)}) AND {_KIND} "
        f"ORDER BY p.created_at DESC, p.id DESC LIMIT {_MAX_PINNED}",
        {
            "communities": orjson.dumps(sources.communities).decode(),
            "authors": orjson.dumps(sources.authors).decode(),
            "tags": orjson.dumps(sources.tags).decode(),
            "kind": kind,
            "me": me,
        },
    )


def personal_feed(
    target: CacheLike,
    *,
    filter: FeedFilter = "all",
    before: tuple[str, str] | None = None,
    limit: int = 30,
    me: str | None = None,
) -> FeedPage:
    """Posts in joined communities, by followed people, with followed topics, announcements and
    posts mentioning me; ``following``: followed people, topics and communities only.

    Each source (a community, a person, a topic…) is read through its own index, newest first
    and at most ``limit`` posts; the page is the newest ``limit`` of their union. So a page costs
    the same on a cache of any size, whether a source is busy or nearly silent.
    """
    if filter not in _KIND_OF_FILTER:
        raise ValueError(f"unknown feed filter {filter!r}")
    conn = connection_of(target)
    me = _me(conn, me)
    kind = _KIND_OF_FILTER[filter]
    sources = _sources(conn, me, filter)
    params = _params(me, before, limit, kind=kind)
    candidates: set[tuple[str, str]] = set()
    for sql, keys in (
        (_BY_COMMUNITY, sources.communities),
        (_BY_AUTHOR, sources.authors),
        (_BY_TAG, sources.tags),
    ):
        for key in keys:
            candidates.update(conn.execute(sql, {**params, "key": key}))
    if sources.announcements and kind in (None, "announcement"):
        candidates.update(conn.execute(_ANNOUNCEMENTS, params))
    newest = heapq.nlargest(limit, candidates)
    rows = _fetch_posts(conn, [post_id for _, post_id in newest], me)
    pinned = _pinned_from_sources(conn, sources, kind, me) if before is None else []
    return _page(pinned, rows, limit)


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
    params = _params(_me(conn, me), before, limit, key=community_id, kind=kind)
    rows = _select_posts(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE p.community_id = :key AND p.pinned = 0 AND {_KIND} "
        f"AND {_KEYSET} ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    pinned: list[Post] = []
    if before is None:
        pinned = _select_posts(
            conn,
            f"SELECT {POST_SELECT} FROM posts p WHERE p.community_id = :key AND p.pinned = 1 AND {_KIND} "
            f"ORDER BY p.created_at DESC, p.id DESC LIMIT {_MAX_PINNED}",
            params,
        )
    return _page(pinned, rows, limit)


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
    params = _params(_me(conn, me), before, limit, community=community_id)
    clauses = ["p.kind = 'question'", _KEYSET]  # the literal kind selects the partial index
    if state == "open":
        clauses.append("p.accepted_comment_id IS NULL")
    elif state == "solved":
        clauses.append("p.accepted_comment_id IS NOT NULL")
    if community_id is not None:
        clauses.append("p.community_id = :community")
    rows = _select_posts(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE {' AND '.join(clauses)} "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    return _page([], rows, limit)


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
    params = _params(_me(conn, me), before, limit, author=user_id)
    rows = _select_posts(
        conn,
        f"SELECT {POST_SELECT} FROM posts p WHERE p.author_id = :author AND {_KEYSET} "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT :n",
        params,
    )
    return _page([], rows, limit)
