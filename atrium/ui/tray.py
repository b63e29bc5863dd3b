"""The tray icon (unread count on the logo) and desktop notifications for new mentions and replies.

Notifications respect the ``desktop_notifications`` setting and start only after the first
sync, so a fresh sign-in does not replay months of history as pop-ups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from atrium.app.settings import Settings
from atrium.cache import Cache, Notification, community, notifications

from .i18n import ntr
from .icons import logo_pixmap
from .status_area import parse_time

ANNOUNCED_KINDS = ("mention", "reply")
MAX_SEPARATE_MESSAGES = 3
FRESH_FOR = timedelta(days=1)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Tray", text)


def badged_icon(count: int) -> QIcon:
    """The logo with a red count badge (none for 0)."""
    pixmap = logo_pixmap(32, 2.0)
    if count > 0:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#E5484D"))
        rect = QRectF(14, 0, 18, 18)
        painter.drawEllipse(rect)
        font = QFont()
        font.setPixelSize(11)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "9+" if count > 9 else str(count))
        painter.end()
    return QIcon(pixmap)


def message_for(note: Notification, community_name: str | None) -> str:
    actor = note.actor_name or _tr("Someone")
    if note.kind == "mention":
        text = _tr("%1 mentioned you") if not community_name else _tr("%1 mentioned you in %2")
    else:
        text = _tr("%1 replied to you") if not community_name else _tr("%1 replied to you in %2")
    return text.replace("%1", actor).replace("%2", community_name or "")


class Tray(QObject):
    open_requested = Signal()
    notifications_requested = Signal()

    def __init__(self, reader: Cache, settings: Settings, *, sync: Callable[[], None],
                 quit_app: Callable[[], None], parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.reader = reader
        self.settings = settings
        self.armed = False
        self.shown: list[tuple[str, str]] = []  # (title, message) of desktop notifications, newest last
        self._seen: set[str] = set()
        self.icon: QSystemTrayIcon | None = None
        self._menu: QMenu | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._menu = QMenu()
            self._menu.addAction(_tr("Open Atrium"), self.open_requested.emit)
            self._menu.addAction(_tr("Sync now"), sync)
            self._menu.addSeparator()
            self._menu.addAction(_tr("Quit Atrium"), quit_app)
            self.icon = QSystemTrayIcon(badged_icon(0), self)
            self.icon.setContextMenu(self._menu)
            self.icon.setToolTip(_tr("Atrium"))
            self.icon.activated.connect(self._activated)
            self.icon.messageClicked.connect(self.notifications_requested.emit)
            self.icon.show()

    def arm(self) -> None:
        """From now on, new mentions and replies pop up (called after the first sync)."""
        if not self.armed:
            self._seen.update(note.id for note in notifications(self.reader, limit=200))
            self.armed = True

    def set_unread(self, count: int) -> None:
        if self.icon is not None:
            self.icon.setIcon(badged_icon(count))
            tip = ntr("Tray", "Atrium: %n unread notification", "Atrium: %n unread notifications", count)
            self.icon.setToolTip(tip if count else _tr("Atrium"))

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        if not self.armed or "notification" not in changes or not self.settings.get("desktop_notifications"):
            return
        changed = set(changes["notification"])
        fresh_after = datetime.now(UTC) - FRESH_FOR
        new = []
        for note in notifications(self.reader, limit=100):
            if note.id not in changed or note.id in self._seen:
                continue
            self._seen.add(note.id)
            moment = parse_time(note.created_at)
            if not note.read and note.kind in ANNOUNCED_KINDS and (moment is None or moment >= fresh_after):
                new.append(note)
        if len(new) > MAX_SEPARATE_MESSAGES:
            self._show(
                _tr("Atrium"), ntr("Tray", "%n new mention or reply", "%n new mentions and replies", len(new))
            )
            return
        for note in reversed(new):  # oldest first
            place = community(self.reader, note.community_id) if note.community_id else None
            self._show(_tr("Atrium"), message_for(note, place.name if place else None))

    def _show(self, title: str, message: str) -> None:
        self.shown.append((title, message))
        del self.shown[:-20]
        if self.icon is not None and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, badged_icon(0), 8000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()

    def attach_window(self, window: QWidget) -> None:
        def bring_up() -> None:
            window.showNormal()
            window.raise_()
            window.activateWindow()

        self.open_requested.connect(bring_up)
