"""``GET /search``: online full-text search over everything the caller may read.

Content (posts, comments, wiki pages) comes from ``search_documents``, kept by
``search_index.py`` inside every write. Only documents the caller may read are
considered: those without a community (the company wiki) and those of public
communities or communities the caller belongs to. The visibility filter sits in
the same query as the match, before any limit, so invisible documents can never
push visible ones out of the answer.

- SQLite: FTS5 (``search_fts MATCH``) with bm25 (titles weigh 10x) and
  ``snippet()``. User input never reaches FTS5 syntax: every term becomes a
  quoted string token and the last one a prefix (``"term"*``), so ``"foo`` or
  ``AND(`` are plain words.
- PostgreSQL: ``search_documents.tsv`` with ``ts_rank`` and ``ts_headline``;
  plain words become ``'w1' & 'w2' & 'w3':*`` (prefix on the last), anything
  else goes through ``websearch_to_tsquery``, which accepts any input.

Interactive cost is bounded: a very common term matches most of the index, so
ranking looks at the newest ``CANDIDATES`` visible matches only (an indexed walk
down the rowids), then orders those by relevance; snippets are made for the
final page only. Solved questions get a relevance boost and win ties.

People are found too (``types`` includes ``user``): a case-insensitive
substring match of every term against name, handle and department. They follow
the content results; when both overflow ``limit``, people keep up to a quarter
of the places. Snippets mark matches with ``**`` (Markdown bold).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import (
    Connection,
    Float,
    Integer,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.sql.elements import ColumnElement
from starlette.responses import Response

from ..access import readable_community, readable_community_ids_clause
from ..context import Caller, current_caller, json_response, reading
from ..problems import invalid
from ..schema import comments, search_documents, users

router = APIRouter(tags=["search"])
CallerDep = Annotated[Caller, Depends(current_caller)]

CONTENT_TYPES = ("post", "comment", "wiki_page")
ALL_TYPES = (*CONTENT_TYPES, "user")
CANDIDATES = 1000
SOLVED_BOOST = 1.25
MAX_TERMS = 16
MAX_USER_TERMS = 8
MARK = "**"
HEADLINE_CHARS = 20_000

_fts = table("search_fts", column("rowid", Integer))
_FTS: ColumnElement[Any] = literal_column("search_fts")
_SIMPLE: ColumnElement[Any] = literal_column("'simple'")
_PLAIN_WORD = re.compile(r"[^\W_]+")


class SearchResult(BaseModel):
    type: Literal["post", "comment", "wiki_page", "user"]
    id: str
    community_id: str | None
    title: str
    snippet: str
    score: float
    post_kind: str | None
    solved: bool
    created_at: str
    post_id: str | None = None


class SearchOut(BaseModel):
    results: list[SearchResult]


# --- queries the databases accept whatever the user typed ------------------------------


def query_terms(q: str) -> list[str]:
    """Whitespace-separated terms that hold at least one letter or digit (others match nothing)."""
    return [term for term in q.split() if any(char.isalnum() for char in term)][:MAX_TERMS]


def fts5_query(terms: list[str]) -> str:
    """Terms as FTS5 string tokens (quotes doubled), the last one a prefix: ``"printer" "broken"*``."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def pg_tsquery(q: str, terms: list[str]) -> ColumnElement[Any]:
    if terms and all(_PLAIN_WORD.fullmatch(term) for term in terms) and len(terms) == len(q.split()):
        expression = " & ".join(f"'{term}'" for term in terms) + ":*"
        return func.to_tsquery(_SIMPLE, literal(expression))
    return func.websearch_to_tsquery(_SIMPLE, literal(q))


def parse_types(raw: str | None) -> set[str]:
    if raw is None or not raw.strip():
        return set(ALL_TYPES)
    wanted = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = wanted - set(ALL_TYPES)
    if unknown:
        raise invalid("types", f"unknown type {sorted(unknown)[0]!r}; use {', '.join(ALL_TYPES)}")
    return wanted or set(ALL_TYPES)


