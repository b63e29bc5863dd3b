"""The desktop shell against the real server: sign-in, panes, shortcuts, status, policy locks, revocation.

Every test drives the real app as one coroutine on the qasync loop (no nested event loops:
the shell's own rule), so waiting is ``await until(...)``, never qtbot.wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from atrium.app import services as services_module
from atrium.app.engine import EngineState, EngineStatus
from atrium.app.settings import Settings
from atrium.cache import (
    LATEST_VERSION,
    CacheDamagedError,
    OutboxEntry,
    load_draft,
    my_communities,
    open_cache,
    person,
    read_sync_state,
    save_draft,
    unread_count,
    unread_entries,
    uuid7,
)
from atrium.ui import controller as controller_module
from atrium.ui.app import AutoSignIn, DesktopSession
from atrium.ui.context import UiContext
from atrium.ui.controller import AppController
from atrium.ui.main_window import MainWindow
from atrium.ui.outbox_dialog import OutboxDialog, kind_label, summary_of, text_of
from atrium.ui.pane_registry import BY_KEY, SIDEBAR_KEYS, PaneEntry, build_pane
from atrium.ui.panes.coming import ComingPane, UnavailablePane
from atrium.ui.probe import distinct_colours, missing_texts
from atrium.ui.settings_dialog import SettingsDialog
from atrium.ui.signin_dialog import SignInDialog
from atrium.ui.status_area import StatusArea
from atrium.ui.widgets.feed_model import FeedRole
from atrium.ui.widgets.post_actions import build_post_menu
from tests.cache.damage import real_corruption_error
from tests.harness import Api, RunningServer
from tests.ui.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support"),  # the offscreen platform cannot raise windows
]
Runner = Callable[..., Any]


async def until(predicate: Callable[[], Any], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        await asyncio.sleep(0.05)


class Shell:
    """``async with Shell(session, theme) as app:`` — the real AppController running, window open."""

    def __init__(self, session: DesktopSession, theme: Any) -> None:
        self.controller = AppController(session, theme)
        self.task: asyncio.Future[int] | None = None

    async def __aenter__(self) -> AppController:
        self.task = asyncio.ensure_future(self.controller.run())
        task = self.task
        await until(lambda: self.controller.window is not None or task.done(), what="the window")
        return self.controller

    async def __aexit__(self, *_exc: object) -> None:
        self.controller.request_quit(0)
        assert self.task is not None
        await asyncio.wait_for(self.task, 30)


def window_of(app: AppController) -> MainWindow:
    assert app.window is not None
    return app.window


def context_of(app: AppController) -> UiContext:
    assert app.context is not None
    return app.context


def unnamed_controls(root: QWidget) -> list[str]:
    """Interactive controls under ROOT (visible) without an accessible name; Qt's own sub-widgets excluded."""
    controls = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView)
    found = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        if (
            isinstance(widget, controls)
            and not isinstance(widget, QHeaderView)
            and not isinstance(parent, QLineEdit | QAbstractSpinBox | QComboBox)
            and widget.isVisibleTo(root)
            and not widget.accessibleName()
        ):
            found.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return found


def top_level(kind: type[QWidget]) -> list[Any]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def save(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path)), path
    return path


def pane_exists(module: str) -> bool:
    return importlib.util.find_spec(f"atrium.ui.panes.{module}") is not None


async def activate(window: QWidget) -> None:
    window.raise_()
    window.activateWindow()
    await until(lambda: QApplication.activeWindow() is window, 5, "the window to be active")


# --- opening -------------------------------------------------------------------------------------------


