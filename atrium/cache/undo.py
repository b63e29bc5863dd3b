"""What each queued change replaced in the cache, so that giving the change up puts it back.

A person's action shows at once: ``enqueue`` writes its optimistic rows (a like, a left
community, a deleted post and what went with it, a post's new like count) before the server has
said yes. When the server refuses and the person discards the change, the cache must show the
server's state again, and for most actions the server will not send that state by itself: it
did not change. So ``enqueue`` records here, per change, each object its rows touch as it was
before (``outbox_undo``: its data as a sync page's upsert carries it, or NULL when it did not
exist), and ``outbox.discard`` writes those back.

While a change waits, the person keeps seeing it: a sync page's upsert of an object that has a
record is not written (``apply._hold_back``); the server's version becomes the object's first
record instead (``rebase``), so discarding every change on it shows the server's latest. A
server delete is written, and ends the records of what it deleted (``forget``), as does any
upsert the server sends once nothing waits on the object. Records go with their change
(``ON DELETE CASCADE``), but an accepted change's records move to ``outbox_settling`` first
(``accepted``): the server publishes what the change made it change, so the next full pull
writes those objects; the ones it does not write, the change did not change (a like the server
already had, a join of a member, a lost answer replayed), and ``outbox.settle`` then shows
them as the records say (the state before, or the server's version a pull held back) instead
of leaving them pending for ever.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from .changeset import ChangeSet
from .db import CacheLike, connection_of
from .ids import reactions_on
from .objects import SPECS

Before = tuple[str, str, str | None]  # (type, id, data as JSON or None: it did not exist)


def read_object(target: CacheLike, kind: str, object_id: str) -> dict[str, Any] | None:
    """An object from the cache in its protocol shape (lists decoded), or None."""
    spec = SPECS[kind]
    conn = connection_of(target)
    names = ["id", *(f.name for f in spec.fields)]
    row = conn.execute(f"SELECT {', '.join(names)} FROM {spec.table} WHERE id = ?", (object_id,)).fetchone()
    if row is None:
        return None
    data = dict(zip(names, row, strict=True))
    for item in spec.fields:
        if item.kind.value == "list" and isinstance(data.get(item.name), str):
            data[item.name] = orjson.loads(data[item.name])
        elif item.kind.value == "bool" and data.get(item.name) is not None:
            data[item.name] = bool(data[item.name])
    if not spec.has_id:
        data.pop("id", None)
    return data


def _taken_along(conn: sqlite3.Connection, kind: str, object_id: str) -> list[tuple[str, str]]:
    """What deleting the object deletes with it (``purge.delete_objects``): a post's comments,
    and the reactions on the post and on those comments; a comment's reactions."""
    if kind == "post":
        comments = [row[0] for row in conn.execute("SELECT id FROM comments WHERE post_id = ?", (object_id,))]
        found = [("comment", comment) for comment in comments]
        targets = [("post", [object_id]), ("comment", comments)]
    elif kind == "comment":
        found, targets = [], [("comment", [object_id])]
    else:
        return []
    for target_type, ids in targets:
        if ids:
            chosen = "SELECT value FROM json_each(?)"
            rows = conn.execute(reactions_on(target_type, chosen), (orjson.dumps(ids).decode(),))
            found.extend(("reaction", row[0]) for row in rows)
    return found


def capture(conn: sqlite3.Connection, rows: Sequence[dict[str, Any]]) -> list[Before]:
    """How each object the optimistic ROWS (sync-page-shaped changes) will touch is now."""
    befores: list[Before] = []
    seen: set[tuple[str, str]] = set()
    for change in rows:
        kind, object_id = change.get("type"), change.get("id")
        if not isinstance(kind, str) or not isinstance(object_id, str) or kind not in SPECS:
            continue
        touched = [(kind, object_id)]
        if change.get("op") == "delete":
            touched += _taken_along(conn, kind, object_id)
        for key in touched:
            if key in seen:
                continue
            seen.add(key)
            data = read_object(conn, *key)
            befores.append((*key, None if data is None else orjson.dumps(data).decode()))
    return befores


def store(conn: sqlite3.Connection, op_id: str, befores: Iterable[Before]) -> None:
    conn.executemany(
        "INSERT INTO outbox_undo (op_id, seq, type, id, before) VALUES (?, ?, ?, ?, ?)",
        [(op_id, seq, *before) for seq, before in enumerate(befores)],
    )


def recorded(conn: sqlite3.Connection, op_id: str) -> list[Before]:
    """The records of change OP_ID, in the order they were taken."""
    return list(
        conn.execute("SELECT type, id, before FROM outbox_undo WHERE op_id = ? ORDER BY seq", (op_id,))
    )


def any_queued(conn: sqlite3.Connection) -> bool:
    """Whether any change waits in the outbox or is settling (records exist only then)."""
    found = conn.execute("SELECT EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM outbox_settling)")
    return bool(found.fetchone()[0])


