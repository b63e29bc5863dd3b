"""Home against a real seeded server: the demo feed (pinned first, filters, J/K/Enter/L), a post
from another desktop arriving by sync, the composer (mentions, preview, size limit, attachments),
and a comment written with the server down: pending ("Sending…"), then sent once it is back."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import sqlite3
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QStyleOptionViewItem, QWidget

from atrium.app.engine import EngineStatus
from atrium.app.errors import ApiError
from atrium.app.services import Actions
from atrium.app.session import Session
from atrium.cache import Cache, ChangeSet, open_cache
from atrium.ui.context import UiContext
from atrium.ui.panes.home import HomePane
from atrium.ui.widgets import thread_view as thread_view_module
from atrium.ui.widgets.download_bar import DownloadBar
from atrium.ui.widgets.feed_model import FeedRole
from atrium.ui.widgets.thread_html import action_link
from tests.harness import RunningServer, start_server

T = TypeVar("T")
pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(
        "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
    ),
]


# --- signed-in desktops on the shared Qt loop (tests/ui/conftest.py: qloop, demo_server) -------------


@dataclass
class Desk:
    """Signed-in desktops on the session's qasync loop; wait only through asyncio (``wait_until``)."""

    loop: qasync.QEventLoop
    server: RunningServer
    session: Session
    reader: Cache
    context: UiContext
    sessions: list[Session]

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coroutine, timeout))

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        async def poll() -> None:
            while not predicate():
                await asyncio.sleep(0.02)

        self.run(poll(), timeout)

    def sync(self) -> None:
        assert self.session.engine is not None
        self.run(self.session.engine.sync_once())

    def colleague(self, folder: Path, handle: str) -> tuple[Session, Actions]:
        """Another person's desktop (synced once) on the same loop."""
        other = Session.open(folder)
        account = self.run(other.sign_in(self.server.url, handle, "demo"))
        engine = self.run(other.start(listen_events=False, run_loop=False))
        assert other.writer is not None
        self.sessions.append(other)
        self.run(engine.sync_once())
        return other, Actions(other.writer, account.user_id, engine.wake)

    def server_query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.server.database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql, params).fetchall()


def open_desk(loop: qasync.QEventLoop, server: RunningServer, folder: Path, handle: str = "demo") -> Desk:
    session = Session.open(folder / "profile")
    holder: list[UiContext] = []

    def changed(changes: ChangeSet) -> None:
        if holder:
            holder[0].emit_changes(changes)

    account = loop.run_until_complete(session.sign_in(server.url, handle, "demo"))

    def status(status: EngineStatus) -> None:
        if holder:
            holder[0].emit_status(status)

    engine = loop.run_until_complete(
        session.start(on_changed=changed, on_status=status, listen_events=False, run_loop=False)
    )
    assert session.writer is not None
    reader = open_cache(session.profile.cache_db, read_only=True)
    actions = Actions(session.writer, account.user_id, engine.wake, on_changed=changed)
    context = UiContext(reader, actions, session.settings, account.user_id, api=session.client)
    holder.append(context)
    desk = Desk(loop, server, session, reader, context, [session])
    desk.sync()
    return desk


def close_desk(desk: Desk) -> None:
    desk.loop.run_until_complete(desk.context.cancel_tasks())
    for session in desk.sessions:
        desk.loop.run_until_complete(session.close())
    desk.reader.close()
    gc.collect()  # free Qt timers here: a collection on a server thread would warn


@pytest.fixture
def desk(qloop: qasync.QEventLoop, demo_server: RunningServer, tmp_path: Path) -> Iterator[Desk]:
    opened = open_desk(qloop, demo_server, tmp_path)
    yield opened
    close_desk(opened)


def save_shot(widget: QWidget, path: Path) -> QImage:
    """Grab WIDGET to PATH and check the picture is not blank."""
    image = widget.grab().toImage()
    assert image.save(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 17)}
    assert len(colours) > 8, f"{path.name} looks blank"
    return image