def test_shell_opens_signed_in_and_shows_home_after_first_sync(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner, screenshot_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    shown_states: list[str] = []
    shown_details: list[str] = []
    original = StatusArea.set_status

    def recording(self: StatusArea, status: Any) -> None:
        original(self, status)
        shown_states.append(self.state_label.text())
        shown_details.append(self.detail_label.text())

    monkeypatch.setattr(StatusArea, "set_status", recording)

    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            window = window_of(app)
            assert window is not None and window.isVisible()
            await asyncio.wait_for(app.synced.wait(), 60)
            assert window.current_key == "home"
            assert window.top_bar.title_label.text() == "Home"
            assert app.states[0] == EngineState.SYNCING and EngineState.ONLINE in app.states
            await until(lambda: shown_states[-1:] == ["Online"], what="the status area to say Online")
            assert "Syncing…" in shown_states
            # the demo company's first sync comes in several pages: the strip counts them
            assert any(detail.endswith("items downloaded") for detail in shown_details), shown_details
            assert window.status_area.detail_label.text() == "Synced just now"
            assert not window.status_area.pending_button.isVisible()
            badge = window.sidebar.buttons["notifications"]
            # the demo user has unread notifications
            await until(lambda: badge.badge > 0, 5, "the unread badge")
            reader = window.context.reader
            # likes of one post are one row in the pane, so one in the badge (and the tray)
            assert badge.badge == window.unread == unread_entries(reader) < unread_count(reader)
            assert "unread" in window.sidebar.buttons["notifications"].accessibleName()
            home = window.current_pane()
            assert home is not None
            if pane_exists("home"):
                assert not isinstance(home, UnavailablePane)
                wanted = home.self_test_texts()
                await until(lambda: not missing_texts(home, wanted), 15, f"Home to show {wanted}")
            for part in (window.sidebar, window.top_bar, window.status_area):
                assert unnamed_controls(part) == [], part.objectName()
            picture = window.grab().toImage()
            assert distinct_colours(picture) > 16
            save(window, screenshot_dir, "shell-home")

    run(scenario(), 120)


def test_quitting_right_after_typing_keeps_the_comment_as_a_draft(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner
) -> None:
    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            home = window_of(app).current_pane()
            post_id = home.model.post_at(0).id  # type: ignore[union-attr]
            assert home.open_item("post", post_id)  # type: ignore[union-attr]
            QTest.keyClicks(home.thread_view.editor, "Typed, then Quit at once")  # type: ignore[union-attr]
        # the Shell quit before the save's moment: the controller saved it on the way out
        with open_cache(signed_in_session.profile.cache_db, read_only=True, verify=False) as cache:
            kept = load_draft(cache, f"comment:{post_id}")
        assert kept is not None and kept.fields["body"] == "Typed, then Quit at once"

    run(scenario(), 120)


def test_a_copy_found_damaged_while_open_is_rebuilt_and_the_window_comes_back(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner, tmp_path: Path
) -> None:
    """SQLite meets a damaged page while Atrium runs: the session opens again, the copy is set
    aside and rebuilt from the server, what was typed comes along, and the window says so."""
    error = real_corruption_error(tmp_path)

    def meets_damage(_cache: Any) -> None:
        raise error

    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            first = window_of(app)
            writer = signed_in_session.writer
            assert writer is not None
            await writer.call(save_draft, "question", {"title": "Typed before the damage"})
            with pytest.raises(CacheDamagedError, match="sets it aside and downloads a fresh one"):
                await writer.call(meets_damage)
            await until(lambda: app.window is not None and app.window is not first, 30, "a new window")
            await asyncio.wait_for(app.synced.wait(), 60)
            window = window_of(app)
            said = window.status_area.error_label.toolTip()
            assert "was damaged and was set aside" in said and "Kept from it: 1 draft." in said, said
            assert load_draft(context_of(app).reader, "question") is not None
            assert my_communities(context_of(app).reader), "rebuilt from the server"
        profile = signed_in_session.profile.cache_db.parent
        assert [
            copy for copy in profile.glob("cache.db.corrupt-*") if not copy.name.endswith(("-wal", "-shm"))
        ]

    run(scenario(), 180)


def test_typing_the_damaged_copy_could_not_keep_comes_into_the_rebuilt_one(
    signed_in_session: DesktopSession,
    ui_app: Any,
    run: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The drafts' own pages are the damaged ones: the save of what was just typed fails, and the
    rescue can only bring the older draft. The newest typing still reaches the rebuilt copy."""
    error = real_corruption_error(tmp_path)
    failures = [error]  # fault injection: the next draft save meets the damaged page, once
    real_save = services_module.save_draft

    def save_on_damaged_pages(cache: Any, key: str, fields: dict[str, Any]) -> Any:
        if failures:
            raise failures.pop()
        return real_save(cache, key, fields)

    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            first = window_of(app)
            home = first.current_pane()
            post_id = home.model.post_at(0).id  # type: ignore[union-attr]
            assert home.open_item("post", post_id)  # type: ignore[union-attr]
            editor = home.thread_view.editor  # type: ignore[union-attr]
            QTest.keyClicks(editor, "Kept before")
            await context_of(app).drafts.flush()
            monkeypatch.setattr(services_module, "save_draft", save_on_damaged_pages)
            QTest.keyClicks(editor, ", and typed as the page broke")
            await until(lambda: app.window is not None and app.window is not first, 30, "a new window")
            assert not failures
            kept = load_draft(context_of(app).reader, f"comment:{post_id}")
            assert kept is not None and kept.fields["body"] == "Kept before, and typed as the page broke"

    run(scenario(), 180)


@pytest.mark.qt_no_exception_capture
@pytest.mark.parametrize("where", ["in a Qt slot", "in a background task"])
def test_damage_a_pane_meets_in_its_own_read_is_rebuilt_too(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner, tmp_path: Path, where: str
) -> None:
    """The panes read through their own connection: SQLite's damage error met there (in a Qt
    slot, or in a task a pane started) also sets the copy aside and reopens the window."""
    error = real_corruption_error(tmp_path)

    async def task_reads_damaged_page() -> None:
        raise error

    def pane_reads_damaged_page() -> None:
        if where == "in a background task":
            context_of(app).spawn(task_reads_damaged_page())
        else:
            raise error

    app: AppController

    async def scenario() -> None:
        nonlocal app
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            first = window_of(app)
            QTimer.singleShot(0, pane_reads_damaged_page)
            await until(lambda: app.window is not None and app.window is not first, 30, "a new window")
            await asyncio.wait_for(app.synced.wait(), 60)
            assert "was damaged and was set aside" in window_of(app).status_area.error_label.toolTip()
        profile = signed_in_session.profile.cache_db.parent
        assert [
            copy for copy in profile.glob("cache.db.corrupt-*") if not copy.name.endswith(("-wal", "-shm"))
        ]

    run(scenario(), 180)


def test_limits_changed_in_settings_apply_to_the_running_engine(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner
) -> None:
    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            engine = signed_in_session.engine
            assert engine is not None
            settings = signed_in_session.settings
            settings.set("retention_days", 30)
            settings.set("cache_size_cap_mb", 512)
            settings.set("attachment_cache_mb", 5)
            assert engine.window_days == 30
            assert engine.size_cap_bytes == 512 * 1024 * 1024
            assert engine.attachment_cap_bytes == 5 * 1024 * 1024

    run(scenario(), 120)


def test_insights_only_for_admins_and_owners(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner
) -> None:
    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            window = window_of(app)
            owner = any(c.my_role == "owner" for c in my_communities(context_of(app).reader))
            await until(
                lambda: window.sidebar.is_entry_visible("insights") == owner, 5, "insights visibility"
            )

    run(scenario(), 90)


# --- navigation --------------------------------------------------------------------------------------


def test_sidebar_and_keyboard_shortcuts_switch_panes(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner, screenshot_dir: Path
) -> None:
    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            window = window_of(app)
            await activate(window)
            for key in SIDEBAR_KEYS:
                button = window.sidebar.buttons[key]
                if not window.sidebar.is_entry_visible(key):
                    continue
                QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                                 QPoint(20, button.height() // 2))  # fmt: skip
                assert window.current_key == key, key
                assert window.stack.currentWidget() is window.panes[key]
                assert button.isChecked()
                assert button.accessibleName().startswith(window.top_bar.title_label.text())
            for key in ("wiki", "apps"):
                assert isinstance(window.panes[key], ComingPane)
                save(window.panes[key], screenshot_dir, f"pane-{key}")
            for number, key in enumerate(SIDEBAR_KEYS, start=1):
                if window.sidebar.is_entry_visible(key):
                    QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
                    assert window.current_key == key, f"Ctrl+{number}"
            QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
            assert window.current_key == "home"
            # the sidebar from the keyboard: arrows move between entries, Enter opens one
            sidebar = window.sidebar
            sidebar.buttons["home"].setFocus(Qt.FocusReason.TabFocusReason)
            QTest.keyClick(sidebar.buttons["home"], Qt.Key.Key_Up)
            assert sidebar.buttons["home"].hasFocus(), "the first entry stays"
            QTest.keyClick(sidebar.buttons["home"], Qt.Key.Key_Down)
            QTest.keyClick(sidebar.buttons["communities"], Qt.Key.Key_Down)
            assert sidebar.buttons["questions"].hasFocus() and window.current_key == "home"
            QTest.keyClick(sidebar.buttons["questions"], Qt.Key.Key_Return)
            assert window.current_key == "questions"
            QTest.keyClick(sidebar.buttons["questions"], Qt.Key.Key_End)
            last = [key for key in SIDEBAR_KEYS if sidebar.is_entry_visible(key)][-1]
            assert sidebar.buttons[last].hasFocus()
            sidebar.set_entry_visible(last, False)  # e.g. Insights, no longer owner of anything
            above = [key for key in SIDEBAR_KEYS if sidebar.is_entry_visible(key)][-1]
            assert QApplication.focusWidget() is sidebar.buttons[above], "not off to the Settings button"
            sidebar.set_entry_visible(last, True)
            QTest.keyClick(sidebar.buttons[last], Qt.Key.Key_Home)
            QTest.keyClick(sidebar.buttons["home"], Qt.Key.Key_Space)
            assert window.current_key == "home"
            seen = len(app.states)
            QTest.keyClick(window, Qt.Key.Key_F5)  # sync now
            await until(lambda: EngineState.SYNCING in app.states[seen:], 10, "F5 to start a sync")
            await until(lambda: app.states[-1] == EngineState.ONLINE, 30, "the sync to finish")

            moves: list[str] = []
            home: Any = window.current_pane()
            home.select_next = lambda: moves.append("next")
            home.select_previous = lambda: moves.append("previous")
            home.setFocus()
            QTest.keyClick(window, Qt.Key.Key_J)
            QTest.keyClick(window, Qt.Key.Key_K)
            assert moves == ["next", "previous"]

            QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
            assert window.top_bar.search_field.hasFocus()
            QTest.keyClicks(window.top_bar.search_field, "vpn")
            assert window.current_key == "search"
            assert window.top_bar.title_label.text() == "Search"
            await asyncio.sleep(0.5)
            save(window, screenshot_dir, "shell-search")
            QTest.keyClick(window.top_bar.search_field, Qt.Key.Key_Escape)
            assert window.current_key == "home" and window.top_bar.search_field.text() == ""
            window.show_pane("people")
            QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
            assert window.top_bar.search_field.hasFocus()
            # a post opened from People opens in Home; its "← Back" returns to People
            some_post = context_of(app).reader.conn.execute("SELECT id FROM posts LIMIT 1").fetchone()[0]
            context_of(app).navigate.emit("post", some_post)
            assert window.current_key == "home"
            opened: Any = window.current_pane()
            QTest.mouseClick(opened.browser.thread_view.close_button, Qt.MouseButton.LeftButton)
            assert window.current_key == "people", "back where the person was"
            window.show_pane("home")

            dialogs_before = set(top_level(QDialog))
            QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
            assert window.current_key == "home"
            if callable(getattr(window.current_pane(), "new_post", None)):
                await until(lambda: set(top_level(QDialog)) - dialogs_before, 5, "the new-post composer")
                for dialog in set(top_level(QDialog)) - dialogs_before:
                    dialog.reject()

    run(scenario(), 120)


def test_a_pane_that_cannot_load_is_replaced_not_fatal(ui_app: Any, screenshot_dir: Path) -> None:
    class StubContext(QObject):
        cache_changed = Signal(object)

    context: Any = StubContext()
    missing = PaneEntry("wiki", "Wiki", "wiki", "atrium.ui.panes.no_such_pane:WikiPane")
    pane = build_pane(missing, context)
    assert isinstance(pane, UnavailablePane) and "no_such_pane" in pane.reason
    broken = PaneEntry("wiki", "Wiki", "wiki", "atrium.ui.panes.coming:NoSuchClass")
    assert isinstance(build_pane(broken, context), UnavailablePane)
    coming = build_pane(BY_KEY["apps"], context)
    assert isinstance(coming, ComingPane) and not isinstance(coming, UnavailablePane)
    coming.resize(800, 500)
    coming.show()
    assert not missing_texts(coming, coming.self_test_texts())
    assert distinct_colours(coming.grab().toImage()) > 16
    save(coming, screenshot_dir, "pane-coming")
    for widget in (pane, coming):
        widget.deleteLater()


# --- status and outbox ----------------------------------------------------------------------------------


def test_status_counts_what_a_long_sync_has_downloaded(ui_app: Any) -> None:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        area = StatusArea()
        area.set_status(EngineStatus(EngineState.SYNCING, received=25_000))
        assert (area.state_label.text(), area.detail_label.text()) == ("Syncing…", "25,000 items downloaded")
        area.set_status(EngineStatus(EngineState.SYNCING, received=1))
        assert area.detail_label.text() == "1 item downloaded"
        area.set_status(EngineStatus(EngineState.SYNCING))  # a short sync: when it last synced
        assert area.detail_label.text() == "Not synced yet"
    finally:
        QLocale.setDefault(before)


def test_status_counts_down_to_the_next_try_while_offline(
    ui_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atrium.ui import status_area

    now = [1000.0]
    monkeypatch.setattr(status_area.time, "monotonic", lambda: now[0])
    area = StatusArea()
    area.set_status(EngineStatus(EngineState.OFFLINE, "offline", retry_in=30.0))
    assert area.detail_label.text().endswith("retrying in 30 s")
    now[0] += 12.4
    area._countdown.timeout.emit()  # the strip's one-second tick
    assert area.detail_label.text().endswith("retrying in 18 s")
    now[0] += 60
    area._countdown.timeout.emit()
    assert area.detail_label.text().endswith("retrying in 1 s"), "due: never 0 or negative"
    area.set_status(EngineStatus(EngineState.ONLINE))
    assert "retrying" not in area.detail_label.text() and not area._countdown.isActive()


def test_status_shows_offline_and_waiting_changes_and_outbox_discards(
    signed_in_session: DesktopSession,
    demo_server: RunningServer,
    ui_app: Any,
    run: Runner,
    screenshot_dir: Path,
) -> None:
    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            window, context = window_of(app), context_of(app)
            status = window.status_area
            demo_server.stop()
            community = my_communities(context.reader)[0]
            await context.actions.create_post(community.id, "Written on the train, sent when we land.")
            await until(lambda: status.pending_button.isVisible(), 10, "the waiting-changes button")
            assert status.pending_button.text() == "1 change waiting to be sent"
            await until(lambda: status.state_label.text() == "Offline", 30, "the status area to say Offline")
            assert "Synced" in status.detail_label.text()
            home: Any = window.current_pane()
            await until(
                lambda: any(home.model.index(row).data(FeedRole.Status) == "Waiting to send"
                            for row in range(home.model.rowCount())),
                5, "the card to say it waits for the network (not Sending…)",
            )  # fmt: skip
            save(window, screenshot_dir, "shell-offline-pending")

            QTest.mouseClick(status.pending_button, Qt.MouseButton.LeftButton)
            await until(lambda: top_level(OutboxDialog), 5, "the outbox dialog")
            outbox = top_level(OutboxDialog)[0]
            assert outbox.model.rowCount() == 1
            assert outbox.model.index(0, 0).data() == "New post: “Written on the train, sent when we land.”"
            assert outbox.model.index(0, 3).data() == "", "waiting, not refused: the status area says why"
            outbox.table.selectRow(0)
            assert outbox.retry_button.isEnabled() and outbox.discard_button.isEnabled()
            assert unnamed_controls(outbox) == []
            QTest.mouseClick(outbox.copy_button, Qt.MouseButton.LeftButton)  # the whole text, to keep
            assert QGuiApplication.clipboard().text() == "Written on the train, sent when we land."
            save(outbox, screenshot_dir, "outbox-dialog")
            QTest.mouseClick(outbox.discard_button, Qt.MouseButton.LeftButton)
            await until(lambda: top_level(QMessageBox), 5, "the discard confirmation")
            box = top_level(QMessageBox)[0]
            discard = next(b for b in box.buttons() if b.text() == "Discard")
            QTest.mouseClick(discard, Qt.MouseButton.LeftButton)
            await until(lambda: outbox.model.rowCount() == 0, 10, "the entry to be discarded")
            await until(lambda: not status.pending_button.isVisible(), 10, "no waiting changes")
            outbox.accept()

    run(scenario(), 120)


def test_a_refused_post_says_why_where_it_is_shown_and_is_retried_or_discarded_there(
    signed_in_session: DesktopSession,
    demo_server: RunningServer,
    ui_app: Any,
    run: Runner,
    screenshot_dir: Path,
) -> None:
    from tests.harness import start_server

    async def scenario() -> None:
        nonlocal demo_server
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            window, context = window_of(app), context_of(app)
            community = next(c for c in my_communities(context.reader) if c.kind != "announcements")
            # removed from the community on the server; this desktop has not heard yet
            port = int(demo_server.url.rsplit(":", 1)[1])
            url, files = demo_server.database_url, Path(demo_server.app.state.atrium.files_dir)
            demo_server.stop()
            with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db, db:
                db.execute(
                    "DELETE FROM memberships WHERE community_id = ? AND user_id = ?",
                    (community.id, context.me),
                )
            # written while the server was away: the post, a comment on it and a like
            post_id = await context.actions.create_post(community.id, "Refused: posted after being removed.")
            await context.actions.comment(post_id, "A first comment on it.")
            await context.actions.set_like("post", post_id, True)
            demo_server = start_server(url, files, port=port)
            app.sync_now()
            home: Any = window.current_pane()
            index = lambda: home.model.index(home.model.row_of(post_id) or 0)  # noqa: E731
            await until(lambda: str(index().data(FeedRole.Status)).startswith("Not sent:"), 30, "the refusal")
            reason = index().data(FeedRole.Failed)
            assert reason and "Atrium" not in reason, "the server's own reason, not a generic failure"
            status = window.status_area
            await until(lambda: status.error_label.isVisible(), 5, "the status area to say so")
            assert status.error_label.text().endswith(f"not sent: {reason}"), "the first refusal's reason"
            # the comment and the like fail after the post, maybe at a later count: still its reason
            window.failed = 1
            window.refresh_counts()
            assert status.error_label.text() == f"3 changes were not sent: {reason}"
            assert index().data(FeedRole.Status) == f"Not sent: {reason}"
            assert home.open_item("post", post_id)
            thread = home.thread_view
            await until(lambda: reason in thread.browser.toPlainText(), 10, "the reason in the thread")
            assert "Retry" in thread.browser.toPlainText() and "Discard" in thread.browser.toPlainText()
            assert not thread.editor.isEnabled() and not thread.like_button.isEnabled(), "nothing to add to"
            assert thread.more_button.isEnabled() and thread.current is not None
            menu = build_post_menu(context, thread.current.post, thread, edit_post=lambda _post: None)
            offered = [action.text() for action in menu.actions() if action.text()]
            assert offered == ["Edit…", "Delete post…"], "what the server never had: correct it, or drop it"
            save(window, screenshot_dir, "refused-post")

            def outbox() -> tuple[int, str]:
                return context.reader.conn.execute(
                    "SELECT attempts, state FROM outbox ORDER BY id"
                ).fetchone()

            before = outbox()[0]
            thread.activate_link(f"atrium://action/retry/post:{post_id}")
            await until(
                lambda: outbox()[0] > before and outbox()[1] == "failed", 30, "the retry refused again"
            )
            await until(lambda: str(index().data(FeedRole.Status)).startswith("Not sent:"), 30, "said again")
            thread.activate_link(f"atrium://action/discard/post:{post_id}")
            await until(lambda: top_level(QMessageBox), 5, "the discard confirmation")
            box = top_level(QMessageBox)[0]
            QTest.mouseClick(
                next(b for b in box.buttons() if b.text() == "Discard"), Qt.MouseButton.LeftButton
            )
            await until(lambda: home.model.row_of(post_id) is None, 10, "the post to leave the feed")
            await until(lambda: not thread.isVisible(), 5, "the thread of a post that never was to close")
            assert context.reader.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
            # nothing refused is left: the status area stops saying so at once, not 10 s later
            await until(lambda: not status.error_label.isVisible(), 2, "the refusal to be withdrawn")

    try:
        run(scenario(), 120)
    finally:
        demo_server.stop()


def test_refused_changes_read_as_not_sent_and_their_text_as_typed(qtbot: Any) -> None:
    status = StatusArea()
    qtbot.addWidget(status)
    status.set_counts(0, 1)
    assert status.pending_button.text() == "1 change not sent"
    status.set_counts(2, 1, 1)
    assert status.pending_button.text() == "2 changes waiting to be sent · 1 not sent · 1 draft"
    refused = OutboxEntry(1, "op", "create_post", "POST", "/posts", {"title": "Jam", "body": "Pasted\x00 text"},
                          "post", "p", "2026-11-28T00:00:00Z", 1, "failed", "body: no NUL", None)  # fmt: skip
    assert text_of(refused) == "Jam\nPasted text" and summary_of(refused) == "Jam Pasted text"
    assert kind_label("create_post") == "New post" and kind_label("move_post") == "Move post"


def _cache_written_by_a_newer_atrium(path: Path) -> None:
    cache = open_cache(path)
    cache.conn.execute("PRAGMA user_version = 99")
    cache.close()


def _format_of(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        found: int = conn.execute("PRAGMA user_version").fetchone()[0]
        return found


@pytest.mark.parametrize("choice", ["Start with a fresh copy", "Quit"])
def test_a_cache_from_a_newer_atrium_is_set_aside_only_when_asked(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner, screenshot_dir: Path, choice: str
) -> None:
    """After IT rolls Atrium back, the newer cache is not thrown away: the person may keep it and
    quit (to update Atrium), or set it aside, kept beside the new one, and download a fresh copy."""
    cache_db = signed_in_session.profile.cache_db
    _cache_written_by_a_newer_atrium(cache_db)

    async def scenario() -> None:
        controller = AppController(signed_in_session, ui_app[1])
        task = asyncio.ensure_future(controller.run())
        await until(lambda: top_level(QMessageBox), 15, "the question about the newer offline copy")
        box = top_level(QMessageBox)[0]
        assert "newer version of Atrium" in box.text() and str(cache_db) in box.toolTip()
        assert unnamed_controls(box) == []
        save(box, screenshot_dir, "newer-cache")
        QTest.mouseClick(next(b for b in box.buttons() if b.text() == choice), Qt.MouseButton.LeftButton)
        if choice == "Quit":  # the person's own choice, not a failure: exit 0
            assert await asyncio.wait_for(task, 30) == 0
            assert _format_of(cache_db) == 99 and not list(cache_db.parent.glob("cache.db.newer-*"))
            return
        await until(lambda: controller.window is not None, 30, "the window")
        await asyncio.wait_for(controller.synced.wait(), 60)
        (aside,) = cache_db.parent.glob("cache.db.newer-*")
        assert _format_of(aside) == 99 and _format_of(cache_db) == LATEST_VERSION
        controller.request_quit(0)
        await asyncio.wait_for(task, 30)

    run(scenario(), 120)


def test_signing_in_over_a_newer_cache_still_offers_the_fresh_copy(
    demo_server: RunningServer, tmp_path: Path, ui_app: Any, run: Runner
) -> None:
    """Where tokens last one run (no secure keyring) every start signs in first: the sign-in must
    not stop at the newer file, and the fresh copy must know whose it is."""
    session = DesktopSession.open(tmp_path / "profile")
    _cache_written_by_a_newer_atrium(session.profile.cache_db)
    auto = AutoSignIn(demo_server.url, "demo", DEMO_PASSWORD)

    async def scenario() -> None:
        controller = AppController(session, ui_app[1], auto_sign_in=auto)
        task = asyncio.ensure_future(controller.run())
        await until(lambda: top_level(QMessageBox), 30, "the question about the newer offline copy")
        question = top_level(QMessageBox)[0]
        fresh = next(b for b in question.buttons() if b.text() == "Start with a fresh copy")
        QTest.mouseClick(fresh, Qt.MouseButton.LeftButton)
        await asyncio.wait_for(controller.synced.wait(), 60)
        assert controller.reader is not None and session.account is not None
        assert read_sync_state(controller.reader).user_id == session.account.user_id
        controller.request_quit(0)
        await asyncio.wait_for(task, 30)
        await session.close()

    run(scenario(), 120)


def test_a_newer_cache_that_cannot_be_moved_is_left_and_said_so(
    signed_in_session: DesktopSession, ui_app: Any, run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_db = signed_in_session.profile.cache_db
    _cache_written_by_a_newer_atrium(cache_db)

    def cannot_move(path: Path) -> Path:  # fault injection: e.g. a read-only folder
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(controller_module, "set_aside", cannot_move)

    async def scenario() -> None:
        controller = AppController(signed_in_session, ui_app[1])
        task = asyncio.ensure_future(controller.run())
        await until(lambda: top_level(QMessageBox), 15, "the question about the newer offline copy")
        question = top_level(QMessageBox)[0]
        fresh = next(b for b in question.buttons() if b.text() == "Start with a fresh copy")
        QTest.mouseClick(fresh, Qt.MouseButton.LeftButton)
        await until(lambda: top_level(QMessageBox) and top_level(QMessageBox)[0] is not question, 15, "why")
        problem = top_level(QMessageBox)[0]
        assert problem.text() == "The offline copy could not be set aside."
        assert "Permission denied" in problem.informativeText()
        problem.accept()
        assert await asyncio.wait_for(task, 30) == 1
        assert _format_of(cache_db) == 99

    run(scenario(), 120)


# --- sign-in and settings under managed policy -----------------------------------------------------------


def write_policy(folder: Path, values: dict[str, Any]) -> Path:
    path = folder / "policy.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def test_policy_locked_server_cannot_be_edited_in_sign_in_dialog(
    tmp_path: Path, ui_app: Any, run: Runner
) -> None:
    policy = write_policy(tmp_path, {"server_url": "https://atrium.example.com"})
    settings = Settings.load(tmp_path / "settings.json", policy_source=policy)
    attempts: list[tuple[str, str, str]] = []

    async def sign_in(server: str, username: str, password: str) -> None:
        attempts.append((server, username, password))

    async def scenario() -> None:
        dialog = SignInDialog(settings, sign_in)
        dialog.show()
        assert dialog.server_edit.text() == "https://atrium.example.com"
        assert dialog.server_edit.isReadOnly()
        assert dialog.locked_label.isVisible() and dialog.locked_label.text() == "Set by your organisation"
        assert "Set by your organisation" in dialog.server_edit.toolTip()
        assert unnamed_controls(dialog) == []
        dialog.server_edit.setFocus()
        QTest.keyClicks(dialog.server_edit, "evil.example.org")
        assert dialog.server_edit.text() == "https://atrium.example.com"
        QTest.keyClicks(dialog.username_edit, "demo")
        QTest.keyClicks(dialog.password_edit, "demo")
        QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.result() == QDialog.DialogCode.Accepted, 5, "the dialog to accept")
        assert attempts == [("https://atrium.example.com", "demo", "demo")]
        dialog.deleteLater()

    run(scenario())


def test_sign_in_dialog_shows_api_errors(demo_server: RunningServer, tmp_path: Path, ui_app: Any, run: Runner,
                                         screenshot_dir: Path) -> None:  # fmt: skip
    session = DesktopSession.open(tmp_path / "profile")

    async def scenario() -> None:
        dialog = SignInDialog(session.settings, session.sign_in, server=demo_server.url)
        dialog.show()
        QTest.keyClicks(dialog.username_edit, "demo")
        QTest.keyClicks(dialog.password_edit, "not the password")
        QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.error_label.isVisible(), 20, "the wrong-password error")
        assert dialog.error_label.text() == "Wrong user name or password."
        assert dialog.isVisible() and dialog.sign_in_button.isEnabled()
        save(dialog, screenshot_dir, "signin-error")
        dialog.server_edit.setText("http://127.0.0.1:9")  # nothing listens on the discard port
        dialog.password_edit.setText("demo")
        QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await until(lambda: "could not reach" in dialog.error_label.text(), 20, "the unreachable error")
        assert "changes" not in dialog.error_label.text(), "no unsent changes exist before signing in"
        await until(lambda: dialog.sign_in_button.isEnabled(), 5, "the dialog to be ready again")
        for edit in (dialog.server_edit, dialog.username_edit, dialog.password_edit):
            assert edit.height() >= edit.sizeHint().height(), "a long error must not squash the fields"
        save(dialog, screenshot_dir, "signin-unreachable")
        dialog.server_edit.setText(f"{demo_server.url}/not-atrium")  # answers, but not as Atrium
        QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: "not as an Atrium server" in dialog.error_label.text(), 20, "the wrong-address error"
        )
        assert "try again" not in dialog.error_label.text(), "nothing retries a sign-in by itself"
        dialog.reject()
        dialog.deleteLater()

    run(scenario())
    assert session.account is None


def test_settings_dialog_greys_out_policy_locked_rows_and_validates(
    tmp_path: Path, ui_app: Any, screenshot_dir: Path
) -> None:
    policy = write_policy(tmp_path, {"sync_interval_seconds": 600, "desktop_notifications": False})
    settings = Settings.load(tmp_path / "settings.json", policy_source=policy)
    dialog = SettingsDialog(settings)
    dialog.show()
    assert "allow_server_change" not in dialog.rows, "policy-only, and this policy does not set it"
    for name in ("sync_interval_seconds", "desktop_notifications"):
        row = dialog.rows[name]
        assert not row.editor.isEnabled(), name
        assert row.note.isVisible() and row.note.text() == "Set by your organisation"
        assert row.editor.toolTip() == settings.locked_reason(name)
    interval, proxy, theme = (
        dialog.rows[name].editor for name in ("sync_interval_seconds", "proxy", "theme")
    )
    assert isinstance(interval, QSpinBox) and isinstance(proxy, QLineEdit) and isinstance(theme, QComboBox)
    assert interval.value() == 600
    assert theme.isEnabled() and not dialog.rows["theme"].note.isVisible()
    assert unnamed_controls(dialog) == []
    save(dialog, screenshot_dir, "settings-dialog")

    proxy.setText("ftp://proxy.example.com")
    theme.setCurrentIndex(theme.findData("dark"))
    assert dialog.save() is False
    assert dialog.rows["proxy"].note.isVisible() and "proxy" in dialog.rows["proxy"].note.text().lower()
    assert settings.get("theme") == "system" and dialog.isVisible()
    proxy.setText("direct")
    retention = dialog.rows["retention_days"].editor
    assert isinstance(retention, QSpinBox)
    retention.selectAll()
    QTest.keyClicks(retention, "0")  # below the range: the box keeps its last good number
    assert dialog.save() is False and settings.get("retention_days") == 90
    assert dialog.rows["retention_days"].note.text() == "Enter a whole number from 1 to 3,650."
    retention.setValue(30)
    certificates = dialog.rows["extra_ca_bundle"].editor
    assert isinstance(certificates, QLineEdit)
    certificates.setText(str(tmp_path / "missing.pem"))
    assert dialog.save() is False and dialog.rows["extra_ca_bundle"].note.text().startswith(
        "There is no file at"
    )
    certificates.setText("")
    assert dialog.save() is True
    assert settings.get("retention_days") == 30
    assert settings.get("theme") == "dark" and settings.get("proxy") == "direct"
    assert json.loads(settings.settings_file.read_text())["theme"] == "dark"
    dialog.deleteLater()


# --- losing the sign-in ---------------------------------------------------------------------------------


def test_revoked_device_signs_out_wipes_and_asks_to_sign_in(
    signed_in_session: DesktopSession,
    demo_server: RunningServer,
    ui_app: Any,
    run: Runner,
    screenshot_dir: Path,
) -> None:
    session = signed_in_session
    cache_file = session.profile.cache_db
    assert session.account is not None
    device_id = session.account.device_id

    async def scenario() -> None:
        async with Shell(session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            assert cache_file.exists()
            other = Api(demo_server.api)
            login = other.post(
                "/auth/login", json={"username": "demo", "password": "demo", "device_name": "phone"}
            )
            other = Api(demo_server.api, login.json()["token"])
            assert other.delete(f"/devices/{device_id}").status_code == 204
            other.close()
            app.sync_now()  # what F5 does; the next sync finds out
            await until(lambda: isinstance(app.dialog, SignInDialog), 30, "the sign-in dialog")
            assert app.window is None and app.reader is None
            assert not cache_file.exists()
            assert session.account is None and session.token() is None
            assert EngineState.REVOKED in app.states
            dialog = app.dialog
            assert isinstance(dialog, SignInDialog)
            assert "signed out remotely" in dialog.notice_label.text() and dialog.notice_label.isVisible()
            save(dialog, screenshot_dir, "signin-after-revoke")
            dialog.reject()

    run(scenario(), 120)


def test_unauthorized_asks_to_sign_in_again_and_keeps_unsent_work(
    signed_in_session: DesktopSession, demo_server: RunningServer, ui_app: Any, run: Runner
) -> None:
    session = signed_in_session

    async def scenario() -> None:
        async with Shell(session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            window, context = window_of(app), context_of(app)
            token = session.token()
            assert Api(demo_server.api, token).post("/auth/logout").status_code in (200, 204)
            community = my_communities(context.reader)[0]
            await context.actions.create_post(community.id, "Queued while my sign-in expired.")
            await until(lambda: isinstance(app.dialog, SignInDialog), 30, "the sign-in-again dialog")
            dialog = app.dialog
            assert isinstance(dialog, SignInDialog)
            assert dialog.username_edit.text() == "demo" and dialog.username_edit.isReadOnly()
            assert "unsent changes are kept" in dialog.notice_label.text()
            assert window.status_area.state_label.text() == "Signed out"
            pending = window.status_area.pending_button
            await until(lambda: pending.text() == "1 change waiting to be sent", 5, "the waiting change")
            QTest.keyClicks(dialog.password_edit, "demo")
            QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
            await until(lambda: app.dialog is None, 20, "the dialog to close")
            assert session.token() != token
            await until(lambda: not window.status_area.pending_button.isVisible(), 30, "the post to be sent")
            state = window.status_area.state_label
            await until(lambda: state.text() == "Online", 30, "the sync after signing in again to finish")

    run(scenario(), 120)


# --- desktop notifications -----------------------------------------------------------------------------


def test_a_new_mention_pops_up_a_desktop_notification(
    signed_in_session: DesktopSession, demo_server: RunningServer, ui_app: Any, run: Runner
) -> None:
    async def scenario() -> None:
        async with Shell(signed_in_session, ui_app[1]) as app:
            await asyncio.wait_for(app.synced.wait(), 60)
            context, tray = context_of(app), app.tray  # offscreen: no tray icon, but the same decisions
            assert tray is not None and tray.armed and tray.shown == []
            community = my_communities(context.reader)[0]
            colleague_id = context.reader.conn.execute(
                "SELECT user_id FROM memberships WHERE community_id = ? AND user_id != ? LIMIT 1",
                (community.id, context.me),
            ).fetchone()[0]
            colleague = person(context.reader, colleague_id)
            assert colleague is not None
            anonymous = Api(demo_server.api)
            login = anonymous.post("/auth/login", json={"username": colleague.handle, "password": "demo",
                                                        "device_name": "laptop"})  # fmt: skip
            anonymous.close()
            assert login.status_code == 200, login.text
            author = Api(demo_server.api, login.json()["token"])
            body = {
                "id": uuid7(),
                "community_id": community.id,
                "kind": "post",
                "body": "@demo can you check this?",
            }
            assert author.post("/posts", json=body).status_code in (200, 201)
            author.close()
            expected = f"{colleague.display_name} mentioned you in {community.name}"
            await until(lambda: ("Atrium", expected) in tray.shown, 30, "the mention pop-up")
            signed_in_session.settings.set("desktop_notifications", False)
            window = window_of(app)
            unread, shown = window.unread, len(tray.shown)
            author = Api(demo_server.api, login.json()["token"])
            body = {
                "id": uuid7(),
                "community_id": community.id,
                "kind": "post",
                "body": "@demo one more thing",
            }
            assert author.post("/posts", json=body).status_code in (200, 201)
            author.close()
            await until(lambda: window.unread > unread, 30, "the second mention to arrive")
            assert len(tray.shown) == shown  # the setting is off: no pop-up

    run(scenario(), 120)


# --- the self-test command -------------------------------------------------------------------------------


@pytest.mark.slow
def test_self_test_command_passes_and_writes_a_png_per_pane(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ATRIUM_FAST_PASSWORD_HASHING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "atrium.app.cli", "--self-test", "--screenshot-dir", str(shots)],
        capture_output=True, text=True, timeout=400, env=environment, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    lines = [line for line in done.stdout.splitlines() if line.startswith(("OK", "FAIL"))]
    expected = {"home", "communities", "questions", "wiki", "apps", "notifications", "people", "search"}
    assert expected <= {line.split()[1] for line in lines if line.startswith("OK")}, report
    assert not [line for line in lines if line.startswith("FAIL")], report
    for key in expected:
        png = shots / f"{key}.png"
        assert png.exists() and png.stat().st_size > 5_000, png
