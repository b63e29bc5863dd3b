"""The outbox: optimistic row + entry in one transaction, due order, retries, failures, sync replacing rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from atrium.cache import (
    Cache,
    MalformedPageError,
    UnknownOutboxEntryError,
    apply_sync_page,
    discard,
    enqueue,
    entries,
    mark_done,
    mark_failed,
    mark_sending,
    membership_id,
    my_communities,
    next_due,
    open_cache,
    pending_counts,
    reaction_id,
    retry,
    settle,
    thread,
)

from . import factory as f
from .conftest import ME


def create_post(cache: Cache, body: str = "offline thoughts") -> tuple[str, str]:
    group = f.community("G")
    post = f.post(group["id"], ME, body)
    queued = enqueue(
        cache,
        "create_post",
        "POST",
        "/posts",
        {"id": post["id"], "community_id": group["id"], "kind": "post", "body": body},
        "post",
        post["id"],
        optimistic_rows=[f.upsert("post", post)],
    )
    assert queued.changes == {"post": {post["id"]}}
    return queued.entry.op_id, post["id"]


def test_enqueue_writes_the_optimistic_row_and_the_entry(cache: Cache) -> None:
    op_id, post_id = create_post(cache)
    assert cache.conn.execute("SELECT pending FROM posts WHERE id = ?", (post_id,)).fetchone() == (1,)
    (entry,) = entries(cache)
    assert entry.op_id == op_id and entry.state == "pending" and entry.attempts == 0
    assert entry.body["body"] == "offline thoughts" and entry.object_id == post_id
    assert pending_counts(cache) == {"pending": 1, "failed": 0}


def test_a_bad_optimistic_row_leaves_no_entry(cache: Cache) -> None:
    with pytest.raises(MalformedPageError):
        enqueue(
            cache,
            "create_post",
            "POST",
            "/posts",
            {},
            optimistic_rows=[{"type": "post", "id": "x", "op": "upsert"}],
        )
    assert entries(cache) == [] and cache.conn.execute("SELECT count(*) FROM posts").fetchone() == (0,)


def test_a_failing_entry_insert_rolls_back_the_optimistic_row(cache: Cache) -> None:
    op_id, _ = create_post(cache)
    group = f.community("G")
    post = f.post(group["id"], ME, "second")
    with pytest.raises(Exception, match="UNIQUE"):
        enqueue(
            cache, "create_post", "POST", "/posts", {}, op_id=op_id, optimistic_rows=[f.upsert("post", post)]
        )
    assert cache.conn.execute("SELECT count(*) FROM posts WHERE id = ?", (post["id"],)).fetchone() == (0,)
    assert len(entries(cache)) == 1


def test_enqueue_joins_a_callers_transaction(cache: Cache) -> None:
    with pytest.raises(RuntimeError), cache.transaction() as conn:
        enqueue(conn, "follow", "PUT", "/follows/topic/x", None, "follow", "x")
        raise RuntimeError("the service changed its mind")
    assert entries(cache) == []


def test_next_due_is_oldest_first_and_respects_retry_times(cache: Cache) -> None:
    first, _ = create_post(cache, "one")
    second, _ = create_post(cache, "two")
    third, _ = create_post(cache, "three")
    now = datetime.now(UTC)
    assert [e.op_id for e in next_due(cache, now)] == [first, second, third]
    mark_sending(cache, first)
    assert [e.op_id for e in next_due(cache, now)] == [second, third]
    mark_failed(cache, second, "503 Service Unavailable", retry_at=now + timedelta(minutes=5))
    assert next_due(cache, now) == [], "a change waiting to be tried again holds back the ones after it"
    assert [e.op_id for e in next_due(cache, now + timedelta(minutes=6))] == [second, third]
    mark_failed(cache, second, "422 Unprocessable", permanent=True)
    assert [e.op_id for e in next_due(cache, now)] == [third], "a refused one does not"
    assert next_due(cache, now, limit=0) == []


def test_the_lifecycle_of_an_entry(cache: Cache) -> None:
    op_id, post_id = create_post(cache)
    mark_sending(cache, op_id)
    assert entries(cache)[0].state == "sending" and entries(cache)[0].attempts == 1
    mark_failed(cache, op_id, "422: body too long", permanent=True)
    (failed,) = entries(cache)
    assert failed.state == "failed" and failed.last_error == "422: body too long"
    assert pending_counts(cache) == {"pending": 0, "failed": 1}
    assert next_due(cache) == []
    retry(cache, op_id)
    assert [e.op_id for e in next_due(cache)] == [op_id]
    mark_sending(cache, op_id)
    mark_done(cache, op_id)
    assert entries(cache) == [] and pending_counts(cache) == {"pending": 0, "failed": 0}
    # the optimistic row waits for the server's version
    assert cache.conn.execute("SELECT pending FROM posts WHERE id = ?", (post_id,)).fetchone() == (1,)


def test_the_servers_upsert_replaces_the_optimistic_row(cache: Cache) -> None:
    op_id, post_id = create_post(cache, "typed offline")
    mark_done(cache, op_id)
    row = cache.conn.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
    assert row is not None
    group_id = cache.conn.execute("SELECT community_id FROM posts").fetchone()[0]
    server_copy = f.post(group_id, ME, "typed offline (rendered)", id=post_id, like_count=2)
    apply_sync_page(cache, [f.upsert("post", server_copy)], "c1")
    assert cache.conn.execute("SELECT body, like_count, pending FROM posts").fetchall() == [
        ("typed offline (rendered)", 2, 0)
    ]


def test_an_optimistic_unlike_removes_the_reaction(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], "someone")
    like = f.reaction("post", post["id"], ME)
    apply_sync_page(cache, [f.upsert("post", post), f.upsert("reaction", like)], "c1")
    rid = reaction_id("post", post["id"], ME)
    queued = enqueue(
        cache,
        "unlike",
        "DELETE",
        f"/reactions/post/{post['id']}",
        optimistic_rows=[f.delete("reaction", rid)],
    )
    assert queued.changes == {"reaction": {rid}}
    found = thread(cache, post["id"])
    assert found is not None and not found.post.liked_by_me


def test_entries_left_sending_by_a_crash_are_requeued_on_open(cache_path: Path) -> None:
    with open_cache(cache_path) as cache:
        op_id, _ = create_post(cache)
        mark_sending(cache, op_id)
    with open_cache(cache_path) as cache:
        (entry,) = next_due(cache)
        assert entry.op_id == op_id and entry.state == "pending" and entry.attempts == 1


def test_discard_removes_the_entry_and_its_unconfirmed_row(cache: Cache) -> None:
    op_id, post_id = create_post(cache)
    changes = discard(cache, op_id)
    assert changes == {"post": {post_id}}
    assert entries(cache) == [] and cache.conn.execute("SELECT count(*) FROM posts").fetchone() == (0,)


def test_discarding_a_post_never_sent_takes_what_was_queued_on_it(cache: Cache) -> None:
    """Written offline: a post, a comment on it, likes of both. The server refuses the post, so the
    rest can only fail with "no such post": discarding the post discards them too, nothing else."""
    op_id, post_id = create_post(cache)
    comment = f.comment(post_id, ME, "and a first comment")
    enqueue(cache, "create_comment", "POST", f"/posts/{post_id}/comments", {"id": comment["id"], "body": "x"},
            "comment", comment["id"], optimistic_rows=[f.upsert("comment", comment)])  # fmt: skip
    enqueue(
        cache, "like", "PUT", f"/reactions/post/{post_id}", None, "reaction", reaction_id("post", post_id, ME)
    )
    enqueue(cache, "like", "PUT", f"/reactions/comment/{comment['id']}", None, "reaction",
            reaction_id("comment", comment["id"], ME))  # fmt: skip
    _other, other_post = create_post(cache, "another thought")
    enqueue(
        cache,
        "like",
        "PUT",
        f"/reactions/post/{other_post}",
        None,
        "reaction",
        reaction_id("post", other_post, ME),
    )
    changes = discard(cache, op_id)
    assert [(e.kind, e.object_id) for e in entries(cache)] == [
        ("create_post", other_post),
        ("like", reaction_id("post", other_post, ME)),
    ]
    assert changes["post"] == {post_id} and changes["comment"] == {comment["id"]}
    assert cache.conn.execute("SELECT count(*) FROM comments").fetchone() == (0,)


def test_discarding_a_refused_edit_keeps_what_was_queued_on_the_post(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], ME, "v1")
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    edited_op = _edit(cache, post, "v2")
    like = enqueue(cache, "like", "PUT", f"/reactions/post/{post['id']}", None, "reaction",
                   reaction_id("post", post["id"], ME))  # fmt: skip
    discard(cache, edited_op)
    assert [e.op_id for e in entries(cache)] == [like.entry.op_id], "the post exists: its like still goes"


def test_discarding_a_refused_edit_puts_the_post_back_as_it_was(cache: Cache) -> None:
    """The edit's optimistic row replaced the post; the cache keeps the version before it
    (undo.py), so giving up on the edit shows the post as the server has it."""
    group = f.community("G")
    post = f.post(group["id"], ME, "as the server has it")
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    edited_op = _edit(cache, post, "refused")
    changes = discard(cache, edited_op)
    assert changes == {"post": {post["id"]}}
    row = cache.conn.execute("SELECT body, pending FROM posts WHERE id = ?", (post["id"],)).fetchone()
    assert row == ("as the server has it", 0), "not deleted, not left edited"


def _row(cache: Cache, sql: str, *args: object) -> tuple[object, ...] | None:
    found: tuple[object, ...] | None = cache.conn.execute(sql, args).fetchone()
    return found


def _edit(cache: Cache, post: dict[str, Any], body: str) -> str:
    """Queue an edit of POST's body, shown at once (as ``Actions.edit_post`` does); its op id."""
    return enqueue(cache, "edit_post", "PATCH", f"/posts/{post['id']}", {"body": body}, "post", post["id"],
                   optimistic_rows=[f.upsert("post", {**post, "body": body})]).entry.op_id  # fmt: skip


