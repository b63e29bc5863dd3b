"""Crisp, theme-coloured icons from the bundled SVGs, rendered at the screen's device pixel ratio.

The SVGs draw with ``currentColor``; the engine swaps in the theme's colour for the icon's
mode and state at paint time, so a theme switch only needs a repaint.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from atrium.resources import icon_file

from . import theme

Role = str  # "normal" (text colour), "muted", "accent", "inverse", "danger", "success", "warning"


@lru_cache(maxsize=64)
def _svg_text(name: str) -> str:
    return icon_file(name).read_text(encoding="utf-8")


@lru_cache(maxsize=512)
def _renderer(name: str, color: str) -> QSvgRenderer:
    return QSvgRenderer(QByteArray(_svg_text(name).replace("currentColor", color).encode("utf-8")))


def role_color(role: Role, palette: theme.Palette | None = None) -> str:
    colors = palette or theme.current()
    return {
        "muted": colors.muted,
        "accent": colors.accent,
        "inverse": colors.window,
        "danger": colors.danger,
        "success": colors.success,
        "warning": colors.warning,
    }.get(role, colors.text)


class SvgIconEngine(QIconEngine):
    """Renders icon NAME in ROLE's colour; checked (On) and active states use the accent colour."""

    def __init__(self, name: str, role: Role = "muted", checked_role: Role = "accent") -> None:
        super().__init__()
        self.name = name
        self.role = role
        self.checked_role = checked_role

    def _color(self, mode: QIcon.Mode, state: QIcon.State) -> str:
        if mode == QIcon.Mode.Disabled:
            return theme.current().faint
        if state == QIcon.State.On or mode == QIcon.Mode.Selected:
            return role_color(self.checked_role)
        return role_color(self.role)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        _renderer(self.name, self._color(mode, state)).render(painter, QRectF(rect))

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        scale = max(scale, 1.0)
        image = QImage(size * scale, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(QPoint(0, 0), size * scale), mode, state)
        painter.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self.name, self.role, self.checked_role)

    def key(self) -> str:
        return "atrium-svg"


def icon(name: str, role: Role = "muted", checked_role: Role = "accent") -> QIcon:
    """A QIcon for bundled SVG NAME, coloured from the current theme whenever it is drawn."""
    return QIcon(SvgIconEngine(name, role, checked_role))


def logo_icon() -> QIcon:
    """The Atrium logo (full colour, not themed), for window and tray icons."""
    return QIcon(str(icon_file("logo")))


def logo_pixmap(size: int, scale: float = 2.0) -> QPixmap:
    image = QImage(QSize(size, size) * scale, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(icon_file("logo"))).render(painter, QRectF(0, 0, size * scale, size * scale))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def color(value: str) -> QColor:
    return QColor(value)
