"""The wiki: the company wiki and each community's, with pages, revisions and conflict answers.

A page lives in a *space*: a community (``community_id``) or the company wiki
(``community_id`` null, stored as space ``""``), and its path is unique in its
space. Anyone may read and edit the company wiki; a community's wiki is read
like the community (private ones answer 404 to outsiders) and edited by its
members only.

Editing is optimistic: a new revision names the revision it was based on, and
when that is no longer the page's current one the answer is 409 carrying the
current page under ``"current"``, so the desktop can merge three ways (its base,
its edit, the current text) and retry. Pages and revisions have client-made
ids; creating the same id again with the same content is a replay.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Row, select, update
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from .. import search_index
from ..access import readable_community, role_in
from ..clock import is_uuid, now_iso, uuid7
from ..context import Caller, current_caller, json_response, reading, run_write
from ..problems import Problem, conflict, forbidden, invalid, not_found, too_large
from ..publish import publish_wiki_page, wiki_page_dict
from ..schema import wiki_pages, wiki_revisions
from ..text_extract import TITLE_LIMIT, WIKI_BODY_LIMIT

router = APIRouter(tags=["wiki"])
CallerDep = Annotated[Caller, Depends(current_caller)]

PATH_LIMIT = 500
SUMMARY_LIMIT = 500
COMPANY_SPACE = ""


class WikiPageOut(BaseModel):
    id: str
    community_id: str | None
    path: str
    title: str
    revision_id: str
    body: str
    created_at: str
    updated_at: str
    updated_by: str


class RevisionOut(BaseModel):
    id: str
    page_id: str
    parent_revision_id: str | None
    title: str
    summary: str
    author_id: str
    created_at: str
    body: str | None = Field(default=None, description="Only with include_body=true")


class PageIn(BaseModel):
    id: str = Field(max_length=36, description="A client-made UUID")
    community_id: str | None = Field(default=None, max_length=36, description="null: the company wiki")
    path: str
    title: str
    body: str


class RevisionIn(BaseModel):
    id: str = Field(max_length=36, description="A client-made UUID for the new revision")
    base_revision_id: str = Field(max_length=36)
    body: str
    title: str | None = None
    summary: str | None = None


# --- checks -------------------------------------------------------------------------


def check_text(field: str, value: str) -> None:
    """Refuse text the databases cannot store (NUL, lone surrogates) with 422, not a 500."""
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(field, "is not valid Unicode text") from None


def normalise_path(raw: str) -> str:
    """'/Guides//Onboarding/ ' -> 'Guides/Onboarding'; 422 for an empty, too long or odd path."""
    check_text("path", raw)
    segments = [segment.strip() for segment in raw.strip().split("/")]
    path = "/".join(segment for segment in segments if segment)
    if not path:
        raise invalid("path", "must not be empty")
    if len(path) > PATH_LIMIT:
        raise invalid("path", f"must be at most {PATH_LIMIT} characters")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in path):
        raise invalid("path", "must not contain control characters")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise invalid("path", "must not contain '.' or '..' segments")
    return path


def checked_title(raw: str) -> str:
    check_text("title", raw)
    title = raw.strip()
    if not title:
        raise invalid("title", "must not be empty")
    if len(title) > TITLE_LIMIT:
        raise too_large("title", TITLE_LIMIT, "characters")
    return title


def check_page_body(body: str) -> None:
    check_text("body", body)
    if len(body.encode("utf-8")) > WIKI_BODY_LIMIT:
        raise too_large("body", WIKI_BODY_LIMIT)


def checked_summary(raw: str | None) -> str:
    if raw is None:
        return ""
    check_text("summary", raw)
    summary = raw.strip()
    if len(summary) > SUMMARY_LIMIT:
        raise too_large("summary", SUMMARY_LIMIT, "characters")
    return summary


def space_of(community_id: str | None) -> str:
    return COMPANY_SPACE if community_id is None else community_id


# --- access ---------------------------------------------------------------------------


def visible_page(conn: Connection, page_id: str, user_id: str) -> Row[Any]:
    """The page if USER_ID may read it; a missing and an invisible page answer the same 404."""
    row = conn.execute(select(wiki_pages).where(wiki_pages.c.id == page_id)).first()
    if row is None:
        raise not_found("wiki page")
    if row.community_id is not None:
        try:
            readable_community(conn, row.community_id, user_id)
        except Problem:
            raise not_found("wiki page") from None
    return row


def require_editor(conn: Connection, community_id: str | None, user_id: str) -> None:
    """Anyone edits the company wiki; a community's wiki is edited by its members (404 if unreadable)."""
    if community_id is None:
        return
    readable_community(conn, community_id, user_id)
    if role_in(conn, community_id, user_id) is None:
        raise forbidden("Join the community to edit its wiki.")


def _index(conn: Connection, page: dict[str, Any]) -> None:
    search_index.upsert_document(
        conn,
        "wiki_page",
        page["id"],
        community_id=page["community_id"],
        title=page["title"],
        body=page["body"],
        created_at=page["created_at"],
    )


