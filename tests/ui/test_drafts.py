"""Drafts on the desktop: what is typed in the composer or a thread's comment box outlives closing,
switching panes and a restart, and goes when it is sent or discarded."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from atrium.cache import load_draft, open_cache
from atrium.ui.drafts import SAVE_DELAY_MS, edit_key
from atrium.ui.outbox_dialog import OutboxDialog
from atrium.ui.panes.questions import QuestionsPane
from atrium.ui.status_area import StatusArea
from atrium.ui.widgets.composer import open_composer
from atrium.ui.widgets.feed_model import FeedRole
from atrium.ui.widgets.post_format import posts_by_id
from tests.harness import RunningServer
from tests.ui import test_home
from tests.ui.test_home import Desk, close_desk, make_home, must, open_desk, save_shot

desk = test_home.desk

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(
        "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
    ),
]


def on_disk(desk: Desk, key: str) -> dict[str, Any] | None:
    """KEY's draft as a fresh connection finds it in the file (what a crash would leave)."""
    with open_cache(desk.session.profile.cache_db, read_only=True, verify=False) as fresh:
        found = load_draft(fresh, key)
    return found.fields if found is not None else None


def test_a_closed_composer_keeps_its_draft_until_it_is_discarded(
    qtbot: Any, desk: Desk, screenshot_dir: Path
) -> None:
    pane = make_home(qtbot, desk)
    dialog = pane.new_post()
    composer = dialog.composer
    qtbot.waitExposed(dialog)
    assert not composer.discard_button.isVisible(), "nothing typed, nothing to discard"
    composer.set_kind("blog")
    qtbot.keyClicks(composer.title_edit, "Moving day")
    qtbot.keyClicks(composer.body_edit, "Boxes go to floor 4 on Friday")
    assert composer.discard_button.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # closed the quick way: nothing is asked, nothing lost
    desk.wait_until(lambda: on_disk(desk, "post") is not None)
    kept = must(on_disk(desk, "post"))
    assert kept["title"] == "Moving day" and kept["body"] == "Boxes go to floor 4 on Friday"
    assert kept["kind"] == "blog"

    again_dialog = pane.new_post()
    again = again_dialog.composer
    qtbot.waitExposed(again_dialog)
    assert (again.kind, again.title_edit.text()) == ("blog", "Moving day")
    assert again.body_edit.toPlainText() == "Boxes go to floor 4 on Friday"
    assert again.community_id() == kept["community_id"]
    assert "draft is back" in again.message.text()
    save_shot(again_dialog, screenshot_dir / "composer-draft.png")
    qtbot.mouseClick(again.discard_button, Qt.MouseButton.LeftButton)
    assert again.body_edit.toPlainText() == "" and again.title_edit.text() == ""
    desk.wait_until(lambda: on_disk(desk, "post") is None)


def test_typing_reaches_the_file_within_a_moment_and_sending_uses_the_draft_up(
    qtbot: Any, desk: Desk
) -> None:
    pane = make_home(qtbot, desk)
    composer = pane.new_post().composer
    qtbot.keyClicks(composer.body_edit, "Lunch at 12?")
    desk.run(asyncio.sleep(SAVE_DELAY_MS / 1000 + 0.3))
    assert must(on_disk(desk, "post"))["body"] == "Lunch at 12?", "a crash now would lose nothing"
    sent: list[str] = []
    composer.sent.connect(sent.append)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    desk.wait_until(lambda: bool(sent))
    assert on_disk(desk, "post") is None, "sent: the draft went with it"
    assert desk.reader.conn.execute("SELECT body FROM posts WHERE id = ?", (sent[0],)).fetchone() == (
        "Lunch at 12?",
    )
    fresh = pane.new_post().composer
    assert fresh.body_edit.toPlainText() == "" and not fresh.message.text()


