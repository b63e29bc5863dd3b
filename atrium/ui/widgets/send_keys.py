"""Ctrl+Enter sends: an event filter for text editors, so it works wherever the editor has focus
(a QShortcut needs an active window, which embedded and offscreen windows may not have)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent


class CtrlEnterSends(QObject):
    def __init__(self, send: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._send = send

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if control and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._send()
                return True
        return False


def ctrl_enter_sends(editor: QObject, send: Callable[[], None]) -> CtrlEnterSends:
    keys = CtrlEnterSends(send, editor)
    editor.installEventFilter(keys)
    return keys
