"""A plain-text Markdown editor with @mention completion (cached people) and #topic completion
(topics the cache knows); dropped local files are handed to the composer as attachments."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QPlainTextEdit, QWidget

from atrium.cache import search_people

from ..context import UiContext
from .post_format import topic_suggestions

COMPLETION_ROLE = Qt.ItemDataRole.UserRole + 1
_TOKEN = re.compile(r"(?:^|(?<=[^\w@#/&]))([@#])([\w.-]{0,64})$")


class MarkdownEdit(QPlainTextEdit):
    filesDropped = Signal(list)  # [str paths]

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setTabChangesFocus(True)
        self._suggestions = QStandardItemModel(self)
        self.completer = QCompleter(self._suggestions, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(COMPLETION_ROLE)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        popup = self.completer.popup()
        assert popup is not None
        self.popup: QAbstractItemView = popup
        self.popup.setAccessibleName(self.tr("Suggestions"))
        activated: Any = self.completer.activated  # overloaded signal: pick the QModelIndex one
        activated[QModelIndex].connect(self._insert_completion)
        self._token: tuple[str, str] | None = None

    # -- completion ------------------------------------------------------------------------------------

    def current_token(self) -> tuple[str, str] | None:
        """('@' or '#', what follows) when the cursor ends a mention or topic being typed."""
        cursor = self.textCursor()
        block_text = cursor.block().text()[: cursor.positionInBlock()]
        match = _TOKEN.search(block_text)
        return (match.group(1), match.group(2)) if match else None

    def update_suggestions(self) -> None:
        token = self.current_token()
        self._token = token
        self._suggestions.clear()
        if token is None or (token[0] == "@" and not token[1]):
            self.popup.hide()
            return
        sigil, prefix = token
        if sigil == "@":
            for found in search_people(self.context.reader, prefix, limit=8, me=self.context.me):
                item = QStandardItem(f"{found.display_name}  @{found.handle}")
                item.setData(found.handle, COMPLETION_ROLE)
                item.setToolTip(", ".join(part for part in (found.title, found.department) if part))
                self._suggestions.appendRow(item)
        elif prefix:
            for topic in topic_suggestions(self.context.reader, prefix):
                item = QStandardItem(f"#{topic}")
                item.setData(topic, COMPLETION_ROLE)
                self._suggestions.appendRow(item)
        if self._suggestions.rowCount() == 0:
            self.popup.hide()
            return
        rect = self.cursorRect()
        rect.setWidth(max(260, self.popup.sizeHintForColumn(0) + 30))
        self.completer.complete(rect)
        self.popup.setCurrentIndex(self._suggestions.index(0, 0))

    def _insert_completion(self, index: QModelIndex) -> None:
        value = index.data(COMPLETION_ROLE)
        token = self._token
        if not value or token is None:
            return
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(token[1]))
        cursor.insertText(f"{value} ")
        self.setTextCursor(cursor)
        self.popup.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.popup
        if popup.isVisible() and event.key() in (
            Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Escape, Qt.Key.Key_Backtab,
        ):  # fmt: skip
            if event.key() == Qt.Key.Key_Escape:
                popup.hide()
            else:
                self._insert_completion(popup.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)
        if event.text() or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.update_suggestions()

    # -- dropped files -----------------------------------------------------------------------------

    @staticmethod
    def _local_files(source: QMimeData) -> list[str]:
        if not source.hasUrls():
            return []
        return [url.toLocalFile() for url in source.urls() if url.isLocalFile()]

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return bool(self._local_files(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = self._local_files(source)
        if files:
            self.filesDropped.emit(files)
        else:
            super().insertFromMimeData(source)
