"""The feed list: a QListView of post cards with keyboard (J/K, Enter, L) and click handling.

Reusable by any pane: give it a FeedModel; it emits ``openRequested(post_id)`` and
``commentRequested(post_id)`` and performs likes itself through the context's actions.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QMouseEvent, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QListView, QStyleOptionViewItem, QWidget

from atrium.app.markdown import remote_image_source
from atrium.cache import Post

from ..context import UiContext
from .feed_delegate import FeedDelegate
from .feed_model import FeedModel, FeedRole
from .links import open_link
from .post_actions import build_post_menu, toggle_like
from .post_format import tr

WARM_BUDGET_MS = 6.0
HOLD_LIMIT_MS = 3000  # never keep the picture frozen longer than this


class FeedView(QListView):
    openRequested = Signal(str)  # post id: show its thread
    commentRequested = Signal(str)  # post id: show its thread, ready to write
    editRequested = Signal(object)  # Post: the author wants to edit it

    def __init__(
        self, context: UiContext, model: FeedModel | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("feed-view")
        self.setAccessibleName(tr("Posts"))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # no width flip-flop relayouts
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)  # sizes are cached: a batch is ~200 look-ups of ~75 µs (15 ms), not rendering
        self.setUniformItemSizes(False)
        self.setSpacing(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.viewport().setAutoFillBackground(True)
        self.verticalScrollBar().setSingleStep(24)
        self.delegate = FeedDelegate(self)
        self.setItemDelegate(self.delegate)
        self.delegate.likeClicked.connect(self._like)
        self.delegate.commentsClicked.connect(self.commentRequested)
        self.delegate.linkClicked.connect(self._link)
        self.clicked.connect(self._clicked)
        self._warm_queue: list[Post] = []
        self._warm_timer = QTimer(self)
        self._warm_timer.setInterval(0)
        self._warm_timer.timeout.connect(self._warm_one)
        self._held: int | None = None  # the scroll position kept while Qt lays the list out again
        self._hold_timer = QTimer(self, singleShot=True, interval=HOLD_LIMIT_MS)
        self._hold_timer.timeout.connect(self._release)
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        if model is not None:
            self.setModel(model)

    def feed_model(self) -> FeedModel | None:
        model = self.model()
        return model if isinstance(model, FeedModel) else None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            model.modelReset.connect(self.delegate.clear_caches)
            model.rowsAboutToBeInserted.connect(self._hold_position)
            model.rowsAboutToBeRemoved.connect(self._hold_position)
        if isinstance(model, FeedModel):
            model.pageAhead.connect(self._prepare)
            self._prepare(model.ahead_items())  # read before this view was attached

    def _hold_position(self, *_args: object) -> None:
        """Rows come or go: Qt lays a Batched list out again from row 0, a batch per event-loop pass,
        and clamps the scroll bar to the first batch — the list would jump back hundreds of posts.
        Keep the position (and the last picture) until the layout has grown back past it."""
        value = self.verticalScrollBar().value()
        if self._held is None and value > 0:
            self._held = value
            self.viewport().setUpdatesEnabled(False)
            self._hold_timer.start()

    def _range_changed(self, _low: int, high: int) -> None:
        if self._held is not None and (high >= self._held or self._laid_out_to_the_end()):
            self._release()  # back past the kept position, or done (the list got shorter)

    def _laid_out_to_the_end(self) -> bool:
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        return rows == 0 or self.visualRect(model.index(rows - 1, 0)).isValid()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.delegate.laid_out_unshown:  # rows changed while hidden got stand-in heights
            self.delegate.laid_out_unshown = False
            self._hold_position()
            self.scheduleDelayedItemsLayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A list flowing top to bottom is laid out again by Qt only when its height changes; a
        card's height depends on the width (its text wraps), so a new width lays the cards out
        again too (a thread opening or closing beside the feed, a window made wider)."""
        super().resizeEvent(event)
        if event.oldSize().width() > 0 and event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()

    def _release(self) -> None:
        held, self._held = self._held, None
        self._hold_timer.stop()
        if held is not None:
            self.verticalScrollBar().setValue(held)
        self.viewport().setUpdatesEnabled(True)

    def _prepare(self, posts: list[Post]) -> None:
        """Queue cards of the page read ahead: they are measured one per idle tick."""
        self._warm_queue.extend(posts)
        model = self.feed_model()
        if model is not None and posts:
            model.preparing = True  # the model waits with that page until its cards are ready
        if not self._warm_timer.isActive():
            self._warm_timer.start()

    def _warm_one(self) -> None:
        """Prepare queued cards for at most WARM_BUDGET_MS, then let the event loop breathe."""
        if not self._warm_queue:
            self._warm_timer.stop()
            model = self.feed_model()
            if model is not None and model.preparing:
                model.preparing = False
                self.updateGeometries()  # Qt fetches the next page now if the end of the list is in view
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        started = time.perf_counter()
        while self._warm_queue and (time.perf_counter() - started) * 1000 < WARM_BUDGET_MS:
            self.delegate.prepare(option, self._warm_queue.pop(0))

    # -- selection and actions on the current post ---------------------------------------------------

    def current_post(self) -> Post | None:
        index = self.currentIndex()
        post = index.data(FeedRole.Post) if index.isValid() else None
        return post if isinstance(post, Post) else None

    def select_row(self, row: int) -> None:
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def select_post(self, post_id: str) -> bool:
        model = self.feed_model()
        row = model.row_of(post_id) if model else None
        if row is None:
            return False
        self.select_row(row)
        return True

    def select_next(self) -> None:
        model = self.model()
        if model is None:
            return
        if not self._has_selection():  # Qt gives the view a current row on focus; start there
            self.select_row(max(self.currentIndex().row(), 0))
            return
        row = self.currentIndex().row() + 1
        if row >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        self.select_row(min(row, model.rowCount() - 1))

    def _has_selection(self) -> bool:
        selection = self.selectionModel()
        return selection is not None and selection.hasSelection() and self.currentIndex().isValid()

    def select_previous(self) -> None:
        if not self._has_selection():
            self.select_row(max(self.currentIndex().row(), 0))
            return
        row = self.currentIndex().row() - 1
        self.select_row(max(row, 0))

    def open_current(self) -> None:
        post = self.current_post()
        if post is not None:
            self.openRequested.emit(post.id)

    def like_current(self) -> None:
        post = self.current_post()
        if post is not None:
            toggle_like(self.context, post)

    # -- events --------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if plain and key == Qt.Key.Key_J:
            self.select_next()
        elif plain and key == Qt.Key.Key_K:
            self.select_previous()
        elif plain and key == Qt.Key.Key_L:
            self.like_current()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.delegate.consumed_click = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        index = self.indexAt(event.position().toPoint())
        hit = self._hit(index, event.position()) if index.isValid() else None
        cursor = Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != cursor:
            self.viewport().setCursor(cursor)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        post = index.data(FeedRole.Post) if index.isValid() else None
        if not isinstance(post, Post):
            return
        self.select_row(index.row())
        menu = build_post_menu(self.context, post, self, open_post=self.openRequested.emit,
                               edit_post=self.editRequested.emit)  # fmt: skip
        menu.popup(event.globalPos())

    def _hit(self, index: QModelIndex, position: QPointF) -> str | None:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        return self.delegate.hit_test(option, index, position)

    def _clicked(self, index: QModelIndex) -> None:
        if self.delegate.consumed_click:
            self.delegate.consumed_click = False
            return
        post_id = index.data(FeedRole.Id)
        if post_id:
            self.openRequested.emit(str(post_id))

    def _like(self, post_id: str, liked: bool) -> None:
        self.context.spawn(self.context.actions.set_like("post", post_id))  # flips what the cache holds

    def _link(self, href: str) -> None:
        if remote_image_source(href) is not None:
            index = self.currentIndex()
            post_id = index.data(FeedRole.Id) if index.isValid() else None
            if post_id:
                self.openRequested.emit(str(post_id))  # images load in the thread, on a click there
            return
        open_link(self.context, href)
