"""Cache format 1: every table, index, full-text table and index trigger, as SQL statements.

Frozen once released: later changes are new steps in migrations.py, never edits here.
"""

from __future__ import annotations

# Synced tables carry the protocol's fields as columns (JSON arrays as TEXT) plus local columns:
# pending (1 = an optimistic local row the server has not confirmed), and on posts/comments
# last_read_at + body_evicted for retention. Tables that have a full-text index use an explicit
# INTEGER PRIMARY KEY (``seq``) so that VACUUM can never renumber the rowids the index points at.
TABLES = (
    """
    CREATE TABLE users (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        handle TEXT NOT NULL COLLATE NOCASE,
        display_name TEXT NOT NULL COLLATE NOCASE,
        title TEXT,
        department TEXT,
        location TEXT,
        avatar_url TEXT,
        is_admin INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX users_by_display_name ON users (display_name)",
    "CREATE INDEX users_by_handle ON users (handle)",
    """
    CREATE TABLE communities (
        id TEXT PRIMARY KEY NOT NULL,
        slug TEXT,
        name TEXT NOT NULL,
        description TEXT,
        kind TEXT NOT NULL,
        visibility TEXT NOT NULL,
        member_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE memberships (
        id TEXT PRIMARY KEY NOT NULL,
        community_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL,
        joined_at TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    "CREATE INDEX memberships_by_user ON memberships (user_id, community_id)",
    "CREATE INDEX memberships_by_community ON memberships (community_id)",
    """
    CREATE TABLE follows (
        id TEXT PRIMARY KEY NOT NULL,
        user_id TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        created_at TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    "CREATE INDEX follows_by_user ON follows (user_id, target_type, target_id)",
    """
    CREATE TABLE posts (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        community_id TEXT NOT NULL,
        author_id TEXT,
        app_id TEXT,
        kind TEXT NOT NULL,
        title TEXT,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        pinned INTEGER NOT NULL DEFAULT 0,
        comments_enabled INTEGER NOT NULL DEFAULT 1,
        accepted_comment_id TEXT,
        mentions TEXT NOT NULL DEFAULT '[]',
        topics TEXT NOT NULL DEFAULT '[]',
        attachments TEXT NOT NULL DEFAULT '[]',
        like_count INTEGER NOT NULL DEFAULT 0,
        comment_count INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0,
        last_read_at TEXT,
        body_evicted INTEGER NOT NULL DEFAULT 0
    )
    """,
    # pinned and kind ride along so the feed's filters are read from the index, not the rows.
    "CREATE INDEX posts_by_community ON posts (community_id, created_at, id, pinned, kind)",
    "CREATE INDEX posts_by_author ON posts (author_id, created_at, id, pinned, kind)",
    # Partial indexes: only the posts of that kind (or pinned) pay for them.
    "CREATE INDEX posts_questions ON posts (created_at, id) WHERE kind = 'question'",
    "CREATE INDEX posts_announcements ON posts (created_at, id, pinned) WHERE kind = 'announcement'",
    "CREATE INDEX posts_pinned ON posts (created_at, id) WHERE pinned = 1",
    # Topics and mentions of each post, so "posts with a followed topic / mentioning me" is an index
    # range. kind and pinned are copied in (rewritten with the post) so the feed filters on the index.
    """
    CREATE TABLE post_tags (
        post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        pinned INTEGER NOT NULL,
        PRIMARY KEY (post_id, tag)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX post_tags_by_tag ON post_tags (tag, created_at, post_id, pinned, kind)",
    """
    CREATE TABLE comments (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        post_id TEXT NOT NULL,
        author_id TEXT NOT NULL,
        parent_id TEXT,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        like_count INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0,
        last_read_at TEXT,
        body_evicted INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX comments_by_post ON comments (post_id, created_at, id)",
    "CREATE INDEX comments_pending ON comments (post_id) WHERE pending = 1",
    """
    CREATE TABLE reactions (
        id TEXT PRIMARY KEY NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    "CREATE INDEX reactions_by_target ON reactions (target_id, user_id)",
    """
    CREATE TABLE wiki_pages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        community_id TEXT,
        path TEXT NOT NULL,
        title TEXT NOT NULL,
        revision_id TEXT,
        body TEXT NOT NULL,
        created_at TEXT,
        updated_at TEXT,
        updated_by TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    )
    """,
    # Not UNIQUE: pages arrive in change order and a move + re-create may briefly share a path.
    "CREATE INDEX wiki_pages_by_path ON wiki_pages (ifnull(community_id, ''), path)",
    """
    CREATE TABLE apps (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        icon_url TEXT,
        description TEXT,
        allowed_origins TEXT NOT NULL DEFAULT '[]',
        position INTEGER NOT NULL DEFAULT 0,
        community_id TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE notifications (
        id TEXT PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL,
        actor_id TEXT,
        target_type TEXT,
        target_id TEXT,
        community_id TEXT,
        created_at TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    "CREATE INDEX notifications_by_state ON notifications (read, created_at DESC, id DESC)",
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        op_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        body TEXT,
        object_type TEXT,
        object_id TEXT,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'failed')),
        last_error TEXT,
        next_attempt_at TEXT
    )
    """,
    "CREATE INDEX outbox_by_object ON outbox (object_id)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY NOT NULL, value TEXT) WITHOUT ROWID",
    """
    CREATE TABLE wiki_conflicts (
        id INTEGER PRIMARY KEY,
        page_id TEXT NOT NULL,
        base_revision_id TEXT,
        base_body TEXT NOT NULL,
        local_body TEXT NOT NULL,
        remote_body TEXT NOT NULL,
        remote_revision_id TEXT,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX wiki_conflicts_by_page ON wiki_conflicts (page_id)",
    """
    CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY NOT NULL,
        path TEXT,
        size INTEGER NOT NULL DEFAULT 0,
        last_used_at TEXT NOT NULL,
        keep_offline INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    # Full-text index bookkeeping: rows with seq <= indexed_upto are in the index, rows above wait.
    "CREATE TABLE search_state (name TEXT PRIMARY KEY NOT NULL, indexed_upto INTEGER NOT NULL) WITHOUT ROWID",
)

# table -> indexed columns. Each gets an external-content FTS5 table ``<table>_fts``.
SEARCHABLE = {
    "posts": ("title", "body"),
    "comments": ("body",),
    "wiki_pages": ("title", "body"),
    "users": ("display_name", "handle", "department", "title"),
}

TOKENIZER = "porter unicode61 remove_diacritics 2"


def _search_statements(table: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new_values = ", ".join(f"new.{c}" for c in columns)
    old_values = ", ".join(f"old.{c}" for c in columns)
    indexed = f"(SELECT indexed_upto FROM search_state WHERE name = '{table}')"
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return (
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='seq', "
        f"tokenize='{TOKENIZER}')",
        f"INSERT INTO search_state (name, indexed_upto) VALUES ('{table}', 0)",
        # Rows above the watermark are left to the bulk catch-up; rows at or below it are kept exact.
        f"""CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} WHEN new.seq <= {indexed}
        BEGIN INSERT INTO {fts} (rowid, {names}) VALUES (new.seq, {new_values}); END""",
        f"""CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} WHEN old.seq <= {indexed}
        BEGIN INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.seq, {old_values}); END""",
        f"""CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {names} ON {table}
        WHEN old.seq <= {indexed} AND ({changed})
        BEGIN
            INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.seq, {old_values});
            INSERT INTO {fts} (rowid, {names}) VALUES (new.seq, {new_values});
        END""",
    )


STATEMENTS: tuple[str, ...] = TABLES + tuple(
    statement for table, columns in SEARCHABLE.items() for statement in _search_statements(table, columns)
)
