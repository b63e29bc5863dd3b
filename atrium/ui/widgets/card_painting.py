"""Drawing helpers for post cards: vector icons (heart, speech bubble, pin, paperclip), badges, avatars.

Icons are painted, not taken from a font, so they look the same with every font and platform.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen

from .post_format import avatar_colour, initials


def heart_path(rect: QRectF) -> QPainterPath:
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    path = QPainterPath()
    path.moveTo(x + w / 2, y + h * 0.92)
    path.cubicTo(x - w * 0.05, y + h * 0.55, x + w * 0.05, y - h * 0.05, x + w / 2, y + h * 0.28)
    path.cubicTo(x + w * 0.95, y - h * 0.05, x + w * 1.05, y + h * 0.55, x + w / 2, y + h * 0.92)
    return path


def draw_heart(painter: QPainter, rect: QRectF, colour: QColor, filled: bool) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, 1.4)
    painter.setPen(pen)
    painter.setBrush(colour if filled else Qt.BrushStyle.NoBrush)
    painter.drawPath(heart_path(rect))
    painter.restore()


def draw_bubble(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, 1.4))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    body = QRectF(rect.x(), rect.y(), rect.width(), rect.height() * 0.75)
    path = QPainterPath()
    path.addRoundedRect(body, rect.width() * 0.25, rect.height() * 0.25)
    tail = QPainterPath()
    tail.moveTo(rect.x() + rect.width() * 0.25, body.bottom() - 0.5)
    tail.lineTo(rect.x() + rect.width() * 0.2, rect.bottom())
    tail.lineTo(rect.x() + rect.width() * 0.5, body.bottom() - 0.5)
    painter.drawPath(path)
    painter.drawPath(tail)
    painter.restore()


def draw_paperclip(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, 1.3))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    w = rect.width()
    path = QPainterPath()
    path.moveTo(rect.x() + w * 0.65, rect.y() + rect.height() * 0.3)
    path.lineTo(rect.x() + w * 0.65, rect.bottom() - w * 0.3)
    path.arcTo(QRectF(rect.x() + w * 0.2, rect.bottom() - w * 0.55, w * 0.45, w * 0.5), 0, -180)
    path.lineTo(rect.x() + w * 0.2, rect.y() + w * 0.25)
    path.arcTo(QRectF(rect.x() + w * 0.2, rect.y(), w * 0.6, w * 0.5), 180, -180)
    path.lineTo(rect.x() + w * 0.8, rect.bottom() - w * 0.4)
    painter.drawPath(path)
    painter.restore()


def draw_pin(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, 1.3))
    painter.setBrush(colour)
    cx = rect.center().x()
    head = QRectF(cx - rect.width() * 0.3, rect.y(), rect.width() * 0.6, rect.height() * 0.45)
    painter.drawEllipse(head)
    painter.drawLine(QPointF(cx, head.bottom()), QPointF(cx, rect.bottom()))
    painter.restore()


def draw_avatar(painter: QPainter, rect: QRectF, name: str | None, key: str | None, font: QFont) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(avatar_colour(key or name))
    painter.drawEllipse(rect)
    avatar_font = QFont(font)
    avatar_font.setBold(True)
    avatar_font.setPixelSize(max(8, int(rect.height() * 0.38)))
    painter.setFont(avatar_font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.restore()


def badge_width(text: str, metrics: QFontMetrics) -> int:
    return metrics.horizontalAdvance(text) + 12


def draw_badge(painter: QPainter, x: float, y: float, text: str, colour: QColor, font: QFont) -> float:
    """A rounded pill with TEXT at (X, Y); returns its width."""
    metrics = QFontMetrics(font)
    width = badge_width(text, metrics)
    height = metrics.height() + 2
    rect = QRectF(x, y, width, height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(colour)
    fill.setAlpha(34)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, height / 2, height / 2)
    painter.setFont(font)
    painter.setPen(colour.darker(115))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
    return width
