"""Posts and their comments: create, read, edit, delete, pin, comments on/off, accept an answer."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, select, update
from starlette.responses import Response

from .. import feed, search_index
from ..access import MODERATING_ROLES, readable_community, readable_post, role_in
from ..clock import is_uuid, now_iso
from ..context import Caller, current_caller, json_response, reading, run_write
from ..notify import notify
from ..problems import conflict, forbidden, invalid, not_found
from ..publish import (
    comment_dict,
    post_dict,
    publish_comment,
    publish_post,
    republish_thread_retention,
    unpublish_reaction,
)
from ..schema import comments, files, memberships, post_attachments, post_topics, posts, reactions
from ..text_extract import (
    COMMENT_BODY_LIMIT,
    POST_BODY_LIMIT,
    check_body,
    check_title,
    mentioned_user_ids,
    topics_in,
)

router = APIRouter(tags=["posts"])
CallerDep = Annotated[Caller, Depends(current_caller)]

PostKind = Literal["post", "question", "announcement", "blog"]
MAX_ATTACHMENTS = 20


class FileOut(BaseModel):
    id: str
    name: str
    mime: str
    size: int
    sha256: str
    created_at: str


class PostOut(BaseModel):
    id: str
    community_id: str
    author_id: str | None
    app_id: str | None = None
    kind: Literal["post", "question", "announcement", "blog", "app_event"]
    title: str | None
    body: str
    created_at: str
    edited_at: str | None
    pinned: bool
    comments_enabled: bool
    accepted_comment_id: str | None
    mentions: list[str]
    topics: list[str]
    attachments: list[FileOut]
    like_count: int
    comment_count: int


class CommentOut(BaseModel):
    id: str
    post_id: str
    author_id: str
    parent_id: str | None
    body: str
    created_at: str
    edited_at: str | None
    like_count: int


class PostIn(BaseModel):
    id: str = Field(min_length=36, max_length=36)
    community_id: str = Field(min_length=1, max_length=36)
    kind: PostKind = "post"
    title: str | None = None
    body: str
    comments_enabled: bool | None = None
    attachment_ids: list[str] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class PostPatch(BaseModel):
    title: str | None = None
    body: str | None = None
    pinned: bool | None = None
    comments_enabled: bool | None = None


class CommentIn(BaseModel):
    id: str = Field(min_length=36, max_length=36)
    body: str
    parent_id: str | None = Field(default=None, max_length=36)


class CommentPatch(BaseModel):
    body: str


class AcceptIn(BaseModel):
    comment_id: str | None = Field(max_length=36)


def content_hash(*parts: object) -> str:
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


def _index_post(conn: Connection, row: Any) -> None:
    search_index.upsert_document(
        conn,
        "post",
        row.id,
        community_id=row.community_id,
        title=row.title or "",
        body=row.body,
        created_at=row.created_at,
        post_kind=row.kind,
        solved=row.accepted_comment_id is not None,
    )


def _set_topics(conn: Connection, post_id: str, topics: list[str]) -> None:
    conn.execute(delete(post_topics).where(post_topics.c.post_id == post_id))
    if topics:
        conn.execute(post_topics.insert(), [{"post_id": post_id, "topic": topic[:100]} for topic in topics])


def _post_row(conn: Connection, post_id: str) -> Any:
    return conn.execute(select(posts).where(posts.c.id == post_id)).one()


@router.post("/posts", status_code=201, response_model=PostOut)
def create_post(body: PostIn, request: Request, caller: CallerDep) -> Response:
    if not is_uuid(body.id):
        raise invalid("id", "must be a UUID")
    check_body(body.body, POST_BODY_LIMIT)
    check_title(body.title, required=body.kind == "blog")
    digest = content_hash(body.community_id, body.kind, body.title, body.body, body.attachment_ids)

    def work(conn: Connection) -> tuple[int, Any]:
        existing = conn.execute(select(posts).where(posts.c.id == body.id)).first()
        if existing is not None:
            if existing.author_id == caller.user_id and existing.content_hash == digest:
                return 201, post_dict(conn, existing)
            raise conflict("A different post already has this id.")
        community = readable_community(conn, body.community_id, caller.user_id)
        role = role_in(conn, body.community_id, caller.user_id)
        if role is None:
            raise forbidden("Join the community to post in it.")
        if body.kind == "announcement" and (
            community.kind != "announcements" or role not in MODERATING_ROLES
        ):
            raise forbidden(
                "Announcements are posted by the owners and moderators of an announcements community."
            )
        attachment_ids = list(dict.fromkeys(body.attachment_ids))
        for file_id in attachment_ids:
            owner = conn.execute(
                select(files.c.uploader_id).where(files.c.id == file_id)
            ).scalar_one_or_none()
            if owner != caller.user_id:
                raise invalid("attachment_ids", f"no file {file_id} uploaded by you")
        mentions = mentioned_user_ids(conn, body.body)
        topics = topics_in(body.body, body.title)
        stamp = now_iso()
        conn.execute(
            posts.insert().values(
                id=body.id,
                community_id=body.community_id,
                author_id=caller.user_id,
                kind=body.kind,
                title=(body.title or "").strip() or None,
                body=body.body,
                created_at=stamp,
                comments_enabled=True if body.comments_enabled is None else body.comments_enabled,
                mentions=orjson.dumps(mentions).decode(),
                topics=orjson.dumps(topics).decode(),
                content_hash=digest,
            )
        )
        _set_topics(conn, body.id, topics)
        if attachment_ids:
            conn.execute(
                post_attachments.insert(),
                [{"post_id": body.id, "file_id": fid, "position": n} for n, fid in enumerate(attachment_ids)],
            )
        data = publish_post(conn, body.id)
        _index_post(conn, _post_row(conn, body.id))
        target = {"target_type": "post", "target_id": body.id, "community_id": body.community_id}
        notify(conn, mentions, "mention", actor_id=caller.user_id, **target)
        if body.kind == "announcement":
            members = conn.execute(
                select(memberships.c.user_id).where(memberships.c.community_id == body.community_id)
            ).scalars()
            notify(
                conn,
                [m for m in members if m not in mentions],
                "announcement",
                actor_id=caller.user_id,
                **target,
            )
        return 201, data

    return run_write(request, caller, work)


@router.get("/posts/{post_id}", response_model=PostOut)
def get_post(post_id: str, request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        row = readable_post(conn, post_id, caller.user_id)
        return json_response(post_dict(conn, row))


@router.get("/posts", response_model=list[PostOut])
def list_posts(
    request: Request,
    caller: CallerDep,
    community_id: Annotated[str, Query(max_length=36)],
    before: Annotated[str | None, Query(max_length=40)] = None,
    kind: PostKind | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """A community's posts, newest first (for browsing a community one has not joined)."""
    with reading(request) as conn:
        readable_community(conn, community_id, caller.user_id)
        query = select(posts).where(posts.c.community_id == community_id)
        if before:
            query = query.where(posts.c.created_at < before)
        if kind:
            query = query.where(posts.c.kind == kind)
        rows = conn.execute(query.order_by(posts.c.created_at.desc()).limit(limit)).all()
        return json_response([post_dict(conn, row) for row in rows])


