"""Wiki reads (a page by id or path, a space's page tree) and the conflicts the user resolves."""

from __future__ import annotations

from .clock import now_iso
from .db import CacheLike, connection_of, write_transaction
from .models import WIKI_SELECT, WikiConflict, WikiPage, WikiTreeNode, wiki_from_row


def wiki_page(target: CacheLike, page_id: str) -> WikiPage | None:
    row = (
        connection_of(target)
        .execute(f"SELECT {WIKI_SELECT} FROM wiki_pages w WHERE w.id = ?", (page_id,))
        .fetchone()
    )
    return wiki_from_row(row) if row else None


def wiki_page_by_path(target: CacheLike, community_id: str | None, path: str) -> WikiPage | None:
    """The page at ``path`` in a community's space (``None`` = the company wiki)."""
    row = (
        connection_of(target)
        .execute(
            f"SELECT {WIKI_SELECT} FROM wiki_pages w WHERE ifnull(w.community_id, '') = ? AND w.path = ? "
            "ORDER BY w.updated_at DESC LIMIT 1",
            (community_id or "", path.strip("/")),
        )
        .fetchone()
    )
    return wiki_from_row(row) if row else None


def wiki_tree(target: CacheLike, community_id: str | None) -> list[WikiTreeNode]:
    """A space's pages as a tree by path segments (``a/b`` under ``a``), sorted by path.
    Folders that have no page of their own appear with ``page_id`` None."""
    rows = connection_of(target).execute(
        "SELECT id, path, title FROM wiki_pages WHERE ifnull(community_id, '') = ? ORDER BY path",
        (community_id or "",),
    )
    root = WikiTreeNode("", "")
    for page_id, path, title in rows:
        node = root
        walked: list[str] = []
        for segment in (part for part in path.strip("/").split("/") if part):
            walked.append(segment)
            child = next((c for c in node.children if c.name == segment), None)
            if child is None:
                child = WikiTreeNode(segment, "/".join(walked))
                node.children.append(child)
            node = child
        if node is not root and node.page_id is None:
            node.page_id, node.title = page_id, title
    return root.children


def add_wiki_conflict(
    target: CacheLike,
    page_id: str,
    *,
    base_revision_id: str | None,
    base_body: str,
    local_body: str,
    remote_body: str,
    remote_revision_id: str | None,
) -> int:
    """Keep an edit the server refused (409) and could not be merged, for the user to resolve."""
    conn = connection_of(target)
    with write_transaction(conn):
        cursor = conn.execute(
            "INSERT INTO wiki_conflicts (page_id, base_revision_id, base_body, local_body, remote_body, "
            "remote_revision_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (page_id, base_revision_id, base_body, local_body, remote_body, remote_revision_id, now_iso()),
        )
    return int(cursor.lastrowid or 0)


def wiki_conflicts(target: CacheLike, page_id: str | None = None) -> list[WikiConflict]:
    """Unresolved conflicts (of one page, or all), oldest first."""
    sql = "SELECT * FROM wiki_conflicts" + (" WHERE page_id = ?" if page_id else "") + " ORDER BY id"
    rows = connection_of(target).execute(sql, (page_id,) if page_id else ())
    return [WikiConflict(*row) for row in rows]


def resolve_wiki_conflict(target: CacheLike, conflict_id: int) -> None:
    """The user resolved it (their merged text went to the outbox): forget the conflict."""
    conn = connection_of(target)
    with write_transaction(conn):
        conn.execute("DELETE FROM wiki_conflicts WHERE id = ?", (conflict_id,))
