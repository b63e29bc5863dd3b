"""The left sidebar: brand, one navigation button per pane (with unread badges), and the signed-in person."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QIcon, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from . import theme
from .i18n import ntr
from .icons import icon, logo_pixmap
from .pane_registry import BY_KEY, SIDEBAR_KEYS

SIDEBAR_WIDTH = 232
_STEP_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End)


class NavButton(QAbstractButton):
    """One sidebar entry: icon, label and an optional count badge, painted to match the theme.

    From the keyboard: Up/Down (and Home/End) move between the entries, Enter or Space opens one.
    """

    stepped = Signal(object, int)  # (this button, Qt key): the sidebar moves the focus

    def __init__(self, key: str, title: str, icon_name: str, shortcut_hint: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.key = key
        self.title = title
        self.badge = 0
        self.setObjectName(f"nav-{key}")
        self.setCheckable(True)
        self.setIcon(icon(icon_name, "muted", "accent"))
        self.setIconSize(QSize(20, 20))
        self.setText(title)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setToolTip(f"{title}  ({shortcut_hint})")
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self._keyboard_focus = False
        self._update_accessible()

    def focusInEvent(self, event: QFocusEvent) -> None:
        # The focus ring is for keyboard users; a window activation or click does not draw it.
        self._keyboard_focus = event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
        )
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._keyboard_focus = False
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _STEP_KEYS:
            self.stepped.emit(self, key)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
        else:
            super().keyPressEvent(event)

    def set_badge(self, count: int) -> None:
        if count != self.badge:
            self.badge = count
            self._update_accessible()
            self.update()

    def _update_accessible(self) -> None:
        name = self.title
        if self.badge:
            name = ntr("NavButton", "%1, %n unread", "%1, %n unread", self.badge).replace("%1", self.title)
        self.setAccessibleName(name)
        self.setAccessibleDescription(self.toolTip())

    def sizeHint(self) -> QSize:
        return QSize(SIDEBAR_WIDTH - 24, 38)

    def paintEvent(self, _event: QPaintEvent) -> None:
        colors = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        checked = self.isChecked()
        if checked or self.underMouse() or self.isDown():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colors.accent_soft if checked else colors.hover))
            painter.drawRoundedRect(area, 8, 8)
        if self.hasFocus() and self._keyboard_focus:
            painter.setPen(QColor(colors.accent))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(area.adjusted(1, 1, -1, -1), 7, 7)
        size = self.iconSize()
        top = (self.height() - size.height()) // 2
        state = QIcon.State.On if checked else QIcon.State.Off
        self.icon().paint(painter, 12, top, size.width(), size.height(), Qt.AlignmentFlag.AlignCenter,
                          QIcon.Mode.Normal, state)  # fmt: skip
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold if checked else QFont.Weight.Medium)
        painter.setFont(font)
        painter.setPen(QColor(colors.accent if checked else colors.text))
        text_left = 12 + size.width() + 12
        badge_width = self._paint_badge(painter, colors) if self.badge else 0
        text_rect = QRectF(text_left, 0, self.width() - text_left - badge_width - 10, self.height())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.text())
        painter.end()

    def _paint_badge(self, painter: QPainter, colors: theme.Palette) -> int:
        text = "99+" if self.badge > 99 else str(self.badge)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        font.setWeight(QFont.Weight.Bold)
        painter.save()
        painter.setFont(font)
        metrics = painter.fontMetrics()
        height = metrics.height() + 4
        width = max(height, metrics.horizontalAdvance(text) + 12)
        rect = QRectF(self.width() - width - 10, (self.height() - height) / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colors.badge))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
        return int(width) + 10


class Avatar(QWidget):
    """Initials in a coloured circle; the same colour the panes give this person (keyed by user id)."""

    def __init__(self, name: str, key: str = "", diameter: int = 32, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(diameter, diameter)
        self.set_name(name, key)

    def set_name(self, name: str, key: str = "") -> None:
        self.name = name
        try:  # the feed's avatar colours, so Dana looks the same in the sidebar and in posts
            from .widgets.post_format import avatar_colour, initials

            self.initials, self.fill = initials(name), avatar_colour(key or name)
        except Exception:
            words = [part for part in name.replace("@", " ").split() if part]
            self.initials = "".join(word[0] for word in words[:2]).upper() or "?"
            hue = int(hashlib.sha1((key or name).encode("utf-8")).hexdigest()[:4], 16) % 360
            self.fill = QColor.fromHsl(hue, 140, 110)
        self.setAccessibleName(name)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.fill)
        painter.drawEllipse(QRectF(self.rect()))
        font = QFont(self.font())
        font.setPixelSize(max(9, self.height() * 2 // 5))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.initials)
        painter.end()


class Sidebar(QWidget):
    pane_requested = Signal(str)
    settings_requested = Signal()

    def __init__(
        self, display_name: str, handle: str, user_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setFixedWidth(SIDEBAR_WIDTH)
        self.setAccessibleName(self.tr("Navigation"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 12, 12)
        layout.setSpacing(2)
        layout.addLayout(self._brand())
        layout.addSpacing(14)
        self.buttons: dict[str, NavButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        for number, key in enumerate(SIDEBAR_KEYS, start=1):
            entry = BY_KEY[key]
            button = NavButton(key, entry.title, entry.icon, f"Ctrl+{number}", self)
            button.clicked.connect(lambda _checked=False, k=key: self.pane_requested.emit(k))
            button.stepped.connect(self._step)
            self._group.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
        layout.addStretch(1)
        layout.addLayout(self._person(display_name, handle, user_id))

    def _brand(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(6, 0, 0, 0)
        row.setSpacing(10)
        logo = QLabel(self)
        logo.setPixmap(logo_pixmap(28))
        logo.setAccessibleName(self.tr("Atrium logo"))
        row.addWidget(logo)
        brand = QLabel(self.tr("Atrium"), self)
        brand.setObjectName("SidebarBrand")
        brand.setAccessibleName(self.tr("Atrium"))
        row.addWidget(brand)
        row.addStretch(1)
        return row

    def _person(self, display_name: str, handle: str, user_id: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(6, 8, 0, 0)
        row.setSpacing(10)
        self.avatar = Avatar(display_name or handle, user_id, 32, self)
        row.addWidget(self.avatar)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.user_label = QLabel(display_name or handle, self)
        self.user_label.setObjectName("SidebarUser")
        self.user_label.setAccessibleName(self.tr("Signed in as %1").replace("%1", display_name or handle))
        names.addWidget(self.user_label)
        detail = QLabel(f"@{handle}", self)
        detail.setObjectName("SidebarUserDetail")
        detail.setAccessibleName(f"@{handle}")
        names.addWidget(detail)
        row.addLayout(names, 1)
        self.settings_button = QToolButton(self)
        self.settings_button.setIcon(icon("settings", "muted"))
        self.settings_button.setIconSize(QSize(20, 20))
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.setAccessibleName(self.tr("Settings"))
        self.settings_button.clicked.connect(self.settings_requested)
        row.addWidget(self.settings_button)
        return row

    def _step(self, button: NavButton, key: int) -> None:
        """Move the keyboard focus from BUTTON to the entry KEY names (visible entries only)."""
        shown = [entry for entry in self.buttons.values() if not entry.isHidden()]
        if button not in shown:
            return
        place = shown.index(button)
        target = {
            Qt.Key.Key_Up: max(0, place - 1),
            Qt.Key.Key_Down: min(len(shown) - 1, place + 1),
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: len(shown) - 1,
        }[Qt.Key(key)]
        shown[target].setFocus(Qt.FocusReason.TabFocusReason)  # drawn with the keyboard's focus ring

    def set_current(self, key: str) -> None:
        button = self.buttons.get(key)
        if button is not None:
            button.setChecked(True)
        else:  # e.g. search: no sidebar entry is current
            self._group.setExclusive(False)
            for other in self.buttons.values():
                other.setChecked(False)
            self._group.setExclusive(True)

    def set_badge(self, key: str, count: int) -> None:
        if key in self.buttons:
            self.buttons[key].set_badge(count)

    def set_entry_visible(self, key: str, visible: bool) -> None:
        button = self.buttons.get(key)
        if button is None:
            return
        if not visible and button.hasFocus():  # the keyboard stays in the list, on the entry above
            self._step(button, Qt.Key.Key_Up)
        button.setVisible(visible)

    def is_entry_visible(self, key: str) -> bool:
        return key in self.buttons and not self.buttons[key].isHidden()
