"""Likes (reactions) and follows of people, communities and topics; both idempotent PUT/DELETE."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import Connection, delete, func, select, update
from starlette.responses import Response

from .. import feed
from ..access import readable_community, readable_post
from ..clock import now_iso
from ..context import Caller, current_caller, json_response, reading, run_write
from ..notify import notify
from ..problems import invalid, not_found
from ..publish import (
    publish_comment,
    publish_follow,
    publish_post,
    publish_reaction,
    unpublish_follow,
    unpublish_reaction,
)
from ..schema import comments, follows, posts, reactions, users

router = APIRouter(tags=["social"])
CallerDep = Annotated[Caller, Depends(current_caller)]

TargetType = Literal["post", "comment"]
FollowType = Literal["user", "community", "topic"]
TOPIC = re.compile(r"^[^\W_][\w-]{0,99}$")


class FollowOut(BaseModel):
    user_id: str
    target_type: FollowType
    target_id: str
    created_at: str


def _target(conn: Connection, target_type: str, target_id: str, user_id: str) -> tuple[str, str | None]:
    """(community id, author id) of a readable post or comment; 404 otherwise."""
    if target_type == "post":
        post = readable_post(conn, target_id, user_id)
        return post.community_id, post.author_id
    row = conn.execute(
        select(comments.c.post_id, comments.c.author_id).where(comments.c.id == target_id)
    ).first()
    if row is None:
        raise not_found("comment")
    post = readable_post(conn, row.post_id, user_id)
    return post.community_id, row.author_id


def _recount(conn: Connection, target_type: str, target_id: str) -> None:
    count = conn.execute(
        select(func.count())
        .select_from(reactions)
        .where(
            reactions.c.target_type == target_type,
            reactions.c.target_id == target_id,
            reactions.c.kind == "like",
        )
    ).scalar_one()
    if target_type == "post":
        conn.execute(update(posts).where(posts.c.id == target_id).values(like_count=count))
        publish_post(conn, target_id)
    else:
        conn.execute(update(comments).where(comments.c.id == target_id).values(like_count=count))
        publish_comment(conn, target_id)


@router.put("/reactions/{target_type}/{target_id}", status_code=204)
def like(target_type: TargetType, target_id: str, request: Request, caller: CallerDep) -> Response:
    def work(conn: Connection) -> tuple[int, Any]:
        community_id, author_id = _target(conn, target_type, target_id, caller.user_id)
        key = {"target_type": target_type, "target_id": target_id, "user_id": caller.user_id, "kind": "like"}
        exists = conn.execute(
            select(reactions.c.user_id).where(*(reactions.c[name] == value for name, value in key.items()))
        ).first()
        if exists is None:
            conn.execute(reactions.insert().values(**key, community_id=community_id, created_at=now_iso()))
            publish_reaction(conn, target_type, target_id, caller.user_id, "like")
            _recount(conn, target_type, target_id)
            if author_id:
                notify(
                    conn,
                    [author_id],
                    "like",
                    actor_id=caller.user_id,
                    target_type=target_type,
                    target_id=target_id,
                    community_id=community_id,
                )
        return 204, None

    return run_write(request, caller, work)


@router.delete("/reactions/{target_type}/{target_id}", status_code=204)
def unlike(target_type: TargetType, target_id: str, request: Request, caller: CallerDep) -> Response:
    def work(conn: Connection) -> tuple[int, Any]:
        community_id, _author = _target(conn, target_type, target_id, caller.user_id)
        removed = conn.execute(
            delete(reactions).where(
                reactions.c.target_type == target_type,
                reactions.c.target_id == target_id,
                reactions.c.user_id == caller.user_id,
                reactions.c.kind == "like",
            )
        ).rowcount
        if removed:
            unpublish_reaction(conn, target_type, target_id, caller.user_id, "like", community_id)
            _recount(conn, target_type, target_id)
        return 204, None

    return run_write(request, caller, work)


def _follow_target(conn: Connection, target_type: str, target_id: str, caller: Caller) -> str:
    if target_type == "user":
        if conn.execute(select(users.c.id).where(users.c.id == target_id)).first() is None:
            raise not_found("user")
        return target_id
    if target_type == "community":
        readable_community(conn, target_id, caller.user_id)
        return target_id
    topic = target_id.strip().lstrip("#").lower()
    if not TOPIC.match(topic):
        raise invalid("target_id", "a topic is letters, digits, '_' or '-' (up to 100)")
    return topic


@router.put("/follows/{target_type}/{target_id}", status_code=204)
def follow(target_type: FollowType, target_id: str, request: Request, caller: CallerDep) -> Response:
    def work(conn: Connection) -> tuple[int, Any]:
        target = _follow_target(conn, target_type, target_id, caller)
        exists = conn.execute(
            select(follows.c.user_id).where(
                follows.c.user_id == caller.user_id,
                follows.c.target_type == target_type,
                follows.c.target_id == target,
            )
        ).first()
        if exists is None:
            conn.execute(
                follows.insert().values(
                    user_id=caller.user_id, target_type=target_type, target_id=target, created_at=now_iso()
                )
            )
            publish_follow(conn, caller.user_id, target_type, target)
            if target_type == "user":  # their posts in public communities now sync: backfill them
                feed.record_scope_event(conn, caller.user_id, feed.author_scope(target), "gain")
        return 204, None

    return run_write(request, caller, work)


@router.delete("/follows/{target_type}/{target_id}", status_code=204)
def unfollow(target_type: FollowType, target_id: str, request: Request, caller: CallerDep) -> Response:
    def work(conn: Connection) -> tuple[int, Any]:
        target = target_id.strip().lstrip("#").lower() if target_type == "topic" else target_id
        removed = conn.execute(
            delete(follows).where(
                follows.c.user_id == caller.user_id,
                follows.c.target_type == target_type,
                follows.c.target_id == target,
            )
        ).rowcount
        if removed:
            unpublish_follow(conn, caller.user_id, target_type, target)
            if target_type == "user":
                feed.record_scope_event(conn, caller.user_id, feed.author_scope(target), "lose")
        return 204, None

    return run_write(request, caller, work)


@router.get("/follows", response_model=list[FollowOut])
def my_follows(request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        rows = conn.execute(
            select(follows).where(follows.c.user_id == caller.user_id).order_by(follows.c.created_at)
        ).all()
    return json_response(
        [
            {
                "user_id": r.user_id,
                "target_type": r.target_type,
                "target_id": r.target_id,
                "created_at": r.created_at,
            }
            for r in rows
        ]
    )
