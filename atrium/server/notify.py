"""Creating notifications (mention, reply, like, accepted, announcement, added_to_community)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from .clock import now_iso, uuid7
from .publish import publish_notification
from .schema import notifications


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
    """Notify each recipient once, never the actor themself."""
    stamp = now_iso()
    for user_id in dict.fromkeys(recipients):
        if user_id is None or user_id == actor_id:
            continue
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
