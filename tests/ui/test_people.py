"""The People pane against a real seeded server: name search, profile card, recent posts, follow/unfollow."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt

from atrium.server.database import create_db_engine
from atrium.ui.panes.people import PeoplePane, avatar_pixmap
from atrium.ui.probe import missing_texts
from atrium.ui.widgets.post_format import avatar_colour
from tests.harness import RunningServer
from tests.ui.desk import Desk

T = TypeVar("T")
pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


# --- helpers ----------------------------------------------------------------------------------------


def make_pane(qtbot: Any, desk: Desk) -> PeoplePane:
    pane = PeoplePane(desk.context)
    qtbot.addWidget(pane)
    pane.resize(960, 640)
    pane.show()
    desk.wait_until(lambda: pane.isVisible())
    return pane


def listed_names(pane: PeoplePane) -> list[str]:
    return [someone.display_name for someone in pane.list_model.people]


def follows_on_server(server: RunningServer, follower_handle: str, user_id: str) -> bool:
    engine = create_db_engine(server.database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT 1 FROM follows f JOIN users u ON u.id = f.user_id "
                "WHERE u.handle = ? AND f.target_type = 'user' AND f.target_id = ?",
                (follower_handle, user_id),
            ).first()
    finally:
        engine.dispose()
    return row is not None


# --- tests ------------------------------------------------------------------------------------------


def test_opens_on_my_card_with_the_people_i_follow(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    assert pane.name_label.text() == "Dana Demo"
    assert pane.title_label.text() == "Digital Workplace Lead · IT"
    assert "Grenoble, France" in pane.place_label.text()
    assert pane.follow_button.isHidden(), "no Follow button on my own card"
    assert pane.list_caption.text() == "People you follow"
    names = listed_names(pane)
    assert names and names == sorted(names, key=str.lower)
    assert all(someone.followed_by_me for someone in pane.list_model.people)
    assert pane.posts_model.rowCount() > 0, "my recent posts are listed"
    posts = [pane.posts_model.post_at(row) for row in range(pane.posts_model.rowCount())]
    assert all(post is not None and post.author_id == desk.context.me for post in posts)
    assert missing_texts(pane, pane.self_test_texts()) == [], "what atrium --self-test looks for"


def test_search_by_name_shows_a_profile_and_follow_toggles_and_survives_a_sync(
    qtbot: Any, desk: Desk
) -> None:
    pane = make_pane(qtbot, desk)
    qtbot.keyClicks(pane.search_field, "atrium ad")
    assert listed_names(pane) == ["Atrium Admin"]
    assert pane.list_caption.text() == "People matching “atrium ad”"
    with qtbot.assertNotEmitted(desk.context.navigate):
        qtbot.mouseClick(
            pane.list_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=pane.list_view.visualRect(pane.list_model.index(0)).center(),
        )
    assert pane.name_label.text() == "Atrium Admin"
    assert pane.title_label.text() == "Platform Administrator · IT"
    assert pane.avatar.pixmap() is not None and not pane.avatar.pixmap().isNull()
    admin = pane.person
    assert admin is not None and not admin.followed_by_me
    assert pane.follow_button.isVisible() and pane.follow_button.text() == "Follow"

    qtbot.mouseClick(pane.follow_button, Qt.MouseButton.LeftButton)
    desk.wait_until(lambda: pane.follow_button.text() == "Unfollow" and pane.follow_button.isEnabled())
    assert pane.person is not None and pane.person.followed_by_me
    assert pane.follow_button.accessibleName() == "Unfollow Atrium Admin"
    pane.search_field.clear()
    assert "Atrium Admin" in listed_names(pane), "now among the people I follow"

    desk.sync()  # the follow reaches the server; the server's copy replaces the optimistic row
    assert follows_on_server(desk.server, "demo", admin.id)
    assert pane.follow_button.text() == "Unfollow"
    assert "Atrium Admin" in listed_names(pane)

    qtbot.mouseClick(pane.follow_button, Qt.MouseButton.LeftButton)
    desk.wait_until(lambda: pane.follow_button.text() == "Follow" and pane.follow_button.isEnabled())
    desk.sync()
    assert not follows_on_server(desk.server, "demo", admin.id)
    assert pane.follow_button.text() == "Follow"
    assert "Atrium Admin" not in listed_names(pane)


def test_open_item_shows_a_person_and_their_posts_open_the_thread(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    author_id, name = desk.reader.conn.execute(
        "SELECT p.author_id, u.display_name FROM posts p JOIN users u ON u.id = p.author_id "
        "WHERE p.author_id != ? GROUP BY p.author_id ORDER BY count(*) DESC LIMIT 1",
        (desk.context.me,),
    ).fetchone()
    assert pane.open_item("post", "whatever") is False
    assert pane.open_item("user", author_id) is True
    assert pane.name_label.text() == name
    assert pane.posts_model.rowCount() > 0
    first = pane.posts_model.post_at(0)
    assert first is not None
    desk.navigated.clear()
    qtbot.mouseClick(
        pane.posts_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=pane.posts_view.visualRect(pane.posts_model.index(0)).center(),
    )
    assert desk.navigated == [("post", first.id)]
    quiet = desk.reader.conn.execute(
        "SELECT id FROM users WHERE id NOT IN (SELECT author_id FROM posts WHERE author_id IS NOT NULL) LIMIT 1"
    ).fetchone()[0]
    assert pane.open_item("user", quiet)
    assert pane.posts_model.rowCount() == 0
    assert pane.posts_stack.currentWidget() is pane.posts_empty
    assert pane.posts_empty.text() == "No recent posts in your offline copy."
    assert pane.open_item("user", "no-such-person")
    assert pane.card.isHidden() and pane.posts_empty.text() == "This person is not in your offline copy yet."
    pane.search_field.setText("nobody-is-called-this")
    assert pane.list_model.rowCount() == 0
    assert "nobody-is-called-this" in pane.list_view.placeholder()


def test_avatars_match_the_post_cards(qtbot: Any) -> None:
    image = avatar_pixmap("Dana Demo", "some-user-id", 40).toImage()
    assert image.pixelColor(4, 20) == avatar_colour("some-user-id"), "the colour the feed gives this person"
    assert image.pixelColor(0, 0).alpha() == 0, "round"


def test_screenshot(qtbot: Any, desk: Desk, screenshot_dir: Path) -> None:
    pane = make_pane(qtbot, desk)
    qtbot.keyClicks(pane.search_field, "Atrium")
    pane.search_field.returnPressed.emit()
    assert pane.name_label.text() == "Atrium Admin"
    pane.search_field.clear()
    busiest = desk.reader.conn.execute(
        "SELECT author_id FROM posts WHERE author_id IN (SELECT target_id FROM follows WHERE user_id = ? "
        "AND target_type = 'user') GROUP BY author_id ORDER BY count(*) DESC LIMIT 1",
        (desk.context.me,),
    ).fetchone()[0]
    pane.list_view.setCurrentIndex(pane.list_model.index(pane.list_model.row_of(busiest)))
    pane.open_item("user", busiest)
    assert pane.follow_button.text() == "Unfollow"
    assert pane.posts_stack.currentWidget() is pane.posts_view
    desk.pause(0.3)  # a list view lays out again 100 ms after a width change
    rects = [
        pane.list_view.visualRect(pane.list_model.index(row)) for row in range(pane.list_model.rowCount())
    ]
    assert all(below.top() == above.bottom() + 1 for above, below in pairwise(rects)), (
        "rows follow each other without gaps"
    )
    assert all(rect.width() == pane.list_view.viewport().width() for rect in rects)
    image = pane.grab().toImage()
    path = screenshot_dir / "people.png"
    assert image.save(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10, "the pane is not blank"
