"""Rendering objects in their protocol shape and publishing them to the sync feed.

``render_*`` read a row and return the protocol dict (used by GET routes too);
``publish_*`` render and record the object in the feed with the right scope,
so the feed row is always the object's whole current state.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Row, Select, and_, or_, select

from . import feed
from .schema import (
    apps,
    comments,
    communities,
    files,
    follows,
    memberships,
    notifications,
    post_attachments,
    posts,
    reactions,
    users,
    wiki_pages,
)


def user_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "handle": row.handle,
        "display_name": row.display_name,
        "title": row.title,
        "department": row.department,
        "location": row.location,
        "avatar_url": row.avatar_url,
        "is_admin": bool(row.is_admin),
    }


def community_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "description": row.description,
        "kind": row.kind,
        "visibility": row.visibility,
        "member_count": row.member_count,
        "created_at": row.created_at,
    }


def membership_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "community_id": row.community_id,
        "user_id": row.user_id,
        "role": row.role,
        "joined_at": row.joined_at,
    }


def file_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "mime": row.mime,
        "size": row.size,
        "sha256": row.sha256,
        "created_at": row.created_at,
    }


def post_dict(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    attached = conn.execute(
        select(files)
        .join(post_attachments, post_attachments.c.file_id == files.c.id)
        .where(post_attachments.c.post_id == row.id)
        .order_by(post_attachments.c.position)
    ).all()
    return {
        "id": row.id,
        "community_id": row.community_id,
        "author_id": row.author_id,
        "app_id": row.app_id,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "created_at": row.created_at,
        "edited_at": row.edited_at,
        "pinned": bool(row.pinned),
        "comments_enabled": bool(row.comments_enabled),
        "accepted_comment_id": row.accepted_comment_id,
        "mentions": orjson.loads(row.mentions),
        "topics": orjson.loads(row.topics),
        "attachments": [file_dict(item) for item in attached],
        "like_count": row.like_count,
        "comment_count": row.comment_count,
    }


def comment_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "post_id": row.post_id,
        "author_id": row.author_id,
        "parent_id": row.parent_id,
        "body": row.body,
        "created_at": row.created_at,
        "edited_at": row.edited_at,
        "like_count": row.like_count,
    }


def wiki_page_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "community_id": row.community_id,
        "path": row.path,
        "title": row.title,
        "revision_id": row.revision_id,
        "body": row.body,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }


def app_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "url": row.url,
        "icon_url": row.icon_url,
        "description": row.description,
        "allowed_origins": orjson.loads(row.allowed_origins),
        "position": row.position,
        "community_id": row.community_id,
    }


def notification_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "actor_id": row.actor_id,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "community_id": row.community_id,
        "created_at": row.created_at,
        "read": bool(row.read),
    }


def membership_key(community_id: str, user_id: str) -> str:
    return f"{community_id}:{user_id}"


def reaction_key(target_type: str, target_id: str, user_id: str, kind: str) -> str:
    return f"{target_type}:{target_id}:{user_id}:{kind}"


def follow_key(user_id: str, target_type: str, target_id: str) -> str:
    return f"{user_id}:{target_type}:{target_id}"


# --- publishing -----------------------------------------------------------------


def publish_user(conn: Connection, user_id: str) -> None:
    row = conn.execute(select(users).where(users.c.id == user_id)).one()
    feed.record_upsert(conn, "user", user_id, user_dict(row), feed.EVERYONE)


def community_read_scope(row: Row[Any]) -> str | None:
    return feed.EVERYONE if row.visibility == "public" else feed.community_scope(row.id)


def publish_community(conn: Connection, community_id: str) -> None:
    row = conn.execute(select(communities).where(communities.c.id == community_id)).one()
    feed.record_upsert(conn, "community", community_id, community_dict(row), community_read_scope(row))


def publish_membership(conn: Connection, community_id: str, user_id: str) -> None:
    row = conn.execute(
        select(memberships).where(
            memberships.c.community_id == community_id, memberships.c.user_id == user_id
        )
    ).one()
    feed.record_upsert(
        conn,
        "membership",
        membership_key(community_id, user_id),
        membership_dict(row),
        feed.community_scope(community_id),
    )


def unpublish_membership(conn: Connection, community_id: str, user_id: str) -> None:
    feed.record_delete(
        conn, "membership", membership_key(community_id, user_id), feed.community_scope(community_id)
    )


def _post_retention(row: Row[Any]) -> tuple[str, bool]:
    return row.created_at, bool(row.pinned) or row.kind == "announcement"


def publish_post(conn: Connection, post_id: str) -> dict[str, Any]:
    row = conn.execute(select(posts).where(posts.c.id == post_id)).one()
    data = post_dict(conn, row)
    ts, keep = _post_retention(row)
    public = (
        conn.execute(
            select(communities.c.visibility).where(communities.c.id == row.community_id)
        ).scalar_one()
        == "public"
    )
    feed.record_upsert(
        conn,
        "post",
        post_id,
        data,
        feed.community_scope(row.community_id),
        ts=ts,
        keep=keep,
        author=row.author_id if public else None,
    )
    return data


def publish_comment(conn: Connection, comment_id: str) -> dict[str, Any]:
    row = conn.execute(
        select(
            comments,
            posts.c.community_id,
            posts.c.created_at.label("post_created_at"),
            posts.c.pinned,
            posts.c.kind,
        )
        .join(posts, posts.c.id == comments.c.post_id)
        .where(comments.c.id == comment_id)
    ).one()
    data = comment_dict(row)
    feed.record_upsert(
        conn,
        "comment",
        comment_id,
        data,
        feed.community_scope(row.community_id),
        ts=row.post_created_at,
        keep=bool(row.pinned) or row.kind == "announcement",
    )
    return data


def publish_reaction(conn: Connection, target_type: str, target_id: str, user_id: str, kind: str) -> None:
    row = conn.execute(
        select(reactions).where(
            reactions.c.target_type == target_type,
            reactions.c.target_id == target_id,
            reactions.c.user_id == user_id,
            reactions.c.kind == kind,
        )
    ).one()
    data = {
        "target_type": target_type,
        "target_id": target_id,
        "user_id": user_id,
        "kind": kind,
        "created_at": row.created_at,
    }
    # A like is kept as long as the thread it belongs to (same retention as the post; a post
    # pinned or unpinned later takes its likes along: republish_thread_retention).
    post_id = target_id
    if target_type == "comment":
        post_id = conn.execute(select(comments.c.post_id).where(comments.c.id == target_id)).scalar_one()
    post = conn.execute(
        select(posts.c.created_at, posts.c.pinned, posts.c.kind).where(posts.c.id == post_id)
    ).one()
    feed.record_upsert(
        conn,
        "reaction",
        reaction_key(target_type, target_id, user_id, kind),
        data,
        feed.community_scope(row.community_id),
        ts=post.created_at,
        keep=bool(post.pinned) or post.kind == "announcement",
    )


def thread_reaction_ids(post_id: str) -> Select[tuple[str]]:
    """The change ids (``reaction_key``) of the reactions on a post and on its comments."""
    key = (
        reactions.c.target_type
        + ":"
        + reactions.c.target_id
        + ":"
        + reactions.c.user_id
        + ":"
        + reactions.c.kind
    )
    on_comments = select(comments.c.id).where(comments.c.post_id == post_id)
    return select(key).where(
        or_(
            and_(reactions.c.target_type == "post", reactions.c.target_id == post_id),
            and_(reactions.c.target_type == "comment", reactions.c.target_id.in_(on_comments)),
        )
    )


def republish_thread_retention(conn: Connection, post_id: str) -> None:
    """The post's retention changed (pinned or unpinned): its comments and the likes on it and on
    them are kept exactly as long as the post, each with a new change number (so a desktop whose
    first sync left the thread out receives it), in one statement per kind of object."""
    row = conn.execute(select(posts).where(posts.c.id == post_id)).one()
    _ts, keep = _post_retention(row)
    on_post = select(comments.c.id).where(comments.c.post_id == post_id)
    feed.restamp(conn, "comment", on_post, keep=keep)
    feed.restamp(conn, "reaction", thread_reaction_ids(post_id), keep=keep)


def unpublish_reaction(
    conn: Connection, target_type: str, target_id: str, user_id: str, kind: str, community_id: str
) -> None:
    feed.record_delete(
        conn,
        "reaction",
        reaction_key(target_type, target_id, user_id, kind),
        feed.community_scope(community_id),
    )


def publish_follow(conn: Connection, user_id: str, target_type: str, target_id: str) -> None:
    row = conn.execute(
        select(follows).where(
            follows.c.user_id == user_id,
            follows.c.target_type == target_type,
            follows.c.target_id == target_id,
        )
    ).one()
    data = {
        "user_id": user_id,
        "target_type": target_type,
        "target_id": target_id,
        "created_at": row.created_at,
    }
    feed.record_upsert(
        conn, "follow", follow_key(user_id, target_type, target_id), data, feed.user_scope(user_id)
    )


def unpublish_follow(conn: Connection, user_id: str, target_type: str, target_id: str) -> None:
    feed.record_delete(conn, "follow", follow_key(user_id, target_type, target_id), feed.user_scope(user_id))


def wiki_scope(community_id: str | None) -> str | None:
    return feed.EVERYONE if community_id is None else feed.community_scope(community_id)


def publish_wiki_page(conn: Connection, page_id: str) -> dict[str, Any]:
    row = conn.execute(select(wiki_pages).where(wiki_pages.c.id == page_id)).one()
    data = wiki_page_dict(row)
    feed.record_upsert(conn, "wiki_page", page_id, data, wiki_scope(row.community_id), keep=True)
    return data


def publish_app(conn: Connection, app_id: str) -> dict[str, Any]:
    row = conn.execute(select(apps).where(apps.c.id == app_id)).one()
    data = app_dict(row)
    feed.record_upsert(conn, "app", app_id, data, feed.EVERYONE)
    return data


def publish_notification(conn: Connection, notification_id: str) -> dict[str, Any]:
    row = conn.execute(select(notifications).where(notifications.c.id == notification_id)).one()
    data = notification_dict(row)
    feed.record_upsert(conn, "notification", notification_id, data, feed.user_scope(row.user_id), keep=True)
    return data
