"""Incoming webhooks: a business app posts an ``app_event`` into its community.

``POST /hooks/{token}`` carries no bearer token: the path token itself names
the app (only its SHA-256 is stored, in ``apps.hook_token_hash``) and the app
names its community. An unknown token answers 404, like any missing thing.
The post has no author (``author_id`` null) and carries ``app_id``.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select
from starlette.responses import Response

from .. import search_index
from ..clock import now_iso, uuid7
from ..context import WriteResult, reading, run_write
from ..notify import notify
from ..problems import forbidden, not_found
from ..publish import publish_post
from ..schema import apps, post_topics, posts
from ..security import token_hash
from ..text_extract import POST_BODY_LIMIT, check_body, check_title, mentioned_user_ids, topics_in
from .posts import PostOut

router = APIRouter(tags=["hooks"])


class HookIn(BaseModel):
    title: str | None = Field(default=None, description="at most 300 characters (413 over)")
    body: str = Field(description="Markdown, at most 64 KiB (413 over)")
    community_id: str | None = Field(
        default=None, description="optional; when given it must be the app's own community (403 otherwise)"
    )


def _hook_app(request: Request, token: str) -> tuple[str, str]:
    """The (app id, community id) the token belongs to; 404 for an unknown token."""
    with reading(request) as conn:
        row = conn.execute(
            select(apps.c.id, apps.c.community_id).where(apps.c.hook_token_hash == token_hash(token))
        ).first()
    if row is None:
        raise not_found("webhook")
    if row.community_id is None:  # tokens are only issued with a community; be safe anyway
        raise forbidden("This app may not post into any community.")
    return row.id, row.community_id


@router.post(
    "/hooks/{token}",
    status_code=201,
    response_model=PostOut,
    responses={400: {}, 403: {}, 404: {}, 413: {}, 422: {}},
)
def post_app_event(
    body: HookIn,
    request: Request,
    token: str,
) -> Response:
    """Post an ``app_event`` into the app's community. Honours ``Idempotency-Key`` (a retry of
    a delivery with the same key creates nothing new and answers as the first time)."""
    app_id, community_id = _hook_app(request, token)
    if body.community_id is not None and body.community_id != community_id:
        raise forbidden("This app may only post into its own community.")
    check_title(body.title)
    check_body(body.body, POST_BODY_LIMIT)
    title = (body.title or "").strip() or None

    def work(conn: Connection) -> WriteResult:
        # The app may have been removed since the look-up above: check again inside the write.
        if conn.execute(select(apps.c.id).where(apps.c.id == app_id)).first() is None:
            raise not_found("webhook")
        post_id = uuid7()
        topics = topics_in(body.body, title)
        mentions = mentioned_user_ids(conn, body.body)
        stamp = now_iso()
        conn.execute(
            posts.insert().values(
                id=post_id,
                community_id=community_id,
                author_id=None,
                app_id=app_id,
                kind="app_event",
                title=title,
                body=body.body,
                created_at=stamp,
                mentions=orjson.dumps(mentions).decode(),
                topics=orjson.dumps(topics).decode(),
            )
        )
        if topics:
            conn.execute(
                post_topics.insert(), [{"post_id": post_id, "topic": topic[:100]} for topic in topics]
            )
        data = publish_post(conn, post_id)
        search_index.upsert_document(
            conn,
            "post",
            post_id,
            community_id=community_id,
            title=title or "",
            body=body.body,
            created_at=stamp,
            post_kind="app_event",
        )
        # notify() tells only those who may read the community.
        notify(
            conn,
            mentions,
            "mention",
            actor_id=None,
            target_type="post",
            target_id=post_id,
            community_id=community_id,
        )
        return 201, data

    return run_write(request, None, work)