# --- content ----------------------------------------------------------------------------


def _filters(user_id: str, kinds: set[str], community_id: str | None) -> list[ColumnElement[Any]]:
    docs = search_documents
    conditions: list[ColumnElement[Any]] = [docs.c.type.in_(sorted(kinds))]
    if community_id is not None:
        conditions.append(docs.c.community_id == community_id)
    conditions.append(
        or_(docs.c.community_id.is_(None), readable_community_ids_clause(docs.c.community_id, user_id))
    )
    return conditions


def _ranked(candidates: Any, limit: int) -> Any:
    """Order a candidate subquery (rowid, solved, created_at, relevance) by boosted score."""
    score = case(
        (candidates.c.solved, candidates.c.relevance * SOLVED_BOOST), else_=candidates.c.relevance
    ).label("score")
    return (
        select(candidates.c.rowid, score)
        .order_by(
            score.desc(),
            candidates.c.solved.desc(),
            candidates.c.created_at.desc(),
            candidates.c.rowid.desc(),
        )
        .limit(limit)
    )


def _result(row: Any, snippet: str, score: float) -> dict[str, Any]:
    return {
        "type": row.type,
        "id": row.object_id,
        "community_id": row.community_id,
        "title": row.title,
        "snippet": snippet,
        "score": round(float(score), 6),
        "post_kind": row.post_kind,
        "solved": bool(row.solved),
        "created_at": row.created_at,
        "post_id": None,
    }


