"""Placeholder panes: "coming soon" for Wiki, Apps and Insights, and "not available" for a pane this build lacks."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..context import UiContext
from ..icons import icon
from .base import Pane


class ComingPane(Pane):
    """A calm, centred page saying what is coming here."""

    def __init__(
        self,
        context: UiContext,
        key: str,
        title: str,
        icon_name: str,
        text: str,
        badge: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self.key = key
        self.title = title
        super().__init__(context, parent)
        self.setObjectName("ComingPane")
        self._text = text
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.setSpacing(14)
        layout.addStretch(2)
        self._icon_name = icon_name
        self.picture = picture = QLabel(self)
        picture.setPixmap(icon(icon_name, "accent").pixmap(QSize(56, 56)))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setAccessibleName(title)
        layout.addWidget(picture)
        heading = QLabel(title, self)
        heading.setObjectName("ComingTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setAccessibleName(title)
        layout.addWidget(heading)
        badge_label = QLabel(badge or self.tr("Coming soon"), self)
        badge_label.setObjectName("ComingBadge")
        badge_label.setAccessibleName(badge_label.text())
        layout.addWidget(badge_label, 0, Qt.AlignmentFlag.AlignHCenter)
        body = QLabel(text, self)
        body.setObjectName("ComingText")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setAccessibleName(text)
        body.ensurePolished()  # the style sheet's font decides how many lines the text needs
        body.setFixedSize(460, body.heightForWidth(460))
        layout.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.StyleChange:  # the theme changed: redraw the icon in its colours
            self.picture.setPixmap(icon(self._icon_name, "accent").pixmap(QSize(56, 56)))
        super().changeEvent(event)

    def self_test_texts(self) -> list[str]:
        return [self.title, self._text[:40]]


class UnavailablePane(ComingPane):
    """Stands in for a pane whose module is missing or failed to load; says so plainly."""

    def __init__(
        self,
        context: UiContext,
        key: str,
        title: str,
        icon_name: str,
        reason: str,
        parent: QWidget | None = None,
    ) -> None:
        text = QCoreApplication.translate(
            "UnavailablePane", "This part of Atrium is not available in this build."
        )
        badge = QCoreApplication.translate("UnavailablePane", "Not available")
        super().__init__(context, key, title, icon_name, text, badge=badge, parent=parent)
        self.reason = reason
        self.setToolTip(reason)