def _page_row(conn: Connection, page_id: str) -> Row[Any] | None:
    return conn.execute(select(wiki_pages).where(wiki_pages.c.id == page_id)).first()


# --- pages ----------------------------------------------------------------------------


@router.post(
    "/wiki/pages",
    status_code=201,
    response_model=WikiPageOut,
    responses={403: {}, 404: {}, 409: {}, 413: {}, 422: {}},
)
def create_page(body: PageIn, request: Request, caller: CallerDep) -> Response:
    """Create a page with its first revision; 409 when the path is taken in that space."""
    if not is_uuid(body.id):
        raise invalid("id", "must be a UUID")
    community_id = body.community_id or None
    path = normalise_path(body.path)
    title = checked_title(body.title)
    check_page_body(body.body)

    def is_replay(conn: Connection, existing: Row[Any]) -> bool:
        first = conn.execute(
            select(wiki_revisions.c.title, wiki_revisions.c.body, wiki_revisions.c.author_id).where(
                wiki_revisions.c.page_id == existing.id, wiki_revisions.c.parent_revision_id.is_(None)
            )
        ).first()
        return (
            first is not None
            and (existing.community_id, existing.path) == (community_id, path)
            and (first.title, first.body, first.author_id) == (title, body.body, caller.user_id)
        )

    def settle_existing(conn: Connection) -> tuple[int, Any] | None:
        """Answer a create whose id or path is already used, or None when neither is."""
        existing = _page_row(conn, body.id)
        if existing is not None:
            if is_replay(conn, existing):
                return 201, wiki_page_dict(visible_page(conn, body.id, caller.user_id))
            raise conflict("A different wiki page already has this id.")
        taken = conn.execute(
            select(wiki_pages.c.id).where(
                wiki_pages.c.space == space_of(community_id), wiki_pages.c.path == path
            )
        ).scalar_one_or_none()
        if taken is not None:
            raise conflict(f"A page with the path '{path}' already exists in this wiki.", existing_id=taken)
        return None

    def work(conn: Connection) -> tuple[int, Any]:
        require_editor(conn, community_id, caller.user_id)
        answer = settle_existing(conn)
        if answer is not None:
            return answer
        stamp = now_iso()
        revision_id = uuid7()
        try:
            with conn.begin_nested():
                conn.execute(
                    wiki_pages.insert().values(
                        id=body.id,
                        community_id=community_id,
                        space=space_of(community_id),
                        path=path,
                        title=title,
                        body=body.body,
                        revision_id=revision_id,
                        created_at=stamp,
                        updated_at=stamp,
                        updated_by=caller.user_id,
                    )
                )
        except IntegrityError:
            # A concurrent create took the id or the path first (PostgreSQL): answer as if it came first.
            answer = settle_existing(conn)
            if answer is not None:
                return answer
            raise
        conn.execute(
            wiki_revisions.insert().values(
                id=revision_id,
                page_id=body.id,
                parent_revision_id=None,
                title=title,
                body=body.body,
                summary="",
                author_id=caller.user_id,
                created_at=stamp,
            )
        )
        page = publish_wiki_page(conn, body.id)
        _index(conn, page)
        return 201, page

    return run_write(request, caller, work)


