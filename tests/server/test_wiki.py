"""The wiki: creating pages and revisions, conflicts with the current page, replays, limits, visibility."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from atrium.server.clock import uuid7
from tests.harness import Api

MiB = 1024 * 1024


def community(api: Api, name: str, visibility: str = "public") -> str:
    cid = uuid7()
    answer = api.post(
        "/communities",
        json={"id": cid, "name": name, "kind": "practice", "visibility": visibility, "description": name},
    )
    assert answer.status_code == 201, answer.text
    return cid


def new_page(
    api: Api,
    path: str,
    *,
    community_id: str | None = None,
    title: str = "A page",
    body: str = "Hello",
    page_id: str | None = None,
) -> dict[str, Any]:
    answer = api.post(
        "/wiki/pages",
        json={
            "id": page_id or uuid7(),
            "community_id": community_id,
            "path": path,
            "title": title,
            "body": body,
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def edit(api: Api, page: dict[str, Any], body: str, **extra: Any) -> Any:
    payload = {"id": uuid7(), "base_revision_id": page["revision_id"], "body": body, **extra}
    return api.post(f"/wiki/pages/{page['id']}/revisions", json=payload)


def test_company_page_create_read_list_and_sync(make_user: Callable[..., Api]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    page = new_page(ada, " /Guides//Onboarding/ ", title="  Onboarding  ", body="# Welcome")
    assert page["path"] == "Guides/Onboarding"
    assert page["title"] == "Onboarding"
    assert page["community_id"] is None
    assert page["updated_by"] == ada.user_id
    assert page["revision_id"]

    assert bob.get(f"/wiki/pages/{page['id']}").json() == page
    listed = bob.get("/wiki/pages").json()
    assert [p["id"] for p in listed] == [page["id"]]
    found = bob.get("/wiki/pages", params={"path": "guides/onboarding"}).json()
    assert found == []  # paths are case-sensitive
    found = bob.get("/wiki/pages", params={"path": "/Guides/Onboarding"}).json()
    assert [p["id"] for p in found] == [page["id"]]

    changes, _ = bob.sync_all()
    synced = [c for c in changes if c["type"] == "wiki_page"]
    assert synced == [{"type": "wiki_page", "id": page["id"], "op": "upsert", "data": page}]


def test_anyone_edits_the_company_wiki_and_history_is_newest_first(make_user: Callable[..., Api]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    page = new_page(ada, "Handbook", body="v1")
    first_revision = page["revision_id"]
    answer = edit(bob, page, "v2", summary="second", title="Handbook 2")
    assert answer.status_code == 201, answer.text
    page2 = answer.json()
    assert page2["body"] == "v2"
    assert page2["title"] == "Handbook 2"
    assert page2["updated_by"] == bob.user_id
    page3 = edit(ada, page2, "v3").json()
    assert page3["title"] == "Handbook 2"  # kept when not given

    history = ada.get(f"/wiki/pages/{page['id']}/revisions").json()
    assert [r["id"] for r in history] == [page3["revision_id"], page2["revision_id"], first_revision]
    assert history[1] == {
        "id": page2["revision_id"],
        "page_id": page["id"],
        "parent_revision_id": first_revision,
        "title": "Handbook 2",
        "summary": "second",
        "author_id": bob.user_id,
        "created_at": history[1]["created_at"],
    }
    assert history[2]["parent_revision_id"] is None
    assert "body" not in history[0]
    with_bodies = ada.get(f"/wiki/pages/{page['id']}/revisions", params={"include_body": "true"}).json()
    assert [r["body"] for r in with_bodies] == ["v3", "v2", "v1"]
    one = ada.get(f"/wiki/pages/{page['id']}/revisions/{first_revision}").json()
    assert one["body"] == "v1"
    assert ada.get(f"/wiki/pages/{page['id']}/revisions/{uuid7()}").status_code == 404


def test_stale_base_answers_409_with_the_current_page(make_user: Callable[..., Api]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    page = new_page(ada, "Roadmap", body="line one\n")
    theirs = edit(bob, page, "line one\nbob's line\n")
    assert theirs.status_code == 201
    mine = edit(ada, page, "line one\nada's line\n")  # based on the old revision
    assert mine.status_code == 409
    assert mine.headers["content-type"].startswith("application/problem+json")
    problem = mine.json()
    assert problem["status"] == 409
    assert problem["current"] == theirs.json()
    assert ada.get(f"/wiki/pages/{page['id']}").json()["body"] == "line one\nbob's line\n"
    # after merging, a retry on the current revision goes through
    merged = edit(ada, problem["current"], "line one\nbob's line\nada's line\n")
    assert merged.status_code == 201
    assert len(ada.get(f"/wiki/pages/{page['id']}/revisions").json()) == 3


def test_duplicate_path_is_a_conflict_per_space(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    first = new_page(ada, "FAQ")
    answer = ada.post("/wiki/pages", json={"id": uuid7(), "path": "/FAQ/", "title": "Other", "body": "x"})
    assert answer.status_code == 409
    assert answer.json()["existing_id"] == first["id"]
    space = community(ada, "Engineering")
    other = new_page(ada, "FAQ", community_id=space)  # the same path in another space is fine
    assert other["community_id"] == space
    assert [p["id"] for p in ada.get("/wiki/pages", params={"community_id": space}).json()] == [other["id"]]


def test_create_and_revision_replays(make_user: Callable[..., Api]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    page_id = uuid7()
    payload = {"id": page_id, "path": "Replay", "title": "Replay", "body": "same"}
    first = ada.post("/wiki/pages", json=payload)
    again = ada.post("/wiki/pages", json=payload)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert ada.post("/wiki/pages", json={**payload, "body": "different"}).status_code == 409
    assert bob.post("/wiki/pages", json=payload).status_code == 409  # not bob's page

    page = first.json()
    revision = {"id": uuid7(), "base_revision_id": page["revision_id"], "body": "two"}
    one = ada.post(f"/wiki/pages/{page_id}/revisions", json=revision)
    two = ada.post(f"/wiki/pages/{page_id}/revisions", json=revision)
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    assert len(ada.get(f"/wiki/pages/{page_id}/revisions").json()) == 2
    changed = ada.post(f"/wiki/pages/{page_id}/revisions", json={**revision, "body": "three"})
    assert changed.status_code == 409
    # the create replays even after the page moved on
    assert ada.post("/wiki/pages", json=payload).json()["body"] == "two"


def test_idempotency_key_replays_the_first_answer(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    page = new_page(ada, "Keys")
    key = {"Idempotency-Key": uuid7()}
    payload = {"id": uuid7(), "base_revision_id": page["revision_id"], "body": "edited"}
    one = ada.post(f"/wiki/pages/{page['id']}/revisions", json=payload, headers=key)
    two = ada.post(f"/wiki/pages/{page['id']}/revisions", json=payload, headers=key)
    assert one.status_code == two.status_code == 201
    assert two.headers.get("idempotent-replay") == "true"
    assert one.json() == two.json()


def test_community_wiki_members_edit_outsiders_do_not(make_user: Callable[..., Api]) -> None:
    owner, member, outsider = make_user("olga"), make_user("mia"), make_user("otto")
    public = community(owner, "Open Space")
    assert member.put(f"/communities/{public}/members/{member.user_id}").status_code == 200
    page = new_page(owner, "Rules", community_id=public)
    assert edit(member, page, "member edit").status_code == 201

    # a public community's pages are readable by all, editable by members only
    assert outsider.get(f"/wiki/pages/{page['id']}").status_code == 200
    fresh = outsider.get(f"/wiki/pages/{page['id']}").json()
    refused = edit(outsider, fresh, "outsider edit")
    assert refused.status_code == 403
    create = outsider.post(
        "/wiki/pages", json={"id": uuid7(), "community_id": public, "path": "Mine", "title": "t", "body": "b"}
    )
    assert create.status_code == 403


def test_private_community_pages_are_invisible_to_outsiders(make_user: Callable[..., Api]) -> None:
    owner, outsider = make_user("olga"), make_user("otto")
    secret = community(owner, "Project Falcon", "private")
    page = new_page(owner, "Plan", community_id=secret, body="secret plan")
    missing = outsider.get(f"/wiki/pages/{uuid7()}")
    hidden = outsider.get(f"/wiki/pages/{page['id']}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"]
    assert outsider.get(f"/wiki/pages/{page['id']}/revisions").status_code == 404
    assert outsider.get("/wiki/pages", params={"community_id": secret}).status_code == 404
    assert edit(outsider, page, "hijack").status_code == 404
    create = outsider.post(
        "/wiki/pages", json={"id": uuid7(), "community_id": secret, "path": "X", "title": "t", "body": "b"}
    )
    assert create.status_code == 404
    assert page["id"] not in str(outsider.get("/wiki/pages").json())
    changes, _ = outsider.sync_all()
    assert page["id"] not in str(changes)
    assert owner.get(f"/wiki/pages/{page['id']}").json()["body"] == "secret plan"


def test_limits_413_and_invalid_input_422(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")

    def create(**fields: Any) -> Any:
        payload = {"id": uuid7(), "path": "P", "title": "T", "body": "B", **fields}
        return ada.post("/wiki/pages", json=payload)

    at_limit = create(path="Big", body="é" * (MiB // 2))  # exactly 1 MiB of UTF-8
    assert at_limit.status_code == 201, at_limit.text
    over = create(path="Bigger", body="é" * (MiB // 2) + "x")
    assert over.status_code == 413
    assert over.json()["field"] == "body"
    assert create(path="Long title", title="t" * 300).status_code == 201
    assert create(path="Longer title", title="t" * 301).status_code == 413
    for fields in (
        {"title": "   "},
        {"path": " / // "},
        {"path": "a/" * 300},
        {"path": "a/../b"},
        {"path": "tab\there"},
        {"id": "not-a-uuid"},
        {"body": "nul\x00byte"},
        {"title": None},
        {"community_id": uuid7(), "path": "x", "body": 5},
    ):
        answer = create(**fields)
        assert answer.status_code == 422, (fields, answer.text)
        assert answer.json()["status"] == 422
    assert create(community_id=uuid7()).status_code == 404  # no such community
    page = create(path="Small").json()
    too_big = edit(ada, page, "x" * (MiB + 1))
    assert too_big.status_code == 413
    assert edit(ada, page, "ok", title="").status_code == 422
    assert edit(ada, page, "ok", summary="s" * 501).status_code == 413
    assert edit(ada, page, "ok", id="nope").status_code == 422
    assert ada.get("/wiki/pages", params={"path": "//"}).status_code == 422
    assert ada.get(f"/wiki/pages/{uuid7()}").status_code == 404


def test_lone_surrogate_is_refused_not_a_server_error(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    raw = b'{"id": "' + uuid7().encode() + b'", "path": "S", "title": "\\ud800", "body": "b"}'
    answer = ada.post("/wiki/pages", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422


@pytest.mark.parametrize("unauthenticated_call", ["get", "post"])
def test_wiki_needs_a_token(server: Any, unauthenticated_call: str) -> None:
    anonymous = Api(server.api)
    try:
        if unauthenticated_call == "get":
            answer = anonymous.get("/wiki/pages")
        else:
            answer = anonymous.post(
                "/wiki/pages", json={"id": uuid7(), "path": "p", "title": "t", "body": "b"}
            )
        assert answer.status_code == 401
    finally:
        anonymous.close()


def test_wiki_pages_are_searchable(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    page = new_page(ada, "Coffee", title="Coffee machine", body="Descale the espresso unit monthly")
    edit(ada, page, "Descale the espresso unit weekly")
    hits = ada.get("/search", params={"q": "weekly", "types": "wiki_page"}).json()["results"]
    assert [(h["type"], h["id"]) for h in hits] == [("wiki_page", page["id"])]
    assert ada.get("/search", params={"q": "monthly", "types": "wiki_page"}).json()["results"] == []


def test_concurrent_edits_on_one_base_let_exactly_one_through(make_user: Callable[..., Api]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    page = new_page(ada, "Race", body="start")
    for round_number in range(5):
        barrier = threading.Barrier(2)

        def attempt(
            api: Api, text: str, base: dict[str, Any] = page, barrier: threading.Barrier = barrier
        ) -> int:
            barrier.wait()
            return int(edit(api, base, text).status_code)

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(attempt, [ada, bob], [f"ada {round_number}", f"bob {round_number}"]))
        assert statuses == [201, 409]
        page = ada.get(f"/wiki/pages/{page['id']}").json()
    history = ada.get(f"/wiki/pages/{page['id']}/revisions").json()
    assert len(history) == 6
    assert history[0]["id"] == page["revision_id"]
    assert [r["parent_revision_id"] for r in history[:-1]] == [r["id"] for r in history[1:]]
