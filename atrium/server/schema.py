"""The server's tables, declared once with SQLAlchemy Core.

Alembic migrations in ``migrations/versions`` create and change these tables;
this module is what the code queries against. Times are stored as RFC 3339 UTC
strings so SQLite and PostgreSQL compare and sort them the same way.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(36)
TIME = String(32)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("handle", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("title", String(200), nullable=False, server_default=""),
    Column("department", String(200), nullable=False, server_default=""),
    Column("location", String(200), nullable=False, server_default=""),
    Column("avatar_url", String(500)),
    Column("is_admin", Boolean, nullable=False, server_default="0"),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", TIME, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", TIME, nullable=False),
    Column("last_seen_at", TIME, nullable=False),
    Column("revoked_at", TIME),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(200), nullable=False),
    Column("at", TIME, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
)

communities = Table(
    "communities",
    metadata,
    Column("id", ID, primary_key=True),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("kind", String(20), nullable=False),
    Column("visibility", String(10), nullable=False),
    Column("member_count", Integer, nullable=False, server_default="0"),
    Column("created_at", TIME, nullable=False),
    Column("created_by", ID, ForeignKey("users.id")),
)

memberships = Table(
    "memberships",
    metadata,
    Column("community_id", ID, ForeignKey("communities.id"), primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), primary_key=True),
    Column("role", String(12), nullable=False),
    Column("joined_at", TIME, nullable=False),
    Index("ix_memberships_user_id", "user_id"),
)

follows = Table(
    "follows",
    metadata,
    Column("user_id", ID, ForeignKey("users.id"), primary_key=True),
    Column("target_type", String(12), primary_key=True),
    Column("target_id", String(200), primary_key=True),
    Column("created_at", TIME, nullable=False),
)

posts = Table(
    "posts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("community_id", ID, ForeignKey("communities.id"), nullable=False),
    Column("author_id", ID, ForeignKey("users.id")),
    Column("app_id", ID),
    Column("kind", String(16), nullable=False),
    Column("title", String(300)),
    Column("body", Text, nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("edited_at", TIME),
    Column("pinned", Boolean, nullable=False, server_default="0"),
    Column("comments_enabled", Boolean, nullable=False, server_default="1"),
    Column("accepted_comment_id", ID),
    Column("mentions", Text, nullable=False, server_default="[]"),
    Column("topics", Text, nullable=False, server_default="[]"),
    Column("like_count", Integer, nullable=False, server_default="0"),
    Column("comment_count", Integer, nullable=False, server_default="0"),
    Column("content_hash", String(64), nullable=False, server_default=""),
    Index("ix_posts_community_id_created_at", "community_id", "created_at"),
    Index("ix_posts_author_id", "author_id"),
)

post_topics = Table(
    "post_topics",
    metadata,
    Column("post_id", ID, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(100), primary_key=True),
    Index("ix_post_topics_topic", "topic"),
)

files = Table(
    "files",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("mime", String(200), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("uploader_id", ID, ForeignKey("users.id"), nullable=False),
    Column("created_at", TIME, nullable=False),
)

post_attachments = Table(
    "post_attachments",
    metadata,
    Column("post_id", ID, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ID, ForeignKey("files.id"), primary_key=True),
    Column("position", Integer, nullable=False),
    Index("ix_post_attachments_file_id", "file_id"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("post_id", ID, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", ID, ForeignKey("users.id"), nullable=False),
    Column("parent_id", ID),
    Column("body", Text, nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("edited_at", TIME),
    Column("like_count", Integer, nullable=False, server_default="0"),
    Index("ix_comments_post_id", "post_id"),
    Index("ix_comments_author_id_created_at", "author_id", "created_at"),
)

reactions = Table(
    "reactions",
    metadata,
    Column("target_type", String(10), primary_key=True),
    Column("target_id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("community_id", ID, nullable=False),
    Column("created_at", TIME, nullable=False),
)

wiki_pages = Table(
    "wiki_pages",
    metadata,
    Column("id", ID, primary_key=True),
    Column("community_id", ID, ForeignKey("communities.id")),
    # The space is the community id, or "" for the company wiki: a unique key
    # over a nullable column would let two company pages share a path.
    Column("space", String(36), nullable=False),
    Column("path", String(500), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("revision_id", ID, nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("updated_at", TIME, nullable=False),
    Column("updated_by", ID, ForeignKey("users.id"), nullable=False),
    UniqueConstraint("space", "path", name="uq_wiki_pages_space_path"),
)

wiki_revisions = Table(
    "wiki_revisions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("page_id", ID, ForeignKey("wiki_pages.id"), nullable=False),
    Column("parent_revision_id", ID),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("summary", String(500), nullable=False, server_default=""),
    Column("author_id", ID, ForeignKey("users.id"), nullable=False),
    Column("created_at", TIME, nullable=False),
    Index("ix_wiki_revisions_page_id_created_at", "page_id", "created_at"),
)

apps = Table(
    "apps",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("url", String(1000), nullable=False),
    Column("icon_url", String(1000)),
    Column("description", Text, nullable=False, server_default=""),
    Column("allowed_origins", Text, nullable=False, server_default="[]"),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("community_id", ID, ForeignKey("communities.id")),
    Column("hook_token_hash", String(64), unique=True),
    Column("created_at", TIME, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("actor_id", ID),
    Column("target_type", String(16), nullable=False),
    Column("target_id", ID, nullable=False),
    Column("community_id", ID),
    Column("created_at", TIME, nullable=False),
    Column("read", Boolean, nullable=False, server_default="0"),
    Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", ID, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", String(1000), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", TIME, nullable=False),
    Index("ix_idempotency_keys_created_at", "created_at"),
)

activity_weeks = Table(
    "activity_weeks",
    metadata,
    Column("user_id", ID, primary_key=True),
    Column("week", String(10), primary_key=True),
)

# The sync feed. One row per object, holding the object's current JSON (or a
# tombstone), the change sequence number of its latest change and the scope
# that decides who may read it. Serving /sync is then one indexed range scan
# with no per-object rendering; see ARCHITECTURE.md "The sync feed".
change_log = Table(
    "change_log",
    metadata,
    Column("type", String(16), primary_key=True),
    Column("object_id", String(200), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    # community:<id> | user:<id> (personal) | NULL (everyone)
    Column("scope", String(60)),
    Column("op", String(8), nullable=False),
    # time that retention is judged by (a post's or its thread's creation)
    Column("ts", TIME),
    # kept regardless of retention (pinned posts, announcements)
    Column("keep", Boolean, nullable=False, server_default="0"),
    Column("data", Text),
    # author:<user_id> on posts in public communities: their author's followers sync them too
    Column("author_scope", String(60)),
    Index("ix_change_log_scope_seq", "scope", "seq"),
    Index("ix_change_log_author_scope_seq", "author_scope", "seq"),
)

# Gains and losses of read access, so /sync can backfill a joined community
# and tell a leaver to drop one. user_id NULL means every user.
scope_events = Table(
    "scope_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", ID),
    Column("scope", String(60), nullable=False),
    Column("op", String(8), nullable=False),
    Index("ix_scope_events_user_id_seq", "user_id", "seq"),
)

# A single row: the change sequence. Incrementing it takes the row lock, so
# writers commit in sequence order and a reader never skips a late commit.
sync_counter = Table(
    "sync_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

search_documents = Table(
    "search_documents",
    metadata,
    Column("rowid", Integer, primary_key=True, autoincrement=True),
    Column("type", String(16), nullable=False),
    Column("object_id", ID, nullable=False),
    Column("community_id", ID),
    Column("post_kind", String(16)),
    Column("solved", Boolean, nullable=False, server_default="0"),
    Column("title", Text, nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("created_at", TIME, nullable=False),
    UniqueConstraint("type", "object_id", name="uq_search_documents_type_object_id"),
)
