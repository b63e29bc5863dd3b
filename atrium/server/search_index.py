"""Keeping the online search index in step with the content (called inside write transactions).

SQLite: rows in ``search_documents`` mirrored into the FTS5 table ``search_fts``
(same rowid). PostgreSQL: ``search_documents.tsv`` is a generated tsvector with
a GIN index. Queries live in routes/search.py.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from .schema import search_documents


def upsert_document(
    conn: Connection,
    kind: str,
    object_id: str,
    *,
    community_id: str | None,
    title: str,
    body: str,
    created_at: str,
    post_kind: str | None = None,
    solved: bool = False,
) -> None:
    values = {
        "community_id": community_id,
        "title": title or "",
        "body": body or "",
        "created_at": created_at,
        "post_kind": post_kind,
        "solved": solved,
    }
    rowid = conn.execute(
        select(search_documents.c.rowid).where(
            search_documents.c.type == kind, search_documents.c.object_id == object_id
        )
    ).scalar_one_or_none()
    if rowid is None:
        rowid = conn.execute(
            search_documents.insert()
            .values(type=kind, object_id=object_id, **values)
            .returning(search_documents.c.rowid)
        ).scalar_one()
    else:
        conn.execute(search_documents.update().where(search_documents.c.rowid == rowid).values(**values))
        if conn.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM search_fts WHERE rowid = :rowid"), {"rowid": rowid})
    if conn.dialect.name == "sqlite":
        conn.execute(
            text("INSERT INTO search_fts (rowid, title, body) VALUES (:rowid, :title, :body)"),
            {"rowid": rowid, "title": values["title"], "body": values["body"]},
        )


def delete_document(conn: Connection, kind: str, object_id: str) -> None:
    rowid = conn.execute(
        select(search_documents.c.rowid).where(
            search_documents.c.type == kind, search_documents.c.object_id == object_id
        )
    ).scalar_one_or_none()
    if rowid is None:
        return
    conn.execute(search_documents.delete().where(search_documents.c.rowid == rowid))
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM search_fts WHERE rowid = :rowid"), {"rowid": rowid})


def set_solved(conn: Connection, post_id: str, solved: bool) -> None:
    conn.execute(
        search_documents.update()
        .where(search_documents.c.type == "post", search_documents.c.object_id == post_id)
        .values(solved=solved)
    )
