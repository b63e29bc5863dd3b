"""The status strip under the panes: online / offline / syncing, when it last synced, and unsent work."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from atrium.app.engine import EngineState, EngineStatus

from .i18n import QT_TRANSLATE_NOOP, ntr
from .icons import icon
from .widgets.post_format import parse_time

ERROR_SHOWN_MS = 10_000
CLOCK_MS = 20_000  # "Synced 2 min ago" is redrawn this often


def _tr(text: str) -> str:
    return QCoreApplication.translate("StatusArea", text)


def _ntr(singular: str, plural: str, count: int) -> str:
    return ntr("StatusArea", singular, plural, count)


def relative_time(value: str | None, now: datetime | None = None) -> str:
    """ "just now", "2 min ago", "3 hours ago", or the date; "" for no time."""
    moment = parse_time(value)
    if moment is None:
        return ""
    seconds = max(0.0, ((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 60:
        return _tr("just now")
    if seconds < 3600:
        return _ntr("%n min ago", "%n min ago", int(seconds // 60))
    if seconds < 86_400:
        return _ntr("%n hour ago", "%n hours ago", int(seconds // 3600))
    return _tr("on %1").replace("%1", moment.astimezone().strftime("%d %b %Y"))


def describe_last_sync(last_sync_at: str | None, now: datetime | None = None) -> str:
    """ "Synced just now", "Synced 2 min ago"... or "Not synced yet"."""
    when = relative_time(last_sync_at, now)
    return _tr("Synced %1").replace("%1", when) if when else _tr("Not synced yet")


STATES: dict[EngineState, tuple[str, str, str]] = {  # state -> (label, icon, icon role)
    EngineState.STARTING: (QT_TRANSLATE_NOOP("StatusArea", "Starting…"), "sync", "muted"),
    EngineState.SYNCING: (QT_TRANSLATE_NOOP("StatusArea", "Syncing…"), "sync", "accent"),
    EngineState.ONLINE: (QT_TRANSLATE_NOOP("StatusArea", "Online"), "online", "success"),
    EngineState.OFFLINE: (QT_TRANSLATE_NOOP("StatusArea", "Offline"), "offline", "warning"),
    EngineState.SIGNED_OUT: (QT_TRANSLATE_NOOP("StatusArea", "Signed out"), "signed-out", "danger"),
    EngineState.REVOKED: (QT_TRANSLATE_NOOP("StatusArea", "Device signed out"), "warning", "danger"),
    EngineState.STOPPED: (QT_TRANSLATE_NOOP("StatusArea", "Stopped"), "offline", "muted"),
}


class StatusArea(QWidget):
    outbox_requested = Signal()
    sync_requested = Signal()
    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusArea")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setAccessibleName(self.tr("Sync status"))
        self.status = EngineStatus(EngineState.STARTING)
        self._retry_at: float | None = None  # monotonic time of the next try, while offline
        self.pending = 0
        self.failed = 0
        self.drafts = 0  # typed and not sent (kept on this computer): listed in the same dialog
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 5, 10, 5)
        layout.setSpacing(8)
        self.state_icon = QLabel(self)
        layout.addWidget(self.state_icon)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("StatusState")
        layout.addWidget(self.state_label)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("StatusDetail")
        layout.addWidget(self.detail_label)
        self.pending_button = QPushButton(self)
        self.pending_button.setObjectName("PendingButton")
        self.pending_button.setIcon(icon("outbox", "warning"))
        self.pending_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.pending_button.setToolTip(
            self.tr("See, retry or discard the changes that have not been sent, and your drafts")
        )
        self.pending_button.clicked.connect(self.outbox_requested)
        self.pending_button.hide()
        layout.addWidget(self.pending_button)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("StatusError")
        self.error_label.setAccessibleName(self.tr("Last problem"))
        self.error_label.hide()
        layout.addWidget(self.error_label, 1)
        layout.addStretch(0)
        self.sign_in_button = QPushButton(self.tr("Sign in again…"), self)
        self.sign_in_button.setObjectName("SignInAgainButton")
        self.sign_in_button.setAccessibleName(self.tr("Sign in again"))
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.sign_in_button.hide()
        layout.addWidget(self.sign_in_button)
        self.sync_button = QPushButton(icon("sync", "muted"), self.tr("Sync now"), self)
        self.sync_button.setObjectName("SyncNowButton")
        self.sync_button.setIconSize(QSize(14, 14))
        self.sync_button.setToolTip(self.tr("Sync now (F5)"))
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.clicked.connect(self.sync_requested)
        layout.addWidget(self.sync_button)
        self._error_timer = QTimer(self, singleShot=True, interval=ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self.error_label.hide)
        self._clock = QTimer(self, interval=CLOCK_MS)
        self._clock.timeout.connect(self._render)
        self._clock.start()
        self._countdown = QTimer(self, interval=1000)  # "retrying in N s" counts down
        self._countdown.timeout.connect(self._render)
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.StyleChange:  # the theme changed: icons in its colours
            self._render()
        super().changeEvent(event)

    def set_status(self, status: EngineStatus) -> None:
        self.status = status
        waiting = status.state == EngineState.OFFLINE and status.retry_in
        self._retry_at = time.monotonic() + status.retry_in if waiting and status.retry_in else None
        if self._retry_at is None:
            self._countdown.stop()
        elif not self._countdown.isActive():
            self._countdown.start()
        self._render()

    def seconds_to_retry(self) -> int | None:
        """Whole seconds until the engine tries again (at least 1), while it waits offline."""
        if self._retry_at is None:
            return None
        return max(1, math.ceil(self._retry_at - time.monotonic()))

    def set_counts(self, pending: int, failed: int, drafts: int = 0) -> None:
        self.pending, self.failed, self.drafts = pending, failed, drafts
        self._render()

    def show_error(self, message: str) -> None:
        first_line = message.strip().splitlines()[0] if message.strip() else ""
        self.error_label.setText(first_line)
        self.error_label.setToolTip(message)
        self.error_label.setVisible(bool(first_line))
        self._error_timer.start()

    def withdraw_error(self, message: str) -> None:
        """MESSAGE no longer holds (the refused changes were sent or discarded): hide it now if
        it is still the one shown."""
        if self.error_label.toolTip() == message:
            self._error_timer.stop()
            self.error_label.hide()

    def state_text(self) -> str:
        return _tr(STATES[self.status.state][0])

    def _render(self) -> None:
        label, icon_name, role = STATES[self.status.state]
        self.state_icon.setPixmap(icon(icon_name, role).pixmap(QSize(16, 16)))
        self.state_label.setText(_tr(label))
        detail = describe_last_sync(self.status.last_sync_at)
        if self.status.state == EngineState.SYNCING and self.status.received:
            detail = _ntr("%Ln item downloaded", "%Ln items downloaded", self.status.received)
        remaining = self.seconds_to_retry()
        if remaining is not None:
            detail += " · " + _ntr("retrying in %n s", "retrying in %n s", remaining)
        if self.status.state in (EngineState.SIGNED_OUT, EngineState.REVOKED) or (
            self.status.message and self.status.state == EngineState.OFFLINE
        ):
            self.detail_label.setToolTip(self.status.message)
        self.detail_label.setText(detail)
        self.state_icon.setAccessibleName(self.state_label.text())
        self.state_label.setAccessibleName(self.tr("Connection: %1").replace("%1", self.state_label.text()))
        self.detail_label.setAccessibleName(detail)
        waiting = self.pending + self.failed
        self.pending_button.setVisible(waiting > 0 or self.drafts > 0)
        if waiting or self.drafts:
            parts = []
            if self.pending:
                parts.append(
                    _ntr("%n change waiting to be sent", "%n changes waiting to be sent", self.pending)
                )
            if self.failed:  # refused: "not sent", whether or not others wait beside them
                parts.append(
                    _ntr("%n change not sent", "%n changes not sent", self.failed)
                    if not self.pending
                    else _ntr("%n not sent", "%n not sent", self.failed)
                )
            if self.drafts:
                parts.append(_ntr("%n draft", "%n drafts", self.drafts))
            text = " · ".join(parts)
            self.pending_button.setText(text)
            self.pending_button.setAccessibleName(text)
            self.pending_button.setProperty("failed", self.failed > 0)
            self.pending_button.style().unpolish(self.pending_button)
            self.pending_button.style().polish(self.pending_button)
        self.sign_in_button.setVisible(self.status.state == EngineState.SIGNED_OUT)
        self.sync_button.setEnabled(self.status.state not in (EngineState.REVOKED, EngineState.STOPPED))