def make_home(qtbot: Any, desk: Desk) -> HomePane:
    pane = HomePane(desk.context)
    qtbot.addWidget(pane)
    pane.resize(1280, 860)
    pane.show()
    desk.wait_until(pane.isVisible)
    return pane


def must(value: T | None) -> T:
    assert value is not None
    return value


def rows(pane: HomePane) -> list[Any]:
    return [must(pane.model.post_at(row)) for row in range(pane.model.rowCount(QModelIndex()))]


# --- tests ------------------------------------------------------------------------------------------


def test_home_shows_the_demo_feed_with_pinned_posts_first(
    qtbot: Any, desk: Desk, screenshot_dir: Path
) -> None:
    pane = make_home(qtbot, desk)
    posts = rows(pane)
    assert len(posts) >= 20
    pinned = [post.pinned for post in posts]
    assert pinned[0] and pinned == sorted(pinned, reverse=True), "pinned posts come first"
    assert set(pane.self_test_texts()) <= {post.community_name for post in posts}
    assert not pane.thread_view.isVisible()
    description = pane.model.data(pane.model.index(0), Qt.ItemDataRole.AccessibleTextRole)
    assert description.startswith("Pinned.") and posts[0].community_name in description
    save_shot(pane, screenshot_dir / "home.png")
    # scrolling to the end of what is loaded fetches the next page (keyset paging)
    loaded = pane.model.rowCount()
    assert pane.model.canFetchMore(QModelIndex())
    bar = pane.feed.verticalScrollBar()
    for _ in range(30):
        bar.setValue(bar.maximum())
        desk.wait_until(lambda: True)
        if pane.model.rowCount() > loaded:
            break
    assert pane.model.rowCount() > loaded
    ids = [post.id for post in rows(pane)]
    assert len(ids) == len(set(ids)), "no post twice"


def test_filters_and_the_keyboard(qtbot: Any, desk: Desk, screenshot_dir: Path) -> None:
    pane = make_home(qtbot, desk)
    qtbot.mouseClick(pane.filters.buttons["questions"], Qt.MouseButton.LeftButton)
    assert pane.filter == "questions" and {post.kind for post in rows(pane)} == {"question"}
    qtbot.mouseClick(pane.filters.buttons["announcements"], Qt.MouseButton.LeftButton)
    assert {post.kind for post in rows(pane)} == {"announcement"}
    qtbot.mouseClick(pane.filters.buttons["all"], Qt.MouseButton.LeftButton)
    pane.feed.setFocus()
    qtbot.keyClick(pane.feed, Qt.Key.Key_J)
    assert pane.feed.currentIndex().row() == 0
    qtbot.keyClick(pane.feed, Qt.Key.Key_J)
    qtbot.keyClick(pane.feed, Qt.Key.Key_J)
    qtbot.keyClick(pane.feed, Qt.Key.Key_K)
    assert pane.feed.currentIndex().row() == 1
    target = pane.feed.current_post()
    assert target is not None
    qtbot.keyClick(pane.feed, Qt.Key.Key_Return)
    assert pane.thread_view.isVisible() and pane.thread_view.post_id == target.id
    assert (target.title or "") in pane.thread_view.browser.toPlainText()
    save_shot(pane.thread_view, screenshot_dir / "thread.png")
    liked = target.liked_by_me
    pane.feed.setFocus()
    qtbot.keyClick(pane.feed, Qt.Key.Key_L)
    index = pane.model.index(pane.model.row_of(target.id) or 0)
    desk.wait_until(lambda: index.data(FeedRole.Liked) is not liked)
    assert index.data(FeedRole.Pending), "the card says Sending… until the server confirms"
    assert index.data(FeedRole.LikeCount) == target.like_count + (-1 if liked else 1)
    desk.sync()
    index = pane.model.index(pane.model.row_of(target.id) or 0)
    assert index.data(FeedRole.Liked) is not liked and not index.data(FeedRole.Pending)


