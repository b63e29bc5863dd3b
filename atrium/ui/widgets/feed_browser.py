"""A feed beside the thread of the post opened from it (a QSplitter), with an empty-state message.

Home, Questions and a community's page are each one of these plus their own filter bar.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from atrium.app.engine import EngineState, EngineStatus
from atrium.cache import Post

from ..context import UiContext
from ..i18n import ntr
from .composer import open_composer
from .feed_model import FeedModel, FeedQuery
from .feed_view import FeedView
from .thread_view import ThreadView


class FeedBrowser(QWidget):
    threadOpened = Signal(str)

    def __init__(self, context: UiContext, query: FeedQuery, *, empty_text: str = "",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.context = context
        self.model = FeedModel(context, query, parent=self)
        self.view = FeedView(context, self.model, self)
        self.thread_view = ThreadView(context, self)
        self.thread_view.setVisible(False)
        self.empty = QLabel(empty_text, self)
        self.empty.setObjectName("feed-empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(24)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        # While the very first sync runs, an empty feed is not empty: it is on its way.
        self.downloading = QLabel(self)
        self.downloading.setObjectName("feed-downloading")
        self.downloading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.downloading.setWordWrap(True)
        self.downloading.setMargin(24)
        self.downloading.setStyleSheet("color: palette(placeholder-text);")
        self._first_sync = False
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.downloading)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.thread_view)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.view.openRequested.connect(self.open_post)
        self.view.commentRequested.connect(lambda post_id: self.open_post(post_id, reply=True))
        self.view.editRequested.connect(self.edit_post)
        self.thread_view.closeRequested.connect(self.close_thread)
        self.thread_view.editRequested.connect(self.edit_post)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._update_empty)
        self._overlay: QWidget | None = None
        context.status_changed.connect(self._on_status)
        self._update_empty()

    def set_overlay(self, widget: QWidget | None) -> None:
        """Show WIDGET (e.g. an inline composer) in the feed's place, or the feed again (None)."""
        if widget is not None and self.stack.indexOf(widget) < 0:
            self.stack.addWidget(widget)
        self._overlay = widget
        self._update_empty()

    def set_query(self, query: FeedQuery, empty_text: str | None = None) -> None:
        if empty_text is not None:
            self.empty.setText(empty_text)
        self.model.set_query(query)
        self.view.scrollToTop()

    def open_post(self, post_id: str, *, reply: bool = False) -> bool:
        if not self.thread_view.show_post(post_id):
            self.context.error.emit(self.tr("This post is not in your offline copy."))
            return False
        if not self.thread_view.isVisible():
            self.thread_view.setVisible(True)
            total = max(self.splitter.width(), 800)
            self.splitter.setSizes([total * 5 // 11, total * 6 // 11])
        self.view.select_post(post_id)
        if reply:
            self.thread_view.focus_editor()
        self.threadOpened.emit(post_id)
        return True

    def open_comment(self, comment_id: str) -> bool:
        """Open the thread a comment belongs to, scrolled to it; False when it is not cached."""
        row = self.context.reader.conn.execute(
            "SELECT post_id FROM comments WHERE id = ?", (comment_id,)
        ).fetchone()
        if row is None or not self.open_post(row[0]):
            return False
        self.thread_view.scroll_to_comment(comment_id)
        return True

    def close_thread(self) -> None:
        self.thread_view.setVisible(False)
        self.thread_view.clear()
        self.view.setFocus()

    def edit_post(self, post: Post) -> None:
        open_composer(self.context, self.window(), edit=post)

    def _update_empty(self, *_args: object) -> None:
        if self._overlay is not None:
            self.stack.setCurrentWidget(self._overlay)
            return
        empty = self.model.rowCount(QModelIndex()) == 0
        if empty and self._first_sync:
            self.stack.setCurrentWidget(self.downloading)
        else:
            self.stack.setCurrentWidget(self.empty if empty else self.view)

    def _on_status(self, status: EngineStatus) -> None:
        self._first_sync = status.last_sync_at is None and status.state in (
            EngineState.STARTING,
            EngineState.SYNCING,
        )
        if self._first_sync:
            text = self.tr("Downloading what you follow for the first time…")
            if status.received:
                text += "\n" + ntr("FeedBrowser", "%Ln item so far", "%Ln items so far", status.received)
            self.downloading.setText(text)
        self._update_empty()