def test_discarding_a_refused_leave_keeps_the_membership(cache: Cache) -> None:
    """The only owner leaves; the server refuses (a community needs an owner) and sends nothing,
    since nothing changed there. Discarding the leave shows the membership again."""
    group = f.community("G")
    mine = f.membership(group["id"], ME, "owner")
    key = membership_id(group["id"], ME)
    apply_sync_page(cache, [f.upsert("community", group), f.upsert("membership", mine)], "c1")
    left = enqueue(cache, "leave", "DELETE", f"/communities/{group['id']}/members/{ME}",
                   optimistic_rows=[f.delete("membership", key)])  # fmt: skip
    assert my_communities(cache) == []
    assert discard(cache, left.entry.op_id) == {"membership": {key}}
    assert [c.id for c in my_communities(cache)] == [group["id"]]
    assert _row(cache, "SELECT role, pending FROM memberships") == ("owner", 0)


def test_discarding_a_refused_join_takes_the_membership_away(cache: Cache) -> None:
    group = f.community("G")
    apply_sync_page(cache, [f.upsert("community", group)], "c1")
    joined = enqueue(cache, "join", "PUT", f"/communities/{group['id']}/members/{ME}",
                     optimistic_rows=[f.upsert("membership", f.membership(group["id"], ME))])  # fmt: skip
    discard(cache, joined.entry.op_id)
    assert my_communities(cache) == [] and _row(cache, "SELECT count(*) FROM memberships") == (0,)


