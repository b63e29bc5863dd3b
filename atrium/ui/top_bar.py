"""The bar above the panes: the current pane's title and the search field, always at hand (Ctrl+K)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from .icons import icon


class SearchField(QLineEdit):
    """A line edit that gives up (clears, and says so) on Escape."""

    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class TopBar(QWidget):
    query_changed = Signal(str)  # every keystroke ("" when cleared): the search pane debounces
    query_submitted = Signal(str)  # Return pressed
    search_escaped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setFixedHeight(60)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 10, 16, 10)
        layout.setSpacing(12)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("PaneTitle")
        layout.addWidget(self.title_label)
        layout.addStretch(1)
        self.search_field = SearchField(self)
        self.search_field.setObjectName("SearchField")
        self.search_field.setPlaceholderText(self.tr("Search Atrium   (Ctrl+K)"))
        self.search_field.setAccessibleName(self.tr("Search Atrium"))
        self.search_field.setAccessibleDescription(self.tr("Type to search; Ctrl+K or Ctrl+F jumps here"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.addAction(icon("search", "muted"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_field.setMinimumWidth(300)
        self.search_field.setMaximumWidth(440)
        layout.addWidget(self.search_field, 3)
        self.search_field.textChanged.connect(lambda text: self.query_changed.emit(text.strip()))
        self.search_field.returnPressed.connect(
            lambda: self.query_submitted.emit(self.search_field.text().strip())
        )
        self.search_field.escaped.connect(self.search_escaped)

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.title_label.setAccessibleName(title)

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()
