"""What the queries return: plain frozen dataclasses, built from rows by the SELECT lists below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from .ids import reaction_id_sql


@dataclass(frozen=True)
class Post:
    id: str
    community_id: str
    author_id: str | None
    app_id: str | None
    kind: str  # post | question | announcement | blog | app_event
    title: str | None
    body: str  # '' when body_evicted: fetch it again when the user opens the post
    created_at: str
    edited_at: str | None
    pinned: bool
    comments_enabled: bool
    accepted_comment_id: str | None
    mentions: list[str]
    topics: list[str]
    attachments: list[dict[str, Any]]
    like_count: int
    comment_count: int
    pending: bool  # optimistic: not confirmed by the server yet
    body_evicted: bool
    last_read_at: str | None
    author_name: str | None
    community_name: str | None
    liked_by_me: bool

    @property
    def solved(self) -> bool:
        return self.kind == "question" and self.accepted_comment_id is not None

    @property
    def position(self) -> tuple[str, str]:
        """The keyset position: pass it as ``before`` to get what comes after this post."""
        return (self.created_at, self.id)


POST_SELECT = f"""
    p.id, p.community_id, p.author_id, p.app_id, p.kind, p.title, p.body, p.created_at, p.edited_at,
    p.pinned, p.comments_enabled, p.accepted_comment_id, p.mentions, p.topics, p.attachments,
    p.like_count, p.comment_count, p.pending, p.body_evicted, p.last_read_at,
    (SELECT display_name FROM users WHERE id = p.author_id),
    (SELECT name FROM communities WHERE id = p.community_id),
    EXISTS (SELECT 1 FROM reactions WHERE id = {reaction_id_sql("post", "p.id", ":me")})
"""


def post_from_row(row: tuple[Any, ...]) -> Post:
    (pid, community_id, author_id, app_id, kind, title, body, created_at, edited_at, pinned, comments_enabled,
     accepted, mentions, topics, attached, likes, comment_count, pending, evicted, read_at, author_name,
     community_name, liked) = row  # fmt: skip
    return Post(
        pid, community_id, author_id, app_id, kind, title, body, created_at, edited_at, bool(pinned),
        bool(comments_enabled), accepted, orjson.loads(mentions), orjson.loads(topics), orjson.loads(attached),
        likes, comment_count, bool(pending), bool(evicted), read_at, author_name, community_name, bool(liked),
    )  # fmt: skip


@dataclass(frozen=True)
class FeedPage:
    items: list[Post]
    next_before: tuple[str, str] | None  # None = nothing older; else pass as ``before``


@dataclass(frozen=True)
class Comment:
    id: str
    post_id: str
    author_id: str
    parent_id: str | None
    body: str
    created_at: str
    edited_at: str | None
    like_count: int
    pending: bool
    body_evicted: bool
    author_name: str | None
    liked_by_me: bool
    is_accepted: bool


COMMENT_SELECT = f"""
    c.id, c.post_id, c.author_id, c.parent_id, c.body, c.created_at, c.edited_at, c.like_count, c.pending,
    c.body_evicted, (SELECT display_name FROM users WHERE id = c.author_id),
    EXISTS (SELECT 1 FROM reactions WHERE id = {reaction_id_sql("comment", "c.id", ":me")}),
    EXISTS (SELECT 1 FROM posts WHERE id = c.post_id AND accepted_comment_id = c.id)
"""


def comment_from_row(row: tuple[Any, ...]) -> Comment:
    (cid, post_id, author_id, parent_id, body, created_at, edited_at, likes, pending, evicted, author_name,
     liked, accepted) = row  # fmt: skip
    return Comment(
        cid, post_id, author_id, parent_id, body, created_at, edited_at, likes, bool(pending), bool(evicted),
        author_name, bool(liked), bool(accepted),
    )  # fmt: skip


@dataclass(frozen=True)
class Thread:
    post: Post
    comments: list[Comment]  # oldest first; ``parent_id`` gives the reply structure


@dataclass(frozen=True)
class Community:
    id: str
    slug: str | None
    name: str
    description: str | None
    kind: str
    visibility: str
    member_count: int
    created_at: str | None
    my_role: str | None  # owner | moderator | member, None = not joined


COMMUNITY_SELECT = """
    c.id, c.slug, c.name, c.description, c.kind, c.visibility, c.member_count, c.created_at,
    (SELECT role FROM memberships WHERE community_id = c.id AND user_id = :me)
"""


@dataclass(frozen=True)
class Person:
    id: str
    handle: str
    display_name: str
    title: str | None
    department: str | None
    location: str | None
    avatar_url: str | None
    is_admin: bool
    followed_by_me: bool


PERSON_SELECT = """
    u.id, u.handle, u.display_name, u.title, u.department, u.location, u.avatar_url, u.is_admin,
    EXISTS (SELECT 1 FROM follows WHERE user_id = :me AND target_type = 'user' AND target_id = u.id)
"""


def person_from_row(row: tuple[Any, ...]) -> Person:
    user_id, handle, display_name, title, department, location, avatar_url, is_admin, followed = row
    return Person(
        user_id, handle, display_name, title, department, location, avatar_url, bool(is_admin), bool(followed)
    )


@dataclass(frozen=True)
class WikiPage:
    id: str
    community_id: str | None
    path: str
    title: str
    revision_id: str | None
    body: str
    created_at: str | None
    updated_at: str | None
    updated_by: str | None
    pending: bool
    updated_by_name: str | None


WIKI_SELECT = """
    w.id, w.community_id, w.path, w.title, w.revision_id, w.body, w.created_at, w.updated_at, w.updated_by,
    w.pending, (SELECT display_name FROM users WHERE id = w.updated_by)
"""


def wiki_from_row(row: tuple[Any, ...]) -> WikiPage:
    (
        page_id,
        community_id,
        path,
        title,
        revision_id,
        body,
        created_at,
        updated_at,
        updated_by,
        pending,
        name,
    ) = row
    return WikiPage(
        page_id,
        community_id,
        path,
        title,
        revision_id,
        body,
        created_at,
        updated_at,
        updated_by,
        bool(pending),
        name,
    )


@dataclass
class WikiTreeNode:
    """One path segment of a space's page tree; ``page_id`` None = a folder with no page of its own."""

    name: str
    path: str
    page_id: str | None = None
    title: str | None = None
    children: list[WikiTreeNode] = field(default_factory=list)


@dataclass(frozen=True)
class WikiConflict:
    id: int
    page_id: str
    base_revision_id: str | None
    base_body: str
    local_body: str
    remote_body: str
    remote_revision_id: str | None
    created_at: str


@dataclass(frozen=True)
class Notification:
    id: str
    kind: str
    actor_id: str | None
    actor_name: str | None
    target_type: str | None
    target_id: str | None
    community_id: str | None
    created_at: str
    read: bool
    pending: bool


@dataclass(frozen=True)
class SearchHit:
    kind: str  # post | comment | wiki_page | user
    id: str
    title: str  # post/page title (for a comment: its post's title), or a person's name
    snippet: str  # text with HIGHLIGHT_START/HIGHLIGHT_END around matched terms
    score: float  # bm25: lower is better
    created_at: str | None
    post_id: str | None  # the post to open (a comment's post)
    community_id: str | None
    solved: bool  # a solved question, or the accepted answer of one
