"""Private content never reaches a non-member: sync, GET by id, lists, search, notifications, files, wiki."""

from __future__ import annotations

from collections.abc import Callable

from atrium.server.clock import uuid7
from tests.harness import Api
from tests.server.helpers import join, make_comment, make_community, make_post

SECRET_WORD = "zanzibarfalcon"


def test_private_content_is_invisible_to_outsiders(make_user: Callable[..., Api]) -> None:
    owner, member, outsider = make_user("owner"), make_user("member"), make_user("outsider")
    private = make_community(owner, "Project Falcon", "private")
    public = make_community(owner, "Open Community")
    join(outsider, public)
    assert owner.put(f"/communities/{private}/members/{member.user_id}").status_code == 200

    upload = owner.post(
        "/files",
        params={"name": "plan.txt"},
        content=f"{SECRET_WORD} plan".encode(),
        headers={"content-type": "text/plain"},
    )
    assert upload.status_code == 201, upload.text
    file_id = upload.json()["id"]
    post_id = make_post(
        owner,
        private,
        f"{SECRET_WORD} launch plan for @member and @outsider #falcon",
        kind="question",
        title=f"{SECRET_WORD} question",
        attachment_ids=[file_id],
    )
    comment_id = make_comment(member, post_id, f"{SECRET_WORD} reply")
    owner.put(f"/reactions/post/{post_id}")
    page = owner.post(
        "/wiki/pages",
        json={
            "id": uuid7(),
            "community_id": private,
            "path": "falcon/plan",
            "title": "Falcon plan",
            "body": f"{SECRET_WORD} wiki",
        },
    )
    assert page.status_code == 201, page.text
    page_id = page.json()["id"]
    owner.post(
        f"/wiki/pages/{page_id}/revisions",
        json={"id": uuid7(), "base_revision_id": page.json()["revision_id"], "body": f"{SECRET_WORD} v2"},
    )

    # The member sees it all (control: the checks below could fail).
    assert member.get(f"/posts/{post_id}").status_code == 200
    assert member.get(f"/files/{file_id}").status_code == 200
    assert member.get(f"/wiki/pages/{page_id}").status_code == 200
    member_sync, _ = member.sync_all()
    assert SECRET_WORD in str(member_sync)
    member_search = member.get("/search", params={"q": SECRET_WORD}).json()["results"]
    assert member_search

    # The outsider sees none of it, through any door, and cannot tell it exists.
    outsider_sync, _ = outsider.sync_all(window_days=3650)
    assert SECRET_WORD not in str(outsider_sync) and private not in str(outsider_sync)
    never_existed = uuid7()
    for path in (
        f"/posts/{post_id}",
        f"/posts/{post_id}/comments",
        f"/communities/{private}",
        f"/communities/{private}/members",
        f"/files/{file_id}",
        f"/wiki/pages/{page_id}",
        f"/wiki/pages/{page_id}/revisions",
    ):
        hidden = outsider.get(path)
        missing = outsider.get(
            path.replace(private, never_existed)
            .replace(post_id, never_existed)
            .replace(file_id, never_existed)
            .replace(page_id, never_existed)
        )
        assert hidden.status_code == 404, (path, hidden.status_code)
        assert missing.status_code == 404 and hidden.json()["detail"] == missing.json()["detail"]
    assert outsider.get("/posts", params={"community_id": private}).status_code == 404
    assert outsider.get("/search", params={"q": SECRET_WORD}).json()["results"] == []
    assert outsider.get("/search", params={"q": "falcon"}).json()["results"] == []
    notes = outsider.get("/notifications").json()
    assert SECRET_WORD not in str(notes) and post_id not in str(notes)
    # and cannot act on it either
    assert outsider.put(f"/reactions/post/{post_id}").status_code == 404
    assert outsider.put(f"/reactions/comment/{comment_id}").status_code == 404
    assert outsider.post(f"/posts/{post_id}/comments", json={"id": uuid7(), "body": "hi"}).status_code == 404
    assert outsider.patch(f"/posts/{post_id}", json={"pinned": True}).status_code == 404
    assert outsider.delete(f"/posts/{post_id}").status_code == 404
    assert outsider.put(f"/follows/community/{private}").status_code == 404
    assert (
        outsider.post(
            f"/wiki/pages/{page_id}/revisions", json={"id": uuid7(), "base_revision_id": uuid7(), "body": "x"}
        ).status_code
        == 404
    )

    # After the member is removed, the same holds for them from the next sync on.
    _, cursor = member.sync_all()
    owner.delete(f"/communities/{private}/members/{member.user_id}")
    changes, _ = member.sync_all(since=cursor)
    assert {"type": "scope", "id": f"community:{private}", "op": "drop"} in changes
    assert member.get(f"/posts/{post_id}").status_code == 404
    assert member.get(f"/files/{file_id}").status_code == 404
    assert member.get("/search", params={"q": SECRET_WORD}).json()["results"] == []
