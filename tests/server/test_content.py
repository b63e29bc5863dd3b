"""Posts, comments, likes, questions, pinning, comments on/off and announcement permissions."""

from __future__ import annotations

from collections.abc import Callable

from atrium.server.clock import uuid7
from tests.harness import Api
from tests.server.helpers import is_problem, join, make_comment, make_community, make_post


def test_post_extracts_mentions_and_topics_and_notifies(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    cid = make_community(alice, "Python Guild", kind="expertise")
    join(bob, cid)
    pid = make_post(alice, cid, "Hey @bob, see #Python and #asyncio tips\n\n```\n#notatopic @nobody\n```")
    post = alice.get(f"/posts/{pid}").json()
    assert post["mentions"] == [bob.user_id]
    assert post["topics"] == ["python", "asyncio"]
    assert post["author_id"] == alice.user_id and post["kind"] == "post"
    notes = bob.get("/notifications").json()
    assert any(n["kind"] == "mention" and n["target_id"] == pid for n in notes)


def test_comments_threads_counts_and_replies(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    cid = make_community(alice, "Running Club")
    join(bob, cid)
    pid = make_post(alice, cid, "Who runs at lunch?")
    first = make_comment(bob, pid, "Me!")
    reply = make_comment(alice, pid, "Great", parent_id=first)
    thread = alice.get(f"/posts/{pid}/comments").json()
    assert [c["id"] for c in thread] == [first, reply]
    assert thread[1]["parent_id"] == first
    assert alice.get(f"/posts/{pid}").json()["comment_count"] == 2
    bad = alice.post(f"/posts/{pid}/comments", json={"id": uuid7(), "body": "x", "parent_id": uuid7()})
    assert is_problem(bad, 422)
    assert any(n["kind"] == "reply" for n in alice.get("/notifications").json())
    assert any(n["kind"] == "reply" and n["target_id"] == reply for n in bob.get("/notifications").json())


def test_likes_are_idempotent_and_counted(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    cid = make_community(alice, "Cafe", kind="social")
    join(bob, cid)
    pid = make_post(alice, cid, "Coffee?")
    for _ in range(3):
        assert bob.put(f"/reactions/post/{pid}").status_code == 204
    assert alice.get(f"/posts/{pid}").json()["like_count"] == 1
    assert bob.delete(f"/reactions/post/{pid}").status_code == 204
    assert bob.delete(f"/reactions/post/{pid}").status_code == 204
    assert alice.get(f"/posts/{pid}").json()["like_count"] == 0
    comment = make_comment(alice, pid, "Yes")
    assert bob.put(f"/reactions/comment/{comment}").status_code == 204
    assert alice.get(f"/posts/{pid}/comments").json()[0]["like_count"] == 1
    assert is_problem(bob.put(f"/reactions/post/{uuid7()}"), 404)
    assert is_problem(bob.put(f"/reactions/banana/{pid}"), 422)


def test_question_accept_flow(make_user: Callable[..., Api]) -> None:
    asker, helper, other = make_user("asker"), make_user("helper"), make_user("other")
    support = make_community(asker, "IT Support", kind="support")
    join(helper, support)
    join(other, support)
    qid = make_post(asker, support, "VPN drops every 10 minutes", kind="question", title="VPN drops")
    answer = make_comment(helper, qid, "Update the client to 5.2")
    assert other.post(f"/posts/{qid}/accept", json={"comment_id": answer}).status_code == 403
    accepted = asker.post(f"/posts/{qid}/accept", json={"comment_id": answer})
    assert accepted.status_code == 200 and accepted.json()["accepted_comment_id"] == answer
    assert any(n["kind"] == "accepted" for n in helper.get("/notifications").json())
    plain = make_post(asker, support, "Not a question")
    assert is_problem(asker.post(f"/posts/{plain}/accept", json={"comment_id": answer}), 422)
    cleared = asker.post(f"/posts/{qid}/accept", json={"comment_id": None})
    assert cleared.json()["accepted_comment_id"] is None


def test_moderation_pin_comments_off_remove(make_user: Callable[..., Api]) -> None:
    owner, member = make_user("owner"), make_user("member")
    cid = make_community(owner, "Agile Coaches", kind="practice")
    join(member, cid)
    pid = make_post(member, cid, "Retro formats")
    assert is_problem(member.patch(f"/posts/{pid}", json={"pinned": True}), 403)
    assert owner.patch(f"/posts/{pid}", json={"pinned": True}).json()["pinned"] is True
    assert is_problem(owner.patch(f"/posts/{pid}", json={"body": "hijack"}), 403)
    assert member.patch(f"/posts/{pid}", json={"comments_enabled": False}).json()["comments_enabled"] is False
    assert is_problem(owner.post(f"/posts/{pid}/comments", json={"id": uuid7(), "body": "hi"}), 403)
    edited = member.patch(f"/posts/{pid}", json={"body": "Retro formats #agile"}).json()
    assert edited["edited_at"] and edited["topics"] == ["agile"]
    assert owner.delete(f"/posts/{pid}").status_code == 204
    assert is_problem(member.get(f"/posts/{pid}"), 404)


def test_announcements_only_by_comms_moderators(make_user: Callable[..., Api]) -> None:
    comms, employee = make_user("comms"), make_user("employee")
    news = make_community(comms, "Announcements", kind="announcements")
    join(employee, news)
    other = make_community(comms, "Cafe", kind="social")
    assert is_problem(
        employee.post(
            "/posts", json={"id": uuid7(), "community_id": news, "kind": "announcement", "body": "I announce"}
        ),
        403,
    )
    assert is_problem(
        comms.post(
            "/posts",
            json={"id": uuid7(), "community_id": other, "kind": "announcement", "body": "wrong place"},
        ),
        403,
    )
    pid = make_post(comms, news, "Q3 results", kind="announcement", title="Q3")
    assert any(
        n["kind"] == "announcement" and n["target_id"] == pid for n in employee.get("/notifications").json()
    )
    # comments are on by default on announcements, and can be turned off per post
    make_comment(employee, pid, "Congrats!")
    pid2 = make_post(comms, news, "No comments here", kind="announcement", comments_enabled=False)
    assert is_problem(employee.post(f"/posts/{pid2}/comments", json={"id": uuid7(), "body": "x"}), 403)


def test_blog_needs_title_and_limits_are_413(make_user: Callable[..., Api]) -> None:
    alice = make_user("alice")
    cid = make_community(alice, "Writers")
    assert is_problem(
        alice.post("/posts", json={"id": uuid7(), "community_id": cid, "kind": "blog", "body": "x"}), 422
    )
    big = alice.post("/posts", json={"id": uuid7(), "community_id": cid, "body": "x" * (64 * 1024 + 1)})
    assert is_problem(big, 413) and big.json()["field"] == "body"
    long_title = alice.post(
        "/posts", json={"id": uuid7(), "community_id": cid, "kind": "blog", "title": "t" * 301, "body": "ok"}
    )
    assert is_problem(long_title, 413)
    pid = make_post(alice, cid, "short")
    comment = alice.post(f"/posts/{pid}/comments", json={"id": uuid7(), "body": "y" * (16 * 1024 + 1)})
    assert is_problem(comment, 413)
    assert alice.get(f"/posts/{pid}").json()["comment_count"] == 0  # nothing partial was written
    assert is_problem(alice.post("/posts", json={"id": uuid7(), "community_id": cid, "body": "   "}), 422)


def test_posting_needs_membership_and_private_is_404(make_user: Callable[..., Api]) -> None:
    owner, stranger = make_user("owner"), make_user("stranger")
    public = make_community(owner, "Photography")
    private = make_community(owner, "Falcon", "private")
    assert is_problem(
        stranger.post("/posts", json={"id": uuid7(), "community_id": public, "body": "hi"}), 403
    )
    missing = stranger.post("/posts", json={"id": uuid7(), "community_id": uuid7(), "body": "hi"})
    hidden = stranger.post("/posts", json={"id": uuid7(), "community_id": private, "body": "hi"})
    assert is_problem(missing, 404) and is_problem(hidden, 404)
    assert missing.json()["detail"] == hidden.json()["detail"]  # indistinguishable


def test_comment_delete_reparents_replies_and_clears_accept(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    support = make_community(alice, "IT Support", kind="support")
    join(bob, support)
    qid = make_post(alice, support, "Printer jam", kind="question")
    top = make_comment(bob, qid, "Open tray 2")
    reply = make_comment(alice, qid, "Which one?", parent_id=top)
    alice.post(f"/posts/{qid}/accept", json={"comment_id": top})
    assert is_problem(alice.delete(f"/comments/{reply}x"), 404)
    assert bob.delete(f"/comments/{top}").status_code == 204
    thread = alice.get(f"/posts/{qid}/comments").json()
    assert [c["id"] for c in thread] == [reply] and thread[0]["parent_id"] is None
    post = alice.get(f"/posts/{qid}").json()
    assert post["accepted_comment_id"] is None and post["comment_count"] == 1


def test_follows_people_communities_topics(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    cid = make_community(bob, "Photography")
    secret = make_community(bob, "Falcon", "private")
    assert alice.put(f"/follows/user/{bob.user_id}").status_code == 204
    assert alice.put(f"/follows/community/{cid}").status_code == 204
    assert alice.put("/follows/topic/%23Lean").status_code == 204
    assert alice.put("/follows/topic/lean").status_code == 204
    assert is_problem(alice.put(f"/follows/community/{secret}"), 404)
    assert is_problem(alice.put("/follows/topic/no spaces"), 422)
    follows = {(f["target_type"], f["target_id"]) for f in alice.get("/follows").json()}
    assert follows == {("user", bob.user_id), ("community", cid), ("topic", "lean")}
    assert alice.delete("/follows/topic/LEAN").status_code == 204
    assert len(alice.get("/follows").json()) == 2
