"""Operations an administrator runs from the command line (and the demo seeder reuses):
adding users and business apps."""

from __future__ import annotations

import re

import orjson
from sqlalchemy import Connection, select

from .clock import now_iso, uuid7
from .publish import publish_app, publish_user
from .schema import apps, communities, users
from .security import hash_password, new_token, token_hash

HANDLE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class AdminError(Exception):
    """A refused admin operation, with a message for the operator."""


def add_user(
    conn: Connection,
    handle: str,
    *,
    password: str | None = None,
    password_hash: str | None = None,
    display_name: str | None = None,
    title: str = "",
    department: str = "",
    location: str = "",
    is_admin: bool = False,
    user_id: str | None = None,
    created_at: str | None = None,
) -> str:
    handle = handle.strip().lower()
    if not HANDLE_PATTERN.match(handle):
        raise AdminError(
            f"'{handle}' is not a valid user name: use lower-case letters, digits, '.', '_' or '-' (max 64)."
        )
    if conn.execute(select(users.c.id).where(users.c.handle == handle)).first() is not None:
        raise AdminError(f"A user named '{handle}' already exists.")
    if password_hash is None:
        if not password:
            raise AdminError("The password is empty.")
        password_hash = hash_password(password)
    new_id = user_id or uuid7()
    conn.execute(
        users.insert().values(
            id=new_id,
            handle=handle,
            display_name=display_name or handle,
            title=title,
            department=department,
            location=location,
            is_admin=is_admin,
            password_hash=password_hash,
            created_at=created_at or now_iso(),
        )
    )
    publish_user(conn, new_id)
    return new_id


def add_app(
    conn: Connection,
    name: str,
    url: str,
    *,
    description: str = "",
    icon_url: str | None = None,
    allowed_origins: list[str] | None = None,
    position: int = 0,
    community_slug: str | None = None,
) -> tuple[str, str | None]:
    """Add a business app; returns its id and, when it may post to a community, its webhook token."""
    if not url.startswith(("http://", "https://", "/")):
        raise AdminError("The app URL must start with http://, https:// or / (served by this server).")
    community_id = None
    token = None
    if community_slug:
        community_id = conn.execute(
            select(communities.c.id).where(communities.c.slug == community_slug)
        ).scalar_one_or_none()
        if community_id is None:
            raise AdminError(f"No community with the slug '{community_slug}'.")
        token = new_token()
    app_id = uuid7()
    conn.execute(
        apps.insert().values(
            id=app_id,
            name=name,
            url=url,
            icon_url=icon_url,
            description=description,
            allowed_origins=orjson.dumps(allowed_origins or []).decode(),
            position=position,
            community_id=community_id,
            hook_token_hash=token_hash(token) if token else None,
            created_at=now_iso(),
        )
    )
    publish_app(conn, app_id)
    return app_id, token