def _like(cache: Cache, post: dict[str, Any], liked: bool, count: int) -> str:
    rid = reaction_id("post", post["id"], ME)
    change = f.upsert("reaction", f.reaction("post", post["id"], ME)) if liked else f.delete("reaction", rid)
    return enqueue(cache, "like" if liked else "unlike", "PUT" if liked else "DELETE",
                   f"/reactions/post/{post['id']}",
                   optimistic_rows=[change, f.upsert("post", {**post, "like_count": count})]).entry.op_id  # fmt: skip


def _liked(cache: Cache, post_id: str) -> tuple[bool, int]:
    found = thread(cache, post_id)
    assert found is not None
    return found.post.liked_by_me, found.post.like_count


def test_discarding_likes_and_unlikes_in_any_order_shows_the_servers_state(cache: Cache) -> None:
    """Liked, then unliked and liked again, offline; each refused. Discarding them one by one, in
    either order, ends where the server is: liked, two likes in all."""
    group = f.community("G")
    post = {**f.post(group["id"], "someone"), "like_count": 2}
    for order in ([0, 1, 2], [2, 0, 1]):
        apply_sync_page(
            cache, [f.upsert("post", post), f.upsert("reaction", f.reaction("post", post["id"], ME))], "c"
        )
        queued = [_like(cache, post, False, 1), _like(cache, post, True, 2), _like(cache, post, False, 1)]
        assert _liked(cache, post["id"]) == (False, 1)
        for number in order:
            discard(cache, queued[number])
        assert _liked(cache, post["id"]) == (True, 2), order
        assert _row(cache, "SELECT pending FROM posts") == (0,) and entries(cache) == []