@router.get("/wiki/pages", response_model=list[WikiPageOut], responses={404: {}, 422: {}})
def list_pages(
    request: Request,
    caller: CallerDep,
    community_id: Annotated[str | None, Query(max_length=36, description="omit for the company wiki")] = None,
    path: Annotated[str | None, Query(max_length=2000, description="exact path: look one page up")] = None,
    after: Annotated[str | None, Query(max_length=2000, description="continue after this path")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    """The pages of one wiki by path, or the one page at PATH (a list of zero or one)."""
    community_id = community_id or None
    query = select(wiki_pages).where(wiki_pages.c.space == space_of(community_id))
    if path is not None:
        query = query.where(wiki_pages.c.path == normalise_path(path))
    if after is not None:
        check_text("after", after)
        query = query.where(wiki_pages.c.path > after)
    with reading(request) as conn:
        if community_id is not None:
            readable_community(conn, community_id, caller.user_id)
        rows = conn.execute(query.order_by(wiki_pages.c.path).limit(limit)).all()
    return json_response([wiki_page_dict(row) for row in rows])


@router.get("/wiki/pages/{page_id}", response_model=WikiPageOut, responses={404: {}})
def get_page(page_id: str, request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        return json_response(wiki_page_dict(visible_page(conn, page_id, caller.user_id)))


# --- revisions ------------------------------------------------------------------------


def revision_dict(row: Row[Any], *, include_body: bool) -> dict[str, Any]:
    data = {
        "id": row.id,
        "page_id": row.page_id,
        "parent_revision_id": row.parent_revision_id,
        "title": row.title,
        "summary": row.summary,
        "author_id": row.author_id,
        "created_at": row.created_at,
    }
    if include_body:
        data["body"] = row.body
    return data


@router.post(
    "/wiki/pages/{page_id}/revisions",
    status_code=201,
    response_model=WikiPageOut,
    responses={
        403: {},
        404: {},
        409: {
            "description": "The base is not the current revision; the problem carries the page as 'current'"
        },
        413: {},
        422: {},
    },
)
def create_revision(page_id: str, body: RevisionIn, request: Request, caller: CallerDep) -> Response:
    """Edit a page: 201 with the updated page, or 409 with ``current`` when the base is stale."""
    if not is_uuid(body.id):
        raise invalid("id", "must be a UUID")
    check_text("base_revision_id", body.base_revision_id)
    title = checked_title(body.title) if body.title is not None else None
    check_page_body(body.body)
    summary = checked_summary(body.summary)

    def replayed(conn: Connection) -> tuple[int, Any] | None:
        """Answer a revision id that exists: the same edit again is a replay, another one a conflict."""
        existing = conn.execute(select(wiki_revisions).where(wiki_revisions.c.id == body.id)).first()
        if existing is None:
            return None
        same = (
            existing.page_id == page_id
            and existing.parent_revision_id == body.base_revision_id
            and existing.author_id == caller.user_id
            and existing.body == body.body
            and existing.summary == summary
            and (title is None or existing.title == title)
        )
        if not same:
            raise conflict("A different revision already has this id.")
        return 201, wiki_page_dict(visible_page(conn, page_id, caller.user_id))

    def stale(conn: Connection) -> Problem:
        current = wiki_page_dict(visible_page(conn, page_id, caller.user_id))
        return conflict(
            "The page changed since your base revision: merge with 'current' and try again.",
            current=current,
        )

    def work(conn: Connection) -> tuple[int, Any]:
        page = visible_page(conn, page_id, caller.user_id)
        answer = replayed(conn)
        if answer is not None:
            return answer
        require_editor(conn, page.community_id, caller.user_id)
        if body.base_revision_id != page.revision_id:
            raise stale(conn)
        stamp = now_iso()
        new_title = title if title is not None else page.title
        # Compare-and-set on the revision: a concurrent edit that committed first makes this one stale.
        changed = conn.execute(
            update(wiki_pages)
            .where(wiki_pages.c.id == page_id, wiki_pages.c.revision_id == body.base_revision_id)
            .values(
                title=new_title,
                body=body.body,
                revision_id=body.id,
                updated_at=stamp,
                updated_by=caller.user_id,
            )
        ).rowcount
        if changed != 1:
            answer = replayed(conn)
            if answer is not None:
                return answer
            raise stale(conn)
        conn.execute(
            wiki_revisions.insert().values(
                id=body.id,
                page_id=page_id,
                parent_revision_id=body.base_revision_id,
                title=new_title,
                body=body.body,
                summary=summary,
                author_id=caller.user_id,
                created_at=stamp,
            )
        )
        data = publish_wiki_page(conn, page_id)
        _index(conn, data)
        return 201, data

    return run_write(request, caller, work)


@router.get("/wiki/pages/{page_id}/revisions", response_model=list[RevisionOut], responses={404: {}})
def list_revisions(
    page_id: str,
    request: Request,
    caller: CallerDep,
    include_body: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Response:
    """The page's history, newest first (following each revision's parent from the current one)."""
    columns = [column for column in wiki_revisions.c if column.name != "body"]
    with reading(request) as conn:
        page = visible_page(conn, page_id, caller.user_id)
        rows = conn.execute(
            select(*columns)
            .where(wiki_revisions.c.page_id == page_id)
            .order_by(wiki_revisions.c.created_at.desc(), wiki_revisions.c.id.desc())
        ).all()
        by_id = {row.id: row for row in rows}
        ordered: list[Row[Any]] = []
        cursor: str | None = page.revision_id
        while cursor is not None and cursor in by_id and len(ordered) < len(rows):
            ordered.append(by_id.pop(cursor))
            cursor = ordered[-1].parent_revision_id
        ordered.extend(row for row in rows if row.id in by_id)  # never expected: off the chain
        ordered = ordered[:limit]
        bodies: dict[str, str] = {}
        if include_body and ordered:
            found = conn.execute(
                select(wiki_revisions.c.id, wiki_revisions.c.body).where(
                    wiki_revisions.c.id.in_([row.id for row in ordered])
                )
            )
            bodies = {revision_id: revision_body for revision_id, revision_body in found}
    history = []
    for row in ordered:
        item = revision_dict(row, include_body=False)
        if include_body:
            item["body"] = bodies.get(row.id, "")
        history.append(item)
    return json_response(history)


@router.get("/wiki/pages/{page_id}/revisions/{revision_id}", response_model=RevisionOut, responses={404: {}})
def get_revision(page_id: str, revision_id: str, request: Request, caller: CallerDep) -> Response:
    """One revision with its body (the base of a three-way merge)."""
    with reading(request) as conn:
        visible_page(conn, page_id, caller.user_id)
        row = conn.execute(
            select(wiki_revisions).where(
                wiki_revisions.c.id == revision_id, wiki_revisions.c.page_id == page_id
            )
        ).first()
    if row is None:
        raise not_found("revision")
    return json_response(revision_dict(row, include_body=True))
