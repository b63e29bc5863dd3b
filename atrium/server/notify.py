"""Creating notifications (mention, reply, like, accepted, announcement, added_to_community)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Connection, select

from .clock import now_iso, uuid7
from .publish import publish_notification
from .schema import communities, memberships, notifications


def recipients_to_notify(
    recipients: Iterable[str | None],
    actor_id: str | None,
    readers: Callable[[list[str]], list[str]] | None = None,
) -> list[str]:
    """Who gets a notification: each recipient once, never the actor themself, and (given
    READERS, which keeps those who may read the target) only readers — a mention of an outsider
    in a private community must not tell them the community exists. The live routes and the
    demo seeder both decide by this."""
    wanted = [user_id for user_id in dict.fromkeys(recipients) if user_id and user_id != actor_id]
    return readers(wanted) if readers is not None and wanted else wanted


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
    """Notify ``recipients_to_notify`` of RECIPIENTS, in COMMUNITY_ID's readers when it is given."""
    readers = None
    if community_id is not None:
        in_community = community_id

        def readers(user_ids: list[str]) -> list[str]:
            return _readers_among(conn, in_community, user_ids)

    wanted = recipients_to_notify(recipients, actor_id, readers)
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
