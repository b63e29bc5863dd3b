"""People and communities: profiles, name search, and the communities I belong to."""

from __future__ import annotations

import json
import sqlite3

from .db import CacheLike, connection_of
from .models import COMMUNITY_SELECT, PERSON_SELECT, Community, Person, person_from_row
from .search import search
from .sync_state import current_user_id


def _me(conn: sqlite3.Connection, me: str | None) -> str:
    return me or current_user_id(conn) or ""


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def person(target: CacheLike, user_id: str, *, me: str | None = None) -> Person | None:
    conn = connection_of(target)
    row = conn.execute(
        f"SELECT {PERSON_SELECT} FROM users u WHERE u.id = :id", {"id": user_id, "me": _me(conn, me)}
    )
    found = row.fetchone()
    return person_from_row(found) if found else None


def search_people(target: CacheLike, prefix: str, *, limit: int = 20, me: str | None = None) -> list[Person]:
    """People whose display name or handle starts with ``prefix`` (case-insensitive), by name;
    then, from the full-text index, people with a word of their name (a surname), title or
    department starting with it, accents ignored ("lefevre" finds Lefèvre), by name.
    The first part works during a first sync too (it reads the name indexes)."""
    conn = connection_of(target)
    prefix = prefix.strip().lstrip("@")
    if not prefix:
        return []
    params = {"prefix": _like_prefix(prefix), "me": _me(conn, me), "n": limit}
    rows = conn.execute(
        f"SELECT {PERSON_SELECT} FROM users u WHERE u.id IN ("
        "SELECT id FROM users WHERE display_name LIKE :prefix ESCAPE '\\' "
        "UNION SELECT id FROM users WHERE handle LIKE :prefix ESCAPE '\\') "
        "ORDER BY u.display_name, u.handle LIMIT :n",
        params,
    )
    found = [person_from_row(row) for row in rows]
    if len(found) < limit:
        seen = {someone.id for someone in found}
        more = [hit.id for hit in search(conn, prefix, kinds=["user"], limit=limit) if hit.id not in seen]
        if more:
            rows = conn.execute(
                f"SELECT {PERSON_SELECT} FROM users u WHERE u.id IN (SELECT value FROM json_each(:ids)) "
                "ORDER BY u.display_name, u.handle",
                {"me": params["me"], "ids": json.dumps(more)},
            )
            found += [person_from_row(row) for row in rows][: limit - len(found)]
    return found


def community(target: CacheLike, community_id: str, *, me: str | None = None) -> Community | None:
    conn = connection_of(target)
    row = conn.execute(
        f"SELECT {COMMUNITY_SELECT} FROM communities c WHERE c.id = :id",
        {"id": community_id, "me": _me(conn, me)},
    ).fetchone()
    return Community(*row) if row else None


def my_communities(target: CacheLike, *, me: str | None = None) -> list[Community]:
    """Communities I am a member of, by name."""
    conn = connection_of(target)
    rows = conn.execute(
        f"SELECT {COMMUNITY_SELECT} FROM communities c "
        "WHERE c.id IN (SELECT community_id FROM memberships WHERE user_id = :me) ORDER BY c.name COLLATE NOCASE",
        {"me": _me(conn, me)},
    )
    return [Community(*row) for row in rows]
