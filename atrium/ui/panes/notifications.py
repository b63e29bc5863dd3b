"""The Notifications pane: mentions, replies, likes, accepted answers, announcements and being added
to a community, as sentences ("Dana mentioned you in Printer jam on floor 3"), unread first and bold.

Likes of the same post or comment share one row ("Dana and 4 others liked your post …"), the
unread ones apart from the read ones. A click marks the row's notifications read and opens what
they are about (``context.navigate``).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from atrium.cache import Notification, notifications, unread_count, unread_entries
from atrium.cache.db import connection_of

from ..context import UiContext
from ..widgets.rich_text_delegate import HTML_ROLE, RowListView, escape, muted, relative_time
from .base import Pane

PAGE_SIZE = 50
TITLE_CHARS = 70
NOTIFICATION_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_MARKDOWN_NOISE = re.compile(r"[*_`>#\[\]]+")
# Kinds whose titles the rows show: a change to one of these may change a sentence.
_TITLE_KINDS = ("post", "comment", "community", "user")

AnyIndex = QModelIndex | QPersistentModelIndex


def short_title(title: str | None, body: str | None) -> str:
    """A post's title, or the start of its first line when it has none."""
    if title and title.strip():
        return title.strip()
    for line in (body or "").splitlines():
        text = _MARKDOWN_NOISE.sub("", line).strip()
        if text:
            if len(text) <= TITLE_CHARS:
                return text
            cut = text[:TITLE_CHARS]
            return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.;:-") + "…"
    return ""


@dataclass(frozen=True)
class NotificationRow:
    note: Notification  # the newest of the row's notifications
    target_title: str  # '' when the target is not in the cache
    community_name: str
    post_id: str | None  # the post a comment belongs to
    also: tuple[Notification, ...] = ()  # older likes of the same target, shown in this row

    @property
    def ids(self) -> list[str]:
        return [self.note.id, *(note.id for note in self.also)]

    def actor_names(self) -> list[str | None]:
        """Who did it, newest first, each person once (None: not in the offline copy)."""
        seen: dict[str, str | None] = {}
        for note in (self.note, *self.also):
            seen.setdefault(note.actor_id or note.id, note.actor_name)
        return list(seen.values())

    def group_key(self) -> tuple[str, str, bool] | None:
        """Rows with the same key are one row: likes of one target, read or unread."""
        note = self.note
        if note.kind != "like" or not note.target_type or not note.target_id:
            return None
        return note.target_type, note.target_id, note.read

    def with_also(self, more: NotificationRow) -> NotificationRow:
        return replace(self, also=(*self.also, more.note, *more.also))

    def destination(self) -> tuple[str, str] | None:
        """What a click opens, as (kind, id) for ``context.navigate``."""
        if self.note.target_type and self.note.target_id:
            return self.note.target_type, self.note.target_id
        if self.note.community_id:
            return "community", self.note.community_id
        return None


def _in_clause(values: list[str]) -> str:
    return ",".join("?" * len(values))


def load_rows(conn: sqlite3.Connection, notes: list[Notification]) -> list[NotificationRow]:
    """Attach each notification's target title and community name (three small indexed queries)."""
    post_ids = sorted({n.target_id for n in notes if n.target_type == "post" and n.target_id})
    comment_ids = sorted({n.target_id for n in notes if n.target_type == "comment" and n.target_id})
    community_ids = sorted(
        {n.community_id for n in notes if n.community_id}
        | {n.target_id for n in notes if n.target_type == "community" and n.target_id}
    )
    posts: dict[str, str] = {}
    comments: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}
    if post_ids:
        rows = conn.execute(
            f"SELECT id, title, body FROM posts WHERE id IN ({_in_clause(post_ids)})", post_ids
        )
        posts = {pid: short_title(title, body) for pid, title, body in rows}
    if comment_ids:
        rows = conn.execute(
            "SELECT c.id, c.post_id, p.title, p.body FROM comments c LEFT JOIN posts p ON p.id = c.post_id "
            f"WHERE c.id IN ({_in_clause(comment_ids)})",
            comment_ids,
        )
        comments = {cid: (post_id, short_title(title, body)) for cid, post_id, title, body in rows}
    if community_ids:
        rows = conn.execute(
            f"SELECT id, name FROM communities WHERE id IN ({_in_clause(community_ids)})", community_ids
        )
        names = dict(rows.fetchall())
    result = []
    for note in notes:
        title, post_id = "", None
        if note.target_type == "post" and note.target_id:
            title, post_id = posts.get(note.target_id, ""), note.target_id
        elif note.target_type == "comment" and note.target_id:
            post_id, title = comments.get(note.target_id, (None, ""))
        elif note.target_type == "community" and note.target_id:
            title = names.get(note.target_id, "")
        result.append(NotificationRow(note, title, names.get(note.community_id or "", ""), post_id))
    return result


