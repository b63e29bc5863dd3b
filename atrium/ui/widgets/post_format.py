"""Small shared pieces for showing posts: relative times, initials, avatar colours, kind labels,
and the few read-only cache look-ups the feed widgets need beyond the cache's public queries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from atrium.app.engine import EngineState, EngineStatus
from atrium.cache import Cache, Post
from atrium.cache.models import POST_SELECT, post_from_row

_AVATAR_COLOURS = ("#5b6ee1", "#d9534f", "#2e9e6b", "#c77c02", "#8e44ad", "#1f8fb5", "#b5487a", "#6a7f1f")
_CHUNK = 500


def tr(text: str) -> str:
    return QCoreApplication.translate("Feed", text)


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def relative_time(value: str | None, now: datetime | None = None) -> str:
    """ "just now", "5 min", "3 h", "2 d", then a date: short enough for a card header."""
    moment = parse_time(value)
    if moment is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return tr("just now")
    if seconds < 3600:
        return tr("{0} min").format(int(seconds // 60))
    if seconds < 86400:
        return tr("{0} h").format(int(seconds // 3600))
    if seconds < 7 * 86400:
        return tr("{0} d").format(int(seconds // 86400))
    local = moment.astimezone()
    if local.year == (now or datetime.now(UTC)).astimezone().year:
        return local.strftime("%d %b").lstrip("0")
    return local.strftime("%d %b %Y").lstrip("0")


def full_time(value: str | None) -> str:
    moment = parse_time(value)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def initials(name: str | None) -> str:
    words = [word for word in (name or "").replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


def avatar_colour(key: str | None) -> QColor:
    digest = hashlib.blake2s((key or "").encode(), digest_size=2).digest()
    return QColor(_AVATAR_COLOURS[digest[0] % len(_AVATAR_COLOURS)])


def kind_label(kind: str, solved: bool = False) -> str:
    """The badge for a post kind ('' for a plain post)."""
    if kind == "question":
        return tr("Solved") if solved else tr("Question")
    return {"announcement": tr("Announcement"), "blog": tr("Blog"), "app_event": tr("App")}.get(kind, "")


def kind_colour(kind: str, solved: bool = False) -> QColor:
    if kind == "question":
        return QColor("#2e9e6b") if solved else QColor("#c77c02")
    return QColor({"announcement": "#d04a3a", "blog": "#1f8fb5", "app_event": "#8e44ad"}.get(kind, "#777777"))


def author_label(post: Post) -> str:
    if post.author_name:
        return post.author_name
    return tr("An app") if post.kind == "app_event" else tr("Someone")


def human_size(size: int) -> str:
    if size < 1024:
        return tr("{0} B").format(size)
    if size < 1024 * 1024:
        return tr("{0:.1f} KiB").format(size / 1024)
    return tr("{0:.1f} MiB").format(size / (1024 * 1024))


def posts_by_id(reader: Cache, ids: Iterable[str], me: str) -> dict[str, Post]:
    """The cached posts among IDS (missing ones are left out), read in bounded chunks."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Post] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        params: dict[str, str] = {f"id{number}": post_id for number, post_id in enumerate(chunk)}
        params["me"] = me
        marks = ", ".join(f":id{number}" for number in range(len(chunk)))
        sql = f"SELECT {POST_SELECT} FROM posts p WHERE p.id IN ({marks})"
        for row in reader.conn.execute(sql, params):
            post = post_from_row(row)
            found[post.id] = post
    return found


def sending_paused(status: EngineStatus) -> bool:
    """Whether unsent changes now wait (offline, signed out…) rather than go out: "Waiting to send"."""
    return status.state not in (EngineState.STARTING, EngineState.SYNCING, EngineState.ONLINE)


def failed_writes(reader: Cache, object_type: str) -> dict[str, str]:
    """OBJECT_TYPE's ids whose write the server refused for good (the outbox's failed entries), each
    with the server's reason (the latest, when several writes of one object failed)."""
    rows = reader.conn.execute(
        "SELECT object_id, last_error FROM outbox WHERE state = 'failed' AND object_type = ? "
        "AND object_id IS NOT NULL ORDER BY id",
        (object_type,),
    )
    return {object_id: reason or tr("The server did not accept it.") for object_id, reason in rows}


def refused_creation(reader: Cache, object_type: str, object_id: str) -> bool:
    """Whether the server refused to create this object: it exists only on this computer, so
    nothing can be added to it until it is sent again or discarded."""
    row = reader.conn.execute(
        "SELECT 1 FROM outbox WHERE state = 'failed' AND object_type = ? AND object_id = ? "
        "AND kind = ? LIMIT 1",
        (object_type, object_id, f"create_{object_type}"),
    ).fetchone()
    return row is not None


def failed_op_ids(reader: Cache, object_type: str, object_id: str) -> list[str]:
    """The refused outbox entries of one object, oldest first: what "Retry" or "Discard" acts on."""
    rows = reader.conn.execute(
        "SELECT op_id FROM outbox WHERE state = 'failed' AND object_type = ? AND object_id = ? ORDER BY id",
        (object_type, object_id),
    )
    return [row[0] for row in rows]


def user_id_for_handle(reader: Cache, handle: str) -> str | None:
    row = reader.conn.execute("SELECT id FROM users WHERE handle = ?", (handle.lower(),)).fetchone()
    return str(row[0]) if row else None


def topic_suggestions(reader: Cache, prefix: str, limit: int = 8) -> list[str]:
    """Known topics starting with PREFIX, from the posts the cache holds."""
    start = f"topic:{prefix.lower()}"
    rows = reader.conn.execute(
        "SELECT DISTINCT substr(tag, 7) FROM post_tags WHERE tag >= ? AND tag < ? ORDER BY tag LIMIT ?",
        (start, start + "\U0010ffff", limit),
    )
    return [str(row[0]) for row in rows]


def post_kinds(reader: Cache, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = reader.conn.execute(f"SELECT id, kind FROM posts WHERE id IN ({marks})", list(ids))
    return {str(row[0]): str(row[1]) for row in rows}


def followed_topics(reader: Cache, me: str) -> set[str]:
    rows = reader.conn.execute(
        "SELECT lower(target_id) FROM follows WHERE user_id = ? AND target_type = 'topic'", (me,)
    )
    return {str(row[0]) for row in rows}
