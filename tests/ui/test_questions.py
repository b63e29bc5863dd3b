"""Questions against a real seeded server: open/solved filters, asking with helpdesk deflection
(similar solved questions shown under the title as it is typed), a colleague's answer arriving by
sync, and the asker accepting it with the link in the thread."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractButton, QTextBrowser, QWidget

from atrium.ui.panes.questions import QuestionsPane
from atrium.ui.widgets.thread_html import action_link
from tests.ui import test_home
from tests.ui.test_home import Desk, save_shot

desk = test_home.desk  # the signed-in desktop fixture, shared until tests/ui/conftest.py has one

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(
        "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
    ),
]


def make_pane(qtbot: Any, desk: Desk) -> QuestionsPane:
    pane = QuestionsPane(desk.context)
    qtbot.addWidget(pane)
    pane.resize(1280, 860)
    pane.show()
    desk.wait_until(pane.isVisible)
    return pane


def listed(pane: QuestionsPane) -> list[Any]:
    return [pane.model.post_at(row) for row in range(pane.model.rowCount(QModelIndex()))]


def click_anchor(qtbot: Any, browser: QTextBrowser, href: str) -> None:
    """Click the link HREF in BROWSER where it is drawn, as a person would."""
    document = browser.document()
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + min(2, fragment.length() - 1))
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                point = browser.cursorRect(cursor).center() - QPoint(2, 0)
                qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            iterator += 1
        block = block.next()
    raise AssertionError(f"no link {href} in the thread")


def test_open_and_solved_filters(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    open_ones = listed(pane)
    assert open_ones and all(post.kind == "question" and not post.solved for post in open_ones)
    assert "IT Support" in {post.community_name for post in open_ones}
    qtbot.mouseClick(pane.filters.buttons["solved"], Qt.MouseButton.LeftButton)
    solved = listed(pane)
    assert solved and all(post.solved for post in solved)
    qtbot.mouseClick(pane.filters.buttons["all"], Qt.MouseButton.LeftButton)
    assert len(listed(pane)) >= min(len(open_ones) + len(solved), pane.model.page_size)


def test_ask_with_deflection_then_answer_and_accept(qtbot: Any, desk: Desk, tmp_path: Path,
                                                    screenshot_dir: Path) -> None:  # fmt: skip
    pane = make_pane(qtbot, desk)
    qtbot.mouseClick(pane.ask_button, Qt.MouseButton.LeftButton)
    composer = pane.composer
    assert composer is not None and composer.isVisible() and composer.kind == "question"
    assert composer.community_box.currentText() == "IT Support", "questions go to the support community"
    [(solved_id, solved_title)] = desk.reader.conn.execute(
        "SELECT p.id, p.title FROM posts p JOIN communities c ON c.id = p.community_id WHERE c.name = 'IT Support' "
        "AND p.kind = 'question' AND p.accepted_comment_id IS NOT NULL ORDER BY p.created_at DESC LIMIT 1"
    ).fetchall()
    # Which of the demo's threads is newest (so which title this is: one with an apostrophe,
    # escaped in the label, or one whose first words other questions share) depends on the hour
    # it was seeded: type the whole title and compare the label's text, not its markup.
    typed = solved_title
    qtbot.keyClicks(composer.title_edit, typed)
    desk.wait_until(composer.deflection.isVisible)
    shown = composer.deflection.text()
    assert "Maybe already answered:" in shown
    assert solved_title in html.unescape(shown), f"typing {typed!r} suggests {solved_title!r}"
    first_link = shown.index("atrium://post/")
    assert "✓ Solved" in shown[:first_link], "a solved question comes first"
    composer.deflection.linkActivated.emit(f"atrium://post/{solved_id}")  # what a click on it sends
    assert pane.thread_view.isVisible() and pane.thread_view.post_id == solved_id, (
        "the answer opens beside the question"
    )
    assert "Accepted answer" in pane.thread_view.browser.toPlainText()
    save_shot(pane, screenshot_dir / "questions-ask.png")

    title = "VPN disconnects when I dock the laptop in Leeds"
    composer.title_edit.setText(title)
    qtbot.keyClicks(
        composer.body_edit, "Since Monday, every time I dock, GlobalProtect drops. Tried a reboot."
    )
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    desk.wait_until(lambda: not composer.isVisible())
    question = pane.thread_view.current.post if pane.thread_view.current else None
    assert question is not None and question.title == title and question.pending
    assert pane.model.row_of(question.id) is not None, "listed among the open questions at once"
    desk.sync()

    [(handle,)] = desk.server_query(
        "SELECT u.handle FROM memberships m JOIN users u ON u.id = m.user_id JOIN communities c "
        "ON c.id = m.community_id WHERE c.slug = 'it-support' AND u.handle NOT IN ('demo', 'admin') "
        "ORDER BY u.handle LIMIT 1 OFFSET 1"
    )
    colleague, actions = desk.colleague(tmp_path / "colleague", handle)
    answer_id = desk.run(actions.comment(question.id, "Update the dock firmware: **Dock Manager → Update**."))
    assert colleague.engine is not None
    desk.run(colleague.engine.sync_once())
    desk.sync()
    text = pane.thread_view.browser.toPlainText()
    assert "Update the dock firmware" in text and "1 answer" in text
    accept = action_link("accept", answer_id)
    assert accept in pane.thread_view.browser.toHtml(), "the asker can mark it as the answer"
    assert "Mark as the answer" in pane.thread_view.browser.toPlainText(), "a plain link, not a second badge"
    save_shot(pane.thread_view, screenshot_dir / "question-thread.png")
    click_anchor(qtbot, pane.thread_view.browser, accept)
    desk.wait_until(lambda: "Accepted answer" in pane.thread_view.browser.toPlainText())
    assert pane.model.row_of(question.id) is None, "no longer among the open questions"
    desk.sync()
    [(accepted,)] = desk.server_query("SELECT accepted_comment_id FROM posts WHERE id = ?", question.id)
    assert accepted == answer_id
    qtbot.mouseClick(pane.filters.buttons["solved"], Qt.MouseButton.LeftButton)
    assert pane.model.row_of(question.id) is not None
    save_shot(pane, screenshot_dir / "questions.png")


def test_open_item_and_self_test_texts(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    first = listed(pane)[0]
    assert pane.open_item("community", first.community_id) is False
    assert pane.open_item("post", first.id) and pane.thread_view.post_id == first.id
    shown = {post.community_name for post in listed(pane)} | {pane.ask_button.text()}
    assert set(pane.self_test_texts()) <= shown


def test_suggestions_share_more_than_one_telling_word(qapp: Any, tmp_path: Path) -> None:
    """'VPN keeps disconnecting at home' is not like 'Outlook keeps asking for my password'."""
    from atrium.cache import apply_sync_page, catch_up_search, open_cache
    from atrium.ui.widgets.deflection import similar_questions
    from tests.cache import factory as f

    group = f.community("IT Support")
    titles = [
        "VPN drops every evening at home",
        "Outlook keeps asking for my password",
        "Printer jams on floor 3",
    ]
    questions = [f.post(group["id"], "u1", "Any idea?", kind="question", title=title) for title in titles]
    with open_cache(tmp_path / "cache.db") as cache:
        apply_sync_page(
            cache, [f.upsert("community", group), *(f.upsert("post", q) for q in questions)], "c1"
        )
        while catch_up_search(cache, 1000):
            pass
        shown = [q.title for q in similar_questions(cache, "VPN keeps disconnecting at home")]
    assert shown == ["VPN drops every evening at home"]


def test_asking_beside_an_open_thread_in_a_small_window_clips_no_button(qtbot: Any, desk: Desk) -> None:
    """A 960x600 window leaves the pane ~730 px (the window, not the pane, sets its width): the Ask
    composer and the thread share it."""
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(730, 520)
    pane = QuestionsPane(desk.context, window)
    pane.setGeometry(0, 0, 730, 520)
    window.show()
    desk.wait_until(pane.isVisible)
    composer = pane.ask()
    qtbot.keyClicks(composer.body_edit, "Since this morning")  # a draft: Discard shows too
    question, author = desk.reader.conn.execute(
        "SELECT p.id, p.author_id FROM posts p JOIN users u ON u.id = p.author_id "
        "WHERE p.kind = 'question' AND p.author_id != ? ORDER BY length(u.display_name) DESC LIMIT 1",
        (desk.context.me,),
    ).fetchone()
    desk.run(desk.context.actions.set_follow("user", author, True))  # "Following <name>": the longest label
    assert pane.open_item("post", question)
    desk.wait_until(lambda: pane.thread_view.width() > 100 and composer.width() < 420)
    buttons: list[QAbstractButton] = [
        composer.attach_button, composer.discard_button, composer.cancel_button, composer.send_button
    ]  # fmt: skip
    thread = pane.thread_view
    buttons += [thread.close_button, thread.like_button, thread.follow_button, thread.more_button]
    for button in buttons:
        assert button.isVisible()
        assert button.width() >= button.sizeHint().width(), f"{button.accessibleName()!r} is clipped"
    assert composer.attach_button.toolTip() and thread.follow_button.toolTip().startswith("Follow")
