"""Home: the personal feed (All / Following / Announcements / Questions / Blogs), pinned first,
with the opened post's thread beside it and a "New post" composer (Ctrl+N → ``new_post``)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from atrium.cache import FeedPage, personal_feed

from ..context import UiContext
from ..widgets.composer import ComposerDialog, open_composer
from ..widgets.feed_browser import FeedBrowser
from ..widgets.filter_bar import FilterBar
from .base import Pane


class HomePane(Pane):
    key = "home"
    title = "Home"

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.title = self.tr("Home")
        self.filter = "all"
        self.filters = FilterBar(
            [
                ("all", self.tr("All")),
                ("following", self.tr("Following")),
                ("announcements", self.tr("Announcements")),
                ("questions", self.tr("Questions")),
                ("blogs", self.tr("Blogs")),
            ],
            self,
        )
        self.filters.setAccessibleName(self.tr("Feed filters"))
        self.filters.changed.connect(self.set_filter)
        self.new_post_button = self.filters.add_action(self.tr("New post"), self.tr("Write a new post"))
        self.new_post_button.setObjectName("new-post")
        self.new_post_button.setToolTip(self.tr("New post (Ctrl+N)"))
        self.new_post_button.clicked.connect(self.new_post)
        self.browser = FeedBrowser(context, self._query, empty_text=self._empty_text(), parent=self)
        self.browser.thread_view.closeRequested.connect(self.itemClosed)
        self.feed = self.browser.view
        self.model = self.browser.model
        self.thread_view = self.browser.thread_view
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filters)
        layout.addWidget(self.browser, 1)
        self.composer_dialog: ComposerDialog | None = None

    def _query(self, before: tuple[str, str] | None, limit: int) -> FeedPage:
        return personal_feed(self.context.reader, filter=self.filter,  # type: ignore[arg-type]
                             before=before, limit=limit, me=self.context.me)  # fmt: skip

    def _empty_text(self) -> str:
        if self.filter == "following":
            return self.tr(
                "Nothing from people, topics or communities you follow yet.\nFollow someone from a post."
            )
        if self.filter == "all":
            return self.tr(
                "Your feed is empty.\nJoin communities in Communities, or wait for the first sync."
            )
        return self.tr("Nothing here yet.")

    def set_filter(self, key: str) -> None:
        if key == self.filter:
            return
        self.filter = key
        self.filters.select(key)
        self.browser.set_query(self._query, self._empty_text())

    # -- the Pane contract -----------------------------------------------------------------------------

    def activated(self) -> None:
        self.feed.setFocus()

    def open_item(self, kind: str, object_id: str) -> bool:
        if kind == "comment":
            return self.browser.open_comment(object_id)
        return kind == "post" and self.browser.open_post(object_id)

    def self_test_texts(self) -> list[str]:
        return ["IT Support", "Announcements"]

    # -- keyboard and actions --------------------------------------------------------------------------

    def select_next(self) -> None:
        self.feed.select_next()

    def select_previous(self) -> None:
        self.feed.select_previous()

    def new_post(self) -> ComposerDialog:
        """Open the composer (non-blocking), in the community of the selected post if any."""
        current = self.feed.current_post()
        self.composer_dialog = open_composer(self.context, self.window(),
                                             community_id=current.community_id if current else None)  # fmt: skip
        self.composer_dialog.composer.sent.connect(self._sent)
        return self.composer_dialog

    def _sent(self, post_id: str) -> None:
        if self.filter not in ("all", "following"):
            self.set_filter("all")
        self.feed.scrollToTop()