def test_an_edit_closed_unsaved_comes_back_and_discarding_restores_the_post(qtbot: Any, desk: Desk) -> None:
    pane = make_home(qtbot, desk)
    mine = desk.reader.conn.execute(
        "SELECT id FROM posts WHERE author_id = ? ORDER BY created_at DESC LIMIT 1", (desk.context.me,)
    ).fetchone()[0]
    post = (
        must(pane.model.post_at(must(pane.model.row_of(mine))))
        if pane.model.row_of(mine) is not None
        else None
    )
    if post is None:
        pytest.skip("the demo user has no post in Home")
    dialog = open_composer(desk.context, pane, edit=post)
    dialog.composer.body_edit.setPlainText(post.body + "\n\nUpdate: fixed.")
    dialog.reject()
    desk.wait_until(lambda: on_disk(desk, f"edit:{post.id}") is not None)
    again = open_composer(desk.context, pane, edit=post).composer
    assert again.body_edit.toPlainText().endswith("Update: fixed.")
    assert again.discard_button.text() == "Discard changes"
    qtbot.mouseClick(again.discard_button, Qt.MouseButton.LeftButton)
    assert again.body_edit.toPlainText() == post.body
    assert not again.discard_button.isVisible()
    desk.wait_until(lambda: on_disk(desk, f"edit:{post.id}") is None)


def test_editing_a_question_opens_with_its_title(qtbot: Any, desk: Desk) -> None:
    """A question's composer looks for similar questions as its title changes: filling in the
    title of the question being edited must not come before what that search needs."""
    pane = make_home(qtbot, desk)
    question = replace(must(pane.model.post_at(0)), kind="question", title="Printer jam on floor 3?")
    composer = open_composer(desk.context, pane, edit=question).composer
    assert composer.title_edit.text() == "Printer jam on floor 3?"
    qtbot.keyClicks(composer.title_edit, " Again")
    qtbot.wait(300)  # the similar-questions search runs a moment after typing
    assert composer.title_edit.text().endswith("Again")


def test_a_comment_draft_is_shared_by_every_pane_and_keeps_its_reply(qtbot: Any, desk: Desk) -> None:
    home = make_home(qtbot, desk)
    post_id, comment_id = desk.reader.conn.execute(
        "SELECT p.id, c.id FROM posts p JOIN comments c ON c.post_id = p.id "
        "WHERE p.kind = 'question' ORDER BY p.created_at DESC LIMIT 1"
    ).fetchone()
    assert home.open_item("post", post_id)
    home.thread_view.activate_link(f"atrium://action/reply/{comment_id}")
    qtbot.keyClicks(home.thread_view.editor, "Did you try the other tray?")
    home.thread_view.clear()  # the thread closes: the draft is saved at once
    questions = QuestionsPane(desk.context)
    qtbot.addWidget(questions)
    questions.resize(1280, 860)
    questions.show()
    assert questions.open_item("post", post_id)
    assert questions.thread_view.editor.toPlainText() == "Did you try the other tray?"
    assert questions.thread_view.reply_label.isVisible(), "still a reply to the same comment"
    desk.wait_until(lambda: on_disk(desk, f"comment:{post_id}") is not None)
    assert must(on_disk(desk, f"comment:{post_id}"))["reply_to"] == comment_id
    questions.thread_view.send_comment()
    desk.wait_until(lambda: questions.thread_view.editor.toPlainText() == "")
    assert on_disk(desk, f"comment:{post_id}") is None
    assert desk.reader.conn.execute(
        "SELECT parent_id FROM comments WHERE body = 'Did you try the other tray?'"
    ).fetchone() == (comment_id,)


def test_drafts_outlive_the_desktop(
    qtbot: Any, qloop: qasync.QEventLoop, demo_server: RunningServer, tmp_path: Path
) -> None:
    """Typed, then the desktop closes at once (before the save's moment): the next start shows it."""
    first = open_desk(qloop, demo_server, tmp_path)
    home = make_home(qtbot, first)
    post_id = must(home.model.post_at(0)).id
    assert home.open_item("post", post_id)
    qtbot.keyClicks(home.thread_view.editor, "Typed just before the lid closed")
    composer = home.new_post().composer
    qtbot.keyClicks(composer.body_edit, "A post in the making")
    first.run(first.context.drafts.flush())  # what the controller does as it closes
    close_desk(first)
    home.hide()

    second = open_desk(qloop, demo_server, tmp_path)
    try:
        again = make_home(qtbot, second)
        assert again.open_item("post", post_id)
        assert again.thread_view.editor.toPlainText() == "Typed just before the lid closed"
        assert again.new_post().composer.body_edit.toPlainText() == "A post in the making"
    finally:
        close_desk(second)


