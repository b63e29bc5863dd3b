"""A list model over one of the cache's post queries, a page at a time (keyset paging as you scroll).

Any ``(before, limit) -> FeedPage`` works: the personal feed with a filter, a community's feed,
questions, a person's posts. On "cache changed" it re-reads only the loaded posts that changed,
and re-queries the top of the loaded window only when a post may have joined or left it; the
difference is applied as row inserts/removes, so selection and scroll position survive.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from atrium.app.engine import EngineStatus
from atrium.cache import DRAFT, FeedPage, Post, drafts, reaction_target

from ..context import UiContext
from ..drafts import COMMENT_PREFIX
from .post_format import (
    author_label,
    failed_writes,
    kind_label,
    posts_by_id,
    relative_time,
    sending_paused,
    tr,
)

FeedQuery = Callable[[tuple[str, str] | None, int], FeedPage]
AnyIndex = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 30
MAX_PAGE_SIZE = 60  # pages grow with the list (fewer relayouts); a 120-post page is a 10-35 ms query
REQUERY_MINIMUM = 30
STRUCTURAL_REQUERY_LIMIT = 300  # a follow/join re-reads at most this much of a long loaded window
# Kinds whose change can move posts in or out of a feed (joining, following, access lost).
_STRUCTURAL = ("membership", "follow", "scope")


class FeedRole(enum.IntEnum):
    """Roles beyond Qt's: one per Post field the delegate and the panes use."""

    Post = Qt.ItemDataRole.UserRole + 1
    Id = enum.auto()
    Kind = enum.auto()
    KindLabel = enum.auto()
    Title = enum.auto()
    Body = enum.auto()
    BodyEvicted = enum.auto()
    AuthorId = enum.auto()
    Author = enum.auto()
    CommunityId = enum.auto()
    Community = enum.auto()
    CreatedAt = enum.auto()
    EditedAt = enum.auto()
    Pinned = enum.auto()
    CommentsEnabled = enum.auto()
    Solved = enum.auto()
    Topics = enum.auto()
    Mentions = enum.auto()
    Attachments = enum.auto()
    LikeCount = enum.auto()
    Liked = enum.auto()
    CommentCount = enum.auto()
    Pending = enum.auto()
    Failed = enum.auto()  # why the server refused the post ("" when it did not)
    Status = enum.auto()  # what the card says of its sending: "Sending…", "Waiting to send", "Not sent: …"


_FIELD_OF_ROLE: dict[int, Callable[[Post], Any]] = {
    FeedRole.Id: lambda p: p.id,
    FeedRole.Kind: lambda p: p.kind,
    FeedRole.KindLabel: lambda p: kind_label(p.kind, p.solved),
    FeedRole.Title: lambda p: p.title,
    FeedRole.Body: lambda p: p.body,
    FeedRole.BodyEvicted: lambda p: p.body_evicted,
    FeedRole.AuthorId: lambda p: p.author_id,
    FeedRole.Author: author_label,
    FeedRole.CommunityId: lambda p: p.community_id,
    FeedRole.Community: lambda p: p.community_name or "",
    FeedRole.CreatedAt: lambda p: p.created_at,
    FeedRole.EditedAt: lambda p: p.edited_at,
    FeedRole.Pinned: lambda p: p.pinned,
    FeedRole.CommentsEnabled: lambda p: p.comments_enabled,
    FeedRole.Solved: lambda p: p.solved,
    FeedRole.Topics: lambda p: list(p.topics),
    FeedRole.Mentions: lambda p: list(p.mentions),
    FeedRole.Attachments: lambda p: list(p.attachments),
    FeedRole.LikeCount: lambda p: p.like_count,
    FeedRole.Liked: lambda p: p.liked_by_me,
    FeedRole.CommentCount: lambda p: p.comment_count,
    FeedRole.Pending: lambda p: p.pending,
}


