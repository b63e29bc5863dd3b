"""Deleting objects together with what hangs off them: a post's comments and reactions, a community's content."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from .changeset import ChangeSet
from .ids import reactions_on

_GIVEN_IDS_SELECT = "SELECT value FROM json_each(?)"
_GIVEN_IDS = f"({_GIVEN_IDS_SELECT})"
_DOOMED_SELECT = "SELECT id FROM temp.doomed_posts"
_DOOMED = f"({_DOOMED_SELECT})"


def _json_ids(ids: Sequence[str]) -> str:
    return orjson.dumps(list(ids)).decode()


def _returning(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[str]:
    return [row[0] for row in conn.execute(sql + " RETURNING id", params)]


def _delete_reactions_on(
    conn: sqlite3.Connection, target_type: str, target_ids: str, params: Sequence[Any], changes: ChangeSet
) -> None:
    """Delete the reactions on the TARGET_TYPE objects whose ids TARGET_IDS (a SELECT) yields."""
    deleted = _returning(
        conn, f"DELETE FROM reactions WHERE id IN ({reactions_on(target_type, target_ids)})", params
    )
    changes.add_all("reaction", deleted)


def collect_doomed_posts(conn: sqlite3.Connection, select_ids: str, params: Sequence[Any]) -> None:
    """Fill ``temp.doomed_posts`` with the post ids that ``select_ids`` (a SELECT of one column) yields."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS doomed_posts (id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.doomed_posts")
    conn.execute(f"INSERT OR IGNORE INTO temp.doomed_posts {select_ids}", params)


def delete_doomed_posts(conn: sqlite3.Connection, changes: ChangeSet) -> None:
    """Delete the posts in ``temp.doomed_posts``, their comments, and reactions on either."""
    doomed_comments = f"SELECT id FROM comments WHERE post_id IN {_DOOMED}"
    _delete_reactions_on(conn, "comment", doomed_comments, (), changes)
    changes.add_all("comment", _returning(conn, f"DELETE FROM comments WHERE post_id IN {_DOOMED}"))
    _delete_reactions_on(conn, "post", _DOOMED_SELECT, (), changes)
    # post_tags rows go by ON DELETE CASCADE.
    changes.add_all("post", _returning(conn, f"DELETE FROM posts WHERE id IN {_DOOMED}"))


def delete_objects(
    conn: sqlite3.Connection, object_type: str, table: str, ids: Sequence[str], changes: ChangeSet
) -> None:
    """Sync ``delete`` of ``ids``; posts, comments and communities take their dependants along."""
    changes.add_all(object_type, ids)
    if object_type == "post":
        # By the given ids, not the rows found: comments that arrived before their post go too.
        collect_doomed_posts(conn, _GIVEN_IDS_SELECT, (_json_ids(ids),))
        delete_doomed_posts(conn, changes)
    elif object_type == "comment":
        _delete_reactions_on(conn, "comment", _GIVEN_IDS_SELECT, (_json_ids(ids),), changes)
        conn.execute(f"DELETE FROM comments WHERE id IN {_GIVEN_IDS}", (_json_ids(ids),))
    elif object_type == "community":
        for community_id in ids:
            purge_community(conn, community_id, changes)
    else:
        conn.execute(f"DELETE FROM {table} WHERE id IN {_GIVEN_IDS}", (_json_ids(ids),))


# People this cache's user follows (their posts in public communities sync through the
# ``author:<id>`` scope), and the communities whose content syncs in full (joined ones, and the
# public announcement communities everyone receives) — the server's rules in hot_reads.py.
_FOLLOWED_PEOPLE = """
SELECT target_id FROM follows
WHERE target_type = 'user' AND user_id = (SELECT value FROM sync_state WHERE key = 'user_id')
"""
_SYNCED_COMMUNITIES = """
SELECT community_id FROM memberships WHERE user_id = (SELECT value FROM sync_state WHERE key = 'user_id')
UNION ALL
SELECT id FROM communities WHERE kind = 'announcements' AND visibility = 'public'
"""


def purge_community(conn: sqlite3.Connection, community_id: str, changes: ChangeSet) -> None:
    """Remove a community's content from the cache: posts (with comments and reactions),
    memberships, wiki pages and the community row. Notifications, follows, apps and wiki
    conflicts (the user's own text) stay: they are not the community's content; nor do the
    posts of followed people in a public community, which still sync by their author — but
    their comments and reactions go, as those sync by community and would only go stale.
    """
    collect_doomed_posts(
        conn,
        f"""SELECT id FROM posts WHERE community_id = ? AND NOT (
            author_id IS NOT NULL AND author_id IN ({_FOLLOWED_PEOPLE})
            AND EXISTS (SELECT 1 FROM communities WHERE id = ? AND visibility = 'public'))""",
        (community_id, community_id),
    )
    delete_doomed_posts(conn, changes)
    kept_posts = "SELECT id FROM posts WHERE community_id = ?"  # what still comes by author
    comments = f"SELECT id FROM comments WHERE post_id IN ({kept_posts})"
    _delete_reactions_on(conn, "comment", comments, (community_id,), changes)
    changes.add_all(
        "comment", _returning(conn, f"DELETE FROM comments WHERE post_id IN ({kept_posts})", (community_id,))
    )
    _delete_reactions_on(conn, "post", kept_posts, (community_id,), changes)
    changes.add_all(
        "membership", _returning(conn, "DELETE FROM memberships WHERE community_id = ?", (community_id,))
    )
    changes.add_all(
        "wiki_page", _returning(conn, "DELETE FROM wiki_pages WHERE community_id = ?", (community_id,))
    )
    changes.add_all("community", _returning(conn, "DELETE FROM communities WHERE id = ?", (community_id,)))


def purge_author(conn: sqlite3.Connection, author_id: str, changes: ChangeSet) -> None:
    """The user stopped following AUTHOR_ID: remove their posts that only synced by author,
    those outside the communities whose content syncs in full."""
    collect_doomed_posts(
        conn,
        f"SELECT id FROM posts WHERE author_id = ? AND community_id NOT IN ({_SYNCED_COMMUNITIES})",
        (author_id,),
    )
    delete_doomed_posts(conn, changes)