@router.patch("/posts/{post_id}", response_model=PostOut)
def edit_post(post_id: str, body: PostPatch, request: Request, caller: CallerDep) -> Response:
    """Authors edit title and body; moderators pin; either switches comments on or off."""
    if body.body is not None:
        check_body(body.body, POST_BODY_LIMIT)
    if body.title is not None:
        check_title(body.title)

    def work(conn: Connection) -> tuple[int, Any]:
        row = readable_post(conn, post_id, caller.user_id)
        is_author = row.author_id == caller.user_id
        moderator = caller.is_admin or role_in(conn, row.community_id, caller.user_id) in MODERATING_ROLES
        values: dict[str, Any] = {}
        if body.title is not None or body.body is not None:
            if not is_author:
                raise forbidden("Only the author may edit a post.")
            new_body = body.body if body.body is not None else row.body
            new_title = body.title.strip() or None if body.title is not None else row.title
            if row.kind == "blog" and not new_title:
                raise invalid("title", "is required")
            if (new_body, new_title) != (row.body, row.title):
                values.update(body=new_body, title=new_title, edited_at=now_iso())
                mentions = mentioned_user_ids(conn, new_body)
                topics = topics_in(new_body, new_title)
                values.update(mentions=orjson.dumps(mentions).decode(), topics=orjson.dumps(topics).decode())
                _set_topics(conn, post_id, topics)
                fresh = [m for m in mentions if m not in orjson.loads(row.mentions)]
                notify(
                    conn,
                    fresh,
                    "mention",
                    actor_id=caller.user_id,
                    target_type="post",
                    target_id=post_id,
                    community_id=row.community_id,
                )
        if body.pinned is not None and body.pinned != bool(row.pinned):
            if not moderator:
                raise forbidden("Only the community's owners and moderators may pin posts.")
            values["pinned"] = body.pinned
        if body.comments_enabled is not None and body.comments_enabled != bool(row.comments_enabled):
            if not (is_author or moderator):
                raise forbidden("Only the author or a moderator may switch comments on or off.")
            values["comments_enabled"] = body.comments_enabled
        if values:
            conn.execute(update(posts).where(posts.c.id == post_id).values(**values))
            data = publish_post(conn, post_id)
            _index_post(conn, _post_row(conn, post_id))
            # Retention follows pinning, for the whole thread (an announcement is always kept).
            if "pinned" in values and row.kind != "announcement":
                republish_thread_retention(conn, post_id)
            return 200, data
        return 200, post_dict(conn, row)

    return run_write(request, caller, work)


