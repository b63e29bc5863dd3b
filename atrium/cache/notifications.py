"""The notification list (unread first, then newest) and the unread counts: of notifications,
and of entries (what the badge and the pane's header count: likes of one target are one entry)."""

from __future__ import annotations

from .db import CacheLike, connection_of
from .models import Notification


def notifications(target: CacheLike, *, limit: int = 50, offset: int = 0) -> list[Notification]:
    rows = connection_of(target).execute(
        "SELECT n.id, n.kind, n.actor_id, (SELECT display_name FROM users WHERE id = n.actor_id), "
        "n.target_type, n.target_id, n.community_id, n.created_at, n.read, n.pending "
        "FROM notifications n ORDER BY n.read, n.created_at DESC, n.id DESC LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [
        Notification(
            note_id,
            kind,
            actor_id,
            actor,
            target_type,
            target_id,
            community_id,
            at,
            bool(read),
            bool(pending),
        )
        for note_id, kind, actor_id, actor, target_type, target_id, community_id, at, read, pending in rows
    ]


def unread_count(target: CacheLike) -> int:
    return int(
        connection_of(target).execute("SELECT count(*) FROM notifications WHERE read = 0").fetchone()[0]
    )


_GROUPED_LIKE = "kind = 'like' AND coalesce(target_type, '') != '' AND coalesce(target_id, '') != ''"
"""The likes the Notifications pane shows as one row per target (``NotificationRow.group_key``)."""


def unread_entries(target: CacheLike) -> int:
    """Unread rows as the Notifications pane shows them: each unread notification, except that
    the unread likes of one post or comment count once ("Liam and 4 others liked your post")."""
    row = (
        connection_of(target)
        .execute(
            f"SELECT (SELECT count(*) FROM notifications WHERE read = 0 AND NOT ({_GROUPED_LIKE})) + "
            f"(SELECT count(*) FROM (SELECT DISTINCT target_type, target_id FROM notifications "
            f"WHERE read = 0 AND {_GROUPED_LIKE}))"
        )
        .fetchone()
    )
    return int(row[0])