class FeedModel(QAbstractListModel):
    """Posts from QUERY, newest first (pinned first where the query puts them there).

    The next page is read ahead of need and announced with ``pageAhead`` so a view can prepare
    its cards (render Markdown, measure) in idle time: scrolling into it then costs no stall.
    """

    pageAhead = Signal(list)  # [Post]: the page the next fetchMore will insert

    def __init__(
        self,
        context: UiContext,
        query: FeedQuery,
        *,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._query = query
        self.page_size = page_size
        self._posts: list[Post] = []
        self._rows: dict[str, int] = {}
        self._next_before: tuple[str, str] | None = None
        self._exhausted = True
        self._failed: dict[str, str] = {}  # post id -> why the server refused it
        self._failed_count = -1
        self._drafted: dict[str, str] = {}  # post id -> the first line of a comment typed there, not sent
        self._sending_paused = False
        self._ahead: FeedPage | None = None
        self.preparing = False  # a view is still preparing the cards of the page read ahead
        context.cache_changed.connect(self.on_cache_changed)
        context.status_changed.connect(self._on_status)
        self.reload()

    # -- the query ---------------------------------------------------------------------------------

    def set_query(self, query: FeedQuery) -> None:
        """Show another query (e.g. a new filter) from its first page."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        page = self._query(None, self.page_size)
        self._failed = failed_writes(self.context.reader, "post")
        self._drafted = self._comment_drafts()
        self.beginResetModel()
        self._posts = _unique(page.items)
        self._next_before = page.next_before
        self._exhausted = page.next_before is None
        self._ahead = None
        self._reindex()
        self.endResetModel()
        self.read_ahead()

    # -- Qt's model interface ----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._posts)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._posts):
            return None
        post = self._posts[index.row()]
        if role == FeedRole.Post:
            return post
        getter = _FIELD_OF_ROLE.get(role)
        if getter is not None:
            return getter(post)
        if role == FeedRole.Failed:
            return self._failed.get(post.id, "")
        if role == FeedRole.Status:
            return self.sending_status(post) or self.draft_status(post)
        if role == Qt.ItemDataRole.DisplayRole:
            return post.title or _first_line(post.body)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.describe(post)
        if role == Qt.ItemDataRole.ToolTipRole:
            return None
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in FeedRole:
            names[int(role)] = QByteArray((role.name[0].lower() + role.name[1:]).encode())
        return names

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or self._next_before is None:
            return
        if self.preparing:
            # Not while the next page is read or a view prepares its cards: inserted unprepared, the
            # view would render and measure them all at once inside its layout (a long stall). The
            # view asks again when they are ready.
            return
        page = self._ahead if self._ahead is not None else self._query(self._next_before, self._next_limit())
        self._ahead = None
        fresh = [post for post in page.items if post.id not in self._rows]
        self._next_before = page.next_before
        self._exhausted = page.next_before is None
        if fresh:
            first = len(self._posts)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._posts.extend(fresh)
            for offset, post in enumerate(fresh):
                self._rows[post.id] = first + offset
            self.endInsertRows()
        if not self._exhausted:
            self.preparing = True  # until the next page is read (and a view has prepared its cards)
            QTimer.singleShot(0, self.read_ahead)  # that query in a later event-loop pass, not this one

    def read_ahead(self) -> None:
        """Read the next page now (one indexed query) and announce it; fetchMore will use it."""
        self.preparing = False
        if self._exhausted or self._next_before is None or self._ahead is not None:
            return
        self._ahead = self._query(self._next_before, self._next_limit())
        self.pageAhead.emit(list(self._ahead.items))

    def ahead_items(self) -> list[Post]:
        """The page read ahead (for a view that attaches after it was announced)."""
        return list(self._ahead.items) if self._ahead is not None else []

    def _next_limit(self) -> int:
        return min(MAX_PAGE_SIZE, max(self.page_size, len(self._posts) // 8))

    # -- helpers for views and panes ---------------------------------------------------------------

    def post_at(self, row: int) -> Post | None:
        return self._posts[row] if 0 <= row < len(self._posts) else None

    def row_of(self, post_id: str) -> int | None:
        return self._rows.get(post_id)

    def post_ids(self) -> list[str]:
        return [post.id for post in self._posts]

    def is_failed(self, post_id: str) -> bool:
        return post_id in self._failed

    def describe(self, post: Post) -> str:
        """One sentence for screen readers."""
        kind = kind_label(post.kind, post.solved) or tr("Post")
        parts = [
            tr("{kind} by {author} in {community}, {when}").format(
                kind=kind,
                author=author_label(post),
                community=post.community_name or "",
                when=relative_time(post.created_at),
            ),
            post.title or _first_line(post.body),
            tr("{likes} likes, {comments} comments").format(
                likes=post.like_count, comments=post.comment_count
            ),
        ]
        if post.pinned:
            parts.insert(0, tr("Pinned"))
        parts.append(self.sending_status(post) or self.draft_status(post))
        return ". ".join(part for part in parts if part)

    def sending_status(self, post: Post) -> str:
        """ "Not sent: <the server's reason>", "Waiting to send" (offline…), "Sending…" or ""."""
        refused = self._failed.get(post.id)
        if refused is not None:
            return tr("Not sent: {0}").format(refused)
        if post.pending:
            return tr("Waiting to send") if self._sending_paused else tr("Sending…")
        return ""

    def draft_status(self, post: Post) -> str:
        """ "Draft: <its first words>" when a comment typed in this thread waits to be sent."""
        draft = self._drafted.get(post.id)
        return tr("✎ Draft: {0}").format(draft) if draft is not None else ""

    def _comment_drafts(self) -> dict[str, str]:
        found = {}
        for draft in drafts(self.context.reader, COMMENT_PREFIX):
            body = draft.fields.get("body")
            if isinstance(body, str) and body.strip():
                found[draft.key[len(COMMENT_PREFIX) :]] = _first_line(body.strip())
        return found

    # -- keeping up with the cache -----------------------------------------------------------------

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        self._ahead = None  # may be stale now; read again on the next fetch
        if any(key.startswith(COMMENT_PREFIX) for key in changes.get(DRAFT, ())):
            drafted = self._comment_drafts()
            touched = [
                k for k in drafted.keys() | self._drafted.keys() if drafted.get(k) != self._drafted.get(k)
            ]
            self._drafted = drafted
            self._repaint(touched)
        post_ids = set(changes.get("post", ()))
        for reaction in changes.get("reaction", ()):
            target_type, target_id = reaction_target(reaction)
            if target_type == "post":
                post_ids.add(target_id)
        people = set(changes.get("user", ()))
        places = set(changes.get("community", ()))
        if people or places:
            post_ids.update(p.id for p in self._posts if p.author_id in people or p.community_id in places)
        if any(kind in changes for kind in _STRUCTURAL):
            self._requery(min(len(self._posts), STRUCTURAL_REQUERY_LIMIT) + REQUERY_MINIMUM)
            return
        if not post_ids:
            return
        fresh = posts_by_id(self.context.reader, post_ids, self.context.me)
        gone: list[int] = []
        needed: list[Post] = []  # posts whose place in the list must be found by the query
        for post_id in post_ids:
            row = self._rows.get(post_id)
            now = fresh.get(post_id)
            if row is None:
                if now is not None:
                    needed.append(now)
            elif now is None:
                gone.append(row)
            elif _placement(now) != _placement(self._posts[row]):
                needed.append(now)  # pinned, solved, moved: the query decides where (and whether) it goes
            elif now != self._posts[row]:
                self._posts[row] = now
                self.dataChanged.emit(self.index(row), self.index(row))
        for row in sorted(gone, reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._posts[row]
            self.endRemoveRows()
        if gone:
            self._reindex()
        if needed and self._posts and not self._exhausted:
            oldest_loaded = self._posts[-1].position
            # older than everything loaded: fetchMore brings it in its turn
            needed = [
                post
                for post in needed
                if post.position > oldest_loaded or post.pinned or post.id in self._rows
            ]
        if needed:
            deepest = min(post.position for post in needed)
            depth = sum(1 for post in self._posts if post.position >= deepest)
            self._requery(depth + len(needed) + REQUERY_MINIMUM)

    def refresh_failed(self) -> None:
        failed = failed_writes(self.context.reader, "post")
        if failed == self._failed:
            return
        touched = {
            post_id
            for post_id in failed.keys() | self._failed.keys()
            if failed.get(post_id) != self._failed.get(post_id)
        }
        self._failed = failed
        self._repaint(touched)

    def _repaint(self, post_ids: Iterable[str]) -> None:
        for post_id in post_ids:
            row = self._rows.get(post_id)
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row))

    def _on_status(self, status: EngineStatus) -> None:
        if status.failed != self._failed_count:
            self._failed_count = status.failed
            self.refresh_failed()
        paused = sending_paused(status)
        if paused != self._sending_paused:
            self._sending_paused = paused
            self._repaint(post.id for post in self._posts if post.pending)

    def _requery(self, depth: int) -> None:
        """Re-read the top DEPTH posts of the query and apply the difference to the loaded rows."""
        page = self._query(None, max(depth, self.page_size))
        fresh = _unique(page.items)
        fresh_ids = {post.id for post in fresh}
        boundary = page.next_before
        if boundary is None:
            covered = len(self._posts)
        else:
            inside = [
                row
                for row, post in enumerate(self._posts)
                if post.id in fresh_ids or post.position >= boundary
            ]
            covered = max(inside) + 1 if inside else 0
        whole = covered >= len(self._posts)
        self._apply_prefix(covered, fresh)
        for row in range(len(self._posts) - 1, len(fresh) - 1, -1):
            if self._posts[row].id in fresh_ids:  # now inside the re-read top: drop the older copy
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._posts[row]
                self.endRemoveRows()
        self._reindex()
        if whole:
            self._next_before = page.next_before
            self._exhausted = page.next_before is None

    def _apply_prefix(self, covered: int, fresh: list[Post]) -> None:
        old_ids = [post.id for post in self._posts[:covered]]
        new_ids = [post.id for post in fresh]
        matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
        for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
            if tag == "equal":
                for offset in range(i2 - i1):
                    if self._posts[i1 + offset] != fresh[j1 + offset]:
                        self._posts[i1 + offset] = fresh[j1 + offset]
                        self.dataChanged.emit(self.index(i1 + offset), self.index(i1 + offset))
                continue
            if i2 > i1:
                self.beginRemoveRows(QModelIndex(), i1, i2 - 1)
                del self._posts[i1:i2]
                self.endRemoveRows()
            if j2 > j1:
                self.beginInsertRows(QModelIndex(), i1, i1 + (j2 - j1) - 1)
                self._posts[i1:i1] = fresh[j1:j2]
                self.endInsertRows()

    def _reindex(self) -> None:
        self._rows = {post.id: row for row, post in enumerate(self._posts)}


def _placement(post: Post) -> tuple[object, ...]:
    """What decides whether and where a query lists a post (beyond its time)."""
    return (post.pinned, post.accepted_comment_id is None, post.kind, post.community_id)


def _unique(posts: Iterable[Post]) -> list[Post]:
    seen: set[str] = set()
    result = []
    for post in posts:
        if post.id not in seen:
            seen.add(post.id)
            result.append(post)
    return result


def _first_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip().lstrip("#>*- ").strip()
        if stripped:
            return stripped[:200]
    return ""
