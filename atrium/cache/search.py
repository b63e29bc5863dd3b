"""Offline search over posts, comments, wiki pages and people: solved questions first, bm25
ranking, highlighted snippets.

Interactive speed on a large cache: ``ORDER BY bm25`` over a term found in most documents scores
every match, and bm25's IDF alone reads each term's whole doclist. So each kind first probes, in
rowid order (which costs no ranking), whether the query has more than CANDIDATE_LIMIT matches
and whether any of its words is in more than IDF_LIMIT documents. If neither, all matches are
ranked by bm25 (specific queries: error codes, names, rare words). Otherwise (a common query) only
the newest CANDIDATE_LIMIT matches are considered, ranked without bm25 — solved first, then title
matches, then newest — and their ``score`` is 0.0. So is a query ending in a prefix (search as
you type): a prefix's IDF would merge the doclists of every word it starts.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from .db import CacheLike, connection_of
from .models import SearchHit

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
"""Snippets wrap matched terms in these: escape the snippet for display, then replace the markers
(e.g. with ``<b>``/``</b>``). They never occur in Markdown text."""
ELLIPSIS = "…"
SEARCH_KINDS = ("post", "comment", "wiki_page", "user")
CANDIDATE_LIMIT = 1000
IDF_LIMIT = 20_000
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


@dataclass(frozen=True)
class _Kind:
    fts: str
    weights: str  # bm25 column weights
    snippet_column: int  # -1: the best matching column
    title_column: str | None  # matched first when ranking a common query
    select: (
        str  # over fts ``f`` joined to its table: rowid, id, title, time, post, community, solved, {score}
    )


_KINDS: dict[str, _Kind] = {
    "post": _Kind(
        "posts_fts",
        "10.0, 1.0",
        1,
        "title",
        "SELECT f.rowid, p.id, ifnull(p.title, ''), p.created_at, p.id, p.community_id, "
        "p.kind = 'question' AND p.accepted_comment_id IS NOT NULL, {score} "
        "FROM posts_fts f JOIN posts p ON p.seq = f.rowid",
    ),
    "comment": _Kind(
        "comments_fts",
        "1.0",
        0,
        None,
        "SELECT f.rowid, c.id, ifnull(pp.title, ''), c.created_at, c.post_id, pp.community_id, "
        "ifnull(pp.accepted_comment_id = c.id, 0), {score} "
        "FROM comments_fts f JOIN comments c ON c.seq = f.rowid LEFT JOIN posts pp ON pp.id = c.post_id",
    ),
    "wiki_page": _Kind(
        "wiki_pages_fts",
        "10.0, 1.0",
        1,
        "title",
        "SELECT f.rowid, w.id, w.title, w.updated_at, NULL, w.community_id, 0, {score} "
        "FROM wiki_pages_fts f JOIN wiki_pages w ON w.seq = f.rowid",
    ),
    "user": _Kind(
        "users_fts",
        "10.0, 5.0, 2.0, 2.0",
        -1,
        "display_name",
        "SELECT f.rowid, u.id, u.display_name, NULL, NULL, NULL, 0, {score} "
        "FROM users_fts f JOIN users u ON u.seq = f.rowid",
    ),
}


def _ranked(conn: sqlite3.Connection, kind: str, query: str, limit: int) -> list[tuple[Any, ...]]:
    """Top ``limit`` matches of one kind as ``(kind, rowid, id, title, created_at, post_id,
    community_id, solved, score)`` (see the module docstring for how they are ranked)."""
    spec = _KINDS[kind]
    fts = spec.fts
    floor = _nth_newest_match(conn, fts, query, CANDIDATE_LIMIT)
    terms = query.split(" ")  # match_query's quoted words
    # A prefix term's IDF would merge the doclists of every word it starts: never scored by bm25.
    specific = floor is None and not query.endswith("*")
    if specific and not any(_nth_newest_match(conn, fts, term, IDF_LIMIT) for term in terms):
        sql = (
            spec.select.format(score=f"bm25({fts}, {spec.weights}) AS score")
            + f" WHERE {fts} MATCH :query ORDER BY 7 DESC, score LIMIT :limit"
        )
        params: dict[str, Any] = {"query": query, "limit": limit}
    else:
        title_first = ""
        if spec.title_column is not None:
            title_first = f"f.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :title_query AND rowid > :floor) DESC, "
        sql = (
            spec.select.format(score="0.0")
            + f" WHERE {fts} MATCH :query AND f.rowid > :floor "
            + f"ORDER BY 7 DESC, {title_first}4 DESC, 1 DESC LIMIT :limit"
        )
        params = {
            "query": query,
            "title_query": f"{{{spec.title_column}}} : ({query})",
            "floor": floor or 0,
            "limit": limit,
        }
    return [(kind, *row) for row in conn.execute(sql, params)]


def _nth_newest_match(conn: sqlite3.Connection, fts: str, query: str, n: int) -> int | None:
    """The rowid of the (n+1)-th newest match, or None if there are at most n (reads ≤ n+1 entries)."""
    row = conn.execute(
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?", (query, n)
    ).fetchone()
    return None if row is None else int(row[0])


def _snippets(conn: sqlite3.Connection, kind: str, rowids: list[int], query: str) -> dict[int, str]:
    """Snippets of these rows, in one statement: each MATCH evaluation merges the doclists (for a
    prefix term, of every word it starts), so it is done once for the rowid range, and
    ``snippet()`` runs only for the rows asked for (``+rowid`` keeps that filter out of FTS5)."""
    spec = _KINDS[kind]
    fts = spec.fts
    rows = conn.execute(
        f"SELECT rowid, snippet({fts}, :column, :start, :end, :ellipsis, :tokens) FROM {fts} "
        f"WHERE {fts} MATCH :query AND rowid BETWEEN :low AND :high "
        "AND +rowid IN (SELECT value FROM json_each(:rowids))",
        {
            "column": spec.snippet_column,
            "start": HIGHLIGHT_START,
            "end": HIGHLIGHT_END,
            "ellipsis": ELLIPSIS,
            "tokens": _SNIPPET_TOKENS,
            "query": query,
            "low": min(rowids),
            "high": max(rowids),
            "rowids": orjson.dumps(rowids).decode(),
        },
    )
    return {rowid: snippet or "" for rowid, snippet in rows}


def _query_for(conn: sqlite3.Connection, kind: str, typed: str, exact: str) -> str:
    """The typed query, unless its last word as typed already has more than CANDIDATE_LIMIT
    matches: then it is most likely a whole word, and the exact query finds the same newest
    matches without merging the doclists of every word the prefix starts (the slow part)."""
    if typed == exact:
        return typed
    last_word = exact.rsplit(" ", 1)[-1]
    return exact if _nth_newest_match(conn, _KINDS[kind].fts, last_word, CANDIDATE_LIMIT) else typed


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
    ``kinds``: any of SEARCH_KINDS (default all). ``prefix_last`` (search as you type): the last
    word, if not followed by a space, also matches longer words — slower on a large cache; pass
    False for a submitted query."""
    typed = match_query(text, prefix_last=prefix_last)
    exact = match_query(text, prefix_last=False)
    if typed is None or exact is None:
        return []
    wanted = list(SEARCH_KINDS if kinds is None else kinds)
    unknown = set(wanted) - set(SEARCH_KINDS)
    if unknown:
        raise ValueError(f"unknown search kinds: {sorted(unknown)}")
    conn = connection_of(target)
    queries = {kind: _query_for(conn, kind, typed, exact) for kind in wanted}
    ranked = [hit for kind in wanted for hit in _ranked(conn, kind, queries[kind], limit)]
    # Solved first; then bm25-ranked hits (score < 0, lower is better); then those of common
    # queries (score 0.0), each kind's already in its order (the sort is stable).
    ranked.sort(key=lambda hit: (not hit[7], hit[8]))
    chosen = ranked[:limit]
    snippets: dict[tuple[str, int], str] = {}
    for kind in {hit[0] for hit in chosen}:
        rowids = [hit[1] for hit in chosen if hit[0] == kind]
        found = _snippets(conn, kind, rowids, queries[kind])
        snippets.update(((kind, rowid), snippet) for rowid, snippet in found.items())
    return [
        SearchHit(
            kind,
            object_id,
            title,
            snippets.get((kind, rowid), ""),
            float(score),
            created_at,
            post_id,
            community_id,
            bool(solved),
        )
        for kind, rowid, object_id, title, created_at, post_id, community_id, solved, score in chosen
    ]
