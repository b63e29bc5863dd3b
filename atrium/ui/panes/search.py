"""The Search pane: search as you type over the offline cache at once, with the server's online
results merged in when it answers (marked "Online"), solved questions first, matches in bold.

The shell's search field calls ``set_query``; chips narrow the kinds. The network is only ever
awaited in a background task, which a new query cancels.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from atrium.app.errors import ApiError
from atrium.cache import search
from atrium.cache.db import connection_of

from ..context import UiContext
from ..widgets.rich_text_delegate import RowListView
from .base import Pane
from .search_results import (
    FILTER_TYPES,
    RESULT_ROLE,
    SEARCHABLE_TYPES,
    SearchResult,
    SearchResultModel,
    cached_keys,
    community_names,
    from_cache,
    from_server,
    keep_for_filter,
    merge_results,
)

DEBOUNCE_MS = 150
RESULT_LIMIT = 30
# Filter chips: rounded, the chosen one in the theme's selection colour (palette roles follow the theme).
CHIP_STYLE = (
    "QPushButton { border-radius: 13px; padding: 4px 14px; }"
    "QPushButton:checked { background: palette(highlight); border-color: palette(link); color: palette(link);"
    " font-weight: 600; }"
)


class SearchPane(Pane):
    key = "search"

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.title = self.tr("Search")
        self.query = ""
        self.chip = "all"
        self._local: list[SearchResult] = []
        self._online: list[SearchResult] = []
        self._online_state = "idle"  # idle | searching | done | offline
        self._online_task: asyncio.Task[Any] | None = None
        self._stale = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)

        self.heading = QLabel(self.title)
        self.heading.setProperty("role", "subheading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = QLabel()
        self.status_label.setObjectName("search-status")
        self.status_label.setAccessibleName(self.tr("Search status"))
        self.status_label.setProperty("role", "muted")

        self.chips = QButtonGroup(self)
        self.chips.setExclusive(True)
        chip_bar = QWidget()
        chip_bar.setObjectName("SearchChips")
        chip_bar.setStyleSheet(CHIP_STYLE)
        chip_row = QHBoxLayout(chip_bar)
        chip_row.setContentsMargins(0, 4, 0, 4)
        chip_row.setSpacing(6)
        labels = {
            "all": self.tr("All"),
            "post": self.tr("Posts"),
            "question": self.tr("Questions"),
            "comment": self.tr("Comments"),
            "wiki_page": self.tr("Wiki"),
            "user": self.tr("People"),
        }
        self.chip_buttons: dict[str, QPushButton] = {}
        for key, label in labels.items():
            button = QPushButton(label)
            button.setCheckable(True)
            button.setChecked(key == "all")
            button.setObjectName(f"search-filter-{key}")
            button.setAccessibleName(
                self.tr("Show only: {kind}").format(kind=label) if key != "all" else self.tr("Show all kinds")
            )
            button.clicked.connect(lambda _checked=False, chip=key: self.set_filter(chip))
            self.chips.addButton(button)
            self.chip_buttons[key] = button
            chip_row.addWidget(button)
        chip_row.addStretch(1)

        self.model = SearchResultModel(self)
        self.view = RowListView()
        self.view.setObjectName("search-results")
        self.view.setAccessibleName(self.tr("Search results"))
        self.view.setModel(self.model)
        self.view.opened.connect(self._open_index)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addWidget(chip_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.view, 1)
        self._show_results()

    # -- input ------------------------------------------------------------------------------------------

    def set_query(self, text: str, *, immediate: bool = False) -> None:
        """Called by the shell's search field on every keystroke: search after a short pause."""
        if text == self.query and not immediate:
            return
        self.query = text
        self._cancel_online()
        if immediate:
            self._debounce.stop()
            self.run_search()
        else:
            self._debounce.start()

    def set_filter(self, chip: str) -> None:
        if chip not in FILTER_TYPES:
            raise ValueError(f"unknown search filter {chip!r}")
        self.chip_buttons[chip].setChecked(True)
        if chip != self.chip:
            self.chip = chip
            self._cancel_online()
            self.run_search()

    def open_current(self) -> bool:
        """Open the selected result, or the first one (Enter in the shell's search field)."""
        index = self.view.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0)
        if index.isValid():
            self._open_index(index)
            return True
        return False

    # -- searching ----------------------------------------------------------------------------------------

    def run_search(self) -> None:
        """Cache results now; ask the server in the background when there is an API client."""
        self._debounce.stop()
        self._cancel_online()
        self._online = []
        query = self.query.strip()
        self._local = self._search_cache(query) if query else []
        if query and self.context.api is not None:
            self._online_state = "searching"
            self._online_task = self.context.spawn(self._search_online(query, self.chip))
        else:
            self._online_state = "idle" if not query else "offline"
        self._show_results()

    def _search_cache(self, query: str) -> list[SearchResult]:
        types = FILTER_TYPES[self.chip]
        wider = self.chip in ("post", "question")  # kinds share the "post" type: look further, then narrow
        hits = search(self.context.reader, query, kinds=types, limit=RESULT_LIMIT * (3 if wider else 1))
        results = [
            r for r in from_cache(connection_of(self.context.reader), hits) if keep_for_filter(r, self.chip)
        ]
        return results[:RESULT_LIMIT]

    async def _search_online(self, query: str, chip: str) -> None:
        types = FILTER_TYPES[chip]
        try:
            items = await self.context.api.search(query, list(types) if types else None, RESULT_LIMIT)
        except ApiError:
            if (query, chip) == (self.query.strip(), self.chip):
                self._online_state = "offline"
                self._show_results()
            return
        if (query, chip) != (self.query.strip(), self.chip):
            return  # a newer search is on its way
        self._online = [r for r in from_server(items, query) if keep_for_filter(r, chip)]
        self._online_state = "done"
        self._online_task = None
        self._show_results()

    def _cancel_online(self) -> None:
        if self._online_task is not None and not self._online_task.done():
            self._online_task.cancel()
        self._online_task = None

    def _show_results(self) -> None:
        conn = connection_of(self.context.reader)
        online_keys = [result.key for result in self._online]
        results = merge_results(self._local, self._online, cached_keys(conn, online_keys))
        names = community_names(conn, sorted({r.community_id for r in results if r.community_id}))
        results = [replace(r, community_name=names.get(r.community_id or "", "")) for r in results]
        self.model.set_results(results)
        self._update_status(len(results))

    def _update_status(self, count: int) -> None:
        query = self.query.strip()
        if not query:
            self.heading.setText(self.title)
            self.status_label.setText("")
            self.view.set_placeholder(
                self.tr(
                    "Type in the search field to find posts, questions, comments, wiki pages and people. "
                    "What is on this computer is found even offline."
                )
            )
            return
        self.heading.setText(self.tr("Results for “{query}”").format(query=query))
        found = self.tr("1 result") if count == 1 else self.tr("%n results", "", count)
        if self._online_state == "searching":
            status = self.tr("{found} on this computer · searching online…").format(found=found)
        elif self._online_state == "offline":
            status = self.tr("{found} · offline: showing what this computer holds").format(found=found)
        else:
            status = found
        self.status_label.setText(status)
        self.view.set_placeholder(
            self.tr("Nothing found for “{query}”.").format(query=query)
            if self._online_state != "searching"
            else ""
        )

    # -- the pane contract ------------------------------------------------------------------------------

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        if self.query.strip() and any(kind in changes for kind in (*SEARCHABLE_TYPES, "community")):
            if self.isVisible():
                self._refresh_local()
            else:
                self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._refresh_local()
        super().showEvent(event)

    def _refresh_local(self) -> None:
        """The cache changed under the current query (a sync): search it again, keep the online part."""
        self._stale = False
        if self.query.strip():
            self._local = self._search_cache(self.query.strip())
            self._show_results()

    def _open_index(self, index: QModelIndex) -> None:
        result = index.data(RESULT_ROLE)
        if isinstance(result, SearchResult):
            self.context.navigate.emit(result.type, result.id)

    def self_test_texts(self) -> list[str]:
        # The self-test types "VPN": the demo's IT Support has solved VPN questions.
        return [self.tr("All"), self.tr("Questions"), self.tr("People"), "VPN", self.tr("Solved")]
