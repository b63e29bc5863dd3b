"""The contract between the shell and a pane."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ..context import UiContext


class Pane(QWidget):
    """A page of the main window. Subclasses set ``key`` and ``title`` and read from ``context.reader``."""

    key: str = ""
    title: str = ""
    itemClosed = Signal()  # the person closed what open_item showed (a thread's "← Back")

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName(f"pane-{self.key}")
        context.cache_changed.connect(self.on_cache_changed)

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        """Refresh what is this pane's (cheaply: only when a kind it shows changed)."""

    def activated(self) -> None:
        """The pane became visible."""

    def open_item(self, kind: str, object_id: str) -> bool:
        """Show KIND/OBJECT_ID if this pane owns it (e.g. a thread); False otherwise."""
        return False

    def self_test_texts(self) -> list[str]:
        """Texts this pane must show with the demo content (for ``atrium --self-test``)."""
        return []
