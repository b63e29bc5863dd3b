"""Communities: my communities (from the cache), Browse public ones (online only, with a clear
offline state), a community's page, join/leave, and creating a community (online only)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from atrium.app.errors import ApiError, Offline
from atrium.cache import Community, community, my_communities, uuid7

from ..context import UiContext
from ..i18n import ntr
from .base import Pane
from .community_dialogs import CreateCommunityDialog
from .community_page import CommunityPage

ID_ROLE = Qt.ItemDataRole.UserRole
REMOTE_ROLE = Qt.ItemDataRole.UserRole + 1


class CommunitiesPane(Pane):
    key = "communities"
    title = "Communities"

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.title = self.tr("Communities")
        self._browse_cursor: str | None = None
        self._browse_query = ""
        self._browse_loaded = False
        self._build()
        self.refresh_mine()

    def _build(self) -> None:
        self.mine_list = QListWidget(self)
        self.mine_list.setObjectName("my-communities")
        self.mine_list.setAccessibleName(self.tr("My communities"))
        self.mine_list.currentItemChanged.connect(self._picked)
        self.mine_list.setStyleSheet("QListWidget::item { padding: 4px 6px; }")
        self.search_edit = QLineEdit(self)
        self.search_edit.setAccessibleName(self.tr("Search public communities"))
        self.search_edit.setPlaceholderText(self.tr("Search public communities…"))
        self.search_edit.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(lambda: self.browse(self.search_edit.text()))
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.browse_list = QListWidget(self)
        self.browse_list.setObjectName("browse-communities")
        self.browse_list.setAccessibleName(self.tr("Public communities"))
        self.browse_list.setWordWrap(True)
        self.browse_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.browse_list.setStyleSheet("QListWidget::item { padding: 5px 6px; }")
        self.browse_list.currentItemChanged.connect(self._picked)
        self.browse_status = QLabel(self)
        self.browse_status.setObjectName("browse-status")
        self.browse_status.setWordWrap(True)
        self.more_button = QPushButton(self.tr("Show more"), self)
        self.more_button.setAccessibleName(self.tr("Show more communities"))
        self.more_button.setVisible(False)
        self.more_button.clicked.connect(lambda: self.browse(self._browse_query, more=True))
        browse = QWidget(self)
        browse_layout = QVBoxLayout(browse)
        browse_layout.setContentsMargins(4, 6, 4, 4)
        browse_layout.addWidget(self.search_edit)
        browse_layout.addWidget(self.browse_status)
        browse_layout.addWidget(self.browse_list, 1)
        browse_layout.addWidget(self.more_button)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("My communities or browse"))
        self.tabs.addTab(self.mine_list, self.tr("My communities"))
        self.tabs.addTab(browse, self.tr("Browse"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.create_button = QPushButton(self.tr("Create community…"), self)
        self.create_button.setObjectName("create-community")
        self.create_button.setAccessibleName(self.tr("Create a community"))
        self.create_button.clicked.connect(self.create_community)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 0, 8)
        left_layout.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        left_layout.addLayout(row)
        self.page = CommunityPage(self.context, self)
        self.page.joinRequested.connect(self.join)
        self.page.leaveRequested.connect(self.leave)
        self.placeholder = QLabel(self.tr("Pick a community on the left, or browse for new ones."), self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")
        self.right = QStackedWidget(self)
        self.right.addWidget(self.placeholder)
        self.right.addWidget(self.page)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # -- my communities ----------------------------------------------------------------------------------

    def refresh_mine(self) -> None:
        current = self.mine_list.currentItem()
        keep = current.data(ID_ROLE) if current else None
        self.mine_list.blockSignals(True)
        self.mine_list.clear()
        for place in my_communities(self.context.reader, me=self.context.me):
            item = QListWidgetItem(place.name)
            item.setData(ID_ROLE, place.id)
            item.setToolTip(place.description or "")
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, self._facts(place))
            self.mine_list.addItem(item)
            if place.id == keep:
                self.mine_list.setCurrentItem(item)
        self.mine_list.blockSignals(False)

    def _facts(self, place: Community) -> str:
        return self.tr("{0} members").format(place.member_count)

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        if "community" in changes or "membership" in changes or "scope" in changes:
            self.refresh_mine()

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None:
            return
        remote = item.data(REMOTE_ROLE)
        self.open_community(str(item.data(ID_ROLE)), remote if isinstance(remote, dict) else None)

    def open_community(self, community_id: str, remote: dict[str, Any] | None = None) -> bool:
        if remote is None and community(self.context.reader, community_id, me=self.context.me) is None:
            return False
        self.page.show_community(community_id, remote)
        self.right.setCurrentWidget(self.page)
        return True

    # -- browsing (online only) ------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == 1 and not self._browse_loaded:
            self.browse(self.search_edit.text())

    def browse(self, query: str, *, more: bool = False) -> None:
        self._browse_loaded = True
        if not more:
            self._browse_query = query
            self._browse_cursor = None
        if self.context.api is None:
            self._offline()
            return
        self.browse_status.setText(self.tr("Looking…"))
        self.context.spawn(self._browse(query, self._browse_cursor if more else None, more))

    async def _browse(self, query: str, cursor: str | None, more: bool) -> None:
        try:
            page = await self.context.api.browse_communities(query.strip() or None, cursor)
        except Offline:
            self._offline()
            return
        except ApiError as error:
            self.browse_status.setText(self.tr("Browsing failed: {0}").format(error.statement))
            return
        if query != self._browse_query:
            return  # a newer search is on its way
        if not more:
            self.browse_list.clear()
        for data in page.communities:
            description = str(data.get("description") or "")
            text = str(data.get("name", ""))
            facts = self.tr("{0} members").format(int(data.get("member_count") or 0))
            item = QListWidgetItem(f"{text}\n{facts}" + (f" · {description[:90]}…" if len(description) > 90
                                                          else (f" · {description}" if description else "")))  # fmt: skip
            item.setData(ID_ROLE, str(data.get("id")))
            item.setData(REMOTE_ROLE, dict(data))
            item.setToolTip(description)
            self.browse_list.addItem(item)
        self._browse_cursor = page.next_cursor
        self.more_button.setVisible(page.next_cursor is not None)
        self._say_browse_count()
        self.browse_status.setStyleSheet("")

    def _say_browse_count(self) -> None:
        count = self.browse_list.count()
        self.browse_status.setText(
            self.tr("No public communities you haven't joined match.")
            if count == 0
            else ntr(
                "CommunitiesPane",
                "%n community you haven't joined",
                "%n communities you haven't joined",
                count,
            )
        )

    def _offline(self) -> None:
        self.browse_list.clear()
        self.more_button.setVisible(False)
        self.browse_status.setText(self.tr("You're offline — browsing needs a connection. Your communities are "
                                           "still here, in My communities."))  # fmt: skip
        self.browse_status.setStyleSheet("color: #c0392b;")
        self._browse_loaded = False

    # -- join, leave, create ---------------------------------------------------------------------------

    def join(self, community_id: str) -> None:
        self.context.spawn(self.context.actions.join(community_id))
        for row in range(self.browse_list.count()):  # say so where it was found (it stays selected)
            item = self.browse_list.item(row)
            if item.data(ID_ROLE) == community_id:
                item.setText(item.text().split("\n")[0] + "\n✓ " + self.tr("Joined"))
                break

    def leave(self, community_id: str) -> QMessageBox:
        found = community(self.context.reader, community_id, me=self.context.me)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Leave community"))
        private = found is not None and found.visibility == "private"
        box.setText(self.tr("Leave {0}? Its posts leave your offline copy.").format(found.name if found else "")
                    + (" " + self.tr("It is private: only its owners can add you back.") if private else ""))  # fmt: skip
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Leave"))  # the action, not "Yes"

        def finished(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.context.spawn(self.context.actions.leave(community_id))
            box.deleteLater()

        box.finished.connect(finished)
        box.open()
        return box

    def create_community(self) -> CreateCommunityDialog:
        dialog = CreateCommunityDialog(self)
        dialog.submitted.connect(lambda values: self.context.spawn(self._create(dialog, values)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    async def _create(self, dialog: CreateCommunityDialog, values: dict[str, Any]) -> str | None:
        """Actions.create_community when it exists (queued, works offline); else the server directly."""
        creator = getattr(self.context.actions, "create_community", None)
        if creator is not None:
            community_id = str(await creator(**values))
        elif self.context.api is None:
            dialog.show_error(self.tr("Creating a community needs a connection."))
            return None
        else:
            community_id = uuid7()
            try:
                await self.context.api.request("POST", "/communities", json={"id": community_id, **values},
                                               idempotency_key=community_id)  # fmt: skip
            except Offline:
                dialog.show_error(self.tr("You're offline — creating a community needs a connection."))
                return None
            except ApiError as error:
                dialog.show_error(error.statement)  # nothing creates it again by itself
                return None
        dialog.accept()
        self.context.error.emit(
            self.tr("{0} was created. It appears here after the next sync.").format(values["name"])
        )
        return community_id

    # -- the Pane contract -------------------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh_mine()

    def open_item(self, kind: str, object_id: str) -> bool:
        if kind == "community":
            self.tabs.setCurrentIndex(0)
            for row in range(self.mine_list.count()):
                item = self.mine_list.item(row)
                if item.data(ID_ROLE) == object_id:
                    self.mine_list.setCurrentItem(item)
                    return True
            return self.open_community(object_id)
        return False

    def self_test_texts(self) -> list[str]:
        return ["IT Support", "Cafe"]
