"""Pulling @mentions and #topics out of Markdown bodies, and the size limits bodies must respect."""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from .problems import invalid, too_large
from .schema import users

POST_BODY_LIMIT = 64 * 1024
COMMENT_BODY_LIMIT = 16 * 1024
WIKI_BODY_LIMIT = 1024 * 1024
TITLE_LIMIT = 300

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_MENTION = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9._-]{0,63})", re.IGNORECASE)
_TOPIC = re.compile(r"(?<![\w#&/])#([^\W_][\w-]{0,99})")


def _without_code(body: str) -> str:
    return _CODE.sub(" ", body)


def mentioned_handles(body: str) -> list[str]:
    found = (match.rstrip(".-_").lower() for match in _MENTION.findall(_without_code(body)))
    return list(dict.fromkeys(handle for handle in found if handle))


def topics_in(body: str, title: str | None = None) -> list[str]:
    text = _without_code(f"{title or ''}\n{body}")
    found = (match.lower() for match in _TOPIC.findall(text) if not match.isdigit())
    return list(dict.fromkeys(found))


def mentioned_user_ids(conn: Connection, body: str) -> list[str]:
    """Ids of existing users mentioned in BODY, in order of first mention."""
    handles = mentioned_handles(body)
    if not handles:
        return []
    rows = conn.execute(select(users.c.id, users.c.handle).where(users.c.handle.in_(handles))).all()
    by_handle = {row.handle: row.id for row in rows}
    return [by_handle[h] for h in handles if h in by_handle]


def check_text_chars(value: str, field: str) -> None:
    """PostgreSQL cannot store NUL in text; refuse it with a 422 instead of failing later."""
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters")


def check_body(body: str, limit: int, field: str = "body") -> None:
    check_text_chars(body, field)
    if len(body.encode("utf-8")) > limit:
        raise too_large(field, limit)
    if not body.strip():
        raise invalid(field, "must not be empty")


def check_title(title: str | None, *, required: bool = False) -> None:
    if title is not None:
        check_text_chars(title, "title")
    if title is None or not title.strip():
        if required:
            raise invalid("title", "is required")
        return
    if len(title) > TITLE_LIMIT:
        raise too_large("title", TITLE_LIMIT, "characters")
