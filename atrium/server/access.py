"""Who may read and do what: community visibility and roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, or_, select

from .problems import forbidden, not_found
from .schema import communities, memberships, posts

MODERATING_ROLES = ("owner", "moderator")


def role_in(conn: Connection, community_id: str, user_id: str) -> str | None:
    return conn.execute(
        select(memberships.c.role).where(
            memberships.c.community_id == community_id, memberships.c.user_id == user_id
        )
    ).scalar_one_or_none()


def readable_community(conn: Connection, community_id: str, user_id: str) -> Row[Any]:
    """The community row if USER_ID may read it; otherwise the same 404 as a missing one."""
    row = conn.execute(select(communities).where(communities.c.id == community_id)).first()
    if row is None:
        raise not_found("community")
    if row.visibility != "public" and role_in(conn, community_id, user_id) is None:
        raise not_found("community")
    return row


def readable_post(conn: Connection, post_id: str, user_id: str) -> Row[Any]:
    row = conn.execute(select(posts).where(posts.c.id == post_id)).first()
    if row is None or not can_read_community(conn, row.community_id, user_id):
        raise not_found("post")
    return row


def can_read_community(conn: Connection, community_id: str, user_id: str) -> bool:
    visibility = conn.execute(
        select(communities.c.visibility).where(communities.c.id == community_id)
    ).scalar_one_or_none()
    if visibility is None:
        return False
    return visibility == "public" or role_in(conn, community_id, user_id) is not None


def require_moderator(conn: Connection, community_id: str, user_id: str, *, is_admin: bool = False) -> None:
    if is_admin:
        return
    if role_in(conn, community_id, user_id) not in MODERATING_ROLES:
        raise forbidden("Only the community's owners and moderators may do this.")


def readable_communities_clause(user_id: str) -> Any:
    """A WHERE clause over ``communities``: public ones and those USER_ID belongs to."""
    member_of = select(memberships.c.community_id).where(memberships.c.user_id == user_id)
    return or_(communities.c.visibility == "public", communities.c.id.in_(member_of))


def readable_community_ids_clause(column: Any, user_id: str) -> Any:
    """A WHERE clause: COLUMN (a community id) names a community USER_ID may read."""
    public = select(communities.c.id).where(communities.c.visibility == "public")
    member_of = select(memberships.c.community_id).where(memberships.c.user_id == user_id)
    return or_(column.in_(public), column.in_(member_of))
