"""Bootstrap pieces of the desktop: the QApplication, the desktop's Session, and the engine bridge.

``atrium.ui.controller.AppController`` runs the app's life on top of these; ``atrium.ui.main``
wires them to the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from atrium.app.session import Session

from .i18n import install_translators
from .icons import logo_icon
from .theme import ThemeManager, ui_font


def create_application(argv: list[str]) -> tuple[QApplication, ThemeManager]:
    """The QApplication (high-DPI pass-through scaling, theme, font, translations)."""
    from .widgets.pyside_guard import guard_none_refcount

    guard_none_refcount()  # PySide6 6.12 on CPython 3.11 leaks references to None: see pyside_guard.py
    if QApplication.instance() is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        QApplication(argv)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setApplicationName("Atrium")
    app.setApplicationDisplayName("Atrium")
    app.setOrganizationName("Atrium")
    app.setDesktopFileName("atrium")
    app.setWindowIcon(logo_icon())
    app.setFont(ui_font())
    app.setQuitOnLastWindowClosed(False)  # the controller decides when the app ends
    install_translators(app)
    theme = ThemeManager(app)
    theme.apply()
    return app, theme


class DesktopSession(Session):
    """A Session that lets the window release the cache before a revoked device is wiped."""

    before_wipe: Callable[[], None] | None = None
    after_wipe: Callable[[], None] | None = None

    @classmethod
    def open(
        cls, profile_dir: str | os.PathLike[str] | None = None, policy_source: Any = None
    ) -> DesktopSession:
        session = super().open(profile_dir, policy_source)
        assert isinstance(session, DesktopSession)
        return session

    async def wipe_device(self) -> None:
        if self.before_wipe is not None:
            self.before_wipe()
        await super().wipe_device()
        if self.after_wipe is not None:
            self.after_wipe()


@dataclass(frozen=True)
class AutoSignIn:
    server: str
    username: str
    password: str


class EngineBridge(QObject):
    """Engine callbacks arrive here; Qt delivers them to the controller on the GUI thread."""

    changes = Signal(object)  # ChangeSet
    status = Signal(object)  # EngineStatus