def test_a_post_from_another_desktop_appears_after_sync(qtbot: Any, desk: Desk, tmp_path: Path) -> None:
    pane = make_home(qtbot, desk)
    [(community_id, handle)] = desk.server_query(
        "SELECT m.community_id, u.handle FROM memberships m JOIN users u ON u.id = m.user_id "
        "JOIN communities c ON c.id = m.community_id WHERE c.slug = 'it-support' AND u.handle NOT IN ('demo', 'admin') "
        "ORDER BY u.handle LIMIT 1"
    )
    _other, actions = desk.colleague(tmp_path / "colleague", handle)
    body = "The **3rd floor printer** is back after the move. Thanks @demo! #printing"
    post_id = desk.run(actions.create_post(community_id, body))
    assert _other.engine is not None
    desk.run(_other.engine.sync_once())
    before = pane.model.rowCount()
    assert pane.model.row_of(post_id) is None
    desk.sync()
    row = pane.model.row_of(post_id)
    assert row is not None, "the colleague's post is in my Home after my sync"
    assert pane.model.rowCount() == before + 1
    post = must(pane.model.post_at(row))
    assert post is not None and not post.pending and post.community_name == "IT Support"
    assert all(must(pane.model.post_at(r)).pinned for r in range(row)), "right after the pinned posts"
    pane.feed.scrollTo(pane.model.index(row))
    pane.open_item("post", post_id)
    html = pane.thread_view.browser.toHtml()
    assert "atrium://user/demo" in html and "atrium://topic/printing" in html


def test_composer_mentions_preview_limit_and_send(
    qtbot: Any, desk: Desk, screenshot_dir: Path, tmp_path: Path
) -> None:
    pane = make_home(qtbot, desk)
    dialog = pane.new_post()
    composer = dialog.composer
    qtbot.waitExposed(dialog)
    assert composer.community_box.count() > 5 and composer.kind == "post"
    assert not composer.title_edit.isVisible()
    assert composer.send_button.isDefault(), "Post is the dialog's primary button"
    assert not any(b.isDefault() or b.autoDefault() for b in (composer.attach_button, composer.cancel_button))
    composer.set_kind("blog")
    assert composer.title_edit.isVisible()
    composer.title_edit.setFocus()
    qtbot.keyClicks(composer.title_edit, "Printing from the new office")
    qtbot.keyClick(composer.title_edit, Qt.Key.Key_Return)  # on to the body; no file picker, nothing sent
    assert dialog.isVisible() and not dialog.findChildren(QFileDialog)
    assert dialog.focusWidget() is composer.body_edit
    qtbot.keyClicks(composer.body_edit, "Ask @dana")
    popup = composer.body_edit.popup
    desk.wait_until(popup.isVisible)
    assert "Dana Demo  @demo" in popup.currentIndex().data()
    qtbot.keyClick(composer.body_edit, Qt.Key.Key_Return)
    assert composer.body_edit.toPlainText() == "Ask @demo "
    qtbot.keyClicks(composer.body_edit, "about **badges** #printi")
    desk.wait_until(popup.isVisible)
    qtbot.keyClick(composer.body_edit, Qt.Key.Key_Escape)
    composer.tabs.setCurrentWidget(composer.preview)
    preview = composer.preview.toHtml()
    assert "atrium://user/demo" in preview and "badges" in preview
    composer.tabs.setCurrentIndex(0)
    attachment = tmp_path / "floor-plan.txt"
    attachment.write_text("desk 3.14 is by the window\n")
    composer.add_files([str(attachment)])
    assert composer.attachment_list.count() == 1
    assert composer.size_label.text().endswith("of 64.0 KiB")
    save_shot(dialog, screenshot_dir / "composer.png")
    text = composer.body_edit.toPlainText()
    composer.body_edit.setPlainText("x" * (64 * 1024 + 1))
    assert not composer.send_button.isEnabled() and "64.0 KiB" in composer.size_label.text()
    composer.body_edit.setPlainText(text)
    assert composer.send_button.isEnabled()
    sent: list[str] = []
    composer.sent.connect(sent.append)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    desk.wait_until(lambda: bool(sent))
    row = pane.model.row_of(sent[0])
    assert row is not None and must(pane.model.post_at(row)).pending
    desk.sync()
    post = must(pane.model.post_at(pane.model.row_of(sent[0]) or 0))
    assert post is not None and post.kind == "blog" and not post.pending
    assert [item["name"] for item in post.attachments] == ["floor-plan.txt"], "uploaded, then attached"