def accepted(conn: sqlite3.Connection, op_id: str) -> None:
    """The server accepted change OP_ID: what it replaced waits for the next full pull (``settle``).
    An object already settling keeps its older state (from before both changes)."""
    conn.execute(
        "INSERT OR IGNORE INTO outbox_settling (type, id, before) "
        "SELECT type, id, before FROM outbox_undo WHERE op_id = ? ORDER BY seq",
        (op_id,),
    )


def settling(conn: sqlite3.Connection) -> list[Before]:
    """The objects accepted changes touched that no pull has written since, and no change still
    waiting holds; the settling list is emptied."""
    found = list(
        conn.execute(
            "SELECT s.type, s.id, s.before FROM outbox_settling AS s WHERE NOT EXISTS "
            "(SELECT 1 FROM outbox_undo AS u WHERE u.type = s.type AND u.id = s.id)"
        )
    )
    conn.execute("DELETE FROM outbox_settling")
    return found


def held(conn: sqlite3.Connection, kind: str, ids: Sequence[str]) -> set[str]:
    """Which of these objects an unsent change still shows (they have a record)."""
    found = conn.execute(
        "SELECT DISTINCT id FROM outbox_undo WHERE type = ? AND id IN (SELECT value FROM json_each(?))",
        (kind, orjson.dumps(list(ids)).decode()),
    )
    return {row[0] for row in found}


def rebase(conn: sqlite3.Connection, kind: str, object_id: str, data: dict[str, Any]) -> None:
    """The server sent DATA for an object unsent changes still show: it becomes what discarding
    them all puts back (the first record of the object), and the row keeps showing the change."""
    conn.execute(
        "UPDATE outbox_undo SET before = ? WHERE (op_id, seq) = (SELECT u.op_id, u.seq "
        "FROM outbox_undo AS u JOIN outbox AS o ON o.op_id = u.op_id "
        "WHERE u.type = ? AND u.id = ? ORDER BY o.id, u.seq LIMIT 1)",
        (orjson.dumps(data).decode(), kind, object_id),
    )


def forget(conn: sqlite3.Connection, changes: ChangeSet) -> None:
    """The server wrote (or deleted) what CHANGES names: nothing of it is put back by a discard."""
    if not changes or not any_queued(conn):
        return  # no change queued, so no record: a first sync's case
    for kind, ids in changes.items():
        if kind in SPECS:
            _forget_where(conn, "type = ? AND id IN (SELECT value FROM json_each(?))", kind, _json(ids))
        elif kind == "scope":
            # A community dropped: the purge named the rows it deleted, not those already gone
            # here (a leave's membership, a post deleted and not sent): their records end too.
            # The posts it kept (by people followed) keep theirs.
            dropped = _json(
                scope.removeprefix("community:") for scope in ids if scope.startswith("community:")
            )
            _forget_where(
                conn,
                "(type = 'membership' AND substr(id, 1, instr(id, ':') - 1) IN (SELECT value FROM json_each(?))) "
                "OR (type = 'post' AND json_extract(before, '$.community_id') IN (SELECT value FROM json_each(?)) "
                "AND id NOT IN (SELECT id FROM posts))",
                dropped,
                dropped,
            )


def _json(ids: Iterable[str]) -> str:
    return orjson.dumps(sorted(ids)).decode()


def _forget_where(conn: sqlite3.Connection, where: str, *args: Any) -> None:
    conn.execute(f"DELETE FROM outbox_undo WHERE {where}", args)
    conn.execute(f"DELETE FROM outbox_settling WHERE {where}", args)


def neighbours(
    conn: sqlite3.Connection, entry: int, kind: str, object_id: str
) -> tuple[tuple[str, int] | None, bool]:
    """For the object, among the other queued changes: the first record made after change number
    ENTRY (its op_id and seq), and whether one made before it exists."""
    later = conn.execute(
        "SELECT u.op_id, u.seq FROM outbox_undo AS u JOIN outbox AS o ON o.op_id = u.op_id "
        "WHERE u.type = ? AND u.id = ? AND o.id > ? ORDER BY o.id, u.seq LIMIT 1",
        (kind, object_id, entry),
    ).fetchone()
    earlier = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM outbox_undo AS u JOIN outbox AS o ON o.op_id = u.op_id "
        "WHERE u.type = ? AND u.id = ? AND o.id < ?)",
        (kind, object_id, entry),
    ).fetchone()[0]
    return ((str(later[0]), int(later[1])) if later else None), bool(earlier)


def hand_over(conn: sqlite3.Connection, record: tuple[str, int], before: str | None) -> None:
    """A later change on the same object now remembers the state from before the discarded one."""
    conn.execute("UPDATE outbox_undo SET before = ? WHERE op_id = ? AND seq = ?", (before, *record))
