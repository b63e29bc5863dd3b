"""One desktop per profile: a second start brings the running window to the front and exits.

Two desktops on one profile would be two sync engines and two writers on one cache, two tray
icons and every desktop notification twice. The first desktop holds a lock file in the profile
(``QLockFile``: a lock left by a crashed desktop is taken over, since its process is gone) and
listens on a local socket named after the profile; a second start finds the lock taken, asks
the first over that socket to show its window, and ends. Headless commands (``atrium sync``…)
take no lock: they may run beside the desktop, as IT scripts do.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

LOCK_FILE = "desktop.lock"
SHOW_REQUEST = b"show\n"
CONNECT_MS = 2000
CLOSING_WAIT_MS = 15_000
"""How long a start waits for a desktop that holds the profile but no longer answers (it is
closing: it stops listening as soon as it starts to quit) before it starts itself."""


def server_name(profile_root: Path) -> str:
    """The local socket's name for PROFILE_ROOT: short (socket paths are limited) and per profile.

    The same folder spelled differently (a relative path, a link; on Windows other letter case
    or slashes) gives the same name, so both starts find each other."""
    digest = hashlib.sha256(os.path.normcase(profile_root.resolve()).encode()).hexdigest()[:20]
    return f"atrium-desktop-{digest}"


class SingleInstance(QObject):
    """``claim()`` once at start: True for the first desktop on the profile (which then hears
    ``show_requested`` whenever another start is attempted), False for a later one."""

    show_requested = Signal()

    def __init__(self, profile_root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        profile_root.mkdir(parents=True, exist_ok=True)
        self.name = server_name(profile_root)
        self._lock = QLockFile(str(profile_root / LOCK_FILE))
        self._server: QLocalServer | None = None
        self.unanswered = False
        """After a False ``claim``: the desktop holding the profile neither answered nor let go."""

    def claim(self) -> bool:
        if not self._lock.tryLock(100):
            if self._ask_the_first_to_show():
                return False
            if not self._lock.tryLock(CLOSING_WAIT_MS):  # closing: start once it has finished
                self.unanswered = True
                return False
        QLocalServer.removeServer(self.name)  # a socket left by a crashed desktop: the lock is ours
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_connection)
        if not server.listen(self.name):  # the lock still keeps a second desktop out
            server.deleteLater()
            return True
        self._server = server
        return True

    def stop_listening(self) -> None:
        """The desktop is quitting: a new start now waits for the lock instead of asking this one."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def release(self) -> None:
        self.stop_listening()
        self._lock.unlock()

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_request(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_request(socket)

    def _on_request(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(SHOW_REQUEST.strip()):
            self.show_requested.emit()

    def _ask_the_first_to_show(self) -> bool:
        """True when the request reached the running desktop."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_MS):
            return False
        if sys.platform == "win32":  # Windows lets only the foreground process hand the foreground on
            import ctypes

            ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY
        socket.write(SHOW_REQUEST)
        sent = socket.waitForBytesWritten(CONNECT_MS)
        socket.disconnectFromServer()
        return sent
