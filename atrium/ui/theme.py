"""Light and dark themes that follow the system (QStyleHints.colorScheme) unless the `theme` setting says otherwise.

A theme is a palette (used for icons, custom-painted widgets and the QPalette) plus a
style sheet from ``atrium/resources/styles/<name>.qss``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from atrium.resources import style_sheet

UI_FONT_FAMILIES = ["Inter", "Segoe UI", "SF Pro Text", ".AppleSystemUIFont", "Cantarell", "Noto Sans",
                    "Ubuntu", "DejaVu Sans"]  # fmt: skip


@dataclass(frozen=True)
class Palette:
    name: str
    window: str
    surface: str
    sidebar: str
    border: str
    text: str
    muted: str
    faint: str
    accent: str
    accent_soft: str
    accent_text: str
    hover: str
    selection: str
    danger: str
    success: str
    warning: str
    badge: str = "#E5484D"

    @property
    def dark(self) -> bool:
        return self.name == "dark"


LIGHT = Palette(
    "light", window="#FFFFFF", surface="#F7F8FA", sidebar="#F3F4F8", border="#E4E6EB", text="#1F2328",
    muted="#656D76", faint="#8C959F", accent="#4F46E5", accent_soft="#E6E8FD", accent_text="#FFFFFF",
    hover="#E9EBF2", selection="#DCDFFC", danger="#D1242F", success="#1A7F37", warning="#9A6700",
)  # fmt: skip
DARK = Palette(
    "dark", window="#1B1C21", surface="#202127", sidebar="#16171B", border="#2E3038", text="#E6E7EB",
    muted="#A0A4AE", faint="#7A7F8A", accent="#818CF8", accent_soft="#2B2D4A", accent_text="#111226",
    hover="#25272E", selection="#34376A", danger="#F47067", success="#57AB5A", warning="#D4A72C",
)  # fmt: skip

_current: Palette = LIGHT


def current() -> Palette:
    """The palette in use now (custom-painted widgets read it at paint time)."""
    return _current


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(choice: str) -> Palette:
    """The palette for the `theme` setting value CHOICE ("system", "light" or "dark")."""
    if choice == "dark":
        return DARK
    if choice == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def qt_palette(colors: Palette) -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: colors.window,
        QPalette.ColorRole.WindowText: colors.text,
        QPalette.ColorRole.Base: colors.window,
        QPalette.ColorRole.AlternateBase: colors.surface,
        QPalette.ColorRole.Text: colors.text,
        QPalette.ColorRole.Button: colors.window,
        QPalette.ColorRole.ButtonText: colors.text,
        QPalette.ColorRole.Highlight: colors.selection,
        QPalette.ColorRole.HighlightedText: colors.text,
        QPalette.ColorRole.Link: colors.accent,
        QPalette.ColorRole.ToolTipBase: colors.text,
        QPalette.ColorRole.ToolTipText: colors.window,
        QPalette.ColorRole.PlaceholderText: colors.faint,
        QPalette.ColorRole.Accent: colors.accent,
        QPalette.ColorRole.Mid: colors.border,
        QPalette.ColorRole.Midlight: colors.hover,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colors.faint))
    return palette


def ui_font() -> QFont:
    font = QFont()
    font.setFamilies(UI_FONT_FAMILIES)
    font.setPointSizeF(10.0)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


class ThemeManager(QObject):
    """Applies the chosen theme to the application and re-applies it when the system switches."""

    changed = Signal(object)  # Palette

    def __init__(self, app: QApplication, choice: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self._choice = choice
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(self._system_changed)

    @property
    def palette(self) -> Palette:
        return _current

    def set_choice(self, choice: str) -> None:
        self._choice = choice
        self.apply()

    def apply(self) -> Palette:
        global _current
        _current = resolve(self._choice)
        self._app.setStyle("Fusion")  # the same metrics everywhere; the style sheet does the rest
        self._app.setPalette(qt_palette(_current))
        self._app.setStyleSheet(style_sheet(_current.name))
        self.changed.emit(_current)
        return _current

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self.apply()
