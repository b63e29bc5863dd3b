"""The shell: sidebar, top bar with search, the panes (built on first visit), the status area, shortcuts.

The window reads counts through ``context.reader`` and asks ``ShellActions`` (the app
controller) for anything that is not a pane's business: sync now, settings, outbox, sign-in.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from atrium.app.engine import EngineStatus
from atrium.cache import Cache, draft_count, my_communities, pending_counts, person, unread_entries

from .context import UiContext
from .drafts import COMMENT_PREFIX, NEW_POST_KEY, QUESTION_KEY, edited_post
from .i18n import ntr
from .icons import logo_icon
from .pane_registry import BY_KEY, SIDEBAR_KEYS, build_pane
from .panes.base import Pane
from .sidebar import Sidebar
from .status_area import StatusArea
from .top_bar import TopBar
from .widgets.composer import open_composer
from .widgets.post_format import posts_by_id

log = logging.getLogger("atrium.ui")
OWNER_KINDS = {"user", "membership", "community"}
NAVIGATION_ORDER = {  # which panes may open an item of each kind, most likely first
    "post": ["home", "questions", "communities"],
    "comment": ["home", "questions", "communities"],
    "community": ["communities"],
    "user": ["people"],
    "person": ["people"],
    "notification": ["notifications"],
}


class ShellActions(Protocol):
    def sync_now(self) -> None: ...
    def open_settings(self) -> None: ...
    def open_outbox(self) -> None: ...
    def sign_in_again(self) -> None: ...
    def request_quit(self, code: int = 0) -> None: ...


class MainWindow(QMainWindow):
    unread_changed = Signal(int)

    def __init__(self, context: UiContext, shell: ShellActions, display_name: str, handle: str) -> None:
        super().__init__()
        self.context = context
        self.shell = shell
        self.panes: dict[str, Pane] = {}
        self.current_key = ""
        self._previous_key = "home"
        self.unread = 0
        self.failed: int | None = None  # refused changes at the last count (None: not counted yet)
        # the pane whose "← Back" returns elsewhere, and the handler that does it
        self._returning: tuple[Pane, Callable[[], None]] | None = None
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("Atrium"))
        self.setWindowIcon(logo_icon())
        self.setAccessibleName(self.tr("Atrium"))
        self.setMinimumSize(QSize(960, 600))
        self.resize(1280, 800)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.sidebar = Sidebar(display_name, handle, context.me, central)
        row.addWidget(self.sidebar)
        column = QVBoxLayout()
        column.setSpacing(0)
        self.top_bar = TopBar(central)
        column.addWidget(self.top_bar)
        self.stack = QStackedWidget(central)
        self.stack.setAccessibleName(self.tr("Content"))
        column.addWidget(self.stack, 1)
        self.status_area = StatusArea(central)
        column.addWidget(self.status_area)
        row.addLayout(column, 1)
        self.setCentralWidget(central)
        self._connect()
        self._shortcuts()
        self._refusal_said = ""  # the refusal the status area was last told of
        self._counts_timer = QTimer(self, singleShot=True, interval=120)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self.refresh_counts()
        self.refresh_insights()
        self.show_pane("home")

    # -- wiring ------------------------------------------------------------------------------------

    def _connect(self) -> None:
        self.sidebar.pane_requested.connect(self.show_pane)
        self.sidebar.settings_requested.connect(self.shell.open_settings)
        self.top_bar.search_field.textChanged.connect(self._search_typed)
        self.top_bar.query_changed.connect(self._search)
        self.top_bar.query_submitted.connect(self._open_first_result)
        self.top_bar.search_escaped.connect(self._leave_search)
        self.status_area.outbox_requested.connect(self.shell.open_outbox)
        self.status_area.sync_requested.connect(self.shell.sync_now)
        self.status_area.sign_in_requested.connect(self.shell.sign_in_again)
        self.context.cache_changed.connect(self._cache_changed)
        self.context.status_changed.connect(self._status_changed)
        self.context.error.connect(self.status_area.show_error)
        self.context.navigate.connect(self.open_item)

    def _shortcuts(self) -> None:
        def bind(sequence: QKeySequence | str, action: Any) -> None:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)

        for number, key in enumerate(SIDEBAR_KEYS, start=1):
            bind(
                f"Ctrl+{number}",
                lambda k=key: self.show_pane(k) if self.sidebar.is_entry_visible(k) else None,
            )
        bind("Ctrl+K", self.top_bar.focus_search)
        bind(QKeySequence(QKeySequence.StandardKey.Find), self.top_bar.focus_search)
        bind("Ctrl+N", self.new_post)
        bind("J", lambda: self._delegate("select_next"))
        bind("K", lambda: self._delegate("select_previous"))
        bind("F5", self.shell.sync_now)
        bind("Ctrl+,", self.shell.open_settings)
        bind("Ctrl+Q", lambda: self.shell.request_quit(0))

    # -- panes -------------------------------------------------------------------------------------

    def pane(self, key: str) -> Pane:
        """The pane for KEY, built the first time it is asked for."""
        if key not in self.panes:
            pane = build_pane(BY_KEY[key], self.context)
            self.panes[key] = pane
            self.stack.addWidget(pane)
        return self.panes[key]

    def current_pane(self) -> Pane | None:
        return self.panes.get(self.current_key)

    def show_pane(self, key: str) -> Pane:
        pane = self.pane(key)
        if key != "search" and self.current_key != key:
            self._previous_key = key
        self.current_key = key
        self.stack.setCurrentWidget(pane)
        self.sidebar.set_current(key)
        self.top_bar.set_title(BY_KEY[key].title)
        try:
            pane.activated()
        except Exception:
            log.exception("pane %s failed to activate", key)
        return pane

    def new_post(self) -> None:
        home = self.show_pane("home")
        starter = getattr(home, "new_post", None)
        if callable(starter):
            starter()

    def open_draft(self, key: str) -> None:
        """Go back to where a draft was typed: its thread, the edit, the composer or Ask."""
        if key == QUESTION_KEY:
            asker = getattr(self.show_pane("questions"), "ask", None)
            if callable(asker):
                asker()
        elif key == NEW_POST_KEY:
            self.new_post()
        elif key.startswith(COMMENT_PREFIX):
            self.open_item("post", key[len(COMMENT_PREFIX) :])
        elif (post_id := edited_post(key)) is not None:
            post = posts_by_id(self.context.reader, [post_id], self.context.me).get(post_id)
            if post is None:
                self.status_area.show_error(self.tr("That post is no longer in your offline copy."))
                return
            self.open_item("post", post_id)
            open_composer(self.context, self, edit=post)

    def _return_on_close(self, opened_in: str, came_from: str) -> None:
        pane = self.pane(opened_in)
        if self._returning is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self._returning[0].itemClosed.disconnect(self._returning[1])

        def back() -> None:
            with contextlib.suppress(RuntimeError, TypeError):
                pane.itemClosed.disconnect(back)
            self._returning = None
            if self.current_key == opened_in:  # still there: the person did not go elsewhere meanwhile
                self.show_pane(came_from)

        pane.itemClosed.connect(back)
        self._returning = (pane, back)

    def _delegate(self, method: str) -> None:
        target = getattr(self.current_pane(), method, None)
        if callable(target):
            target()

    def open_item(self, kind: str, object_id: str) -> None:
        candidates = [self.current_key, *NAVIGATION_ORDER.get(kind, SIDEBAR_KEYS)]
        allowed = [key for key in dict.fromkeys(candidates)
                   if key in BY_KEY and (key != "insights" or self.sidebar.is_entry_visible(key))]  # fmt: skip
        came_from = self.current_key
        for key in allowed:
            if self.pane(key).open_item(kind, object_id):
                self.show_pane(key)
                if key != came_from:  # its "← Back" returns to where the person was (e.g. People)
                    self._return_on_close(key, came_from)
                return
        self.status_area.show_error(self.tr("That item is not in your offline copy yet."))

    # -- search ------------------------------------------------------------------------------------

    def _search_typed(self, text: str) -> None:
        if text.strip() and self.current_key != "search":
            self.show_pane("search")

    def _search(self, query: str, immediate: bool = False) -> None:
        if not query:
            return
        pane = self.show_pane("search") if self.current_key != "search" else self.pane("search")
        set_query = getattr(pane, "set_query", None)
        if callable(set_query):
            set_query(query, immediate=immediate) if immediate else set_query(query)

    def _open_first_result(self, query: str) -> None:
        self._search(query, immediate=True)
        opener = getattr(self.panes.get("search"), "open_current", None)
        if query and callable(opener):
            opener()

    def _leave_search(self) -> None:
        if self.current_key == "search":
            self.show_pane(self._previous_key).setFocus()

    # -- counts and status ---------------------------------------------------------------------------

    def _cache_changed(self, changes: dict[str, list[str]]) -> None:
        self._counts_timer.start()
        if OWNER_KINDS & changes.keys():
            self.refresh_insights()

    def _status_changed(self, status: EngineStatus) -> None:
        self.status_area.set_status(status)
        self._counts_timer.start()

    def refresh_counts(self) -> None:
        reader = self.context.reader
        try:
            unread = unread_entries(reader)
            counts = pending_counts(reader)
            drafts = draft_count(reader)
        except Exception:  # the reader is being closed (sign-out); the next change refreshes
            log.debug("counts not refreshed", exc_info=True)
            return
        self.status_area.set_counts(counts["pending"], counts["failed"], drafts)
        if self.failed is not None and counts["failed"] > self.failed:
            self._say_refused(reader, counts["failed"])
        elif counts["failed"] == 0 and self._refusal_said:
            self.status_area.withdraw_error(self._refusal_said)  # sent or discarded since
            self._refusal_said = ""
        self.failed = counts["failed"]
        self.sidebar.set_badge("notifications", unread)
        if unread != self.unread:
            self.unread = unread
            self.unread_changed.emit(unread)

    def _say_refused(self, reader: Cache, count: int) -> None:
        """More changes were refused just now: say so in the status area, counting every refused
        change, with the reason of the oldest (often the cause of the rest: a refused post's
        comments and likes fail after it, maybe a moment later); each item shows its own."""
        row = reader.conn.execute(
            "SELECT last_error FROM outbox WHERE state = 'failed' ORDER BY id LIMIT 1"
        ).fetchone()
        if row is not None:
            reason = row[0] or self.tr("the server did not accept it.")
            text = ntr("MainWindow", "A change was not sent: %1", "%n changes were not sent: %1", count)
            self._refusal_said = text.replace("%1", reason)
            self.status_area.show_error(self._refusal_said)

    def refresh_insights(self) -> None:
        """Insights is for administrators and community owners only."""
        try:
            me = person(self.context.reader, self.context.me, me=self.context.me)
            owner = any(c.my_role == "owner" for c in my_communities(self.context.reader, me=self.context.me))
        except Exception:
            log.debug("insights visibility not refreshed", exc_info=True)
            return
        allowed = owner or (me is not None and me.is_admin)
        self.sidebar.set_entry_visible("insights", allowed)
        if not allowed and self.current_key == "insights":
            self.show_pane("home")

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # the controller closes the window once sync has stopped cleanly
        self.shell.request_quit(0)
