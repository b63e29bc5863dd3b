"""Translations: load Qt's and Atrium's .qm files for the system language, and plural-aware text.

Every user-visible string goes through ``tr()``/``QCoreApplication.translate``; ``ntr`` adds
English singular/plural when no translation is installed (so "1 change", "2 changes").
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from atrium.resources import TRANSLATIONS_DIR

_installed: list[QTranslator] = []


def install_translators(app: QCoreApplication, locale: QLocale | None = None) -> list[str]:
    """Install Qt's own and Atrium's translations for LOCALE (default: the system's); returns what loaded."""
    locale = locale or QLocale.system()
    loaded: list[str] = []
    sources = (
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ("atrium", str(TRANSLATIONS_DIR)),
    )
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
            loaded.append(name)
    return loaded


def ntr(context: str, singular: str, plural: str, count: int) -> str:
    """PLURAL translated with Qt's plural rules (%n = COUNT, %Ln = COUNT in the locale's digits
    and grouping, "25,000"); untranslated English picks SINGULAR or PLURAL."""
    translated = QCoreApplication.translate(context, plural, None, count)
    if translated != _with_count(plural, count):
        return translated
    return _with_count(singular if count == 1 else plural, count)


def _with_count(text: str, count: int) -> str:
    return text.replace("%Ln", QLocale().toString(count)).replace("%n", str(count))


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark TEXT for translation in CONTEXT and return it unchanged (a typed stand-in for Qt's macro)."""
    return text