def merge_rows(
    rows: list[NotificationRow], groups: dict[tuple[str, str, bool], int], fetched: list[NotificationRow]
) -> set[int]:
    """Add FETCHED (in order) to ROWS: a like joins its group's row (GROUPS: key -> row), anything
    else is a new row. Returns the rows already there that grew."""
    grown: set[int] = set()
    first_new = len(rows)
    for item in fetched:
        key = item.group_key()
        row = groups.get(key) if key is not None else None
        if row is None:
            if key is not None:
                groups[key] = len(rows)
            rows.append(item)
        else:
            rows[row] = rows[row].with_also(item)
            if row < first_new:
                grown.add(row)
    return grown


class NotificationListModel(QAbstractListModel):
    """The cached notifications, unread first then newest, a page at a time as the list scrolls;
    likes of one target grouped in one row."""

    def __init__(self, context: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._rows: list[NotificationRow] = []
        self._groups: dict[tuple[str, str, bool], int] = {}  # group key -> its row
        self._loaded = 0  # notifications read so far (rows hold fewer: grouped likes)
        self._exhausted = False

    # -- loading ----------------------------------------------------------------------------------

    def _fetch(self, limit: int, offset: int) -> list[NotificationRow]:
        reader = self.context.reader
        return load_rows(connection_of(reader), notifications(reader, limit=limit, offset=offset))

    def reload(self) -> None:
        """Read again as many notifications as are loaded now (at least a page)."""
        wanted = max(PAGE_SIZE, self._loaded)
        fetched = self._fetch(wanted, 0)
        self.beginResetModel()
        self._rows, self._groups = [], {}
        merge_rows(self._rows, self._groups, fetched)
        self._loaded = len(fetched)
        self._exhausted = len(fetched) < wanted
        self.endResetModel()

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        more = self._fetch(PAGE_SIZE, self._loaded)
        self._loaded += len(more)
        self._exhausted = len(more) < PAGE_SIZE
        first = len(self._rows)
        rows, groups = list(self._rows), dict(self._groups)
        grown = merge_rows(rows, groups, more)
        if len(rows) > first:
            self.beginInsertRows(QModelIndex(), first, len(rows) - 1)
        self._rows, self._groups = rows, groups
        if len(rows) > first:
            self.endInsertRows()
        for row in sorted(grown):
            self.dataChanged.emit(self.index(row), self.index(row))

    def row_at(self, row: int) -> NotificationRow:
        return self._rows[row]

    def row_of(self, notification_id: str) -> int:
        for number, item in enumerate(self._rows):
            if notification_id in item.ids:
                return number
        return -1

    # -- text ---------------------------------------------------------------------------------------

    def sentence(self, item: NotificationRow, *, actor: str, target: str) -> str:
        """The row's sentence with ACTOR and TARGET already formatted (plain or HTML)."""
        note = item.note
        kind = note.kind
        if kind == "mention":
            return self.tr("{actor} mentioned you in {target}").format(actor=actor, target=target)
        if kind == "reply":
            return self.tr("{actor} replied to you in {target}").format(actor=actor, target=target)
        if kind == "like" and note.target_type == "comment":
            return self.tr("{actor} liked your comment in {target}").format(actor=actor, target=target)
        if kind == "like":
            return self.tr("{actor} liked your post {target}").format(actor=actor, target=target)
        if kind == "accepted":
            return self.tr("{actor} accepted your answer in {target}").format(actor=actor, target=target)
        if kind == "announcement":
            return self.tr("{actor} posted an announcement: {target}").format(actor=actor, target=target)
        if kind == "added_to_community":
            return self.tr("{actor} added you to {target}").format(actor=actor, target=target)
        return self.tr("{actor}: new activity in {target}").format(actor=actor, target=target)

    def _actors(self, item: NotificationRow, bold: bool) -> str:
        """ "Dana", "Dana and Li" or "Dana and 4 others" (the newest first)."""
        names = [name or self.tr("Someone") for name in item.actor_names()]
        shown = [f"<b>{escape(name)}</b>" if bold else name for name in names]
        if len(shown) == 1:
            return shown[0]
        if len(shown) == 2:
            return self.tr("{0} and {1}").format(*shown)
        return self.tr("{0} and %n others", "", len(shown) - 1).format(shown[0])

    def _names(self, item: NotificationRow) -> tuple[str, str]:
        actor = self._actors(item, bold=False)
        if item.target_title:
            return actor, item.target_title
        fallback = {
            "post": self.tr("a post"),
            "comment": self.tr("a discussion"),
            "community": self.tr("a community"),
        }
        return actor, fallback.get(item.note.target_type or "", self.tr("something"))

    def plain_text(self, item: NotificationRow) -> str:
        actor, target = self._names(item)
        return self.sentence(item, actor=actor, target=target)

    def html(self, item: NotificationRow) -> str:
        _actor, target = self._names(item)
        text = self.sentence(item, actor=self._actors(item, bold=True), target=escape(target))
        details = [relative_time(item.note.created_at)]
        if item.community_name and item.note.target_type != "community":
            details.append(escape(item.community_name))
        second = muted(" · ".join(part for part in details if part))
        if item.note.read:
            return f"{text}<br>{second}"
        return f'<span class="accent">●</span>&nbsp;<b>{text}</b><br>{second}'

    # -- QAbstractListModel --------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.plain_text(item)
        if role == HTML_ROLE:
            return self.html(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = self.tr("Read") if item.note.read else self.tr("Unread")
            return f"{state}. {self.plain_text(item)}. {relative_time(item.note.created_at)}"
        if role == NOTIFICATION_ROLE:
            return item
        return None


class NotificationsPane(Pane):
    key = "notifications"

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.title = self.tr("Notifications")
        self._stale = False

        self.unread_label = QLabel()
        self.unread_label.setObjectName("notifications-unread")
        self.unread_label.setProperty("role", "subheading")
        self.mark_all_button = QPushButton(self.tr("Mark all as read"))
        self.mark_all_button.setAccessibleName(self.tr("Mark all notifications as read"))
        self.mark_all_button.clicked.connect(self.mark_all_read)

        self.model = NotificationListModel(context, self)
        self.view = RowListView()
        self.view.setObjectName("notifications-list")
        self.view.setAccessibleName(self.tr("Notifications"))
        self.view.set_placeholder(
            self.tr("No notifications yet. Mentions, replies and likes will show up here.")
        )
        self.view.setModel(self.model)
        self.view.opened.connect(self._open_index)

        header = QHBoxLayout()
        header.addWidget(self.unread_label)
        header.addStretch(1)
        header.addWidget(self.mark_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        self.refresh()

    # -- reading ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.view.currentIndex()
        current_id = self.model.row_at(current.row()).note.id if current.isValid() else None
        scroll = self.view.verticalScrollBar().value()
        self.model.reload()
        unread = unread_entries(self.context.reader)
        self.unread_label.setText(self.tr("%n unread", "", unread) if unread else self.tr("All caught up"))
        self.mark_all_button.setEnabled(unread > 0)
        if current_id is not None and (row := self.model.row_of(current_id)) >= 0:
            self.view.setCurrentIndex(self.model.index(row))
        self.view.verticalScrollBar().setValue(scroll)
        self._stale = False

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        if "notification" in changes or any(kind in changes for kind in _TITLE_KINDS):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def activated(self) -> None:
        self.refresh()  # also brings relative times up to date

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)

    # -- acting ---------------------------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_notification(self.model.row_at(index.row()))

    def open_notification(self, item: NotificationRow) -> None:
        """Mark it read (queued offline too) and go to what it is about."""
        if not item.note.read:
            self.context.spawn(self.context.actions.mark_notifications_read(self._unread_ids(item)))
        destination = item.destination()
        if destination is not None:
            self.context.navigate.emit(*destination)

    def _unread_ids(self, item: NotificationRow) -> list[str]:
        """The row's notifications, and for likes every unread like of the same target (some may
        not be loaded yet: the row stands for them all)."""
        key = item.group_key()
        if key is None:
            return item.ids
        target_type, target_id, _read = key
        more = connection_of(self.context.reader).execute(
            "SELECT id FROM notifications WHERE kind = 'like' AND target_type = ? AND target_id = ? AND read = 0",
            (target_type, target_id),
        )
        return list(dict.fromkeys([*item.ids, *(row[0] for row in more)]))

    def mark_all_read(self) -> None:
        reader = self.context.reader
        unread = [n.id for n in notifications(reader, limit=max(1, unread_count(reader))) if not n.read]
        if unread:
            self.mark_all_button.setEnabled(False)
            self.context.spawn(self.context.actions.mark_notifications_read(unread))

    def self_test_texts(self) -> list[str]:
        # The demo user's newest notifications always include likes of their posts.
        return [self.tr("Mark all as read"), "liked your"]
