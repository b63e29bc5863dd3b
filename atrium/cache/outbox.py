"""The outbox: user writes waiting for the server, stored with their optimistic rows in one transaction.

Lifecycle: ``enqueue`` (state pending) → ``next_due`` → ``mark_sending`` → ``mark_done`` (entry
removed; the optimistic row stays ``pending`` until the server's upsert arrives by sync) or
``mark_failed`` (back to pending with a retry time, or ``failed`` for good until ``retry``).
Nothing here deletes unsent work except ``discard``, which only the user triggers.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from . import purge, undo
from .apply import apply_changes
from .changeset import ChangeSet
from .clock import iso, now_iso
from .db import CacheLike, connection_of, write_transaction
from .drafts import delete_draft
from .errors import UnknownOutboxEntryError
from .objects import SPECS


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    op_id: str  # the Idempotency-Key
    kind: str  # e.g. "create_post"
    method: str
    path: str
    body: Any  # parsed JSON, or None
    object_type: str | None
    object_id: str | None
    created_at: str
    attempts: int
    state: str  # "pending" | "sending" | "failed"
    last_error: str | None
    next_attempt_at: str | None


@dataclass(frozen=True)
class Enqueued:
    entry: OutboxEntry  # the new entry; folded: the untried one it went into (or cancelled)
    changes: ChangeSet  # the optimistic rows written, for the "cache changed" event


_COLUMNS = (
    "id, op_id, kind, method, path, body, object_type, object_id, created_at, attempts, state, "
    "last_error, next_attempt_at"
)


def _entry(row: sqlite3.Row | tuple[Any, ...]) -> OutboxEntry:
    values = list(row)
    values[5] = orjson.loads(values[5]) if values[5] is not None else None
    return OutboxEntry(*values)


def _when(moment: datetime | str | None) -> str:
    if moment is None:
        return now_iso()
    return moment if isinstance(moment, str) else iso(moment)


def enqueue(
    target: CacheLike,
    kind: str,
    method: str,
    path: str,
    body: Any = None,
    object_type: str | None = None,
    object_id: str | None = None,
    *,
    optimistic_rows: Sequence[dict[str, Any]] = (),
    op_id: str | None = None,
    draft_key: str | None = None,
    fold: bool = False,
) -> Enqueued:
    """Queue a write and apply its optimistic rows (pending=1), in ONE transaction.

    ``optimistic_rows`` are changes shaped like a sync page's (``{"type": "post", "id": …,
    "op": "upsert", "data": {…}}``; ``delete`` removes a row, e.g. an unlike). ``op_id`` is the
    Idempotency-Key (a new UUID by default). ``draft_key`` names the draft this write sends: it
    is deleted in the same transaction. Raises MalformedPageError for a malformed row.

    ``fold`` (the services' likes, post edits and deletes): when the change amends or undoes an
    entry never tried yet (the server has seen nothing of it), that entry changes instead, so
    the server sees only what the person meant. An unlike right after an untried like cancels
    both (no notification for a like taken back); an edit of an untried post goes into the post
    (a mention edited away never notifies anyone); deleting an untried post discards it, with
    what was queued on it (it is never published). A post the server refused counts as untried
    (a refusal stores nothing): editing it corrects it, and it goes again under a new key.
    """
    conn = connection_of(target)
    op_id = op_id or str(uuid.uuid4())
    with write_transaction(conn):
        twin = _untried_twin(conn, kind, path, body) if fold else None
        if twin is not None and kind in _TOGGLES:  # taken back: both go, and it shows as before both
            changes = discard(conn, twin.op_id)
            changes.add("outbox", twin.op_id)
            return Enqueued(twin, changes)
        befores = undo.capture(conn, optimistic_rows) if twin is None else []
        changes = apply_changes(conn, list(optimistic_rows), pending=True)
        if draft_key is not None:
            changes.merge(delete_draft(conn, draft_key))
        if twin is not None:
            _fold(conn, twin, kind, body, changes)
            return Enqueued(twin, changes)
        row = conn.execute(
            f"INSERT INTO outbox (op_id, kind, method, path, body, object_type, object_id, created_at, recorded) "
            f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING {_COLUMNS}",
            (
                op_id,
                kind,
                method,
                path,
                None if body is None else orjson.dumps(body).decode(),
                object_type,
                object_id,
                now_iso(),
            ),
        ).fetchone()
        undo.store(conn, op_id, befores)
    return Enqueued(_entry(row), changes)


_TOGGLES = {"like": "unlike", "unlike": "like"}
_TEXT_FIELDS = {"title", "body"}  # what an edit folds into a post not sent yet


def _fold(conn: sqlite3.Connection, twin: OutboxEntry, kind: str, body: Any, changes: ChangeSet) -> None:
    """Put the change into the untried (or refused) entry TWIN (``enqueue(fold=True)``)."""
    changes.add("outbox", twin.op_id)
    if kind != "edit_post":  # an untried (or refused) post deleted: it never was
        changes.merge(discard(conn, twin.op_id))
        return
    revise(conn, twin.op_id, {**twin.body, **body})
    if twin.state == "failed":  # corrected after a refusal: it goes again, as a new request
        fresh = str(uuid.uuid4())
        conn.execute(
            "UPDATE outbox SET op_id = ?, state = 'pending', attempts = 0, last_error = NULL, "
            "next_attempt_at = NULL WHERE op_id = ?",
            (fresh, twin.op_id),
        )
        changes.add("outbox", fresh)


def _untried_twin(conn: sqlite3.Connection, kind: str, path: str, body: Any) -> OutboxEntry | None:
    """The entry never tried that this change amends or undoes (``enqueue(fold=True)``)."""
    untried = "state = 'pending' AND attempts = 0"
    if kind in _TOGGLES:  # only the newest entry: a change queued between may build on it
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE id = (SELECT max(id) FROM outbox) AND {untried} "
            "AND kind = ? AND path = ?",
            (_TOGGLES[kind], path),
        ).fetchone()
        return _entry(row) if row is not None else None
    if kind == "edit_post" and not (isinstance(body, dict) and set(body) <= _TEXT_FIELDS):
        return None
    if kind in ("edit_post", "delete_post") and path.startswith("/posts/"):
        # A post the server refused is not there either: the refusal stored nothing under its key.
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE kind = 'create_post' AND object_id = ? "
            f"AND (({untried}) OR state = 'failed')",
            (path.removeprefix("/posts/"),),
        ).fetchone()
        return _entry(row) if row is not None else None
    return None


def next_due(target: CacheLike, now: datetime | str | None = None, limit: int = 50) -> list[OutboxEntry]:
    """Pending entries to send now, oldest first (the order the user made them): those before
    the first one whose retry time is still ahead, which holds back the rest (a like sent before
    the unlike that came first would end liked). Refused entries (failed) hold back nothing."""
    rows = connection_of(target).execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' AND id < coalesce("
        "(SELECT min(id) FROM outbox WHERE state = 'pending' AND next_attempt_at > ?), 9223372036854775807"
        ") ORDER BY id LIMIT ?",
        (_when(now), limit),
    )
    return [_entry(row) for row in rows]


def entries(target: CacheLike) -> list[OutboxEntry]:
    """Every queued entry, oldest first (for an "unsent changes" view)."""
    return [
        _entry(row) for row in connection_of(target).execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY id")
    ]


def _update(target: CacheLike, op_id: str, sql: str, params: Sequence[Any]) -> OutboxEntry:
    """Change entry OP_ID; the entry as it now is (UnknownOutboxEntryError: there is none)."""
    conn = connection_of(target)
    with write_transaction(conn):
        row = conn.execute(
            f"UPDATE outbox SET {sql} WHERE op_id = ? RETURNING {_COLUMNS}", (*params, op_id)
        ).fetchone()
    if row is None:
        raise UnknownOutboxEntryError(op_id)
    return _entry(row)


def mark_sending(target: CacheLike, op_id: str) -> OutboxEntry:
    """The engine is sending it now (counts an attempt); returns the entry as it is now (an
    untried post may have taken an edit since it was picked: ``enqueue(fold=True)``). Left
    'sending' by a crash, it is requeued when the cache is next opened; resending is safe
    thanks to the Idempotency-Key. UnknownOutboxEntryError: discarded (or folded) meanwhile."""
    return _update(target, op_id, "state = 'sending', attempts = attempts + 1", ())


def mark_done(target: CacheLike, op_id: str) -> None:
    """The server accepted it: the entry goes; its rows stay pending until the next full pull
    brings them, or ``settle`` finds the server did not change them."""
    conn = connection_of(target)
    with write_transaction(conn):
        undo.accepted(conn, op_id)
        if conn.execute("DELETE FROM outbox WHERE op_id = ?", (op_id,)).rowcount == 0:
            raise UnknownOutboxEntryError(op_id)


def apply_answer(target: CacheLike, object_type: str, object_id: str, data: dict[str, Any]) -> ChangeSet:
    """The server's answer to a sent change (the object as it now is), written over the object's
    row; not when the row is gone (an edit of a post purged meanwhile, its community left: no
    sync would keep it up to date)."""
    conn = connection_of(target)
    spec = SPECS.get(object_type)
    if spec is None:
        return ChangeSet()
    with write_transaction(conn):
        if not _has_row(conn, spec.table, object_id):
            return ChangeSet()
        return apply_changes(conn, [{"type": object_type, "id": object_id, "op": "upsert", "data": data}])


def settle(target: CacheLike) -> ChangeSet:
    """After a full pull: the objects accepted changes touched that the pull did not write show as
    their records say (``undo.settle``). The engine calls it when a pull reached the end."""
    conn = connection_of(target)
    changes = ChangeSet()
    with write_transaction(conn):
        if not undo.any_queued(conn):
            return changes
        for kind, object_id, before in undo.settling(conn):
            _show(conn, kind, object_id, before, pending=False, changes=changes)
    return changes


def mark_failed(
    target: CacheLike,
    op_id: str,
    error: str,
    *,
    retry_at: datetime | str | None = None,
    permanent: bool = False,
) -> None:
    """Sending failed. ``permanent`` (e.g. 403/409/422): state 'failed' until the user retries or
    discards. Otherwise back to 'pending', due again at ``retry_at`` (None = at once)."""
    if permanent:
        _update(target, op_id, "state = 'failed', last_error = ?, next_attempt_at = NULL", (error,))
    else:
        when = None if retry_at is None else _when(retry_at)
        _update(target, op_id, "state = 'pending', last_error = ?, next_attempt_at = ?", (error, when))


def retry(target: CacheLike, op_id: str) -> None:
    """Make an entry (failed or backing off) due now."""
    _update(target, op_id, "state = 'pending', next_attempt_at = NULL", ())


def discard(target: CacheLike, op_id: str) -> ChangeSet:
    """The user gives up on an entry: each object it touched shows as it was before (undo.py),
    unless the server has written it since (then it shows what the server said) or a later entry
    builds on it (which then remembers the older state). A post the server never had takes what
    was queued on it along."""
    conn = connection_of(target)
    changes = ChangeSet()
    with write_transaction(conn):
        row = conn.execute(
            "SELECT id, kind, object_type, object_id, body, recorded FROM outbox WHERE op_id = ?", (op_id,)
        ).fetchone()
        if row is None:
            raise UnknownOutboxEntryError(op_id)
        entry, kind, object_type, object_id, body, recorded = row
        befores = undo.recorded(conn, op_id)  # none left when the server wrote all it touched
        conn.execute("DELETE FROM outbox WHERE op_id = ?", (op_id,))  # its records go along
        if not recorded:  # queued before cache format 4, or rescued: the older rule
            _discard_by_pending_row(conn, kind, object_type, object_id, body, changes)
            return changes
        if kind == "create_post" and object_id and (object_type, object_id, None) in befores:
            _discard_queued_on_post(conn, object_id, changes)  # not on the server: could only fail
        for kind_before, id_before, before in befores:
            _put_back(conn, entry, kind_before, id_before, before, changes)
    return changes


def _put_back(
    conn: sqlite3.Connection, entry: int, kind: str, object_id: str, before: str | None, changes: ChangeSet
) -> None:
    """Show the object as it was before entry number ENTRY (see ``discard``)."""
    later, earlier = undo.neighbours(conn, entry, kind, object_id)
    if later is not None:  # it now remembers the older state; meanwhile the row shows it too
        undo.hand_over(conn, later, before)
    _show(conn, kind, object_id, before, pending=earlier or later is not None, changes=changes)


def _show(
    conn: sqlite3.Connection,
    kind: str,
    object_id: str,
    before: str | None,
    *,
    pending: bool,
    changes: ChangeSet,
) -> None:
    """Write the object as a record keeps it (BEFORE: its data as JSON, None: it did not exist)."""
    spec = SPECS.get(kind)
    if spec is None:
        return
    if before is None:
        if _has_row(conn, spec.table, object_id):
            purge.delete_objects(conn, spec.type, spec.table, [object_id], changes)
        return
    data = orjson.loads(before)
    if not _parent_here(conn, kind, data):  # e.g. the post was deleted meanwhile
        return
    restore = {"type": spec.type, "id": object_id, "op": "upsert", "data": data}
    changes.merge(apply_changes(conn, [restore], pending=pending))


def _has_row(conn: sqlite3.Connection, table: str, object_id: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (object_id,)).fetchone() is not None


def _parent_here(conn: sqlite3.Connection, kind: str, data: dict[str, Any]) -> bool:
    """Whether a comment's post, or a like's target, is still in the cache: one whose post went
    (deleted, purged) is not put back. (A dropped community's records end with the drop.)"""
    if kind == "comment":
        table, parent = "posts", data.get("post_id")
    elif kind == "reaction":
        table, parent = ("posts" if data.get("target_type") == "post" else "comments"), data.get("target_id")
    else:
        return True
    return parent is None or _has_row(conn, table, parent)


def _discard_by_pending_row(
    conn: sqlite3.Connection,
    kind: str,
    object_type: str | None,
    object_id: str | None,
    body: str | None,
    changes: ChangeSet,
) -> None:
    """An entry without undo records: if no other entry needs its object's row and that row is
    still only optimistic (pending), an edit puts the object back as it was (``BEFORE_KEY``),
    anything else removes the row."""
    spec = SPECS.get(object_type or "")
    if spec is None or object_id is None:
        return
    others = conn.execute(
        "SELECT 1 FROM outbox WHERE object_type = ? AND object_id = ?", (object_type, object_id)
    ).fetchone()
    still_pending = conn.execute(
        f"SELECT 1 FROM {spec.table} WHERE id = ? AND pending = 1", (object_id,)
    ).fetchone()
    if others is None and still_pending is not None:
        before = _before(body)
        if before is not None:  # an edit of something the server has: show it as it was
            restore = {"type": spec.type, "id": object_id, "op": "upsert", "data": before}
            changes.merge(apply_changes(conn, [restore]))
            return
        purge.delete_objects(conn, spec.type, spec.table, [object_id], changes)
        if kind == "create_post":  # only a post that never existed takes what was queued on it
            _discard_queued_on_post(conn, object_id, changes)


BEFORE_KEY = "_before"
"""An edit's outbox body keeps the object as it was under this key (never sent: the engine drops
keys starting with "_"), so discarding the edit can put it back."""


def _before(body: str | None) -> dict[str, Any] | None:
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    before = parsed.get(BEFORE_KEY) if isinstance(parsed, dict) else None
    return before if isinstance(before, dict) else None


def _discard_queued_on_post(conn: sqlite3.Connection, post_id: str, changes: ChangeSet) -> None:
    """A post the server never had is gone: what was queued on it (comments, likes of it and of those
    comments, an accepted answer, an edit, its deletion) could only fail with "no such post", so it
    goes too."""
    comments = [
        row[0]
        for row in conn.execute(
            "SELECT object_id FROM outbox WHERE object_type = 'comment' AND path = ?",
            (f"/posts/{post_id}/comments",),
        )
    ]
    paths = [f"/reactions/post/{post_id}", *(f"/reactions/comment/{comment}" for comment in comments)]
    paths.append(f"/posts/{post_id}")  # its edit or deletion
    conn.execute(
        f"DELETE FROM outbox WHERE substr(path, 1, ?) = ? OR path IN ({','.join('?' * len(paths))})",
        (len(f"/posts/{post_id}/"), f"/posts/{post_id}/", *paths),
    )
    if comments:  # the post took its comments' rows along; say which went
        purge.delete_objects(conn, "comment", "comments", comments, changes)


def revise(target: CacheLike, op_id: str, body: Any) -> None:
    """Replace an entry's request body (a wiki edit merged after a 409): what goes out next, and
    after a crash or a lost answer, is the revised request."""
    conn = connection_of(target)
    with write_transaction(conn):
        if not conn.execute(
            "UPDATE outbox SET body = ? WHERE op_id = ?", (orjson.dumps(body).decode(), op_id)
        ).rowcount:
            raise UnknownOutboxEntryError(op_id)


def pending_counts(target: CacheLike) -> dict[str, int]:
    """``{"pending": n, "failed": n}``; pending includes entries being sent."""
    counts = {"pending": 0, "failed": 0}
    for state, count in connection_of(target).execute("SELECT state, count(*) FROM outbox GROUP BY state"):
        counts["failed" if state == "failed" else "pending"] += count
    return counts


def requeue_interrupted(conn: sqlite3.Connection) -> int:
    """Entries a crash left 'sending' become pending again (called when the cache opens)."""
    with write_transaction(conn):
        return conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'").rowcount
