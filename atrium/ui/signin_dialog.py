"""The sign-in dialog: server (preset, and read-only when policy fixes it), user name, password, and clear errors.

The dialog does not talk to the network itself: it awaits the SIGN_IN coroutine it was given
and shows that coroutine's error (wrong password, offline, untrusted certificate...) inline.
Open it with ``dialogs.run_dialog`` (open() + finished), never exec().
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from atrium.app.errors import ApiError, sign_in_message
from atrium.app.settings import Settings

from .icons import logo_pixmap

log = logging.getLogger("atrium.ui")
SignIn = Callable[[str, str, str], Awaitable[object]]


def error_text(error: BaseException) -> str:
    """What to tell the person about a failed sign-in."""
    if isinstance(error, ApiError):
        return QCoreApplication.translate("SignInDialog", sign_in_message(error))
    if isinstance(error, ValueError | OSError):
        return str(error)
    return f"{type(error).__name__}: {error}"


class SignInDialog(QDialog):
    def __init__(self, settings: Settings, sign_in: SignIn, *, notice: str = "", warning: bool = False,
                 server: str | None = None, username: str = "", lock_username: bool = False,
                 lock_server: bool = False, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._sign_in = sign_in
        self._task: asyncio.Task[None] | None = None
        self.setObjectName("SignInDialog")
        self.setWindowTitle(self.tr("Sign in to Atrium"))
        self.setAccessibleName(self.tr("Sign in to Atrium"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        logo = QLabel(self)
        logo.setPixmap(logo_pixmap(48))
        logo.setAccessibleName(self.tr("Atrium logo"))
        layout.addWidget(logo, 0, Qt.AlignmentFlag.AlignHCenter)
        heading = QLabel(self.tr("Sign in to Atrium"), self)
        heading.setProperty("role", "heading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        intro = QLabel(
            self.tr("Your company's conversations, communities and knowledge, online or not."), self
        )
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        intro.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(intro)
        self.notice_label = QLabel(notice, self)
        self.notice_label.setProperty("role", "warning-notice" if warning else "notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setAccessibleName(notice)
        self.notice_label.setVisible(bool(notice))
        layout.addWidget(self.notice_label)
        layout.addSpacing(4)
        layout.addLayout(self._form(settings, server, username, lock_username, lock_server))
        self.error_label = QLabel(self)
        self.error_label.setObjectName("SignInError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Sign-in problem"))
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addSpacing(6)
        layout.addLayout(self._buttons())

    def _form(
        self, settings: Settings, server: str | None, username: str, lock_username: bool, lock_server: bool
    ) -> QFormLayout:
        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.server_edit = QLineEdit(server or str(settings.get("server_url") or ""), self)
        self.server_edit.setPlaceholderText("atrium.example.com")
        self.server_edit.setAccessibleName(self.tr("Server address"))
        reason = settings.locked_reason("server_url")
        self.server_locked = reason is not None
        self.locked_label = QLabel(self.tr("Set by your organisation"), self)
        self.locked_label.setProperty("role", "locked")
        self.locked_label.setAccessibleName(self.tr("Server address set by your organisation"))
        self.locked_label.setVisible(self.server_locked)
        self.server_edit.setReadOnly(lock_server)
        if reason is not None:
            self.server_edit.setReadOnly(True)
            self.server_edit.setToolTip(reason)
            self.locked_label.setToolTip(reason)
        server_box = QVBoxLayout()
        server_box.setSpacing(2)
        server_box.addWidget(self.server_edit)
        server_box.addWidget(self.locked_label)
        form.addRow(self.tr("Server"), server_box)
        self.username_edit = QLineEdit(username, self)
        self.username_edit.setAccessibleName(self.tr("User name"))
        self.username_edit.setReadOnly(lock_username)
        form.addRow(self.tr("User name"), self.username_edit)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Password"))
        form.addRow(self.tr("Password"), self.password_edit)
        for edit in (self.server_edit, self.username_edit, self.password_edit):
            edit.returnPressed.connect(self.submit)
            # never squeezed below a readable height when an error or notice takes room
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return form

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.cancel_button)
        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setAccessibleName(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        row.addWidget(self.sign_in_button)
        return row

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        for edit in (self.server_edit, self.username_edit, self.password_edit):
            if not edit.isReadOnly() and not edit.text():
                edit.setFocus()
                return
        self.password_edit.setFocus()

    # -- signing in ----------------------------------------------------------------------------------

    def submit(self) -> None:
        if self._task is not None and not self._task.done():
            return
        server = self.server_edit.text().strip()
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        missing = [name for name, value in ((self.tr("the server address"), server),
                                            (self.tr("your user name"), username),
                                            (self.tr("your password"), password)) if not value]  # fmt: skip
        if missing:
            self.show_error(self.tr("Please enter %1.").replace("%1", missing[0]))
            return
        self._set_busy(True)
        self._task = asyncio.ensure_future(self._attempt(server, username, password))

    async def _attempt(self, server: str, username: str, password: str) -> None:
        try:
            await self._sign_in(server, username, password)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.info("sign-in failed: %s", error)
            self._set_busy(False)
            self.show_error(error_text(error))
            self.password_edit.selectAll()
            self.password_edit.setFocus()
            return
        self._set_busy(False)
        self.accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setAccessibleDescription(message)
        self.error_label.setVisible(bool(message))
        QTimer.singleShot(0, self._fit_height)  # once the label has laid out its lines

    def _fit_height(self) -> None:
        """Tall enough for every line of the error (wrapped labels do not raise a layout's minimum)."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > self.height():
            self.resize(self.width(), needed)

    def _set_busy(self, busy: bool) -> None:
        for edit in (self.username_edit, self.password_edit):
            edit.setEnabled(not busy)
        self.server_edit.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText(self.tr("Signing in…") if busy else self.tr("Sign in"))
        if busy:
            self.error_label.hide()

    def reject(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        with contextlib.suppress(RuntimeError):
            if self._task is not None:
                self._task.cancel()
        super().closeEvent(event)
