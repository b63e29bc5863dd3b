"""Questions: open / solved / all questions, the thread to answer and accept, and "Ask a question"
with helpdesk deflection — similar solved questions appear under the title as it is typed."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from atrium.cache import Community, FeedPage, my_communities, questions

from ..context import UiContext
from ..drafts import QUESTION_KEY
from ..widgets.composer import Composer
from ..widgets.feed_browser import FeedBrowser
from ..widgets.filter_bar import FilterBar
from .base import Pane


class QuestionsPane(Pane):
    key = "questions"
    title = "Questions"

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.title = self.tr("Questions")
        self.state = "open"
        self.filters = FilterBar(
            [("open", self.tr("Open")), ("solved", self.tr("Solved")), ("all", self.tr("All"))], self
        )
        self.filters.setAccessibleName(self.tr("Question filters"))
        self.filters.changed.connect(self.set_state)
        self.ask_button = self.filters.add_action(self.tr("Ask a question"), self.tr("Ask a question"))
        self.ask_button.setObjectName("ask-question")
        self.ask_button.clicked.connect(self.ask)
        self.browser = FeedBrowser(context, self._query, empty_text=self._empty_text(), parent=self)
        self.browser.thread_view.closeRequested.connect(self.itemClosed)
        self.feed = self.browser.view
        self.model = self.browser.model
        self.thread_view = self.browser.thread_view
        self.composer: Composer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filters)
        layout.addWidget(self.browser, 1)

    def _query(self, before: tuple[str, str] | None, limit: int) -> FeedPage:
        return questions(self.context.reader, state=self.state,  # type: ignore[arg-type]
                         before=before, limit=limit, me=self.context.me)  # fmt: skip

    def _empty_text(self) -> str:
        if self.state == "open":
            return self.tr("No open questions. Ask one: colleagues answer, and you accept what worked.")
        return self.tr("No questions here yet.")

    def set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        self.filters.select(state)
        self.browser.set_query(self._query, self._empty_text())

    # -- asking ----------------------------------------------------------------------------------------

    def support_community(self) -> str | None:
        """Where questions go by default: a support community I belong to, else my first one."""
        mine: list[Community] = my_communities(self.context.reader, me=self.context.me)
        for place in mine:
            if place.kind == "support":
                return place.id
        return mine[0].id if mine else None

    def ask(self) -> Composer:
        """Show the question composer in the list's place; suggestions open beside it."""
        if self.composer is None:
            self.composer = Composer(
                self.context,
                self,
                community_id=self.support_community(),
                kind="question",
                draft_key=QUESTION_KEY,
            )
            self.composer.setAccessibleName(self.tr("Ask a question"))
            self.composer.sent.connect(self._asked)
            self.composer.cancelled.connect(self._stop_asking)
            self.composer.postLinkActivated.connect(self.browser.open_post)
        self.composer.set_kind("question")
        self.browser.set_overlay(self.composer)
        self.ask_button.setEnabled(False)
        self.composer.title_edit.setFocus()
        return self.composer

    def _asked(self, post_id: str) -> None:
        self._stop_asking()
        self.set_state("open")
        self.browser.open_post(post_id)

    def _stop_asking(self) -> None:
        self.browser.set_overlay(None)
        self.ask_button.setEnabled(True)

    # -- the Pane contract -----------------------------------------------------------------------------

    def activated(self) -> None:
        self.feed.setFocus()

    def open_item(self, kind: str, object_id: str) -> bool:
        if kind == "comment":
            return self.browser.open_comment(object_id)
        return kind == "post" and self.browser.open_post(object_id)

    def self_test_texts(self) -> list[str]:
        return ["IT Support", self.tr("Ask a question")]

    def select_next(self) -> None:
        self.feed.select_next()

    def select_previous(self) -> None:
        self.feed.select_previous()

    def new_post(self) -> Composer:
        return self.ask()
