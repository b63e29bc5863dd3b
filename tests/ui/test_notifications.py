"""The Notifications pane against a real seeded server: sentences, unread first, click marks read and navigates."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from PySide6.QtCore import QPoint, Qt

from atrium.cache import Notification, unread_count, unread_entries
from atrium.ui.context import UiContext
from atrium.ui.panes.notifications import (
    NOTIFICATION_ROLE,
    NotificationListModel,
    NotificationRow,
    NotificationsPane,
    merge_rows,
    short_title,
)
from atrium.ui.probe import missing_texts
from atrium.ui.widgets.rich_text_delegate import HTML_ROLE
from tests.ui.desk import Desk

T = TypeVar("T")
pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


# --- helpers ----------------------------------------------------------------------------------------


def make_pane(qtbot: Any, desk: Desk) -> NotificationsPane:
    pane = NotificationsPane(desk.context)
    qtbot.addWidget(pane)
    pane.resize(900, 640)
    pane.show()
    desk.wait_until(lambda: pane.isVisible())
    return pane


def rows(pane: NotificationsPane) -> list[NotificationRow]:
    return [pane.model.row_at(number) for number in range(pane.model.rowCount())]


def click_row(qtbot: Any, pane: NotificationsPane, number: int) -> None:
    index = pane.model.index(number)
    pane.view.scrollTo(index)
    qtbot.mouseClick(
        pane.view.viewport(), Qt.MouseButton.LeftButton, pos=pane.view.visualRect(index).center()
    )


def mention_demo(desk: Desk, title: str) -> str:
    """A new colleague joins one of demo's public communities and mentions @demo there; the post id."""
    morgan, community_id = desk.colleague_in_community("morgan", "Morgan Mentioner", shared=True)
    post_id = str(uuid.uuid4())
    answer = morgan.post(
        "/posts",
        json={
            "id": post_id,
            "community_id": community_id,
            "kind": "post",
            "title": title,
            "body": "@demo the printer on floor 3 jams again.",
        },
    )
    assert answer.status_code == 201, answer.text
    morgan.close()
    return post_id


# --- tests ------------------------------------------------------------------------------------------


