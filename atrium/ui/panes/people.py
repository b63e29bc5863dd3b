"""The People pane: find colleagues by name in the offline cache, see a profile card (initials avatar,
title, department, location), their recent posts (the shared feed cards), and follow or unfollow them.

With an empty search the list shows the people I follow; the card starts on my own profile.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QIcon, QPainter, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from atrium.cache import FeedPage, Person, person, person_posts, search_people
from atrium.cache.db import connection_of
from atrium.cache.models import PERSON_SELECT, person_from_row

from ..context import UiContext
from ..widgets.card_painting import draw_avatar
from ..widgets.composer import open_composer
from ..widgets.feed_model import FeedModel, FeedQuery
from ..widgets.feed_view import FeedView
from ..widgets.rich_text_delegate import HTML_ROLE, RowListView, escape, muted
from .base import Pane

LIST_LIMIT = 50
PERSON_ROLE = int(Qt.ItemDataRole.UserRole) + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def avatar_pixmap(name: str, key: str, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """A round avatar with the person's initials, in the same colour as on their post cards."""
    pixmap = QPixmap(int(size * device_pixel_ratio), int(size * device_pixel_ratio))
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    draw_avatar(painter, QRectF(0, 0, size, size), name, key, QFont())
    painter.end()
    return pixmap


def followed_people(context: UiContext, limit: int = LIST_LIMIT) -> list[Person]:
    """The people I follow, by name (no cache query lists them, so it is read here)."""
    rows = connection_of(context.reader).execute(
        f"SELECT {PERSON_SELECT} FROM users u WHERE u.id IN (SELECT target_id FROM follows "
        "WHERE user_id = :me AND target_type = 'user') ORDER BY u.display_name COLLATE NOCASE LIMIT :n",
        {"me": context.me, "n": limit},
    )
    return [person_from_row(row) for row in rows]


def person_details(someone: Person) -> str:
    return " · ".join(part for part in (someone.title, someone.department) if part)


class PersonListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.people: list[Person] = []
        self._icons: dict[str, QIcon] = {}

    def set_people(self, people: list[Person]) -> None:
        self.beginResetModel()
        self.people = people
        self.endResetModel()

    def row_of(self, user_id: str) -> int:
        return next((row for row, someone in enumerate(self.people) if someone.id == user_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.people)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.people):
            return None
        someone = self.people[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            details = person_details(someone)
            return f"{someone.display_name} — {details}" if details else someone.display_name
        if role == HTML_ROLE:
            return f"<b>{escape(someone.display_name)}</b><br>{muted(escape(person_details(someone)))}"
        if role == Qt.ItemDataRole.DecorationRole:
            if someone.id not in self._icons:
                self._icons[someone.id] = QIcon(avatar_pixmap(someone.display_name, someone.id, 64, 1.0))
            return self._icons[someone.id]
        if role == PERSON_ROLE:
            return someone
        return None


class PeoplePane(Pane):
    key = "people"

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.title = self.tr("People")
        self.person: Person | None = None
        self._stale = False

        # the list: search field, caption, people
        self.search_field = QLineEdit()
        self.search_field.setObjectName("people-search")
        self.search_field.setPlaceholderText(self.tr("Find people by name"))
        self.search_field.setAccessibleName(self.tr("Find people by name"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self.refresh_list)
        self.search_field.returnPressed.connect(self._open_first)
        self.list_caption = QLabel()
        self.list_caption.setProperty("role", "muted")
        self.list_model = PersonListModel(self)
        self.list_view = RowListView()
        self.list_view.setObjectName("people-list")
        self.list_view.setAccessibleName(self.tr("People"))
        self.list_view.setIconSize(QSize(32, 32))
        self.list_view.setModel(self.list_model)
        self.list_view.opened.connect(self._person_opened)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(self.search_field)
        left_layout.addWidget(self.list_caption)
        left_layout.addWidget(self.list_view, 1)

        # the card
        self.avatar = QLabel()
        self.avatar.setFixedSize(72, 72)
        self.name_label = QLabel()
        self.name_label.setObjectName("people-name")
        self.name_label.setProperty("role", "heading")
        self.title_label = QLabel()
        self.title_label.setObjectName("people-title")
        self.place_label = QLabel()
        self.place_label.setProperty("role", "muted")
        for label in (self.name_label, self.title_label, self.place_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        self.follow_button = QPushButton()
        self.follow_button.setObjectName("people-follow")
        self.follow_button.clicked.connect(self.toggle_follow)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name_label)
        names.addWidget(self.title_label)
        names.addWidget(self.place_label)
        card_row = QHBoxLayout()
        card_row.setSpacing(16)
        card_row.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        card_row.addLayout(names, 1)
        card_row.addWidget(self.follow_button, 0, Qt.AlignmentFlag.AlignTop)
        self.card = QFrame()
        self.card.setObjectName("people-card")
        self.card.setLayout(card_row)

        posts_heading = QLabel(self.tr("Recent posts"))
        posts_heading.setProperty("role", "subheading")
        self.posts_model = FeedModel(context, self._posts_of(None), parent=self)
        self.posts_view = FeedView(context, self.posts_model)
        self.posts_view.setObjectName("people-posts")
        self.posts_view.setAccessibleName(self.tr("Recent posts"))
        self.posts_view.openRequested.connect(self._open_post)
        self.posts_view.commentRequested.connect(self._open_post)
        self.posts_view.editRequested.connect(
            lambda post: open_composer(self.context, self.window(), edit=post)
        )
        self.posts_empty = QLabel()
        self.posts_empty.setProperty("role", "muted")
        self.posts_empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.posts_empty.setWordWrap(True)
        self.posts_empty.setMargin(24)
        self.posts_stack = QStackedWidget()
        self.posts_stack.addWidget(self.posts_view)
        self.posts_stack.addWidget(self.posts_empty)
        for signal in (
            self.posts_model.modelReset,
            self.posts_model.rowsInserted,
            self.posts_model.rowsRemoved,
        ):
            signal.connect(self._update_posts_empty)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.card)
        right_layout.addSpacing(8)
        right_layout.addWidget(posts_heading)
        right_layout.addWidget(self.posts_stack, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(splitter)

        self.refresh_list()
        self.show_person(context.me)

    # -- the list ------------------------------------------------------------------------------------

    def refresh_list(self) -> None:
        text = self.search_field.text().strip()
        if text:
            people = search_people(self.context.reader, text, limit=LIST_LIMIT, me=self.context.me)
            self.list_caption.setText(self.tr("People matching “{text}”").format(text=text))
            self.list_view.set_placeholder(
                self.tr("No one in your offline copy is called “{text}”.").format(text=text)
            )
        else:
            people = followed_people(self.context)
            self.list_caption.setText(self.tr("People you follow"))
            self.list_view.set_placeholder(self.tr("You follow no one yet. Find colleagues by name above."))
        self.list_model.set_people(people)
        if self.person is not None and (row := self.list_model.row_of(self.person.id)) >= 0:
            self.list_view.setCurrentIndex(self.list_model.index(row))

    def _person_opened(self, index: QModelIndex) -> None:
        someone = index.data(PERSON_ROLE)
        if isinstance(someone, Person):
            self.show_person(someone.id)

    def _open_first(self) -> None:
        if self.list_model.rowCount():
            self.list_view.setCurrentIndex(self.list_model.index(0))
            self.show_person(self.list_model.people[0].id)

    # -- the card --------------------------------------------------------------------------------------

    def _posts_of(self, user_id: str | None) -> FeedQuery:
        reader, me = self.context.reader, self.context.me

        def query(before: tuple[str, str] | None, limit: int) -> FeedPage:
            if user_id is None:
                return FeedPage([], None)
            return person_posts(reader, user_id, before=before, limit=limit, me=me)

        return query

    def show_person(self, user_id: str | None) -> None:
        found = person(self.context.reader, user_id, me=self.context.me) if user_id else None
        changed = found is None or self.person is None or found.id != self.person.id
        self.person = found
        self._fill_card()
        if changed:
            self.posts_model.set_query(self._posts_of(found.id if found else None))
            self.posts_view.scrollToTop()

    def _update_posts_empty(self, *_args: object) -> None:
        empty = self.posts_model.rowCount() == 0
        self.posts_stack.setCurrentWidget(self.posts_empty if empty else self.posts_view)

    def _fill_card(self) -> None:
        someone = self.person
        self.card.setVisible(someone is not None)
        if someone is None:
            self.posts_empty.setText(self.tr("This person is not in your offline copy yet."))
            return
        ratio = self.devicePixelRatioF() or 1.0
        self.avatar.setPixmap(avatar_pixmap(someone.display_name, someone.id, 72, ratio))
        self.avatar.setAccessibleName(self.tr("Avatar of {name}").format(name=someone.display_name))
        self.name_label.setText(someone.display_name)
        self.title_label.setText(person_details(someone))
        self.place_label.setText(
            " · ".join(part for part in (someone.location, f"@{someone.handle}") if part)
        )
        is_me = someone.id == self.context.me
        self.follow_button.setVisible(not is_me)
        self.follow_button.setText(self.tr("Unfollow") if someone.followed_by_me else self.tr("Follow"))
        self.follow_button.setProperty("primary", not someone.followed_by_me)
        self.follow_button.style().unpolish(self.follow_button)
        self.follow_button.style().polish(self.follow_button)
        action = self.tr("Unfollow {name}") if someone.followed_by_me else self.tr("Follow {name}")
        self.follow_button.setAccessibleName(action.format(name=someone.display_name))
        self.posts_empty.setText(self.tr("No recent posts in your offline copy."))

    def toggle_follow(self) -> None:
        someone = self.person
        if someone is None or someone.id == self.context.me:
            return
        self.follow_button.setEnabled(False)
        self.context.spawn(self._set_follow(someone.id, not someone.followed_by_me))

    async def _set_follow(self, user_id: str, following: bool) -> None:
        try:
            await self.context.actions.set_follow("user", user_id, following)
        finally:
            if isValid(self):
                self.follow_button.setEnabled(True)
                if self.person is not None and self.person.id == user_id:
                    self.show_person(user_id)

    def _open_post(self, post_id: str) -> None:
        self.context.navigate.emit("post", post_id)

    # -- the pane contract -------------------------------------------------------------------------------

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        # the posts list follows the cache by itself (FeedModel); the card and the list are ours
        if not any(kind in changes for kind in ("user", "follow")):
            return
        if not self.isVisible():
            self._stale = True
            return
        self.reload()

    def reload(self) -> None:
        self._stale = False
        self.refresh_list()
        if self.person is not None:
            self.show_person(self.person.id)

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
        super().showEvent(event)

    def open_item(self, kind: str, object_id: str) -> bool:
        if kind != "user":
            return False
        self.show_person(object_id)
        return True

    def self_test_texts(self) -> list[str]:
        # The pane opens on the signed-in person's card: the demo user is Dana Demo.
        return ["Dana Demo", self.tr("People you follow"), self.tr("Recent posts")]
