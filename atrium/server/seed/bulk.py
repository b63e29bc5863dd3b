"""Fast bulk writes of generated content straight into the tables and the sync feed.

Per-object ``publish_*`` calls cost several statements each; for 100,000 posts that is
far too slow. ``FeedWriter`` builds every row in Python (counts settled beforehand),
renders each object's feed JSON in exactly the shape ``publish.py`` produces, takes
change numbers from ``sync_counter`` in one block, and inserts each table with
executemany in batches. Tests compare its feed rows with what ``publish.*`` renders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import Connection, Table, func, select, text, update

from ..feed import author_scope, community_scope, user_scope
from ..publish import reaction_key
from ..schema import (
    change_log,
    comments,
    communities,
    files,
    notifications,
    post_attachments,
    post_topics,
    posts,
    reactions,
    scope_events,
    search_documents,
    sync_counter,
)
from .ids import iso_ms
from .records import CommentRecord, FileRecord, NotificationRecord, PostRecord, ReactionRecord, Thread

if TYPE_CHECKING:
    import psycopg

BATCH_ROWS = 2000


def content_hash(*parts: object) -> str:
    """The digest ``routes/posts.py`` stores to recognise a replayed create (same recipe)."""
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


# --- feed JSON, in the shapes of publish.py ------------------------------------------------


def file_data(record: FileRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "mime": record.mime,
        "size": len(record.data),
        "sha256": record.sha256,
        "created_at": iso_ms(record.created_ms),
    }


def post_data(post: PostRecord) -> dict[str, Any]:
    return {
        "id": post.id,
        "community_id": post.community_id,
        "author_id": post.author_id,
        "app_id": post.app_id,
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "created_at": iso_ms(post.created_ms),
        "edited_at": None if post.edited_ms is None else iso_ms(post.edited_ms),
        "pinned": post.pinned,
        "comments_enabled": post.comments_enabled,
        "accepted_comment_id": post.accepted_comment_id,
        "mentions": post.mentions,
        "topics": post.topics,
        "attachments": [file_data(item) for item in post.attachments],
        "like_count": post.like_count,
        "comment_count": post.comment_count,
    }


def comment_data(comment: CommentRecord) -> dict[str, Any]:
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "author_id": comment.author_id,
        "parent_id": comment.parent_id,
        "body": comment.body,
        "created_at": iso_ms(comment.created_ms),
        "edited_at": None if comment.edited_ms is None else iso_ms(comment.edited_ms),
        "like_count": comment.like_count,
    }


def reaction_data(reaction: ReactionRecord) -> dict[str, Any]:
    return {
        "target_type": reaction.target_type,
        "target_id": reaction.target_id,
        "user_id": reaction.user_id,
        "kind": "like",
        "created_at": iso_ms(reaction.created_ms),
    }


def notification_data(note: NotificationRecord) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "actor_id": note.actor_id,
        "target_type": note.target_type,
        "target_id": note.target_id,
        "community_id": note.community_id,
        "created_at": iso_ms(note.created_ms),
        "read": note.read,
    }


def change_row(
    kind: str,
    object_id: str,
    scope: str | None,
    data: dict[str, Any],
    ts: str | None,
    keep: bool,
    author: str | None = None,
) -> dict[str, Any]:
    """A ``change_log`` row as ``feed.record_upsert`` writes it (``seq`` filled in later)."""
    return {
        "type": kind,
        "object_id": object_id,
        "seq": 0,
        "scope": scope,
        "op": "upsert",
        "ts": ts,
        "keep": keep,
        "data": orjson.dumps(data).decode(),
        "author_scope": None if author is None else author_scope(author),
    }


class FeedWriter:
    """Writes batches of records and their feed rows on CONN (the caller owns the transaction)."""

    def __init__(
        self, conn: Connection, *, batch_rows: int = BATCH_ROWS, files_dir: Path | None = None
    ) -> None:
        self.conn = conn
        self.batch_rows = batch_rows
        self.files_dir = files_dir
        self.is_sqlite = conn.dialect.name == "sqlite"

    # -- primitives ------------------------------------------------------------------

    def take_seqs(self, count: int) -> int:
        """Reserve COUNT change numbers in one statement; returns the first."""
        last = self.conn.execute(
            update(sync_counter)
            .where(sync_counter.c.id == 1)
            .values(value=sync_counter.c.value + count)
            .returning(sync_counter.c.value)
        ).scalar_one()
        return int(last) - count + 1

    def insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ROWS (dicts with the same keys) into TABLE, below SQLAlchemy's per-row parameter
        processing: executemany on SQLite in batches, COPY on PostgreSQL."""
        if not rows:
            return
        columns = list(rows[0])
        unknown = [name for name in columns if name not in table.c]
        if unknown:
            raise KeyError(f"{table.name} has no column(s) {unknown}")
        names = ", ".join(columns)
        as_tuple = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
        if self.is_sqlite:
            statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
            for start in range(0, len(rows), self.batch_rows):
                batch = [
                    tuple(row[name] for name in columns) for row in rows[start : start + self.batch_rows]
                ]
                self.conn.exec_driver_sql(statement, batch)
            return
        raw = cast("psycopg.Connection[Any]", self.conn.connection.dbapi_connection)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(as_tuple(row))

    def record_changes(self, changes: list[dict[str, Any]]) -> None:
        """Number CHANGES in order and insert them into ``change_log`` (all new objects)."""
        if not changes:
            return
        first = self.take_seqs(len(changes))
        for offset, change in enumerate(changes):
            change["seq"] = first + offset
        self.insert(change_log, changes)

    def record_scope_events(self, events: list[tuple[str | None, str, str]]) -> None:
        """Insert (user_id, scope, op) access events, numbered like feed.record_scope_event."""
        if not events:
            return
        first = self.take_seqs(len(events))
        rows = [
            {"seq": first + offset, "user_id": user_id, "scope": scope, "op": op}
            for offset, (user_id, scope, op) in enumerate(events)
        ]
        self.insert(scope_events, rows)

    def index_documents(self, documents: list[dict[str, Any]]) -> None:
        """Add search documents; on SQLite mirror them into FTS5 with one INSERT … SELECT."""
        if not documents:
            return
        before = 0
        if self.is_sqlite:
            before = int(
                self.conn.execute(select(func.coalesce(func.max(search_documents.c.rowid), 0))).scalar_one()
            )
        self.insert(search_documents, documents)
        if self.is_sqlite:
            self.conn.execute(
                text(
                    "INSERT INTO search_fts (rowid, title, body) "
                    "SELECT rowid, title, body FROM search_documents WHERE rowid > :before"
                ),
                {"before": before},
            )

    def wake_listeners(self) -> None:
        """Tell other server processes (PostgreSQL LISTEN) that the feed grew; SQLite hubs poll."""
        if not self.is_sqlite:
            self.conn.execute(text("SELECT pg_notify('atrium_changes', '')"))

    # -- content -----------------------------------------------------------------------

    def write_threads(self, threads: Sequence[Thread]) -> int:
        """Insert posts, topics, attachments, comments and likes with their feed rows and search
        documents. Returns the number of feed rows written."""
        post_rows: list[dict[str, Any]] = []
        topic_rows: list[dict[str, Any]] = []
        file_rows: list[dict[str, Any]] = []
        attachment_rows: list[dict[str, Any]] = []
        comment_rows: list[dict[str, Any]] = []
        reaction_rows: list[dict[str, Any]] = []
        post_changes: list[dict[str, Any]] = []
        comment_changes: list[dict[str, Any]] = []
        reaction_changes: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        public = set(
            self.conn.execute(select(communities.c.id).where(communities.c.visibility == "public")).scalars()
        )
        for thread in threads:
            thread.settle_counts()
            post = thread.post
            created = iso_ms(post.created_ms)
            scope = community_scope(post.community_id)
            keep = post.keep
            attachment_ids = [item.id for item in post.attachments]
            post_rows.append(
                {
                    "id": post.id,
                    "community_id": post.community_id,
                    "author_id": post.author_id,
                    "app_id": post.app_id,
                    "kind": post.kind,
                    "title": post.title,
                    "body": post.body,
                    "created_at": created,
                    "edited_at": None if post.edited_ms is None else iso_ms(post.edited_ms),
                    "pinned": post.pinned,
                    "comments_enabled": post.comments_enabled,
                    "accepted_comment_id": post.accepted_comment_id,
                    "mentions": orjson.dumps(post.mentions).decode(),
                    "topics": orjson.dumps(post.topics).decode(),
                    "like_count": post.like_count,
                    "comment_count": post.comment_count,
                    "content_hash": ""
                    if post.app_id
                    else content_hash(post.community_id, post.kind, post.title, post.body, attachment_ids),
                }
            )
            topic_rows.extend({"post_id": post.id, "topic": topic[:100]} for topic in post.topics)
            for position, item in enumerate(post.attachments):
                file_rows.append(
                    {
                        "id": item.id,
                        "name": item.name,
                        "mime": item.mime,
                        "size": len(item.data),
                        "sha256": item.sha256,
                        "uploader_id": item.uploader_id,
                        "created_at": iso_ms(item.created_ms),
                    }
                )
                attachment_rows.append({"post_id": post.id, "file_id": item.id, "position": position})
                self._store_bytes(item)
            author = post.author_id if post.community_id in public else None
            post_changes.append(change_row("post", post.id, scope, post_data(post), created, keep, author))
            documents.append(
                {
                    "type": "post",
                    "object_id": post.id,
                    "community_id": post.community_id,
                    "post_kind": post.kind,
                    "solved": post.accepted_comment_id is not None,
                    "title": post.title or "",
                    "body": post.body,
                    "created_at": created,
                }
            )
            for comment in thread.comments:
                comment_created = iso_ms(comment.created_ms)
                comment_rows.append(
                    {
                        "id": comment.id,
                        "post_id": comment.post_id,
                        "author_id": comment.author_id,
                        "parent_id": comment.parent_id,
                        "body": comment.body,
                        "created_at": comment_created,
                        "edited_at": None if comment.edited_ms is None else iso_ms(comment.edited_ms),
                        "like_count": comment.like_count,
                    }
                )
                comment_changes.append(
                    change_row("comment", comment.id, scope, comment_data(comment), created, keep)
                )
                documents.append(
                    {
                        "type": "comment",
                        "object_id": comment.id,
                        "community_id": post.community_id,
                        "post_kind": None,
                        "solved": False,
                        "title": "",
                        "body": comment.body,
                        "created_at": comment_created,
                    }
                )
            for reaction in thread.reactions:
                reaction_rows.append(
                    {
                        "target_type": reaction.target_type,
                        "target_id": reaction.target_id,
                        "user_id": reaction.user_id,
                        "kind": "like",
                        "community_id": reaction.community_id,
                        "created_at": iso_ms(reaction.created_ms),
                    }
                )
                key = reaction_key(reaction.target_type, reaction.target_id, reaction.user_id, "like")
                reaction_changes.append(
                    change_row("reaction", key, scope, reaction_data(reaction), created, keep)
                )
        # Ids are time-ordered: inserting in id order appends to every B-tree.
        comment_rows.sort(key=lambda row: row["id"])
        comment_changes.sort(key=lambda row: row["object_id"])
        reaction_rows.sort(key=lambda row: (row["target_type"], row["target_id"], row["user_id"]))
        reaction_changes.sort(key=lambda row: row["object_id"])
        self.insert(files, file_rows)
        self.insert(posts, post_rows)
        self.insert(post_topics, topic_rows)
        self.insert(post_attachments, attachment_rows)
        self.insert(comments, comment_rows)
        self.insert(reactions, reaction_rows)
        changes = post_changes + comment_changes + reaction_changes
        self.record_changes(changes)
        self.index_documents(documents)
        return len(changes)

    def write_notifications(self, notes: Iterable[NotificationRecord]) -> int:
        rows: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for note in sorted(notes, key=lambda item: item.id):
            rows.append(
                {
                    "id": note.id,
                    "user_id": note.user_id,
                    "kind": note.kind,
                    "actor_id": note.actor_id,
                    "target_type": note.target_type,
                    "target_id": note.target_id,
                    "community_id": note.community_id,
                    "created_at": iso_ms(note.created_ms),
                    "read": note.read,
                }
            )
            changes.append(
                change_row(
                    "notification", note.id, user_scope(note.user_id), notification_data(note), None, True
                )
            )
        self.insert(notifications, rows)
        self.record_changes(changes)
        return len(changes)

    def _store_bytes(self, item: FileRecord) -> None:
        """Attachment bytes live content-addressed under files_dir/<sha[:2]>/<sha> (routes/files.py)."""
        if self.files_dir is None:
            return
        target = self.files_dir / item.sha256[:2] / item.sha256
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.data)