def test_discarding_a_refused_delete_brings_the_post_back_with_its_thread(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], ME, "keep me")
    comment = f.comment(post["id"], "someone", "a reply")
    apply_sync_page(cache, [f.upsert("post", post), f.upsert("comment", comment),
                            f.upsert("reaction", f.reaction("comment", comment["id"], ME))], "c1")  # fmt: skip
    deleted = enqueue(cache, "delete_post", "DELETE", f"/posts/{post['id']}",
                      optimistic_rows=[f.delete("post", post["id"])])  # fmt: skip
    assert thread(cache, post["id"]) is None
    discard(cache, deleted.entry.op_id)
    found = thread(cache, post["id"])
    assert found is not None and found.post.body == "keep me"
    assert [(c.body, c.liked_by_me) for c in found.comments] == [("a reply", True)]


def test_discarding_a_refused_accept_keeps_the_question(cache: Cache) -> None:
    group = f.community("G")
    question = f.post(group["id"], ME, "Printer jam?", kind="question")
    answer = f.comment(question["id"], "someone", "Open tray 2")
    apply_sync_page(cache, [f.upsert("post", question), f.upsert("comment", answer)], "c1")
    accepted = enqueue(cache, "accept_answer", "POST", f"/posts/{question['id']}/accept",
                       {"comment_id": answer["id"]}, "post", question["id"],
                       optimistic_rows=[f.upsert("post", {**question, "accepted_comment_id": answer["id"]})])  # fmt: skip
    discard(cache, accepted.entry.op_id)
    found = thread(cache, question["id"])
    assert found is not None and found.post.accepted_comment_id is None and len(found.comments) == 1


def test_what_the_server_wrote_since_is_not_put_back(cache: Cache) -> None:
    """The server sends the post again (others liked it) while the like waits: discarding the like
    removes only the like, and the post keeps the server's count."""
    group = f.community("G")
    post = {**f.post(group["id"], "someone"), "like_count": 2}
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    op_id = _like(cache, post, True, 3)
    apply_sync_page(cache, [f.upsert("post", {**post, "like_count": 5})], "c2")
    discard(cache, op_id)
    assert _liked(cache, post["id"]) == (False, 5)


def test_an_unsent_edit_stays_on_screen_when_the_server_sends_the_post_again(cache: Cache) -> None:
    """Someone likes the post while the edit waits: the pull must not put the old text back on
    screen (the person would edit from it and overwrite their own edit). Discarding the edit
    then shows the server's latest; once the edit is sent, the server's copy is written."""
    group = f.community("G")
    post = {**f.post(group["id"], ME, "v1"), "like_count": 0}
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    edited_op = _edit(cache, post, "v2")
    changes = apply_sync_page(cache, [f.upsert("post", {**post, "like_count": 4})], "c2")
    assert _row(cache, "SELECT body, like_count, pending FROM posts") == ("v2", 0, 1)
    assert "post" not in changes, "nothing changed on screen"
    discard(cache, edited_op)
    assert _row(cache, "SELECT body, like_count, pending FROM posts") == ("v1", 4, 0)

    edited_op = _edit(cache, post, "v3")
    mark_done(cache, edited_op)
    apply_sync_page(cache, [f.upsert("post", {**post, "body": "v3", "like_count": 4})], "c3")
    assert _row(cache, "SELECT body, like_count, pending FROM posts") == ("v3", 4, 0)


