"""Applying sync pages: validate every change first, then write them in order, in one transaction.

Writes are batched into runs, one ``executemany`` each. Upserts of different types touch
different tables and commute, so a stretch of upserts (a first sync interleaves posts and
comments) becomes one run per type, each in page order; deletes and drops are barriers and keep
their place. So the result is exactly that of applying the changes one by one, at bulk speed.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from . import purge, search_index, undo
from .changeset import ChangeSet
from .db import CacheLike, connection_of, held_transaction, write_transaction
from .errors import MalformedPageError
from .objects import SPECS, InvalidObject, ObjectSpec, post_tags
from .sync_state import store_cursor

DIRECT_INDEX_LIMIT = 2000
"""Pages leaving at most this many unindexed rows are made searchable in their own transaction;
above it (a first sync, a big backfill) rows are only written and ``catch_up_search`` indexes
them in bulk afterwards."""

BULK_RUN = 500
"""Upsert runs at least this long into a searchable table are written with its index triggers
suspended when no row they touch could fire them (search_index.triggers_would_idle): the
triggers' per-row cost was a third of a comment's write in a first sync (bench/RESULTS.md)."""

_UPSERT, _DELETE, _DROP = "upsert", "delete", "drop"


@dataclass
class Run:
    """Changes of one type and op, written with one statement (see the module docstring)."""

    spec: ObjectSpec | None  # None for a scope drop
    op: str
    ids: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    data: list[dict[str, Any]] = field(default_factory=list)  # upserts: each row's object, as sent
    tags: dict[str, list[tuple[str, str, str, str, int]]] = field(default_factory=dict)  # posts: last wins


def plan_changes(changes: Sequence[Any]) -> list[Run]:
    """Validate every change and group them into runs; raises MalformedPageError, writes nothing."""
    if not isinstance(changes, list | tuple):
        raise MalformedPageError(-1, "changes must be a list")
    runs: list[Run] = []
    upserts: dict[str, Run] = {}  # the current stretch of upserts: one run per type
    last_delete: Run | None = None
    for index, change in enumerate(changes):
        if type(change) is not dict:
            raise MalformedPageError(index, "a change must be an object")
        kind = change.get("type")
        object_id = change.get("id")
        op = change.get("op")
        if type(kind) is not str or not kind:
            raise MalformedPageError(index, "missing type")
        if type(object_id) is not str or not object_id:
            raise MalformedPageError(index, "missing id")
        if kind == "scope":
            if op != _DROP:
                raise MalformedPageError(index, f"scope op must be 'drop', not {op!r}")
            runs.append(Run(None, _DROP, [object_id]))
            upserts, last_delete = {}, None
            continue
        spec = SPECS.get(kind)
        if spec is None:
            continue  # a type this version does not know: newer servers may send more
        if op == _UPSERT:
            data = change.get("data")
            if type(data) is not dict:
                raise MalformedPageError(index, f"{kind} upsert needs an object in 'data'")
            try:
                row = spec.build_row(object_id, data)
            except InvalidObject as error:
                raise MalformedPageError(index, str(error)) from None
            run = upserts.get(kind)
            if run is None:
                run = upserts[kind] = Run(spec, _UPSERT)
                runs.append(run)
            run.ids.append(object_id)
            run.rows.append(row)
            run.data.append(data)
            if kind == "post":
                run.tags[object_id] = post_tags(object_id, data)
            last_delete = None
        elif op == _DELETE:
            if last_delete is None or last_delete.spec is not spec:
                last_delete = Run(spec, _DELETE)
                runs.append(last_delete)
            last_delete.ids.append(object_id)
            upserts = {}
        else:
            raise MalformedPageError(index, f"unknown op {op!r} for {kind}")
    return runs


def _write_runs(conn: sqlite3.Connection, runs: list[Run], pending: bool, changes: ChangeSet) -> None:
    queued = not pending and undo.any_queued(conn)  # the server's rows may meet unsent changes
    for run in runs:
        spec = run.spec
        if spec is None:
            scope = run.ids[0]
            changes.add("scope", scope)
            prefix, _, target = scope.partition(":")
            if prefix == "community" and target:
                purge.purge_community(conn, community_id=target, changes=changes)
            elif prefix == "author" and target:
                purge.purge_author(conn, author_id=target, changes=changes)
            continue  # other scopes hold nothing this cache keeps per scope
        if run.op == _UPSERT:
            if queued:
                run = _hold_back(conn, run)
                if not run.ids:
                    continue
            try:
                _upsert(conn, spec, run, pending)
            except OverflowError as error:  # an integer wider than SQLite's 64 bits; rolled back
                raise MalformedPageError(-1, f"a {spec.type} has a number out of range ({error})") from None
            changes.add_all(spec.type, run.ids)
            if spec.type == "post":
                conn.execute(
                    "DELETE FROM post_tags WHERE post_id IN (SELECT value FROM json_each(?))",
                    (orjson.dumps(list(run.tags)).decode(),),
                )
                conn.executemany(
                    "INSERT INTO post_tags (post_id, tag, created_at, kind, pinned) VALUES (?, ?, ?, ?, ?)",
                    [tag for tags in run.tags.values() for tag in tags],
                )
        else:
            purge.delete_objects(conn, spec.type, spec.table, run.ids, changes)
    if not pending:  # the server's word: a discard no longer puts these back
        undo.forget(conn, changes)


def _hold_back(conn: sqlite3.Connection, run: Run) -> Run:
    """RUN without the server's upserts of objects an unsent change still shows (undo.py): those
    are kept as the version a discard puts back, and the row keeps showing the change."""
    assert run.spec is not None
    held = undo.held(conn, run.spec.type, run.ids)
    if not held:
        return run
    kept = Run(run.spec, run.op)
    for object_id, row, data in zip(run.ids, run.rows, run.data, strict=True):
        if object_id in held:
            undo.rebase(conn, run.spec.type, object_id, data)
        else:
            kept.ids.append(object_id)
            kept.rows.append(row)
            kept.data.append(data)
    kept.tags = {post_id: tags for post_id, tags in run.tags.items() if post_id not in held}
    return kept


def _upsert(conn: sqlite3.Connection, spec: ObjectSpec, run: Run, pending: bool) -> None:
    bulk = (
        len(run.rows) >= BULK_RUN
        and spec.table in search_index.SEARCHABLE
        and search_index.triggers_would_idle(conn, spec.table, run.ids)
    )
    with search_index.index_triggers_suspended(conn, spec.table) if bulk else contextlib.nullcontext():
        conn.executemany(spec.upsert_sql[pending], run.rows)


def _index_small_backlog(conn: sqlite3.Connection, index_now: bool | None) -> None:
    if index_now is False:
        return
    if index_now is None and search_index.estimated_backlog(conn) > DIRECT_INDEX_LIMIT:
        return
    search_index.catch_up_search(conn)


def apply_sync_page(
    target: CacheLike,
    changes: Sequence[Any],
    cursor: str,
    *,
    index_now: bool | None = None,
    commit: bool = True,
) -> ChangeSet:
    """Apply one ``/sync`` page and store its cursor, all in ONE transaction.

    ``changes`` is the page's list as parsed JSON. Changes apply in order: ``upsert`` replaces the
    whole row (clearing ``pending``), ``delete`` removes it (a post takes its comments and
    reactions along), ``scope``/``drop`` of ``community:<id>`` purges that community. Unknown
    types are skipped. A malformed change raises MalformedPageError and nothing is written.
    ``index_now``: None = make new rows searchable now when few (else leave them to
    ``catch_up_search``), True = always now, False = never now.
    ``commit=False`` leaves the transaction open so that the next pages join it (a first sync);
    ``db.commit_held`` ends it, and every page boundary in it is a consistent state.
    """
    if type(cursor) is not str:
        raise MalformedPageError(-1, "the page's cursor must be a string")
    runs = plan_changes(changes)
    conn = connection_of(target)
    changeset = ChangeSet()
    with write_transaction(conn) if commit else held_transaction(conn):
        _write_runs(conn, runs, False, changeset)
        store_cursor(conn, cursor)
        _index_small_backlog(conn, index_now)
    return changeset


def apply_changes(
    target: CacheLike, changes: Sequence[Any], *, pending: bool = False, index_now: bool | None = None
) -> ChangeSet:
    """Apply changes shaped like a sync page's, without a cursor, in one transaction (or the caller's).

    For objects the server returned outside a sync (e.g. a fetched post body), and, with
    ``pending=True``, for optimistic local rows (the outbox uses this).
    """
    runs = plan_changes(changes)
    conn = connection_of(target)
    changeset = ChangeSet()
    with write_transaction(conn):
        _write_runs(conn, runs, pending, changeset)
        _index_small_backlog(conn, index_now)
    return changeset
