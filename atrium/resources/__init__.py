"""Locating Atrium's bundled resources: SVG icons, theme style sheets and translations.

Works from a source checkout, an installed wheel and a PyInstaller bundle alike,
because every path is found relative to this package.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
ICONS_DIR = RESOURCES_DIR / "icons"
STYLES_DIR = RESOURCES_DIR / "styles"
TRANSLATIONS_DIR = RESOURCES_DIR / "translations"


def resource_path(*parts: str) -> Path:
    """The path of a bundled resource (it may not exist; callers decide what a missing file means)."""
    return RESOURCES_DIR.joinpath(*parts)


def icon_file(name: str) -> Path:
    """The SVG file of icon NAME (e.g. ``"home"``); FileNotFoundError when there is no such icon."""
    path = ICONS_DIR / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"no icon named {name!r} in {ICONS_DIR}")
    return path


def icon_names() -> list[str]:
    return sorted(path.stem for path in ICONS_DIR.glob("*.svg"))


def style_sheet(theme: str) -> str:
    """The Qt style sheet text of THEME (``"light"`` or ``"dark"``); ``@ICONS@`` becomes the icons folder."""
    text = (STYLES_DIR / f"{theme}.qss").read_text(encoding="utf-8")
    return text.replace("@ICONS@", ICONS_DIR.as_posix())
