"""Which panes the shell has, in sidebar order, and how each is built (lazily, on first visit).

Panes live in their own modules (``atrium/ui/panes/<key>.py``); one that is missing or fails
to import is replaced by a plain "not available" pane instead of taking the window down.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from .context import UiContext
from .i18n import QT_TRANSLATE_NOOP
from .panes.base import Pane
from .panes.coming import ComingPane, UnavailablePane

log = logging.getLogger("atrium.ui")


def _tr(text: str) -> str:
    return QCoreApplication.translate(NAV, text)


@dataclass(frozen=True)
class PaneEntry:
    key: str
    title_source: str  # untranslated; ``title`` translates it
    icon: str
    module: str | None  # "atrium.ui.panes.home:HomePane"; None = a "coming soon" pane
    coming_text: str = ""
    in_sidebar: bool = True
    owners_only: bool = False  # shown only to administrators and community owners

    @property
    def title(self) -> str:
        return _tr(self.title_source)


NAV = "Navigation"  # the translation context of titles and texts below
ENTRIES: tuple[PaneEntry, ...] = (
    PaneEntry("home", QT_TRANSLATE_NOOP("Navigation", "Home"), "home", "atrium.ui.panes.home:HomePane"),
    PaneEntry(
        "communities",
        QT_TRANSLATE_NOOP("Navigation", "Communities"),
        "communities",
        "atrium.ui.panes.communities:CommunitiesPane",
    ),
    PaneEntry(
        "questions",
        QT_TRANSLATE_NOOP("Navigation", "Questions"),
        "questions",
        "atrium.ui.panes.questions:QuestionsPane",
    ),
    PaneEntry(
        "wiki",
        QT_TRANSLATE_NOOP("Navigation", "Wiki"),
        "wiki",
        None,
        QT_TRANSLATE_NOOP(
            "Navigation",
            "Read and edit your communities' knowledge pages, even offline. The wiki opens here soon.",
        ),
    ),
    PaneEntry(
        "apps",
        QT_TRANSLATE_NOOP("Navigation", "Apps"),
        "apps",
        None,
        QT_TRANSLATE_NOOP(
            "Navigation",
            "Your company's business apps (expenses, room booking, IT status) will open right here.",
        ),
    ),
    PaneEntry(
        "notifications",
        QT_TRANSLATE_NOOP("Navigation", "Notifications"),
        "notifications",
        "atrium.ui.panes.notifications:NotificationsPane",
    ),
    PaneEntry(
        "people", QT_TRANSLATE_NOOP("Navigation", "People"), "people", "atrium.ui.panes.people:PeoplePane"
    ),
    PaneEntry(
        "insights",
        QT_TRANSLATE_NOOP("Navigation", "Insights"),
        "insights",
        None,
        QT_TRANSLATE_NOOP(
            "Navigation", "Adoption and activity insights for the communities you own are on their way."
        ),
        owners_only=True,
    ),
    PaneEntry(
        "search",
        QT_TRANSLATE_NOOP("Navigation", "Search"),
        "search",
        "atrium.ui.panes.search:SearchPane",
        in_sidebar=False,
    ),
)
BY_KEY = {entry.key: entry for entry in ENTRIES}
SIDEBAR_KEYS = [entry.key for entry in ENTRIES if entry.in_sidebar]


def build_pane(entry: PaneEntry, context: UiContext) -> Pane:
    """The pane for ENTRY: the real one, a "coming soon" page, or "not available" if it cannot load."""
    if entry.module is None:
        text = _tr(entry.coming_text)
        return ComingPane(context, entry.key, entry.title, entry.icon, text)
    module_name, _, class_name = entry.module.partition(":")
    try:
        module = importlib.import_module(module_name)
        pane_class = getattr(module, class_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            log.exception("pane %s failed to import", entry.key)
        return UnavailablePane(
            context, entry.key, entry.title, entry.icon, f"{module_name} is missing ({error})"
        )
    except Exception as error:
        log.exception("pane %s failed to import", entry.key)
        return UnavailablePane(
            context, entry.key, entry.title, entry.icon, f"{module_name} failed: {error!r}"
        )
    try:
        pane = pane_class(context)
    except Exception as error:
        log.exception("pane %s failed to start", entry.key)
        return UnavailablePane(context, entry.key, entry.title, entry.icon, f"{class_name} failed: {error!r}")
    if not isinstance(pane, Pane):
        log.warning("%s is not a Pane; using it anyway", class_name)
    return pane