def test_an_edit_of_a_post_picked_to_be_sent_goes_out_with_it(cache: Cache) -> None:
    """The engine picked the untried post; the person edits it before it goes: the edit joins the
    post, and the engine sends the entry as it is when it marks it sending."""
    op_id, post_id = create_post(cache, "@bob are you coming?")
    (picked,) = next_due(cache)
    edited = {"id": post_id, "body": "Who is coming?"}
    enqueue(cache, "edit_post", "PATCH", f"/posts/{post_id}", {"body": "Who is coming?"}, "post", post_id,
            optimistic_rows=[f.upsert("post", {**f.post("G", ME, **edited)})], fold=True)  # fmt: skip
    assert [e.op_id for e in entries(cache)] == [op_id]
    assert picked.body["body"] == "@bob are you coming?"
    assert mark_sending(cache, op_id).body["body"] == "Who is coming?"
    mark_failed(cache, op_id, "503", retry_at=datetime.now(UTC))
    enqueue(cache, "edit_post", "PATCH", f"/posts/{post_id}", {"body": "tried once: sent apart"},
            "post", post_id, fold=True)  # fmt: skip
    assert [e.kind for e in entries(cache)] == ["create_post", "edit_post"]


def test_what_an_accepted_change_did_not_change_settles_after_the_pull(cache: Cache) -> None:
    """Joining a community one owns already: the server accepts and publishes nothing, so no pull
    will write the row. After the pull, the row shows the server's state, not 'member, sending'."""
    group = f.community("G")
    key = membership_id(group["id"], ME)
    apply_sync_page(cache, [f.upsert("community", group), f.upsert("membership", f.membership(group["id"], ME, "owner"))], "c1")  # fmt: skip
    joined = enqueue(cache, "join", "PUT", f"/communities/{group['id']}/members/{ME}",
                     optimistic_rows=[f.upsert("membership", f.membership(group["id"], ME))])  # fmt: skip
    mark_done(cache, joined.entry.op_id)
    apply_sync_page(cache, [], "c2")
    assert settle(cache) == {"membership": {key}}
    assert _row(cache, "SELECT role, pending FROM memberships") == ("owner", 0)
    assert settle(cache) == {}, "settled once"


def test_a_like_replayed_after_a_lost_answer_shows_the_post_a_pull_held_back(cache: Cache) -> None:
    """The like reached the server but its answer did not; Bob then edited the post, and a pull
    held the post back (the like still waited). The replay changes nothing on the server, so no
    pull brings the post again: settling shows the version held back."""
    group = f.community("G")
    post = {**f.post(group["id"], "bob", "original"), "like_count": 0}
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    op_id = _like(cache, post, True, 1)
    like = f.reaction("post", post["id"], ME)
    apply_sync_page(cache, [f.upsert("reaction", like), f.upsert("post", {**post, "body": "edited", "like_count": 1})], "c2")  # fmt: skip
    assert _row(cache, "SELECT body, pending FROM posts") == ("original", 1), "held back while the like waits"
    mark_done(cache, op_id)
    apply_sync_page(cache, [], "c3")
    settle(cache)
    assert _row(cache, "SELECT body, like_count, pending FROM posts") == ("edited", 1, 0)
    assert _row(cache, "SELECT pending FROM reactions") == (0,)


def test_a_like_taken_back_shows_what_a_pull_brought_meanwhile(cache: Cache) -> None:
    group = f.community("G")
    post = {**f.post(group["id"], "bob", "original"), "like_count": 0}
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    _like(cache, post, True, 1)
    apply_sync_page(cache, [f.upsert("post", {**post, "body": "edited"})], "c2")
    rid = reaction_id("post", post["id"], ME)
    enqueue(cache, "unlike", "DELETE", f"/reactions/post/{post['id']}", fold=True,
            optimistic_rows=[f.delete("reaction", rid), f.upsert("post", {**post, "like_count": 0})])  # fmt: skip
    assert entries(cache) == []
    assert _row(cache, "SELECT body, like_count, pending FROM posts") == ("edited", 0, 0)


def test_a_discarded_edit_no_longer_shows_while_a_later_change_waits(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], ME, "as the server has it")
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    edited_op = _edit(cache, post, "given up")
    _like(cache, {**post, "body": "given up"}, True, 1)
    discard(cache, edited_op)
    assert _row(cache, "SELECT body, pending FROM posts") == ("as the server has it", 1)
    (like,) = entries(cache)
    discard(cache, like.op_id)
    assert _row(cache, "SELECT body, like_count, pending FROM posts") == ("as the server has it", 0, 0)