def _delete_reactions(conn: Connection, target_type: str, target_ids: list[str], community_id: str) -> None:
    if not target_ids:
        return
    rows = conn.execute(
        select(reactions).where(reactions.c.target_type == target_type, reactions.c.target_id.in_(target_ids))
    ).all()
    for reaction in rows:
        unpublish_reaction(
            conn, target_type, reaction.target_id, reaction.user_id, reaction.kind, community_id
        )
    conn.execute(
        delete(reactions).where(reactions.c.target_type == target_type, reactions.c.target_id.in_(target_ids))
    )


@router.delete("/posts/{post_id}", status_code=204)
def delete_post(post_id: str, request: Request, caller: CallerDep) -> Response:
    def work(conn: Connection) -> tuple[int, Any]:
        row = readable_post(conn, post_id, caller.user_id)
        moderator = caller.is_admin or role_in(conn, row.community_id, caller.user_id) in MODERATING_ROLES
        if row.author_id != caller.user_id and not moderator:
            raise forbidden("Only the author or a moderator may delete a post.")
        comment_ids = list(conn.execute(select(comments.c.id).where(comments.c.post_id == post_id)).scalars())
        _delete_reactions(conn, "comment", comment_ids, row.community_id)
        _delete_reactions(conn, "post", [post_id], row.community_id)
        scope = feed.community_scope(row.community_id)
        for comment_id in comment_ids:
            feed.record_delete(conn, "comment", comment_id, scope)
            search_index.delete_document(conn, "comment", comment_id)
        conn.execute(delete(comments).where(comments.c.post_id == post_id))
        conn.execute(delete(post_topics).where(post_topics.c.post_id == post_id))
        conn.execute(delete(post_attachments).where(post_attachments.c.post_id == post_id))
        conn.execute(delete(posts).where(posts.c.id == post_id))
        feed.record_delete(conn, "post", post_id, scope)
        search_index.delete_document(conn, "post", post_id)
        return 204, None

    return run_write(request, caller, work)


# --- comments -------------------------------------------------------------------------


