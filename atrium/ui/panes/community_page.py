"""One community: about, join/leave, its posts and questions (from the cache), its members and
roles (from the server when online, from the offline copy otherwise), and for owners and
moderators: add members, and moderate posts from their menu (pin, comments on/off, remove)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from atrium.app.errors import ApiError
from atrium.cache import Community, FeedPage, community, community_feed, person

from ..context import UiContext
from ..widgets.composer import open_composer
from ..widgets.feed_browser import FeedBrowser
from ..widgets.rich_text_delegate import HTML_ROLE, RichTextDelegate, badge, escape, muted
from .community_dialogs import AddMemberDialog

MODERATING_ROLES = ("owner", "moderator")


def cached_members(context: UiContext, community_id: str) -> list[tuple[str, str]]:
    rows = context.reader.conn.execute(
        "SELECT m.user_id, m.role FROM memberships m LEFT JOIN users u ON u.id = m.user_id "
        "WHERE m.community_id = ? ORDER BY m.role != 'owner', m.role != 'moderator', u.display_name",
        (community_id,),
    )
    return [(str(user_id), str(role)) for user_id, role in rows]


class CommunityPage(QWidget):
    joinRequested = Signal(str)
    leaveRequested = Signal(str)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("community-page")
        self.community_id: str | None = None
        self.community: Community | None = None
        self.remote: dict[str, Any] | None = None
        self.members_source = ""
        self._build()
        context.cache_changed.connect(self.on_cache_changed)

    def _build(self) -> None:
        self.name_label = QLabel(self)
        self.name_label.setObjectName("community-name")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.facts_label = QLabel(self)
        self.facts_label.setStyleSheet("color: palette(placeholder-text);")
        self.about_label = QLabel(self)
        self.about_label.setWordWrap(True)
        self.about_label.setAccessibleName(self.tr("About this community"))
        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: palette(placeholder-text); font-style: italic;")
        self.join_button = QPushButton(self.tr("Join"), self)
        self.join_button.setAccessibleName(self.tr("Join this community"))
        self.join_button.clicked.connect(self._join)
        self.leave_button = QPushButton(self.tr("Leave"), self)
        self.leave_button.setAccessibleName(self.tr("Leave this community"))
        self.leave_button.clicked.connect(self._leave)
        self.new_post_button = QPushButton(self.tr("New post"), self)
        self.new_post_button.setAccessibleName(self.tr("Write a post in this community"))
        self.new_post_button.clicked.connect(self.new_post)
        self.add_member_button = QPushButton(self.tr("Add member…"), self)
        self.add_member_button.setAccessibleName(self.tr("Add a member"))
        self.add_member_button.clicked.connect(self.add_member)
        header = QVBoxLayout()
        header.setContentsMargins(14, 12, 14, 4)
        top = QHBoxLayout()
        top.addWidget(self.name_label, 1)
        for button in (self.new_post_button, self.add_member_button, self.join_button, self.leave_button):
            top.addWidget(button)
        header.addLayout(top)
        header.addWidget(self.facts_label)
        header.addWidget(self.about_label)
        header.addWidget(self.hint_label)
        self.posts = FeedBrowser(self.context, self._posts_query, parent=self)
        self.questions = FeedBrowser(self.context, self._questions_query, parent=self)
        self._reading = False  # a thread is open: the about text and hint step aside (small windows)
        for browser in (self.posts, self.questions):
            browser.threadOpened.connect(lambda _post_id: self._set_reading(True))
            browser.thread_view.closeRequested.connect(lambda: self._set_reading(False))
        self.members_list = QListWidget(self)
        self.members_list.setAccessibleName(self.tr("Members"))
        self.members_list.setItemDelegate(RichTextDelegate(self.members_list))  # name, role, then title muted
        self.members_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.members_list.itemActivated.connect(self._open_member)
        self.members_status = QLabel(self)
        self.members_status.setStyleSheet("color: palette(placeholder-text);")
        members = QWidget(self)
        members_layout = QVBoxLayout(members)
        members_layout.addWidget(self.members_status)
        members_layout.addWidget(self.members_list, 1)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Community sections"))
        self.tabs.addTab(self.posts, self.tr("Posts"))
        self.tabs.addTab(self.questions, self.tr("Questions"))
        self.tabs.addTab(members, self.tr("Members"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

    # -- queries -----------------------------------------------------------------------------------------

    def _posts_query(self, before: tuple[str, str] | None, limit: int) -> FeedPage:
        if self.community_id is None:
            return FeedPage([], None)
        return community_feed(
            self.context.reader, self.community_id, before=before, limit=limit, me=self.context.me
        )

    def _questions_query(self, before: tuple[str, str] | None, limit: int) -> FeedPage:
        if self.community_id is None:
            return FeedPage([], None)
        return community_feed(self.context.reader, self.community_id, kind="question", before=before, limit=limit,
                              me=self.context.me)  # fmt: skip

    # -- showing -----------------------------------------------------------------------------------------

    def show_community(self, community_id: str, remote: dict[str, Any] | None = None) -> None:
        """Show a community from the cache (or, for one found online and not cached, REMOTE)."""
        changed = community_id != self.community_id
        self.community_id = community_id
        self.remote = remote
        self.refresh_header()
        if changed:
            empty = self._empty_text()
            self.posts.close_thread()
            self.questions.close_thread()
            self.posts.set_query(self._posts_query, empty)
            self.questions.set_query(self._questions_query, empty)
            self.members_list.clear()
            self.members_status.clear()
            self.members_source = ""
            if self.tabs.currentIndex() == 2:
                self.load_members()

    def _empty_text(self) -> str:
        if self.community is not None and self.community.my_role is not None:
            return self.tr("No posts here yet. Be the first: New post.")
        return self.tr("Join this community to read its posts, also offline.")

    def refresh_header(self) -> None:
        if self.community_id is None:
            return
        self.community = community(self.context.reader, self.community_id, me=self.context.me)
        data: dict[str, Any] = dict(self.remote or {})
        if self.community is not None:
            found = self.community
            data.update(name=found.name, kind=found.kind, visibility=found.visibility,
                        member_count=found.member_count, description=found.description, my_role=found.my_role)  # fmt: skip
        role = data.get("my_role")
        self.name_label.setText(str(data.get("name") or self.tr("Community")))
        kinds = {"expertise": self.tr("Expertise"), "practice": self.tr("Practice"), "interest": self.tr("Interest"),
                 "social": self.tr("Social"), "support": self.tr("Support"),
                 "announcements": self.tr("Announcements")}  # fmt: skip
        visibility = self.tr("Private") if data.get("visibility") == "private" else self.tr("Public")
        facts = [kinds.get(str(data.get("kind")), str(data.get("kind") or "")), visibility,
                 self.tr("{0} members").format(int(data.get("member_count") or 0))]  # fmt: skip
        roles = {
            "owner": self.tr("You own it"),
            "moderator": self.tr("You moderate it"),
            "member": self.tr("You're a member"),
        }
        if role in roles:
            facts.append(roles[str(role)])
        self.facts_label.setText(" · ".join(fact for fact in facts if fact))
        self.about_label.setText(html.escape(str(data.get("description") or "")))
        self._reading = any(not browser.thread_view.isHidden() for browser in (self.posts, self.questions))
        self.about_label.setVisible(not self._reading and bool(self.about_label.text()))
        moderating = role in MODERATING_ROLES
        self.hint_label.setText(
            self.tr(
                "You moderate this community: right-click a post (or use More in its thread) to pin it, "
                "turn its comments off or remove it."
            )
            if moderating
            else ""
        )
        self.hint_label.setVisible(moderating and not self._reading)
        self.join_button.setVisible(role is None)
        self.join_button.setEnabled(data.get("visibility") != "private")
        self.leave_button.setVisible(role is not None)
        self.new_post_button.setVisible(role is not None)
        self.add_member_button.setVisible(moderating)

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        if self.community_id is None:
            return
        if self.community_id in changes.get("community", ()) or any(
            key.startswith(f"{self.community_id}:") for key in changes.get("membership", ())
        ):
            was_member = self.community is not None and self.community.my_role is not None
            self.refresh_header()
            is_member = self.community is not None and self.community.my_role is not None
            if was_member != is_member:
                self.posts.empty.setText(self._empty_text())
                self.questions.empty.setText(self._empty_text())

    # -- members -----------------------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == 2 and not self.members_source:
            self.load_members()

    def load_members(self) -> None:
        if self.community_id is not None:
            self.context.spawn(self._load_members(self.community_id))

    async def _load_members(self, community_id: str) -> None:
        members: list[tuple[str, str]] | None = None
        if self.context.api is not None:
            try:
                answer = await self.context.api.request("GET", f"/communities/{community_id}/members")
                members = [
                    (str(item["user_id"]), str(item["role"]))
                    for item in answer or []
                    if isinstance(item, dict)
                ]
                self.members_source = "online"
            except ApiError:
                members = None
        if members is None:
            members = cached_members(self.context, community_id)
            self.members_source = "cache"
        if community_id != self.community_id:
            return
        self.show_members(members)

    def show_members(self, members: list[tuple[str, str]]) -> None:
        self.members_list.clear()
        roles = {"owner": self.tr("Owner"), "moderator": self.tr("Moderator"), "member": ""}
        for user_id, role in members:
            found = person(self.context.reader, user_id, me=self.context.me)
            name = found.display_name if found else self.tr("A colleague not in your offline copy")
            details = ", ".join(part for part in ((found.title, found.department) if found else ()) if part)
            role_text = roles.get(role, role)
            text = name + (f"  —  {role_text}" if role_text else "")
            item = QListWidgetItem(text + (f"\n{details}" if details else ""))  # what screen readers read
            item.setData(HTML_ROLE, f"<b>{escape(name)}</b>" + (f" {badge(role_text)}" if role_text else "")
                         + (f"<br>{muted(escape(details))}" if details else ""))  # fmt: skip
            item.setData(0x0100, user_id)
            self.members_list.addItem(item)
        if self.members_source == "online":
            self.members_status.setText(self.tr("{0} members").format(len(members)))
        else:
            self.members_status.setText(
                self.tr("{0} members in your offline copy (connect to see everyone).").format(len(members))
            )

    def _open_member(self, item: QListWidgetItem) -> None:
        user_id = item.data(0x0100)
        if user_id:
            self.context.navigate.emit("person", str(user_id))

    def _set_reading(self, reading: bool) -> None:
        self._reading = reading
        self.about_label.setVisible(not reading and bool(self.about_label.text()))
        self.hint_label.setVisible(not reading and bool(self.hint_label.text()))

    def _join(self) -> None:
        if self.community_id is not None:
            self.joinRequested.emit(self.community_id)

    def _leave(self) -> None:
        if self.community_id is not None:
            self.leaveRequested.emit(self.community_id)

    def new_post(self) -> None:
        if self.community_id is not None:
            open_composer(self.context, self.window(), community_id=self.community_id)

    def add_member(self) -> AddMemberDialog:
        dialog = AddMemberDialog(self.context, self)
        dialog.submitted.connect(
            lambda user_id, role: self.context.spawn(self._add_member(dialog, user_id, role))
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    async def _add_member(self, dialog: AddMemberDialog, user_id: str, role: str) -> None:
        if self.context.api is None or self.community_id is None:
            dialog.show_error(self.tr("Adding members needs a connection."))
            return
        try:
            await self.context.api.request("PUT", f"/communities/{self.community_id}/members/{user_id}",
                                           json={"role": role})  # fmt: skip
        except ApiError as error:
            dialog.show_error(self.tr("Could not add them: {0}").format(error.statement))
            return
        dialog.accept()
        self.members_source = ""
        self.load_members()