def test_demo_notifications_show_as_sentences_unread_first(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    assert 10 < pane.model.rowCount() < 50, "a page of 50 is loaded (likes grouped); more come as it scrolls"
    unread, entries = unread_count(desk.reader), unread_entries(desk.reader)
    assert unread > entries > 0, "the demo user has unread likes of one post: one entry"
    assert pane.unread_label.text() == f"{entries} unread", "the header counts rows, as shown"
    texts = [pane.model.index(n).data() for n in range(pane.model.rowCount())]
    assert any(" liked your post " in text for text in texts)
    assert all(not text.startswith("Someone") for text in texts), "actors come from the cached profiles"
    first_unread = pane.model.index(0).data(HTML_ROLE)
    assert "●</span>&nbsp;<b>" in first_unread, "unread: a dot and the whole sentence in bold"
    assert missing_texts(pane, pane.self_test_texts()) == [], "what atrium --self-test looks for"

    while not any(item.note.read for item in rows(pane)):  # scrolling down fetches the next pages
        loaded: int = pane.model.rowCount()

        def grew(before: int = loaded) -> bool:
            return pane.model.rowCount() > before

        pane.view.scrollToBottom()
        desk.wait_until(grew, timeout=2)
    reads = [item.note.read for item in rows(pane)]
    assert reads == sorted(reads), "unread notifications come first"
    assert sum(len(item.ids) for item in rows(pane) if not item.note.read) == unread
    assert len([item for item in rows(pane) if not item.note.read]) == entries
    read_row = reads.index(True)
    assert "●" not in pane.model.index(read_row).data(HTML_ROLE)


def is_read(desk: Desk, notification_id: str) -> bool:
    row = desk.reader.conn.execute(
        "SELECT read FROM notifications WHERE id = ?", (notification_id,)
    ).fetchone()
    return bool(row[0])


def test_a_mention_arrives_unread_and_a_click_marks_it_read_and_navigates(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    before, shown = unread_count(desk.reader), unread_entries(desk.reader)
    post_id = mention_demo(desk, "Printer jam on floor 3")
    desk.sync()

    top = pane.model.row_at(0)
    assert top.note.kind == "mention" and not top.note.read
    assert pane.model.index(0).data() == "Morgan Mentioner mentioned you in Printer jam on floor 3"
    assert unread_count(desk.reader) == before + 1
    assert pane.unread_label.text() == f"{shown + 1} unread"

    desk.navigated.clear()
    click_row(qtbot, pane, 0)
    assert desk.navigated == [("post", post_id)]
    desk.wait_until(lambda: unread_count(desk.reader) == before)
    desk.wait_until(lambda: pane.unread_label.text() == f"{shown} unread")
    assert is_read(desk, top.note.id)
    assert pane.model.row_at(0).note.id != top.note.id, "a read notification moves below the unread ones"
    moved = pane.model.row_of(top.note.id)
    assert moved == -1 or pane.model.row_at(moved).note.read

    desk.sync()  # the read state goes to the server and stays read
    assert unread_count(desk.reader) == before
    assert is_read(desk, top.note.id)


def test_enter_opens_a_comment_notification_and_mark_all_as_read(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    number = next(n for n, item in enumerate(rows(pane)) if item.note.target_type == "comment")
    item = pane.model.index(number).data(NOTIFICATION_ROLE)
    assert item.target_title, "a comment notification names the post the comment is on"
    pane.view.setFocus()
    pane.view.setCurrentIndex(pane.model.index(number))
    desk.navigated.clear()
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    assert desk.navigated == [("comment", item.note.target_id)]

    assert pane.mark_all_button.isEnabled()
    qtbot.mouseClick(pane.mark_all_button, Qt.MouseButton.LeftButton)
    desk.wait_until(lambda: unread_count(desk.reader) == 0)
    desk.wait_until(lambda: not pane.mark_all_button.isEnabled())
    assert pane.unread_label.text() == "All caught up"
    assert all(item.note.read for item in rows(pane))
    desk.sync()
    assert unread_count(desk.reader) == 0


def test_screenshot(qtbot: Any, desk: Desk, screenshot_dir: Path) -> None:
    pane = make_pane(qtbot, desk)
    pane.view.setCurrentIndex(pane.model.index(2))
    desk.pause(0.3)  # a list view lays out again 100 ms after a width change
    image = pane.grab().toImage()
    path = screenshot_dir / "notifications.png"
    assert image.save(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10, "the pane is not blank"
    assert pane.view.indexAt(QPoint(20, 10)).isValid(), "rows are painted from the top"


def test_a_sentence_for_every_kind(qapp: Any) -> None:
    model = NotificationListModel(cast(UiContext, None))

    def row(
        kind: str, target_type: str, title: str = "Printer jam", actor: str | None = "Dana"
    ) -> NotificationRow:
        note = Notification(
            "n1", kind, "u1", actor, target_type, "t1", "c1", "2026-01-01T00:00:00Z", False, False
        )
        return NotificationRow(note, title, "IT Support", None)

    expected = {
        ("mention", "post"): "Dana mentioned you in Printer jam",
        ("reply", "comment"): "Dana replied to you in Printer jam",
        ("like", "post"): "Dana liked your post Printer jam",
        ("like", "comment"): "Dana liked your comment in Printer jam",
        ("accepted", "comment"): "Dana accepted your answer in Printer jam",
        ("announcement", "post"): "Dana posted an announcement: Printer jam",
        ("added_to_community", "community"): "Dana added you to Printer jam",
        ("something_new", "post"): "Dana: new activity in Printer jam",
    }
    for (kind, target_type), sentence in expected.items():
        assert model.plain_text(row(kind, target_type)) == sentence
        assert row(kind, target_type).destination() == (target_type, "t1")
    assert model.plain_text(row("like", "post", title="", actor=None)) == "Someone liked your post a post"
    html = model.html(row("mention", "post", title="<script>"))
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert short_title(None, "## **Hello** world\nmore") == "Hello world"

    def like(number: int, actor: str, read: bool = False) -> NotificationRow:
        note = Notification(f"n{number}", "like", f"u-{actor}", actor, "post", "t1", "c1",
                            f"2026-01-0{number}T00:00:00Z", read, False)  # fmt: skip
        return NotificationRow(note, "Printer jam", "IT Support", None)

    grouped: list[NotificationRow] = []
    merge_rows(
        grouped,
        {},
        [like(5, "Dana"), like(4, "Li"), like(3, "Dana", read=True), like(2, "Sam"), like(1, "Ana")],
    )
    assert [model.plain_text(row) for row in grouped] == [
        "Dana and 3 others liked your post Printer jam",
        "Dana liked your post Printer jam",
    ], "one row per target and read state; a person counted once"
    assert grouped[0].ids == ["n5", "n4", "n2", "n1"]
    two: list[NotificationRow] = []
    merge_rows(two, {}, [like(2, "Dana"), like(1, "Li")])
    assert model.plain_text(two[0]) == "Dana and Li liked your post Printer jam"
    assert "<b>Dana</b> and <b>Li</b> liked" in model.html(two[0])
    assert short_title(None, "word " * 40).endswith("word…") and len(short_title(None, "word " * 40)) <= 71


def test_likes_of_one_post_share_a_row_and_one_click_reads_them_all(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    while pane.model.canFetchMore():
        pane.model.fetchMore()
    items = rows(pane)
    group = max((item for item in items if not item.note.read), key=lambda item: len(item.ids))
    assert len(group.ids) > 2 and group.note.kind == "like", "the demo user has unread likes of one post"
    keys = [item.group_key() for item in items if item.group_key() is not None]
    assert len(keys) == len(set(keys)), "no target's likes in two rows of the same read state"
    number = pane.model.row_of(group.note.id)
    assert " others liked your " in pane.model.index(number).data()
    before = unread_count(desk.reader)
    pane.open_notification(group)
    desk.wait_until(lambda: unread_count(desk.reader) == before - len(group.ids))
    assert all(is_read(desk, notification_id) for notification_id in group.ids)


def test_a_likes_row_read_before_all_its_likes_are_loaded_reads_them_all(qtbot: Any, desk: Desk) -> None:
    """At a page boundary a row may hold only some of its target's likes: a click reads them all."""
    pane = make_pane(qtbot, desk)
    target_type, target_id, count = desk.reader.conn.execute(
        "SELECT target_type, target_id, count(*) FROM notifications WHERE kind = 'like' AND read = 0 "
        "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"
    ).fetchone()
    assert count > 1
    newest = next(item for item in rows(pane) if item.group_key() == (target_type, target_id, False))
    partial = NotificationRow(newest.note, newest.target_title, newest.community_name, newest.post_id)
    before = unread_count(desk.reader)
    pane.open_notification(partial)
    desk.wait_until(lambda: unread_count(desk.reader) == before - count)