def _search_sqlite(
    conn: Connection, terms: list[str], conditions: list[Any], limit: int
) -> list[dict[str, Any]]:
    docs = search_documents
    match = _FTS.op("MATCH")(fts5_query(terms))
    candidates = (
        select(
            docs.c.rowid,
            docs.c.solved,
            docs.c.created_at,
            (-func.bm25(_FTS, 10.0, 1.0, type_=Float)).label("relevance"),
        )
        .select_from(_fts.join(docs, docs.c.rowid == _fts.c.rowid))
        .where(match, *conditions)
        .order_by(_fts.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery()
    )
    top = conn.execute(_ranked(candidates, limit)).all()
    if not top:
        return []
    # Snippets for the final page only. FTS5 answers "rowid IN (...)" by running the whole
    # match once per rowid (slow for prefix terms), so walk the rowid range those rows span
    # instead and keep them with an unindexed "rowid + 0 IN (...)".
    rowids = [hit.rowid for hit in top]
    rows = conn.execute(
        select(docs, func.snippet(_FTS, -1, MARK, MARK, "…", 16).label("snippet"))
        .select_from(_fts.join(docs, docs.c.rowid == _fts.c.rowid))
        .where(match, _fts.c.rowid.between(min(rowids), max(rowids)), (_fts.c.rowid + 0).in_(rowids))
    ).all()
    by_rowid = {row.rowid: row for row in rows}
    return [
        _result(by_rowid[hit.rowid], by_rowid[hit.rowid].snippet or "", hit.score)
        for hit in top
        if hit.rowid in by_rowid
    ]


def _search_postgres(
    conn: Connection, q: str, terms: list[str], conditions: list[Any], limit: int
) -> list[dict[str, Any]]:
    docs = search_documents
    tsv: ColumnElement[Any] = literal_column("search_documents.tsv")
    tsquery = pg_tsquery(q, terms)
    candidates = (
        select(docs.c.rowid, docs.c.solved, docs.c.created_at, func.ts_rank(tsv, tsquery).label("relevance"))
        .where(tsv.op("@@")(tsquery), *conditions)
        .order_by(docs.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery()
    )
    top = _ranked(candidates, limit).subquery()
    options = literal(f"StartSel={MARK}, StopSel={MARK}, MaxWords=35, MinWords=15, ShortWord=2")
    body = func.left(docs.c.body, HEADLINE_CHARS)
    snippet = case(
        (
            func.to_tsvector(_SIMPLE, body).op("@@")(tsquery),
            func.ts_headline(_SIMPLE, body, tsquery, options),
        ),
        else_=func.ts_headline(_SIMPLE, docs.c.title, tsquery, options),
    ).label("snippet")
    rows = conn.execute(
        select(docs, top.c.score, snippet)
        .join(top, top.c.rowid == docs.c.rowid)
        .order_by(top.c.score.desc(), docs.c.solved.desc(), docs.c.created_at.desc(), docs.c.rowid.desc())
    ).all()
    return [_result(row, row.snippet or "", row.score) for row in rows]


def _add_post_ids(conn: Connection, results: list[dict[str, Any]]) -> None:
    """Comments carry their post's id, so the client can open the thread."""
    comment_ids = [item["id"] for item in results if item["type"] == "comment"]
    if not comment_ids:
        return
    rows = conn.execute(select(comments.c.id, comments.c.post_id).where(comments.c.id.in_(comment_ids)))
    post_of = {comment_id: post_id for comment_id, post_id in rows}
    for item in results:
        if item["type"] == "comment":
            item["post_id"] = post_of.get(item["id"])


# --- people -----------------------------------------------------------------------------


def _like_pattern(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_users(conn: Connection, q: str, limit: int) -> list[dict[str, Any]]:
    terms = [term.strip("\"'@") for term in q.split()]
    terms = [term for term in terms if term][:MAX_USER_TERMS]
    if not terms:
        return []
    fields = (users.c.display_name, users.c.handle, users.c.department)
    conditions = [
        or_(*(func.lower(field).like(_like_pattern(term), escape="\\") for field in fields)) for term in terms
    ]
    exact = case((users.c.handle == terms[0].lower(), 0), else_=1)
    rows = conn.execute(
        select(users).where(and_(*conditions)).order_by(exact, users.c.display_name, users.c.id).limit(limit)
    ).all()
    return [
        {
            "type": "user",
            "id": row.id,
            "community_id": None,
            "title": row.display_name,
            "snippet": " · ".join(part for part in (f"@{row.handle}", row.title, row.department) if part),
            "score": 0.0,
            "post_kind": None,
            "solved": False,
            "created_at": row.created_at,
            "post_id": None,
        }
        for row in rows
    ]


def merge(content: list[dict[str, Any]], people: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Content first, then people; when both overflow LIMIT, people keep up to a quarter of it."""
    if len(content) + len(people) <= limit:
        return content + people
    keep_people = min(len(people), max(1, limit // 4), limit)
    keep_people = max(keep_people, limit - len(content))
    return content[: limit - keep_people] + people[:keep_people]


# --- the route --------------------------------------------------------------------------


@router.get("/search", response_model=SearchOut, responses={404: {}, 422: {}})
def search(
    request: Request,
    caller: CallerDep,
    q: Annotated[str, Query(max_length=500, description="the words to look for")],
    types: Annotated[
        str | None, Query(max_length=200, description="comma list of post, comment, wiki_page, user")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    community_id: Annotated[str | None, Query(max_length=36, description="only this community")] = None,
) -> Response:
    """Posts, comments, wiki pages and people matching Q that the caller may read, best first."""
    q = q.replace("\x00", " ").strip()
    if not q:
        raise invalid("q", "must not be empty")
    kinds = parse_types(types)
    content_kinds = kinds & set(CONTENT_TYPES)
    terms = query_terms(q)
    content: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    with reading(request) as conn:
        if community_id is not None:
            readable_community(conn, community_id, caller.user_id)
        if content_kinds and terms:
            conditions = _filters(caller.user_id, content_kinds, community_id)
            if conn.dialect.name == "sqlite":
                content = _search_sqlite(conn, terms, conditions, limit)
            else:
                content = _search_postgres(conn, q, terms, conditions, limit)
            _add_post_ids(conn, content)
        if "user" in kinds and community_id is None:
            people = _search_users(conn, q, limit)
    return json_response({"results": merge(content, people, limit)})