@router.get("/posts/{post_id}/comments", response_model=list[CommentOut])
def list_comments(post_id: str, request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        readable_post(conn, post_id, caller.user_id)
        rows = conn.execute(
            select(comments)
            .where(comments.c.post_id == post_id)
            .order_by(comments.c.created_at, comments.c.id)
        ).all()
    return json_response([comment_dict(row) for row in rows])


def _index_comment(conn: Connection, row: Any, community_id: str) -> None:
    search_index.upsert_document(
        conn, "comment", row.id, community_id=community_id, title="", body=row.body, created_at=row.created_at
    )


def _refresh_comment_count(conn: Connection, post_id: str) -> None:
    from sqlalchemy import func

    count = conn.execute(
        select(func.count()).select_from(comments).where(comments.c.post_id == post_id)
    ).scalar_one()
    conn.execute(update(posts).where(posts.c.id == post_id).values(comment_count=count))
    publish_post(conn, post_id)


@router.post("/posts/{post_id}/comments", status_code=201, response_model=CommentOut)
def create_comment(post_id: str, body: CommentIn, request: Request, caller: CallerDep) -> Response:
    if not is_uuid(body.id):
        raise invalid("id", "must be a UUID")
    check_body(body.body, COMMENT_BODY_LIMIT)

    def work(conn: Connection) -> tuple[int, Any]:
        existing = conn.execute(select(comments).where(comments.c.id == body.id)).first()
        if existing is not None:
            if (existing.post_id, existing.author_id, existing.body, existing.parent_id) == (
                post_id,
                caller.user_id,
                body.body,
                body.parent_id,
            ):
                return 201, comment_dict(existing)
            raise conflict("A different comment already has this id.")
        post = readable_post(conn, post_id, caller.user_id)
        if not post.comments_enabled:
            raise forbidden("Comments are switched off for this post.")
        parent_author = None
        if body.parent_id is not None:
            parent = conn.execute(
                select(comments.c.author_id).where(
                    comments.c.id == body.parent_id, comments.c.post_id == post_id
                )
            ).first()
            if parent is None:
                raise invalid("parent_id", "is not a comment on this post")
            parent_author = parent.author_id
        conn.execute(
            comments.insert().values(
                id=body.id,
                post_id=post_id,
                author_id=caller.user_id,
                parent_id=body.parent_id,
                body=body.body,
                created_at=now_iso(),
            )
        )
        data = publish_comment(conn, body.id)
        _refresh_comment_count(conn, post_id)
        _index_comment(
            conn, conn.execute(select(comments).where(comments.c.id == body.id)).one(), post.community_id
        )
        target = {"target_type": "comment", "target_id": body.id, "community_id": post.community_id}
        mentions = mentioned_user_ids(conn, body.body)
        notify(conn, mentions, "mention", actor_id=caller.user_id, **target)
        repliers = [who for who in (post.author_id, parent_author) if who and who not in mentions]
        notify(conn, repliers, "reply", actor_id=caller.user_id, **target)
        return 201, data

    return run_write(request, caller, work)


def _own_comment(conn: Connection, comment_id: str, caller: Caller) -> tuple[Any, Any]:
    row = conn.execute(select(comments).where(comments.c.id == comment_id)).first()
    if row is None:
        raise not_found("comment")
    post = readable_post(conn, row.post_id, caller.user_id)
    return row, post


@router.patch("/comments/{comment_id}", response_model=CommentOut)
def edit_comment(comment_id: str, body: CommentPatch, request: Request, caller: CallerDep) -> Response:
    check_body(body.body, COMMENT_BODY_LIMIT)

    def work(conn: Connection) -> tuple[int, Any]:
        row, post = _own_comment(conn, comment_id, caller)
        if row.author_id != caller.user_id:
            raise forbidden("Only the author may edit a comment.")
        if row.body != body.body:
            conn.execute(
                update(comments)
                .where(comments.c.id == comment_id)
                .values(body=body.body, edited_at=now_iso())
            )
            _index_comment(
                conn,
                conn.execute(select(comments).where(comments.c.id == comment_id)).one(),
                post.community_id,
            )
        return 200, publish_comment(conn, comment_id)

    return run_write(request, caller, work)


@router.delete("/comments/{comment_id}", status_code=204)
def delete_comment(comment_id: str, request: Request, caller: CallerDep) -> Response:
    def work(conn: Connection) -> tuple[int, Any]:
        row, post = _own_comment(conn, comment_id, caller)
        moderator = caller.is_admin or role_in(conn, post.community_id, caller.user_id) in MODERATING_ROLES
        if row.author_id != caller.user_id and not moderator:
            raise forbidden("Only the author or a moderator may delete a comment.")
        _delete_reactions(conn, "comment", [comment_id], post.community_id)
        # Replies keep their place in the thread; they now answer the deleted comment's parent.
        replies = list(
            conn.execute(select(comments.c.id).where(comments.c.parent_id == comment_id)).scalars()
        )
        conn.execute(
            update(comments).where(comments.c.parent_id == comment_id).values(parent_id=row.parent_id)
        )
        conn.execute(delete(comments).where(comments.c.id == comment_id))
        for reply in replies:
            publish_comment(conn, reply)
        feed.record_delete(conn, "comment", comment_id, feed.community_scope(post.community_id))
        search_index.delete_document(conn, "comment", comment_id)
        if post.accepted_comment_id == comment_id:
            conn.execute(update(posts).where(posts.c.id == post.id).values(accepted_comment_id=None))
            search_index.set_solved(conn, post.id, False)
        _refresh_comment_count(conn, post.id)
        return 204, None

    return run_write(request, caller, work)


@router.post("/posts/{post_id}/accept", response_model=PostOut)
def accept_answer(post_id: str, body: AcceptIn, request: Request, caller: CallerDep) -> Response:
    """The asker (or a moderator) marks a comment as the accepted answer; null clears it."""

    def work(conn: Connection) -> tuple[int, Any]:
        post = readable_post(conn, post_id, caller.user_id)
        if post.kind != "question":
            raise invalid("post", "only questions have accepted answers")
        moderator = caller.is_admin or role_in(conn, post.community_id, caller.user_id) in MODERATING_ROLES
        if post.author_id != caller.user_id and not moderator:
            raise forbidden("Only the person who asked, or a moderator, may accept an answer.")
        answer_author = None
        if body.comment_id is not None:
            answer_author = conn.execute(
                select(comments.c.author_id).where(
                    comments.c.id == body.comment_id, comments.c.post_id == post_id
                )
            ).scalar_one_or_none()
            if answer_author is None:
                raise invalid("comment_id", "is not a comment on this question")
        if post.accepted_comment_id == body.comment_id:
            return 200, post_dict(conn, post)
        conn.execute(update(posts).where(posts.c.id == post_id).values(accepted_comment_id=body.comment_id))
        search_index.set_solved(conn, post_id, body.comment_id is not None)
        data = publish_post(conn, post_id)
        if body.comment_id is not None and answer_author is not None:
            notify(
                conn,
                [answer_author],
                "accepted",
                actor_id=caller.user_id,
                target_type="comment",
                target_id=body.comment_id,
                community_id=post.community_id,
            )
        return 200, data

    return run_write(request, caller, work)