def test_leaving_settles_with_the_communitys_drop(cache: Cache) -> None:
    """The server tells of a leave by dropping the community's scope; the membership the leave
    removed is not put back by settling."""
    group = f.community("G")
    key = membership_id(group["id"], ME)
    apply_sync_page(cache, [f.upsert("community", group), f.upsert("membership", f.membership(group["id"], ME))], "c1")  # fmt: skip
    left = enqueue(cache, "leave", "DELETE", f"/communities/{group['id']}/members/{ME}",
                   optimistic_rows=[f.delete("membership", key)])  # fmt: skip
    mark_done(cache, left.entry.op_id)
    apply_sync_page(cache, [f.drop(group["id"]), f.upsert("community", group)], "c2")  # public: still listed
    settle(cache)
    assert _row(cache, "SELECT count(*) FROM memberships") == (0,)


def test_a_refused_edit_of_a_post_kept_by_its_author_is_discarded_after_leaving(cache: Cache) -> None:
    """Alice follows Bob and leaves his public club; his post stays (it comes by author), and her
    refused edit of it, discarded after the drop, shows his text again, not hers for good."""
    group = f.community("Club")
    post = f.post(group["id"], "bob", "bob's text")
    apply_sync_page(cache, [f.upsert("community", group), f.upsert("membership", f.membership(group["id"], ME)),
                            f.upsert("follow", f.follow(ME, "user", "bob")), f.upsert("post", post)], "c1")  # fmt: skip
    edited_op = _edit(cache, post, "alice's text")
    mark_failed(cache, edited_op, "Only the author may edit a post.", permanent=True)
    apply_sync_page(cache, [f.drop(group["id"]), f.upsert("community", group)], "c2")
    assert _row(cache, "SELECT body FROM posts") == ("alice's text",), "kept, still showing the change"
    discard(cache, edited_op)
    assert _row(cache, "SELECT body, pending FROM posts") == ("bob's text", 0)


def test_a_change_without_undo_records_is_discarded_by_the_older_rule(cache: Cache) -> None:
    """Changes queued by an Atrium before cache format 4, or rescued from a damaged copy, have no
    records: a pending row of theirs goes, and an edit's kept ``_before`` copy comes back."""
    op_id, post_id = create_post(cache)
    group = f.community("G")
    theirs = f.post(group["id"], "someone", "as the server has it")
    apply_sync_page(cache, [f.upsert("post", theirs)], "c1")
    edited = enqueue(cache, "edit_post", "PATCH", f"/posts/{theirs['id']}", {"body": "refused", "_before": theirs},
                     "post", theirs["id"], optimistic_rows=[f.upsert("post", {**theirs, "body": "refused"})])  # fmt: skip
    cache.conn.execute("UPDATE outbox SET recorded = 0")
    cache.conn.execute("DELETE FROM outbox_undo")
    discard(cache, op_id)
    discard(cache, edited.entry.op_id)
    assert _row(cache, "SELECT count(*) FROM posts WHERE id = ?", post_id) == (0,)
    assert _row(cache, "SELECT body, pending FROM posts") == ("as the server has it", 0)


def test_discard_keeps_a_row_the_server_already_confirmed(cache: Cache) -> None:
    group = f.community("G")
    post = f.post(group["id"], ME, "v1")
    apply_sync_page(cache, [f.upsert("post", post)], "c1")
    queued = enqueue(cache, "edit_post", "PATCH", f"/posts/{post['id']}", {"body": "v2"}, "post", post["id"])
    discard(cache, queued.entry.op_id)
    assert cache.conn.execute("SELECT body FROM posts").fetchone() == ("v1",)


def test_unknown_op_ids_are_reported(cache: Cache) -> None:
    for operation in (mark_sending, mark_done, retry, discard):
        with pytest.raises(UnknownOutboxEntryError):
            operation(cache, "nope")
    with pytest.raises(UnknownOutboxEntryError):
        mark_failed(cache, "nope", "x")
