"""Protocol objects and sync changes as the server sends them (shapes from protocol.md)."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from atrium.cache.apply import plan_changes
from atrium.cache.clock import iso
from atrium.cache.ids import follow_id, membership_id, reaction_id, uuid7

_START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
_tick = itertools.count()


def moment(days_ago: float | None = None) -> str:
    """A fresh, strictly increasing time (or one ``days_ago`` from now)."""
    if days_ago is not None:
        return iso(datetime.now(UTC) - timedelta(days=days_ago) + timedelta(milliseconds=next(_tick)))
    return iso(_START + timedelta(seconds=next(_tick)))


def new_id() -> str:
    return uuid7()


def user(handle: str, display_name: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "handle": handle,
        "display_name": display_name or handle.title(),
        "title": fields.pop("title", "Engineer"),
        "department": fields.pop("department", "IT"),
        "location": fields.pop("location", "Paris"),
        "avatar_url": None,
        "is_admin": False,
        **fields,
    }


def community(name: str, kind: str = "practice", visibility: str = "public", **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "slug": name.lower().replace(" ", "-"),
        "name": name,
        "description": f"The {name} community",
        "kind": kind,
        "visibility": visibility,
        "member_count": 3,
        "created_at": moment(),
        **fields,
    }


def membership(community_id: str, user_id: str, role: str = "member") -> dict[str, Any]:
    return {"community_id": community_id, "user_id": user_id, "role": role, "joined_at": moment()}


def follow(user_id: str, target_type: str, target_id: str) -> dict[str, Any]:
    return {"user_id": user_id, "target_type": target_type, "target_id": target_id, "created_at": moment()}


def post(community_id: str, author_id: str | None, body: str = "hello", **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "community_id": community_id,
        "author_id": author_id,
        "app_id": None,
        "kind": fields.pop("kind", "post"),
        "title": fields.pop("title", None),
        "body": body,
        "created_at": fields.pop("created_at", None) or moment(),
        "edited_at": None,
        "pinned": fields.pop("pinned", False),
        "comments_enabled": True,
        "accepted_comment_id": fields.pop("accepted_comment_id", None),
        "mentions": fields.pop("mentions", []),
        "topics": fields.pop("topics", []),
        "attachments": [],
        "like_count": 0,
        "comment_count": 0,
        **fields,
    }


def comment(post_id: str, author_id: str, body: str = "a comment", **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "post_id": post_id,
        "author_id": author_id,
        "parent_id": fields.pop("parent_id", None),
        "body": body,
        "created_at": fields.pop("created_at", None) or moment(),
        "edited_at": None,
        "like_count": 0,
        **fields,
    }


def reaction(target_type: str, target_id: str, user_id: str) -> dict[str, Any]:
    return {
        "target_type": target_type,
        "target_id": target_id,
        "user_id": user_id,
        "kind": "like",
        "created_at": moment(),
    }


def wiki_page(
    community_id: str | None, path: str, title: str, body: str = "page text", **fields: Any
) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "community_id": community_id,
        "path": path,
        "title": title,
        "revision_id": new_id(),
        "body": body,
        "created_at": moment(),
        "updated_at": moment(),
        "updated_by": fields.pop("updated_by", None),
        **fields,
    }


def notification(
    kind: str, actor_id: str | None, target_id: str, read: bool = False, **fields: Any
) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "kind": kind,
        "actor_id": actor_id,
        "target_type": fields.pop("target_type", "post"),
        "target_id": target_id,
        "community_id": None,
        "created_at": fields.pop("created_at", None) or moment(),
        "read": read,
        **fields,
    }


def app(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", new_id()),
        "name": name,
        "url": f"https://apps.example/{name}",
        "icon_url": None,
        "description": name,
        "allowed_origins": ["https://apps.example"],
        "position": 0,
        **fields,
    }


def change_id(kind: str, data: dict[str, Any]) -> str:
    if kind == "membership":
        return membership_id(data["community_id"], data["user_id"])
    if kind == "reaction":
        return reaction_id(data["target_type"], data["target_id"], data["user_id"], data["kind"])
    if kind == "follow":
        return follow_id(data["user_id"], data["target_type"], data["target_id"])
    return str(data["id"])


def upsert(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "id": change_id(kind, data), "op": "upsert", "data": data}


def delete(kind: str, object_id: str) -> dict[str, Any]:
    return {"type": kind, "id": object_id, "op": "delete"}


def drop(community_id: str) -> dict[str, Any]:
    return {"type": "scope", "id": f"community:{community_id}", "op": "drop"}


def write_as_an_older_atrium(conn: sqlite3.Connection, changes: list[dict[str, Any]]) -> None:
    """Write upserts straight into their tables, with none of today's sync bookkeeping (whose
    tables an older cache format lacks): how a test fills a cache of an earlier format."""
    with conn:
        for run in plan_changes(changes):
            assert run.spec is not None and run.op == "upsert"
            conn.executemany(run.spec.upsert_sql[False], run.rows)
