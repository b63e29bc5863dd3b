"""What a person can see in a widget: its visible texts and whether its picture is more than blank.

Used by ``atrium --self-test`` and the UI tests, so both judge a pane the same way.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

MAX_ROWS = 400
ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


def _plain(text: str) -> str:
    if "<" in text and ">" in text:
        return QTextDocumentFragment.fromHtml(text).toPlainText()
    return text


def _view_texts(view: QAbstractItemView) -> list[str]:
    """Display texts of the rows the view shows right now (visible rows only, like a person sees)."""
    model = view.model()
    if model is None:
        return []
    area = view.viewport().rect()
    texts: list[str] = []
    try:
        columns = max(1, model.columnCount(QModelIndex()))
    except TypeError:  # a QAbstractListModel keeps columnCount private: one column
        columns = 1
    for row in range(min(model.rowCount(QModelIndex()), MAX_ROWS)):
        for column in range(columns):
            index = model.index(row, column)
            if not view.visualRect(index).intersects(area):
                continue
            for role in ROLES:
                value = model.data(index, role)
                if isinstance(value, str) and value:
                    texts.append(_plain(value))
    return texts


def visible_texts(root: QWidget) -> list[str]:
    """Every text shown in ROOT's visible widgets: labels, buttons, fields, text views, list rows."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel):
            texts.append(_plain(widget.text()))
        elif isinstance(widget, QAbstractButton | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QTextEdit | QPlainTextEdit):  # QTextBrowser too
            texts.append(widget.toPlainText())
        if isinstance(widget, QAbstractItemView):
            texts.extend(_view_texts(widget))
    return [text for text in texts if text]


def missing_texts(root: QWidget, wanted: list[str]) -> list[str]:
    """The texts of WANTED that ROOT does not show (case-insensitive substring match)."""
    shown = "\n".join(visible_texts(root)).casefold()
    return [text for text in wanted if text.casefold() not in shown]


def distinct_colours(image: QImage, *, limit: int = 256, step: int = 3) -> int:
    """How many different colours IMAGE has (sampled every STEP pixels; counting stops at LIMIT)."""
    seen: set[int] = set()
    converted = image.convertToFormat(QImage.Format.Format_RGB32)
    for y in range(0, converted.height(), step):
        for x in range(0, converted.width(), step):
            seen.add(converted.pixel(x, y))
            if len(seen) >= limit:
                return len(seen)
    return len(seen)
