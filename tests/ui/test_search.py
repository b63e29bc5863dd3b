"""The Search pane against a real seeded server: cache results at once, online results merged, offline, filters."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt

from atrium.cache import HIGHLIGHT_END, HIGHLIGHT_START
from atrium.ui.panes.search import SearchPane
from atrium.ui.panes.search_results import SearchResult, cache_snippet, online_snippet
from atrium.ui.probe import missing_texts
from atrium.ui.widgets.rich_text_delegate import HTML_ROLE
from tests.harness import RunningServer, start_server
from tests.ui.desk import Desk

T = TypeVar("T")
pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


# --- helpers ----------------------------------------------------------------------------------------


def make_pane(qtbot: Any, desk: Desk) -> SearchPane:
    pane = SearchPane(desk.context)
    qtbot.addWidget(pane)
    pane.resize(900, 640)
    pane.show()
    desk.wait_until(lambda: pane.isVisible())
    return pane


def results(pane: SearchPane) -> list[SearchResult]:
    return list(pane.model.results)


def online_done(pane: SearchPane) -> bool:
    return pane._online_state in ("done", "offline")


def restart(server: RunningServer) -> RunningServer:
    """The same server (database, files, port) started again after ``stop``."""
    port = int(server.url.rsplit(":", 1)[1])
    return start_server(server.database_url, Path(server.app.state.atrium.files_dir), port=port)


def post_where_demo_is_not(desk: Desk, word: str) -> str:
    """A post in a public community demo has not joined (so not in demo's cache); its id."""
    author, community_id = desk.colleague_in_community("searcher", "Sam Searcher", shared=False)
    post_id = str(uuid.uuid4())
    answer = author.post(
        "/posts",
        json={
            "id": post_id,
            "community_id": community_id,
            "kind": "question",
            "title": f"Where is the {word}?",
            "body": f"Has anyone seen the {word}?",
        },
    )
    assert answer.status_code == 201, answer.text
    author.close()
    return post_id


def solved_printer_question(desk: Desk) -> str:
    """A solved question about a printer in a community demo belongs to, synced to demo's cache (so
    the ordering tests do not depend on what the demo seeding drew this hour); its id."""
    asker, community_id = desk.colleague_in_community("asker", "Ada Asker", shared=True)
    post_id, comment_id = str(uuid.uuid4()), str(uuid.uuid4())
    asked = asker.post(
        "/posts",
        json={"id": post_id, "community_id": community_id, "kind": "question",
              "title": "Which printer driver prints duplex?", "body": "The office printer ignores duplex."},
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    answered = asker.post(
        f"/posts/{post_id}/comments", json={"id": comment_id, "body": "The PCL6 driver does."}
    )
    assert answered.status_code == 201, answered.text
    accepted = asker.post(f"/posts/{post_id}/accept", json={"comment_id": comment_id})
    assert accepted.status_code in (200, 204), accepted.text
    asker.close()
    desk.sync()
    return post_id


# --- tests ------------------------------------------------------------------------------------------


def test_snippet_markup() -> None:
    html, text = cache_snippet(f"All **{HIGHLIGHT_START}printers{HIGHLIGHT_END}** <now> use\n# follow-me")
    assert html == "All <b>printers</b> &lt;now&gt; use · follow-me"
    assert text == "All printers <now> use · follow-me"
    # the server's ** marks collide with Markdown bold: the words of the query are what is bold
    html, text = online_snippet(
        "choose **A Stratasys** **printer** or a <3D> **Printers**-shop", "printer stra"
    )
    assert html == "choose A <b>Stratasys</b> <b>printer</b> or a &lt;3D&gt; <b>Printers</b>-shop"
    assert text == "choose A Stratasys printer or a <3D> Printers-shop"
    assert online_snippet("plain text", "") == ("plain text", "plain text")


def test_cache_results_at_once_highlighted_solved_first_and_online_merged(qtbot: Any, desk: Desk) -> None:
    solved_printer_question(desk)
    pane = make_pane(qtbot, desk)
    pane.set_query("pri")
    pane.set_query("print")
    assert pane.model.rowCount() == 0 and pane._debounce.isActive(), "debounced while the person types"
    desk.wait_until(lambda: pane.model.rowCount() > 0, timeout=1)
    desk.wait_until(lambda: online_done(pane))

    pane.set_query("printer", immediate=True)  # what the cache holds shows before any network answer
    assert pane._online_state == "searching"
    local = results(pane)
    assert local and not any(result.online_only for result in local)
    assert local[0].solved, "solved questions come first"
    assert [r.solved for r in local] == sorted([r.solved for r in local], reverse=True)
    snippet_html = pane.model.index(0).data(HTML_ROLE)
    assert "<b>printer" in snippet_html.lower() and HIGHLIGHT_START not in snippet_html
    assert "Solved" in pane.model.index(0).data()
    assert pane.heading.text() == "Results for “printer”"
    assert "searching online" in pane.status_label.text()

    desk.wait_until(lambda: online_done(pane))
    assert pane._online_state == "done"
    merged = results(pane)
    keys = [result.key for result in merged]
    assert len(keys) == len(set(keys)), "one row per (type, id)"
    local_keys = {r.key for r in local}
    assert [r.key for r in merged if r.key in local_keys] == [r.key for r in local]
    assert not any(r.online_only for r in merged if r.key in local_keys)
    assert [r.solved for r in merged] == sorted([r.solved for r in merged], reverse=True)
    assert pane.status_label.text() == f"{len(merged)} results"

    desk.navigated.clear()
    qtbot.mouseClick(
        pane.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=pane.view.visualRect(pane.model.index(0)).center(),
    )
    assert desk.navigated == [(merged[0].type, merged[0].id)]


def test_online_only_results_are_marked_and_a_new_query_cancels_the_old_request(
    qtbot: Any, desk: Desk
) -> None:
    post_id = post_where_demo_is_not(desk, "zanzibarquokka")
    desk.sync()
    pane = make_pane(qtbot, desk)
    pane.set_query("zanzibarquokka", immediate=True)
    assert pane.model.rowCount() == 0, "not in the offline copy"
    desk.wait_until(lambda: online_done(pane))
    found = results(pane)
    assert [(r.type, r.id) for r in found] == [("post", post_id)]
    assert found[0].online_only and found[0].post_kind == "question"
    assert "Online" in pane.model.index(0).data()
    assert "<b>zanzibarquokka" in pane.model.index(0).data(HTML_ROLE).lower()
    pane.set_filter("question")
    desk.wait_until(lambda: online_done(pane))
    assert [r.id for r in results(pane)] == [post_id]
    pane.set_filter("wiki_page")
    desk.wait_until(lambda: online_done(pane))
    assert results(pane) == []

    pane.set_filter("all")
    old_request = pane._online_task
    assert old_request is not None
    pane.set_query("zanzibarquokk")
    desk.wait_until(lambda: old_request.done())
    assert old_request.cancelled(), "the request for the previous query is cancelled"
    pane.set_query("")
    assert pane.model.rowCount() == 0 or pane._debounce.isActive()
    desk.wait_until(lambda: pane.model.rowCount() == 0 and not pane._debounce.isActive(), timeout=1)
    assert pane.status_label.text() == ""


def test_kind_filters(qtbot: Any, desk: Desk) -> None:
    pane = make_pane(qtbot, desk)
    pane.set_query("printer", immediate=True)
    desk.wait_until(lambda: online_done(pane))
    assert {r.type for r in results(pane)} >= {"post", "wiki_page"}

    qtbot.mouseClick(pane.chip_buttons["question"], Qt.MouseButton.LeftButton)
    assert pane.chip_buttons["question"].isChecked() and not pane.chip_buttons["all"].isChecked()
    assert results(pane), "cache results at once"
    desk.wait_until(lambda: online_done(pane))
    assert results(pane) and all(r.type == "post" and r.post_kind == "question" for r in results(pane))

    for chip, kind in (("wiki_page", "wiki_page"), ("comment", "comment")):
        pane.set_filter(chip)
        desk.wait_until(lambda: online_done(pane))
        assert results(pane) and all(r.type == kind for r in results(pane))
    pane.set_filter("post")
    desk.wait_until(lambda: online_done(pane))
    assert all(r.type == "post" and r.post_kind != "question" for r in results(pane))

    pane.set_filter("user")
    pane.set_query("dana", immediate=True)
    desk.wait_until(lambda: online_done(pane))
    assert "Dana Demo" in [r.title for r in results(pane)]
    assert all(r.type == "user" for r in results(pane))


def test_offline_search_works_from_the_cache_and_online_results_return_with_the_server(
    qtbot: Any, desk: Desk
) -> None:
    post_id = post_where_demo_is_not(desk, "zanzibarquokka")
    solved_printer_question(desk)
    pane = make_pane(qtbot, desk)
    desk.server.stop()
    again: RunningServer | None = None
    try:
        pane.set_query("printer")
        desk.wait_until(lambda: pane.model.rowCount() > 0, timeout=1)
        desk.wait_until(lambda: online_done(pane))
        assert pane._online_state == "offline"
        assert "offline" in pane.status_label.text()
        assert not any(r.online_only for r in results(pane))
        assert results(pane)[0].solved

        again = restart(desk.server)
        pane.set_query("zanzibarquokka")
        desk.wait_until(lambda: pane._online_state == "done")
        assert [(r.id, r.online_only) for r in results(pane)] == [(post_id, True)]
    finally:
        if again is not None:
            again.stop()


def test_screenshot_and_self_test_texts(qtbot: Any, desk: Desk, screenshot_dir: Path) -> None:
    pane = make_pane(qtbot, desk)
    pane.set_query("VPN", immediate=True)  # what atrium --self-test types
    assert missing_texts(pane, pane.self_test_texts()) == [], "the cache alone shows them"
    pane.set_query("printer", immediate=True)
    desk.wait_until(lambda: online_done(pane))
    desk.pause(0.3)  # a list view lays out again 100 ms after a width change
    image = pane.grab().toImage()
    path = screenshot_dir / "search.png"
    assert image.save(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10, "the pane is not blank"