def test_a_card_says_a_comment_draft_waits_in_its_thread(
    qtbot: Any, desk: Desk, screenshot_dir: Path
) -> None:
    pane = make_home(qtbot, desk)
    post = must(pane.model.post_at(2))
    row = must(pane.model.row_of(post.id))
    assert pane.model.index(row).data(FeedRole.Status) == ""
    assert pane.open_item("post", post.id)
    pane.thread_view.editor.setPlainText("Count me in\nand Sam too")
    pane.browser.close_thread()
    status = lambda: pane.model.index(row).data(FeedRole.Status)  # noqa: E731
    desk.wait_until(lambda: status() == "✎ Draft: Count me in")
    assert "Draft: Count me in" in pane.model.index(row).data(Qt.ItemDataRole.AccessibleTextRole)
    save_shot(pane, screenshot_dir / "home-card-with-draft.png")
    assert pane.open_item("post", post.id)
    pane.thread_view.send_comment()
    desk.wait_until(lambda: status() in ("Sending…", ""))
    desk.wait_until(lambda: "Draft" not in status())


def my_post(desk: Desk) -> Any:
    post_id = desk.reader.conn.execute(
        "SELECT id FROM posts WHERE author_id = ? AND kind = 'post' ORDER BY created_at DESC LIMIT 1",
        (desk.context.me,),
    ).fetchone()[0]
    return must(posts_by_id(desk.reader, [post_id], desk.context.me).get(post_id))


def test_a_saved_edit_leaves_no_draft_and_the_next_edit_shows_the_post(qtbot: Any, desk: Desk) -> None:
    pane = make_home(qtbot, desk)
    post = my_post(desk)
    dialog = open_composer(desk.context, pane, edit=post)
    dialog.composer.body_edit.setPlainText(post.body + " (updated)")
    sent: list[str] = []
    dialog.composer.sent.connect(sent.append)
    dialog.composer.send()
    desk.wait_until(lambda: bool(sent))
    desk.run(desk.context.drafts.flush())
    assert on_disk(desk, edit_key(post.id)) is None, "saved: nothing left to keep"
    now = must(posts_by_id(desk.reader, [post.id], desk.context.me).get(post.id))
    again = open_composer(desk.context, pane, edit=now).composer
    assert again.body_edit.toPlainText() == post.body + " (updated)"
    assert not again.message.text() and not again.discard_button.isVisible()


def test_discard_after_a_refused_send_really_discards(qtbot: Any, desk: Desk) -> None:
    pane = QuestionsPane(desk.context)
    qtbot.addWidget(pane)
    pane.show()
    composer = pane.ask()
    qtbot.keyClicks(composer.title_edit, "Why is the VPN slow?")
    desk.run(desk.context.drafts.flush())
    assert on_disk(desk, "question") is not None
    composer.send()  # no details: the post is refused before it is queued
    desk.wait_until(lambda: "empty" in composer.message.text())
    qtbot.mouseClick(composer.discard_button, Qt.MouseButton.LeftButton)
    desk.run(desk.context.drafts.flush())
    assert on_disk(desk, "question") is None
    composer.close_composer()
    assert not pane.ask().title_edit.text(), "the discarded draft does not come back"


def test_one_thread_in_two_panes_is_one_draft(qtbot: Any, desk: Desk) -> None:
    home = make_home(qtbot, desk)
    post_id = must(home.model.post_at(1)).id
    assert home.open_item("post", post_id)
    qtbot.keyClicks(home.thread_view.editor, "typed in Home")  # and straight on to another pane
    questions = QuestionsPane(desk.context)
    qtbot.addWidget(questions)
    questions.show()
    assert questions.thread_view.show_post(post_id)
    assert questions.thread_view.editor.toPlainText() == "typed in Home"
    qtbot.keyClicks(questions.thread_view.editor, ", finished in Questions")
    desk.run(desk.context.drafts.flush())
    assert home.thread_view.editor.toPlainText() == "typed in Home, finished in Questions"
    questions.thread_view.send_comment()
    desk.wait_until(lambda: questions.thread_view.editor.toPlainText() == "")
    assert home.thread_view.editor.toPlainText() == "", "sent from one pane: gone from the other"
    desk.run(desk.context.drafts.flush())
    assert on_disk(desk, f"comment:{post_id}") is None
    row = must(home.model.row_of(post_id))
    assert "Draft" not in home.model.index(row).data(FeedRole.Status)


