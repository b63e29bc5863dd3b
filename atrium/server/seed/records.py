"""In-memory records of generated content, written by ``bulk.FeedWriter`` in one go per batch.

Times are integer milliseconds since the epoch; the writer renders them as RFC 3339.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class FileRecord:
    id: str
    name: str
    mime: str
    data: bytes
    sha256: str
    uploader_id: str
    created_ms: int


@dataclass(slots=True)
class PostRecord:
    id: str
    community_id: str
    author_id: str | None
    kind: str
    title: str | None
    body: str
    created_ms: int
    mentions: list[str]
    topics: list[str]
    app_id: str | None = None
    edited_ms: int | None = None
    pinned: bool = False
    comments_enabled: bool = True
    accepted_comment_id: str | None = None
    attachments: list[FileRecord] = field(default_factory=list)
    like_count: int = 0
    comment_count: int = 0

    @property
    def keep(self) -> bool:
        """Kept regardless of retention (the feed's ``keep``): pinned posts and announcements."""
        return self.pinned or self.kind == "announcement"


@dataclass(slots=True)
class CommentRecord:
    id: str
    post_id: str
    author_id: str
    body: str
    created_ms: int
    mentions: list[str]
    parent_id: str | None = None
    edited_ms: int | None = None
    like_count: int = 0


@dataclass(slots=True)
class ReactionRecord:
    target_type: str  # post | comment
    target_id: str
    user_id: str
    community_id: str
    created_ms: int
    target_author_id: str | None  # who a like notification would go to


@dataclass(slots=True)
class Thread:
    """A post with its comments and likes; counts on the post and comments are derived from them."""

    post: PostRecord
    comments: list[CommentRecord] = field(default_factory=list)
    reactions: list[ReactionRecord] = field(default_factory=list)
    accepted_ms: int | None = None  # when the answer was accepted (for the notification)

    def settle_counts(self) -> None:
        self.post.comment_count = len(self.comments)
        post_likes = 0
        comment_likes: dict[str, int] = {}
        for reaction in self.reactions:
            if reaction.target_type == "post":
                post_likes += 1
            else:
                comment_likes[reaction.target_id] = comment_likes.get(reaction.target_id, 0) + 1
        self.post.like_count = post_likes
        for comment in self.comments:
            comment.like_count = comment_likes.get(comment.id, 0)


@dataclass(slots=True)
class NotificationRecord:
    id: str
    user_id: str
    kind: str
    actor_id: str | None
    target_type: str
    target_id: str
    community_id: str | None
    created_ms: int
    read: bool
