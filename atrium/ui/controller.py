"""The life of the desktop app as one coroutine: sign in, open the window, sync, and shut down in order.

``AppController.run()`` runs on the qasync loop: sign in if needed, open the cache reader, the
window and the sync engine, wait until the person quits (or the device is revoked: then back
to sign-in with the cache wiped), and always shut down in order — tasks cancelled, engine
stopped, HTTP client and cache closed — while the loop still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable
from typing import Any, Literal

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QMessageBox

from atrium.app.engine import EngineState, EngineStatus
from atrium.app.services import Actions
from atrium.app.settings import attachment_cap_bytes
from atrium.cache import Cache, CacheDamagedError, CacheTooNewError, ChangeSet, open_cache, set_aside

from .app import AutoSignIn, DesktopSession, EngineBridge
from .context import UiContext
from .damage_watch import watch_for_damage
from .dialogs import run_dialog
from .main_window import MainWindow
from .network_watch import watch_network
from .outbox_dialog import OutboxDialog
from .settings_dialog import SettingsDialog
from .signin_dialog import SignInDialog
from .theme import ThemeManager
from .tray import Tray

log = logging.getLogger("atrium.ui")
REVOKED_NOTICE = ("This device was signed out remotely by you or your administrator, and its offline copy "
                  "was deleted. Sign in to continue.")  # fmt: skip
EXPIRED_NOTICE = "Your sign-in has expired. Sign in again; your unsent changes are kept."


def _tr(text: str) -> str:
    return QCoreApplication.translate("AppController", text)


def _nothing() -> None:
    pass


class AppController(QObject):
    quitting = Signal()
    """The person (or the system) asked the app to quit; the shutdown follows."""

    def __init__(self, session: DesktopSession, theme: ThemeManager, *, auto_sign_in: AutoSignIn | None = None,
                 listen_events: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.session = session
        self.theme = theme
        self.auto_sign_in = auto_sign_in
        self.listen_events = listen_events
        self.window: MainWindow | None = None
        self.context: UiContext | None = None
        self.reader: Cache | None = None
        self.tray: Tray | None = None
        self.status = EngineStatus(EngineState.STARTING)
        self.states: list[EngineState] = []  # every state seen, in order (tests and self-test read it)
        self.synced = asyncio.Event()  # set by the first successful sync of the current session
        self.dialog: QDialog | None = None
        self._outcome: asyncio.Future[str] | None = None
        self._quit_code = 0
        self._reauthenticating = False
        self._asked_to_sign_in = False
        self._stop_watching: Callable[[], None] = _nothing  # the damage watch of the open session
        self._unwritten_drafts: dict[str, dict[str, Any] | None] = {}  # typed, not kept: see _close
        self._bridge = EngineBridge(self)
        self._bridge.changes.connect(self._deliver_changes)
        self._bridge.status.connect(self._deliver_status)
        session.before_wipe = self._release_cache
        session.after_wipe = lambda: self._finish("revoked")
        session.settings.on_change(self._setting_changed)
        theme.set_choice(str(session.settings.get("theme")))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: self.request_quit(self._quit_code))

    # -- the life of the app -----------------------------------------------------------------------

    async def run(self) -> int:
        """Sign in, show the window, and run until the person quits; returns the exit code."""
        notice = ""
        reopened = False  # after damage met while opening: once
        try:
            while True:
                self._outcome = asyncio.get_running_loop().create_future()
                if not await self._ensure_signed_in(notice):
                    return self._quit_code
                try:
                    await self._open()
                except CacheTooNewError as error:  # e.g. after IT rolled Atrium back
                    log.warning("%s", error)
                    await self._close()
                    answer = await self._ask_to_set_aside(error)
                    if answer != "set aside":
                        return self._quit_code if answer == "quit" else 1
                    continue
                except CacheDamagedError as error:  # met while opening: marked, set aside when opened again
                    await self._close()
                    if reopened:
                        return await self._could_not_start(error)
                    log.warning("%s", error)
                    reopened = True
                    continue
                except Exception as error:  # say so, lose nothing
                    log.exception("the session could not start")
                    await self._close()
                    return await self._could_not_start(error)
                outcome = await self._outcome
                await self._close()
                if outcome == "damaged":  # opened again, the copy is set aside and rebuilt
                    notice = ""
                    continue
                self._unwritten_drafts = {}
                if outcome != "revoked":
                    return self._quit_code
                notice = _tr(REVOKED_NOTICE)
        finally:
            await self._close()

    async def _could_not_start(self, error: Exception) -> int:
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        box = QMessageBox(QMessageBox.Icon.Warning, _tr("Atrium could not start"), message)
        box.setAccessibleName(_tr("Atrium could not start"))
        await self._run_dialog(box)
        return 1

    async def _ask_to_set_aside(self, error: CacheTooNewError) -> Literal["set aside", "quit", "failed"]:
        """Offer to set a newer Atrium's offline copy aside (kept: its unsent work may matter) and
        download a fresh one: "set aside" when the person chose that and it was done, "quit" when
        they chose to quit (and update Atrium), "failed" when the copy could not be moved."""
        title = _tr("Offline copy from a newer Atrium")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            _tr("Your offline copy was saved by a newer version of Atrium, which this version cannot read."),
        )
        box.setAccessibleName(title)
        box.setInformativeText(
            _tr(
                "Quit and update Atrium to use it, or set it aside and download a fresh copy from the "
                "server. The copy set aside is kept, not deleted: changes the newer version had not sent "
                "yet are still in it."
            )
        )
        box.setToolTip(str(error))  # where the file is, and its format
        fresh = box.addButton(_tr("Start with a fresh copy"), QMessageBox.ButtonRole.AcceptRole)
        quit_button = box.addButton(_tr("Quit"), QMessageBox.ButtonRole.RejectRole)
        for button in (fresh, quit_button):
            button.setAccessibleName(button.text())
        bold = fresh.font()  # the style sheet bolds the default button: size it for that
        bold.setWeight(QFont.Weight.DemiBold)
        fresh.setFont(bold)
        box.setDefaultButton(fresh)
        await self._run_dialog(box)
        if box.clickedButton() is not fresh:
            return "quit"
        try:
            kept = set_aside(error.path)
        except OSError as failure:  # e.g. the folder is read-only: nothing was moved
            log.exception("could not set the newer offline copy aside")
            problem = QMessageBox(
                QMessageBox.Icon.Warning, title, _tr("The offline copy could not be set aside.")
            )
            problem.setInformativeText(str(failure))
            problem.setAccessibleName(title)
            await self._run_dialog(problem)
            return "failed"
        log.warning("the newer offline copy was set aside as %s", kept)
        return "set aside"

    def bring_to_front(self) -> None:
        """Show the window (or the dialog in front of it, e.g. sign-in), restored and on top:
        another start on this profile asked for it."""
        if self.tray is not None:
            self.tray.open_requested.emit()
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()

    def request_quit(self, code: int = 0) -> None:
        self.quitting.emit()
        self._quit_code = code
        if self.dialog is not None:
            self.dialog.reject()
        self._finish("quit")

    def _finish(self, outcome: str) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(outcome)

    async def _ensure_signed_in(self, notice: str) -> bool:
        moved = self.session.pinned_elsewhere()  # the policy now names another server: sign in there
        if self.session.account is not None and self.session.token() is not None and moved is None:
            return True
        notice = notice or moved or ""
        auto = self.auto_sign_in
        if auto is not None and not notice:
            try:
                await self.session.sign_in(auto.server, auto.username, auto.password)
                return True
            except Exception as error:
                log.warning("automatic sign-in failed: %s", error)
                notice = getattr(error, "message", None) or str(error)
        dialog = SignInDialog(self.session.settings, self.session.sign_in, notice=notice, warning=bool(notice),
                              server=auto.server if auto else None, username=auto.username if auto else "")  # fmt: skip
        return await self._run_dialog(dialog) == QDialog.DialogCode.Accepted

    async def _run_dialog(self, dialog: QDialog) -> int:
        self.dialog = dialog
        try:
            return await run_dialog(dialog)
        finally:
            self.dialog = None
            dialog.deleteLater()

    async def _open(self) -> None:
        """Start the session's engine (not its loop yet), the reader, the window; then start syncing."""
        session = self.session
        self.synced.clear()
        engine = await session.start(on_changed=self._bridge.changes.emit, on_status=self._bridge.status.emit,
                                     listen_events=self.listen_events, run_loop=False)  # fmt: skip
        assert session.account is not None and session.writer is not None
        session.writer.on_damaged = lambda: self._finish("damaged")  # SQLite found the file damaged
        self._stop_watching = watch_for_damage(session.profile.cache_db, lambda: self._finish("damaged"))
        self.reader = open_cache(session.profile.cache_db, read_only=True, verify=False)
        actions = Actions(
            session.writer, session.account.user_id, engine.wake, on_changed=self._bridge.changes.emit
        )
        await self._write_unwritten_drafts(actions)
        self.context = UiContext(
            self.reader, actions, session.settings, session.account.user_id, api=session.client
        )
        for problem in session.problems:
            log.warning("%s", problem)
        account = session.account
        self.window = MainWindow(self.context, self, account.display_name or account.handle, account.handle)
        self.tray = Tray(
            self.reader, session.settings, sync=self.sync_now, quit_app=self.request_quit, parent=self
        )
        self.tray.attach_window(self.window)
        self.tray.notifications_requested.connect(
            lambda: self.window and self.window.show_pane("notifications")
        )
        self.window.unread_changed.connect(self.tray.set_unread)
        self.context.cache_changed.connect(self.tray.on_cache_changed)
        self.window.show()
        # What start-up made (modules, widgets, settings) stays for the app's life: keep it out of the
        # collector's way, so a full collection while scrolling a long feed pauses ~25 ms, not ~60.
        gc.freeze()
        if session.problems:
            self.context.error.emit(session.problems[-1])
        engine.start()
        self._network = watch_network(self.sync_now)  # the network is back: send and fetch at once

    async def _write_unwritten_drafts(self, actions: Actions) -> None:
        """Typing the damaged copy could not keep goes into the rebuilt one, over what the rescue
        brought (it is newer)."""
        drafts, self._unwritten_drafts = self._unwritten_drafts, {}
        for key, fields in drafts.items():
            try:
                await (actions.save_draft(key, fields) if fields else actions.discard_draft(key))
            except Exception:  # the new copy takes no write either: the session says why soon
                log.exception("could not keep the draft %s in the rebuilt offline copy", key)

    def _release_cache(self) -> None:
        """Before a wipe: drop the window and close the reader (synchronously: the files go next)."""
        gc.unfreeze()  # the window going away may leave cycles only the collector can free
        if self.context is not None:
            for task in list(self.context._tasks):
                task.cancel()
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
            self.window = None
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    async def _close(self) -> None:
        self._stop_watching()
        self._stop_watching = _nothing
        if self.context is not None:
            with contextlib.suppress(CacheDamagedError):  # a damaged file took no write: rescued as it is
                await self.context.drafts.flush()  # what was typed a moment ago is written, not cancelled
            self._unwritten_drafts.update(self.context.drafts.unwritten)  # for a rebuilt copy
            await self.context.cancel_tasks()
        self._release_cache()
        await self.session.close()
        self.context = None

    # -- engine callbacks (delivered on the GUI thread by the bridge) --------------------------------

    def _deliver_changes(self, changes: ChangeSet) -> None:
        if self.context is not None:
            self.context.emit_changes(changes)

    def _deliver_status(self, status: EngineStatus) -> None:
        self.status = status
        self.states.append(status.state)
        if status.state == EngineState.ONLINE and status.last_sync_at:
            self.synced.set()
            if self.tray is not None:
                self.tray.arm()
        if self.context is not None:
            self.context.emit_status(status)
        if status.state == EngineState.ONLINE:
            self._asked_to_sign_in = False
        elif (
            status.state == EngineState.SIGNED_OUT and self.context is not None and not self._asked_to_sign_in
        ):
            self._asked_to_sign_in = True  # ask once; after a "Cancel" the status area's button asks again
            self.sign_in_again()

    # -- shell actions (the window calls these) -------------------------------------------------------

    def sync_now(self) -> None:
        if self.session.engine is not None:
            self.session.engine.wake(retry_now=True)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.session.settings, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_outbox(self) -> None:
        if self.context is not None:
            dialog = OutboxDialog(self.context, self.window)
            if self.window is not None:
                dialog.draft_opened.connect(self.window.open_draft)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def sign_in_again(self) -> None:
        if not self._reauthenticating and self.context is not None:
            self.context.spawn(self._reauthenticate())

    async def _reauthenticate(self) -> None:
        """Unauthorized: sign the same person in again; the cache and unsent work stay."""
        account = self.session.account
        if account is None:
            return
        self._reauthenticating = True
        try:
            dialog = SignInDialog(self.session.settings, self.session.sign_in, notice=_tr(EXPIRED_NOTICE),
                                  server=account.server, username=account.handle, lock_username=True,
                                  lock_server=True, parent=self.window)  # fmt: skip
            if (
                await self._run_dialog(dialog) == QDialog.DialogCode.Accepted
                and self.session.client is not None
            ):
                self.session.client.token = self.session.token()
                self.sync_now()
        finally:
            self._reauthenticating = False

    # -- settings that apply at once -------------------------------------------------------------------

    def _setting_changed(self, name: str, value: Any) -> None:
        engine = self.session.engine
        if name == "theme":
            self.theme.set_choice(str(value))
        elif name == "sync_interval_seconds" and engine is not None:
            engine.sync_interval = float(value)
        elif name == "retention_days" and engine is not None:
            engine.set_limits(window_days=int(value))
        elif name == "cache_size_cap_mb" and engine is not None:
            engine.set_limits(size_cap_bytes=int(value) * 1024 * 1024)
        elif name == "attachment_cache_mb" and engine is not None:
            engine.set_limits(attachment_cap_bytes=attachment_cap_bytes(self.session.settings))