def test_an_edit_draft_of_a_post_changed_since_says_so(qtbot: Any, desk: Desk, tmp_path: Path) -> None:
    pane = make_home(qtbot, desk)
    post = my_post(desk)
    dialog = open_composer(desk.context, pane, edit=post)
    dialog.composer.body_edit.setPlainText("my offline rewrite")
    dialog.reject()
    desk.run(desk.context.drafts.flush())
    other, actions = desk.colleague(tmp_path / "laptop", "demo")  # the same person on another computer
    desk.run(actions.edit_post(post.id, body="changed on the laptop"))
    assert other.engine is not None
    desk.run(other.engine.sync_once())
    desk.sync()
    now = must(posts_by_id(desk.reader, [post.id], desk.context.me).get(post.id))
    assert now.body == "changed on the laptop"
    again = open_composer(desk.context, pane, edit=now).composer
    assert again.body_edit.toPlainText() == "my offline rewrite"
    assert "changed since you began this edit" in again.message.text()
    qtbot.mouseClick(again.discard_button, Qt.MouseButton.LeftButton)
    assert again.body_edit.toPlainText() == "changed on the laptop"


def test_drafts_are_listed_with_unsent_changes_even_when_their_post_is_gone(
    qtbot: Any, desk: Desk, screenshot_dir: Path
) -> None:
    desk.run(desk.context.actions.save_draft("comment:no-such-post", {"body": "Words with nowhere to go"}))
    desk.run(desk.context.actions.save_draft("question", {"title": "Why is the VPN slow?", "body": ""}))
    window = QWidget()
    qtbot.addWidget(window)
    status = StatusArea(window)
    status.set_counts(0, 0, 2)
    assert status.pending_button.isVisibleTo(window) and status.pending_button.text() == "2 drafts"
    dialog = OutboxDialog(desk.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    described = [dialog.drafts_model.index(row, 0).data() for row in range(dialog.drafts_model.rowCount())]
    assert sorted(described) == ["Comment on a post that is gone", "Question"]
    save_shot(dialog, screenshot_dir / "outbox-drafts.png")
    gone = described.index("Comment on a post that is gone")
    assert dialog.drafts_model.index(gone, 2).data(Qt.ItemDataRole.ToolTipRole) == "Words with nowhere to go"
    dialog.drafts_table.selectRow(gone)
    assert not dialog.open_draft_button.isEnabled() and dialog.discard_draft_button.isEnabled()
    opened: list[str] = []
    dialog.draft_opened.connect(opened.append)
    dialog.drafts_table.selectRow(1 - gone)
    qtbot.mouseClick(dialog.open_draft_button, Qt.MouseButton.LeftButton)
    assert opened == ["question"]


def test_a_restored_draft_says_where_it_goes_and_which_files_are_gone(
    qtbot: Any, desk: Desk, tmp_path: Path
) -> None:
    pane = make_home(qtbot, desk)
    first, second = desk.reader.conn.execute(
        "SELECT c.id FROM communities c JOIN memberships m ON m.community_id = c.id "
        "WHERE m.user_id = ? ORDER BY c.name LIMIT 2",
        (desk.context.me,),
    ).fetchall()
    kept = tmp_path / "agenda.txt"
    kept.write_text("1. coffee\n")
    desk.run(desk.context.actions.save_draft("post", {
        "title": "", "body": "Agenda attached", "kind": "post", "community_id": first[0],
        "attachments": [str(kept), str(tmp_path / "deleted-since.pdf")],
    }))  # fmt: skip
    composer = open_composer(desk.context, pane, community_id=second[0]).composer
    assert composer.community_id() == first[0], "the draft goes where it was begun"
    assert "It goes to" in composer.message.text()
    assert "No longer there, so not attached: deleted-since.pdf." in composer.message.text()
    assert composer.attachments() == [kept]
