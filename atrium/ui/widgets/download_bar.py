"""A thin bar that shows a file being downloaded to be opened: its name, how much has arrived, Cancel.

An attachment opened for the first time can take a while on a hotel's Wi-Fi; without it, a click
seemed to do nothing (and a second click started a second download). Progress is shown at most
ten times a second, however fast the chunks come.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from atrium.ui.widgets.post_format import human_size

REFRESH_SECONDS = 0.1
NAME_CHARS = 40  # a longer file name is shortened, so the sizes stay in view


class DownloadBar(QWidget):
    """Hidden until ``start``; ``cancelRequested`` when the person gives up on the download."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("download-bar")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 0, 10, 0)
        self.label = QLabel(self)
        self.label.setObjectName("download-label")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("download-progress")
        self.progress.setTextVisible(False)
        self.progress.setFixedSize(160, 6)
        self.progress.setAccessibleName(self.tr("Download progress"))
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the download"))
        self.cancel_button.clicked.connect(self.cancelRequested)
        row.addWidget(self.label, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        self.name = ""
        self._shown_at = 0.0
        self._latest: tuple[int, int | None] = (0, None)
        self._catch_up = QTimer(self)  # shows what came during the pause, if nothing comes after it
        self._catch_up.setSingleShot(True)
        self._catch_up.timeout.connect(lambda: self.show_progress(*self._latest, force=True))
        self.setVisible(False)

    def start(self, name: str, total: int | None) -> None:
        self.name = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
        self._shown_at = 0.0
        self.setVisible(True)
        self.show_progress(0, total, force=True)

    def show_progress(self, received: int, total: int | None, *, force: bool = False) -> None:
        now = time.monotonic()
        self._latest = (received, total)
        if not force and now - self._shown_at < REFRESH_SECONDS:
            if not self._catch_up.isActive():
                self._catch_up.start(int(REFRESH_SECONDS * 1000))
            return
        self._catch_up.stop()
        self._shown_at = now
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, received * 1000 // total))
            text = self.tr("Downloading {0}… {1} of {2}").format(
                self.name, human_size(received), human_size(total)
            )
        else:
            self.progress.setRange(0, 0)  # busy: the size is not known
            text = self.tr("Downloading {0}… {1}").format(self.name, human_size(received))
        self.label.setText(text)
        self.setAccessibleDescription(text)

    def finish(self) -> None:
        self._catch_up.stop()
        self.name = ""
        self.setVisible(False)
