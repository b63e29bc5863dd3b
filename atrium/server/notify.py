"""Creating notifications (mention, reply, like, accepted, announcement, added_to_community)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from .clock import now_iso, uuid7
from .publish import publish_notification
from .schema import communities, memberships, notifications


def notify(
    conn: Connection,
    recipients: Iterable[str],
    kind: str,
    *,
    actor_id: str | None,
    target_type: str,
    target_id: str,
    community_id: str | None,
) -> None:
    """Notify each recipient once, never the actor themself, and only those who may read the target:
    a mention of an outsider in a private community must not tell them the community exists."""
    wanted = [user_id for user_id in dict.fromkeys(recipients) if user_id and user_id != actor_id]
    if community_id is not None and wanted:
        wanted = _readers_among(conn, community_id, wanted)
    stamp = now_iso()
    for user_id in wanted:
        notification_id = uuid7()
        conn.execute(
            notifications.insert().values(
                id=notification_id,
                user_id=user_id,
                kind=kind,
                actor_id=actor_id,
                target_type=target_type,
                target_id=target_id,
                community_id=community_id,
                created_at=stamp,
                read=False,
            )
        )
        publish_notification(conn, notification_id)


def _readers_among(conn: Connection, community_id: str, user_ids: list[str]) -> list[str]:
    visibility = conn.execute(
        select(communities.c.visibility).where(communities.c.id == community_id)
    ).scalar_one_or_none()
    if visibility == "public":
        return user_ids
    members = set(
        conn.execute(
            select(memberships.c.user_id).where(
                memberships.c.community_id == community_id, memberships.c.user_id.in_(user_ids)
            )
        ).scalars()
    )
    return [user_id for user_id in user_ids if user_id in members]
