"""Offline search over posts, comments, wiki pages and people: bm25 ranking, solved questions
first, highlighted snippets.

Interactive speed on a large cache comes from bounding the candidates: a term found in most
documents would otherwise rank every match. Each kind ranks at most CANDIDATE_LIMIT matches,
the most recently cached ones (found in rowid order, which costs no ranking).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from .db import CacheLike, connection_of
from .models import SearchHit

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
"""Snippets wrap matched terms in these: escape the snippet for display, then replace the markers
(e.g. with ``<b>``/``</b>``). They never occur in Markdown text."""
ELLIPSIS = "…"
SEARCH_KINDS = ("post", "comment", "wiki_page", "user")
CANDIDATE_LIMIT = 2000
_SNIPPET_TOKENS = 16
_WORD = re.compile(r"\w+", re.UNICODE)


def match_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 query from what the user typed: every word must occur (any column); with
    ``prefix_last`` the last word also matches longer words (search as you type). None if no words."""
    words = _WORD.findall(text.lower())
    if not words:
        return None
    terms = [f'"{word}"' for word in words]
    if prefix_last and not text[-1:].isspace() and len(words[-1]) >= 3:
        terms[-1] += "*"
    return " ".join(terms)


# kind -> (fts table, bm25 weights, snippet column, ranked SELECT over fts ``f`` joined to its table)
_KINDS: dict[str, tuple[str, str, int, str]] = {
    "post": (
        "posts_fts",
        "10.0, 1.0",
        1,
        "SELECT f.rowid, p.id, ifnull(p.title, ''), p.created_at, p.id, p.community_id, "
        "p.kind = 'question' AND p.accepted_comment_id IS NOT NULL, {score} "
        "FROM posts_fts f JOIN posts p ON p.seq = f.rowid",
    ),
    "comment": (
        "comments_fts",
        "1.0",
        0,
        "SELECT f.rowid, c.id, ifnull(pp.title, ''), c.created_at, c.post_id, pp.community_id, "
        "ifnull(pp.accepted_comment_id = c.id, 0), {score} "
        "FROM comments_fts f JOIN comments c ON c.seq = f.rowid LEFT JOIN posts pp ON pp.id = c.post_id",
    ),
    "wiki_page": (
        "wiki_pages_fts",
        "10.0, 1.0",
        1,
        "SELECT f.rowid, w.id, w.title, w.updated_at, NULL, w.community_id, 0, {score} "
        "FROM wiki_pages_fts f JOIN wiki_pages w ON w.seq = f.rowid",
    ),
    "user": (
        "users_fts",
        "10.0, 5.0, 2.0, 2.0",
        -1,
        "SELECT f.rowid, u.id, u.display_name, NULL, NULL, NULL, 0, {score} "
        "FROM users_fts f JOIN users u ON u.seq = f.rowid",
    ),
}


def _ranked(conn: sqlite3.Connection, kind: str, query: str, limit: int) -> list[tuple[Any, ...]]:
    """Top ``limit`` matches of one kind as ``(kind, rowid, id, title, created_at, post_id,
    community_id, solved, score)``, ranked among at most CANDIDATE_LIMIT candidates."""
    fts, weights, _, select = _KINDS[kind]
    floor_row = conn.execute(
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (query, CANDIDATE_LIMIT),
    ).fetchone()
    floor = floor_row[0] if floor_row else 0
    rows = conn.execute(
        select.format(score=f"bm25({fts}, {weights}) AS score")
        + f" WHERE {fts} MATCH ? AND f.rowid > ? ORDER BY 7 DESC, score LIMIT ?",
        (query, floor, limit),
    )
    return [(kind, *row) for row in rows]


def _snippet(conn: sqlite3.Connection, kind: str, rowid: int, query: str) -> str:
    fts, _, column, _ = _KINDS[kind]
    row = conn.execute(
        f"SELECT snippet({fts}, ?, ?, ?, ?, ?) FROM {fts} WHERE {fts} MATCH ? AND rowid = ?",
        (column, HIGHLIGHT_START, HIGHLIGHT_END, ELLIPSIS, _SNIPPET_TOKENS, query, rowid),
    ).fetchone()
    return row[0] if row and row[0] is not None else ""


def search(
    target: CacheLike,
    text: str,
    *,
    kinds: Iterable[str] | None = None,
    limit: int = 20,
    prefix_last: bool = True,
) -> list[SearchHit]:
    """Search what the cache holds (rows not yet indexed after a big sync are not found until
    ``catch_up_search``). Solved questions and accepted answers come first, then by bm25.
    ``kinds``: any of SEARCH_KINDS (default all)."""
    query = match_query(text, prefix_last=prefix_last)
    if query is None:
        return []
    wanted = list(SEARCH_KINDS if kinds is None else kinds)
    unknown = set(wanted) - set(SEARCH_KINDS)
    if unknown:
        raise ValueError(f"unknown search kinds: {sorted(unknown)}")
    conn = connection_of(target)
    ranked = [hit for kind in wanted for hit in _ranked(conn, kind, query, limit)]
    ranked.sort(key=lambda hit: (not hit[7], hit[8]))  # solved first, then bm25 (lower is better)
    hits = []
    for kind, rowid, object_id, title, created_at, post_id, community_id, solved, score in ranked[:limit]:
        snippet = _snippet(conn, kind, rowid, query)
        hits.append(
            SearchHit(
                kind, object_id, title, snippet, float(score), created_at, post_id, community_id, bool(solved)
            )
        )
    return hits