def test_comment_written_offline_is_pending_then_sent_when_the_server_returns(
    qtbot: Any, qloop: qasync.QEventLoop, demo_server: RunningServer, tmp_path: Path
) -> None:
    server = demo_server
    url = server.database_url
    files = tmp_path / "server-files"
    port = int(server.url.rsplit(":", 1)[1])
    own = open_desk(qloop, server, tmp_path)
    try:
        pane = make_home(qtbot, own)
        post = next(p for p in rows(pane) if p.comments_enabled and not p.pinned)
        assert pane.open_item("post", post.id)
        server.stop()
        text = "Written on the plane: works for me too."
        qtbot.keyClicks(pane.thread_view.editor, text)
        qtbot.keyClick(pane.thread_view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        own.wait_until(lambda: "Sending…" in pane.thread_view.browser.toPlainText())
        assert text in pane.thread_view.browser.toPlainText() and pane.thread_view.editor.toPlainText() == ""
        index = pane.model.index(pane.model.row_of(post.id) or 0)
        assert index.data(FeedRole.CommentCount) == post.comment_count + 1 and index.data(FeedRole.Pending)
        with pytest.raises(ApiError):
            own.sync()
        assert "Sending…" in pane.thread_view.browser.toPlainText(), "still queued, nothing lost"
        server = start_server(url, files, port=port)

        async def deliver() -> None:  # the engine backs off after a failure: try until it goes out
            assert own.session.engine is not None
            while True:
                with contextlib.suppress(ApiError):
                    await own.session.engine.sync_once()
                    if "Sending…" not in pane.thread_view.browser.toPlainText():
                        return
                await asyncio.sleep(0.25)

        own.run(deliver(), timeout=30)
        assert text in pane.thread_view.browser.toPlainText()
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            count = conn.execute("SELECT count(*) FROM comments WHERE body = ?", (text,)).fetchone()[0]
        assert count == 1, "sent exactly once"
        assert not pane.model.index(pane.model.row_of(post.id) or 0).data(FeedRole.Pending)
    finally:
        close_desk(own)
        server.stop()


def test_a_followed_persons_post_outside_my_communities_shows_its_replies_online(
    qtbot: Any, desk: Desk, tmp_path: Path, screenshot_dir: Path
) -> None:
    """Such posts sync by author, their replies do not: the thread fetches them when online."""
    me = desk.context.me
    found = desk.reader.conn.execute(
        "SELECT p.id, p.author_id FROM posts p WHERE p.author_id IN "
        "(SELECT target_id FROM follows WHERE user_id = ? AND target_type = 'user') "
        "AND p.community_id NOT IN (SELECT community_id FROM memberships WHERE user_id = ?) "
        "ORDER BY p.created_at DESC LIMIT 1",
        (me, me),
    ).fetchone()
    assert found is not None, "the demo user follows someone who posts where the demo user is not"
    post_id, author_id = found
    [(handle,)] = desk.server_query("SELECT handle FROM users WHERE id = ?", author_id)
    other, actions = desk.colleague(tmp_path / "author", handle)
    reply = "Kept on the server only: the golden hour was at 16:42."
    desk.run(actions.comment(post_id, reply))
    assert other.engine is not None
    desk.run(other.engine.sync_once())
    desk.sync()
    assert (
        desk.reader.conn.execute("SELECT count(*) FROM comments WHERE post_id = ?", (post_id,)).fetchone()[0]
        == 0
    )

    pane = make_home(qtbot, desk)
    pane.open_item("post", post_id)
    desk.wait_until(lambda: reply in pane.thread_view.browser.toPlainText())
    text = pane.thread_view.browser.toPlainText()
    assert "Shown from the server, not kept offline" in text
    save_shot(pane.thread_view, screenshot_dir / "thread-online-replies.png")


def test_an_empty_feed_during_the_first_sync_says_it_is_on_its_way(qtbot: Any, desk: Desk) -> None:
    from atrium.app.engine import EngineState
    from atrium.cache import FeedPage
    from atrium.ui.widgets.feed_browser import FeedBrowser

    browser = FeedBrowser(desk.context, lambda before, limit: FeedPage([], None), empty_text="Nothing yet.")
    qtbot.addWidget(browser)
    assert browser.stack.currentWidget() is browser.empty
    desk.context.emit_status(EngineStatus(EngineState.SYNCING, received=12))  # a first sync, page by page
    assert browser.stack.currentWidget() is browser.downloading
    assert browser.downloading.text().endswith("12 items so far")
    desk.context.emit_status(EngineStatus(EngineState.ONLINE, last_sync_at="2026-11-27T10:00:00.000Z"))
    assert browser.stack.currentWidget() is browser.empty, "synced, and still empty: now it is empty"
    desk.context.emit_status(EngineStatus(EngineState.SYNCING, last_sync_at="2026-11-27T10:00:00.000Z"))
    assert browser.stack.currentWidget() is browser.empty, "a later sync is no first download"


def cards_fit(pane: HomePane, rows: int = 4) -> bool:
    """The first ROWS cards have the height their text needs at the feed's width now."""
    view = pane.browser.view
    for row in range(rows):
        index = pane.model.index(row)
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = view.visualRect(index)
        if view.visualRect(index).height() != view.delegate.sizeHint(option, index).height():
            return False
    return True


def test_cards_changed_while_another_pane_is_up_fit_when_home_shows_again(qtbot: Any, desk: Desk) -> None:
    pane = make_home(qtbot, desk)
    desk.wait_until(lambda: cards_fit(pane), timeout=5)
    pane.hide()  # another pane is up
    pane.model.reload()  # e.g. leaving a community removed some posts
    desk.run(asyncio.sleep(0.3))  # Qt lays the hidden list out meanwhile
    pane.show()
    desk.wait_until(lambda: cards_fit(pane), timeout=5)


def test_cards_fit_the_width_again_when_a_thread_closes(qtbot: Any, desk: Desk) -> None:
    """Opening a thread narrows the feed (cards grow taller); closing it must not leave them tall,
    even when a change landed meanwhile (a like from the thread)."""
    pane = make_home(qtbot, desk)
    view = pane.browser.view

    def fit() -> bool:
        return cards_fit(pane)

    wide = [view.visualRect(pane.model.index(row)).height() for row in range(4)]
    post = must(pane.model.post_at(2))
    assert pane.open_item("post", post.id)
    desk.wait_until(lambda: view.visualRect(pane.model.index(0)).height() > wide[0] and fit(), timeout=5)
    pane.thread_view.like_button.click()
    desk.wait_until(lambda: must(pane.model.post_at(2)).liked_by_me != post.liked_by_me, timeout=5)
    view.scrollToTop()
    desk.run(asyncio.sleep(0.3))
    pane.browser.close_thread()
    desk.wait_until(fit, timeout=5)
    assert [view.visualRect(pane.model.index(row)).height() for row in range(4)] == wide
    assert view.verticalScrollBar().value() == 0, "still at the top, where the person left it"


def test_a_comment_opens_in_its_thread(qtbot: Any, desk: Desk) -> None:
    """What a reply, mention-in-a-comment or accepted-answer notification opens (most of them)."""
    pane = make_home(qtbot, desk)
    comment_id, post_id = desk.reader.conn.execute(
        "SELECT id, post_id FROM comments ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    assert pane.open_item("comment", comment_id)
    assert pane.thread_view.isVisible() and pane.thread_view.post_id == post_id
    assert not pane.open_item("comment", "no-such-comment")


def test_a_comment_draft_waits_for_its_thread_and_escape_closes_the_thread(qtbot: Any, desk: Desk) -> None:
    pane = make_home(qtbot, desk)
    first, second = must(pane.model.post_at(0)).id, must(pane.model.post_at(1)).id
    assert pane.open_item("post", first)
    qtbot.keyClicks(pane.thread_view.editor, "Half a thought")
    assert pane.open_item("post", second)
    assert pane.thread_view.editor.toPlainText() == ""
    assert pane.open_item("post", first)
    assert pane.thread_view.editor.toPlainText() == "Half a thought", "nothing typed is lost"
    qtbot.keyClick(pane.thread_view, Qt.Key.Key_Escape)
    assert not pane.thread_view.isVisible()
    assert pane.open_item("post", first) and pane.thread_view.editor.toPlainText() == "Half a thought"


def test_an_attachment_kept_offline_is_downloaded_by_the_next_sync(
    qtbot: Any, desk: Desk, tmp_path: Path, screenshot_dir: Path
) -> None:
    pane = make_home(qtbot, desk)
    plan = tmp_path / "floor-plan.txt"
    plan.write_text("desk 3.14 is by the window\n")
    uploaded = desk.run(desk.context.api.upload_file(plan, plan.name, "text/plain"))
    community = must(desk.reader.conn.execute("SELECT community_id FROM posts LIMIT 1").fetchone())[0]
    post_id = desk.run(desk.context.actions.create_post(community, "The plan", attachments=[uploaded]))
    assert pane.open_item("post", post_id)
    assert "floor-plan.txt" in pane.thread_view.browser.toPlainText(), "shown while it is being sent"
    desk.sync()
    desk.wait_until(lambda: "Keep offline" in pane.thread_view.browser.toPlainText())
    text = pane.thread_view.browser.toPlainText()
    assert "floor-plan.txt" in text and "Keep offline" in text and "on this computer" not in text
    pane.thread_view.activate_link(action_link("keep-offline", "0"))
    desk.wait_until(
        lambda: "Kept offline: downloading at the next sync" in pane.thread_view.browser.toPlainText()
    )
    desk.sync()
    desk.wait_until(lambda: "✓ Kept offline" in pane.thread_view.browser.toPlainText())
    save_shot(pane.thread_view, screenshot_dir / "thread-kept-offline.png")
    pane.thread_view.activate_link(action_link("drop-offline", "0"))
    desk.wait_until(lambda: "on this computer · Keep offline" in pane.thread_view.browser.toPlainText())


def thread_with_files(
    desk: Desk, pane: HomePane, folder: Path, monkeypatch: pytest.MonkeyPatch, *files: tuple[str, int]
) -> tuple[thread_view_module.ThreadView, list[str]]:
    """A new post carrying FILES (name, size in random bytes), open in PANE's thread view; the
    view, and the paths the desktop was asked to open (recorded, not opened)."""
    uploaded = []
    for name, size in files:
        path = folder / name
        path.write_bytes(os.urandom(size))
        uploaded.append(desk.run(desk.context.api.upload_file(path, name, "application/octet-stream")))
    community = must(desk.reader.conn.execute("SELECT community_id FROM posts LIMIT 1").fetchone())[0]
    post_id = desk.run(desk.context.actions.create_post(community, "Survey", attachments=uploaded))
    desk.sync()
    assert pane.open_item("post", post_id)
    opened: list[str] = []
    monkeypatch.setattr(
        thread_view_module.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile())
    )
    return pane.thread_view, opened


def test_opening_an_attachment_shows_its_download_and_cancel_leaves_nothing_behind(
    qtbot: Any, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screenshot_dir: Path
) -> None:
    """A first open downloads the file with a bar that says how much has come (a click seemed to
    do nothing on a slow link); Cancel stops it and leaves no half file; one download at a time."""
    pane = make_home(qtbot, desk)
    view, opened = thread_with_files(
        desk, pane, tmp_path, monkeypatch, ("survey.bin", 3 * 1024 * 1024), ("notes.txt", 200)
    )
    errors: list[str] = []
    desk.context.error.connect(errors.append)
    bar = view.download_bar
    seen: list[tuple[str, bool]] = []
    show = bar.show_progress

    def watch(received: int, total: int | None, *, force: bool = False) -> None:
        show(received, total, force=True)
        seen.append((bar.label.text(), bar.isVisible()))
        if cancel_it and len(seen) == 2:  # the first chunk has come
            view.activate_link(action_link("attachment", "0"))  # the same file again: nothing more
            view.activate_link(action_link("attachment", "1"))  # another one: not now
            must(bar.layout()).activate()  # laid out with its new text
            save_shot(view, screenshot_dir / "thread-downloading.png")
            bar.cancel_button.click()

    monkeypatch.setattr(bar, "show_progress", watch)
    cancel_it = True
    view.activate_link(action_link("attachment", "0"))
    desk.wait_until(lambda: not bar.isVisible() and bool(seen))
    desk.run(asyncio.sleep(0.2))
    assert [shown for _text, shown in seen] == [True, True], "shown from the start; nothing after Cancel"
    assert seen[0][0] == "Downloading survey.bin… 0 B of 3.0 MiB"
    assert re.fullmatch(r"Downloading survey\.bin… [\d.]+ (KiB|MiB) of 3\.0 MiB", seen[1][0]), seen[1][0]
    assert errors == ["Still opening survey.bin: wait for it, or cancel it first."]
    assert opened == [], "cancelled: nothing opens"
    files_dir = desk.context.actions.writer.cache.files_dir
    assert [p.name for p in files_dir.iterdir()] == [] if files_dir.exists() else True, "no half file"
    assert "on this computer" not in view.browser.toPlainText()

    cancel_it, errors[:], seen[:] = False, [], []
    view.activate_link(action_link("attachment", "0"))
    desk.wait_until(lambda: bool(opened))
    assert seen[-1][0] == "Downloading survey.bin… 3.0 MiB of 3.0 MiB" and not bar.isVisible()
    assert Path(opened[0]).read_bytes() == (tmp_path / "survey.bin").read_bytes() and errors == []
    desk.wait_until(lambda: "on this computer" in view.browser.toPlainText())


def test_leaving_a_thread_stops_its_download_and_nothing_opens_later(
    qtbot: Any, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pane = make_home(qtbot, desk)
    view, opened = thread_with_files(desk, pane, tmp_path, monkeypatch, ("survey.bin", 3 * 1024 * 1024))
    show = view.download_bar.show_progress
    arrived: list[int] = []

    def watch(received: int, total: int | None, *, force: bool = False) -> None:
        show(received, total, force=force)
        arrived.append(received)
        if len(arrived) == 2:  # the first chunk has come: the person goes back to the feed
            view.closeRequested.emit()

    monkeypatch.setattr(view.download_bar, "show_progress", watch)
    view.activate_link(action_link("attachment", "0"))
    desk.wait_until(lambda: len(arrived) >= 2 and view._download is not None and view._download.done())
    desk.run(asyncio.sleep(0.3))
    assert opened == [] and not view.download_bar.isVisible()
    files_dir = desk.context.actions.writer.cache.files_dir
    assert not list(files_dir.glob(".download-*")), "no half file left"


def test_the_download_bar_shows_what_came_during_its_pause(qtbot: Any) -> None:
    """Progress is drawn at most ten times a second; what arrives in between is drawn after the
    pause even when nothing more comes (a stalled server must not leave "0 B" on screen)."""
    bar = DownloadBar()
    qtbot.addWidget(bar)
    bar.start("survey.bin", 3 * 1024 * 1024)
    bar.show_progress(100 * 1024, 3 * 1024 * 1024)
    assert bar.label.text() == "Downloading survey.bin… 0 B of 3.0 MiB", "within the pause"
    qtbot.waitUntil(lambda: bar.label.text() == "Downloading survey.bin… 100.0 KiB of 3.0 MiB", timeout=1000)
