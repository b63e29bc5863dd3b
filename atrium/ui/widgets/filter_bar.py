"""A row of exclusive filter buttons (All / Following / …) with an optional action button at the end."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QToolButton, QWidget


class FilterBar(QWidget):
    changed = Signal(str)  # the chosen filter's key

    def __init__(self, choices: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """CHOICES: (key, translated label) pairs; the first is selected."""
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 8, 10, 6)
        self.row.setSpacing(4)
        for key, label in choices:
            button = QToolButton(self)
            button.setText(label)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setAccessibleName(self.tr("Show: {0}").format(label))
            button.setObjectName(f"filter-{key}")
            button.setStyleSheet(
                "QToolButton { padding: 4px 10px; border-radius: 12px; }"
                "QToolButton:checked { background: palette(highlight); color: palette(highlighted-text); }"
            )
            button.clicked.connect(lambda _checked=False, chosen=key: self.changed.emit(chosen))
            self.group.addButton(button)
            self.buttons[key] = button
            self.row.addWidget(button)
        if choices:
            self.buttons[choices[0][0]].setChecked(True)
        self.row.addStretch(1)

    def current(self) -> str:
        for key, button in self.buttons.items():
            if button.isChecked():
                return key
        return ""

    def select(self, key: str) -> None:
        button = self.buttons.get(key)
        if button is not None and not button.isChecked():
            button.setChecked(True)
            self.changed.emit(key)

    def add_action(self, text: str, accessible_name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(accessible_name)
        self.row.addWidget(button)
        return button
