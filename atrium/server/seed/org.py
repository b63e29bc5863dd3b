"""Writing the planned company — users, communities, memberships (with their scope events) and
follows — in bulk, each with its feed row in the shape ``publish.py`` renders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from .. import feed
from ..admin_ops import HANDLE_PATTERN, AdminError
from ..publish import follow_key, membership_key
from ..schema import communities, follows, memberships, users
from ..security import hash_password
from .bulk import FeedWriter, change_row
from .company import Company, UserPlan
from .ids import iso_ms


def user_row(user: UserPlan, password_hash: str) -> dict[str, Any]:
    person = user.person
    if not HANDLE_PATTERN.match(person.handle):
        raise AdminError(f"Generated an invalid handle '{person.handle}'.")
    return {
        "id": user.id,
        "handle": person.handle,
        "display_name": person.display_name,
        "title": person.title,
        "department": person.department,
        "location": person.location,
        "avatar_url": None,
        "is_admin": user.is_admin,
        "password_hash": password_hash,
        "created_at": iso_ms(user.created_ms),
    }


def user_data(row: dict[str, Any]) -> dict[str, Any]:
    """publish.user_dict, from the row we are about to insert."""
    keys = ("id", "handle", "display_name", "title", "department", "location", "avatar_url", "is_admin")
    return {key: row[key] for key in keys}


def write_people(
    conn: Connection, company: Company, *, demo_password: str, admin_password: str, skip_admin: bool
) -> int:
    """Insert every planned user; returns how many. argon2 costs ~50 ms a hash, so the
    colleagues share one hash (their password is the demo password)."""
    shared_hash = hash_password(demo_password)
    rows = []
    for user in company.users:
        if user is company.admin:
            if skip_admin:
                continue
            rows.append(user_row(user, hash_password(admin_password)))
        else:
            rows.append(user_row(user, shared_hash))
    rows.sort(key=lambda row: row["id"])
    writer = FeedWriter(conn)
    writer.insert(users, rows)
    writer.record_changes(
        [change_row("user", row["id"], feed.EVERYONE, user_data(row), None, False) for row in rows]
    )
    return len(rows)


def write_communities(conn: Connection, company: Company) -> tuple[int, int]:
    """Insert communities and memberships with the scope events a join records; returns the counts."""
    community_rows: list[dict[str, Any]] = []
    membership_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    events: list[tuple[str | None, str, str]] = []
    for plan in company.communities:
        spec = plan.spec
        created = iso_ms(plan.created_ms)
        row = {
            "id": plan.id,
            "slug": plan.slug,
            "name": spec.name,
            "description": spec.description,
            "kind": spec.kind,
            "visibility": spec.visibility,
            "member_count": len(plan.roles),
            "created_at": created,
            "created_by": plan.created_by,
        }
        community_rows.append(row)
        data = {key: row[key] for key in row if key != "created_by"}  # publish.community_dict
        read_scope = feed.EVERYONE if spec.visibility == "public" else feed.community_scope(plan.id)
        changes.append(change_row("community", plan.id, read_scope, data, None, False))
    community_rows.sort(key=lambda row: row["id"])
    changes.sort(key=lambda row: row["object_id"])
    for plan in company.communities:
        scope = feed.community_scope(plan.id)
        for user_id in sorted(plan.roles, key=lambda uid: (plan.joined_ms[uid], uid)):
            row = {
                "community_id": plan.id,
                "user_id": user_id,
                "role": plan.roles[user_id],
                "joined_at": iso_ms(plan.joined_ms[user_id]),
            }
            membership_rows.append(row)
            changes.append(
                change_row("membership", membership_key(plan.id, user_id), scope, row, None, False)
            )
            events.append((user_id, scope, "gain"))
        if plan.spec.kind == "announcements" and plan.spec.visibility == "public":
            events.append((None, scope, "gain"))  # as routes/communities.py does: everyone reads it
    writer = FeedWriter(conn)
    writer.insert(communities, community_rows)
    writer.insert(memberships, sorted(membership_rows, key=lambda row: (row["community_id"], row["user_id"])))
    writer.record_changes(changes)
    writer.record_scope_events(events)
    return len(community_rows), len(membership_rows)


def write_follows(conn: Connection, company: Company) -> int:
    rows = [
        {
            "user_id": item.user_id,
            "target_type": item.target_type,
            "target_id": item.target_id,
            "created_at": iso_ms(item.created_ms),
        }
        for item in sorted(company.follows, key=lambda item: item.created_ms)
    ]
    changes = [
        change_row(
            "follow",
            follow_key(row["user_id"], row["target_type"], row["target_id"]),
            feed.user_scope(row["user_id"]),
            dict(row),
            None,
            False,
        )
        for row in rows
    ]
    writer = FeedWriter(conn)
    writer.insert(
        follows, sorted(rows, key=lambda row: (row["user_id"], row["target_type"], row["target_id"]))
    )
    writer.record_changes(changes)
    return len(rows)
