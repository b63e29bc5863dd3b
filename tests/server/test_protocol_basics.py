"""Protocol basics: health, sign-in and throttling, devices and revocation, idempotency, problem documents."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from atrium.server.clock import uuid7
from tests.conftest import PASSWORD
from tests.harness import Api, RunningServer
from tests.server.helpers import is_problem, make_community


def test_health_needs_no_auth(server: RunningServer) -> None:
    answer = httpx.get(server.api + "/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_login_one_message_for_unknown_and_wrong_then_throttle(
    server: RunningServer, make_user: Callable[..., Api]
) -> None:
    make_user("alice")
    anon = Api(server.api)
    unknown = anon.post("/auth/login", json={"username": "nobody", "password": "x"})
    wrong = anon.post("/auth/login", json={"username": "alice", "password": "x"})
    assert is_problem(unknown, 401) and is_problem(wrong, 401)
    assert unknown.json()["detail"] == wrong.json()["detail"]
    for _ in range(4):
        anon.post("/auth/login", json={"username": "alice", "password": "x"})
    throttled = anon.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    assert is_problem(throttled, 429) and int(throttled.headers["retry-after"]) > 0
    anon.close()


def test_devices_and_remote_revocation_wipe(server: RunningServer, make_user: Callable[..., Api]) -> None:
    laptop = make_user("alice")
    anon = Api(server.api)
    phone_login = anon.post(
        "/auth/login", json={"username": "alice", "password": PASSWORD, "device_name": "Phone"}
    )
    phone = Api(server.api, phone_login.json()["token"], phone_login.json()["user"])
    devices = laptop.get("/devices").json()
    assert {d["name"] for d in devices} == {"alice's test device", "Phone"}
    phone_id = phone_login.json()["device_id"]
    assert laptop.delete(f"/devices/{phone_id}").status_code == 204
    revoked = phone.get("/me")
    assert is_problem(revoked, 401)
    assert revoked.json()["type"].endswith("/device-revoked") and revoked.json()["wipe"] is True
    assert laptop.get("/me").status_code == 200

    admin = make_user("root", admin=True)
    assert is_problem(laptop.delete(f"/admin/devices/{admin.get('/devices').json()[0]['id']}"), 403)
    own = laptop.get("/devices").json()[0]["id"]
    assert admin.delete(f"/admin/devices/{own}").status_code == 204
    assert laptop.get("/me").json()["wipe"] is True
    anon.close()
    phone.close()


def test_logout_revokes_the_token_without_wipe(make_user: Callable[..., Api]) -> None:
    alice = make_user("alice")
    assert alice.post("/auth/logout").status_code == 204
    after = alice.get("/me")
    assert is_problem(after, 401) and "wipe" not in after.json()


def test_idempotency_key_replays_the_first_answer(make_user: Callable[..., Api]) -> None:
    alice = make_user("alice")
    cid = make_community(alice, "Photography")
    key = str(uuid7())
    body = {"id": uuid7(), "community_id": cid, "body": "once"}
    first = alice.post("/posts", json=body, headers={"Idempotency-Key": key})
    again = alice.post("/posts", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers.get("idempotent-replay") == "true"
    # same key on another request is refused, not silently replayed
    other = alice.post(
        "/communities",
        json={"id": uuid7(), "name": "X", "kind": "interest", "visibility": "public"},
        headers={"Idempotency-Key": key},
    )
    assert is_problem(other, 422)
    # replay by client-made id without a key: same content is fine, other content conflicts
    assert alice.post("/posts", json=body).status_code == 201
    assert is_problem(alice.post("/posts", json={**body, "body": "changed"}), 409)
    posts = alice.get("/posts", params={"community_id": cid}).json()
    assert len(posts) == 1


def test_likes_replayed_with_key_change_nothing(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    cid = make_community(alice, "Cafe", kind="social")
    bob.put(f"/communities/{cid}/members/{bob.user_id}")
    pid = uuid7()
    alice.post("/posts", json={"id": pid, "community_id": cid, "body": "hi"})
    key = str(uuid7())
    for _ in range(3):
        assert bob.put(f"/reactions/post/{pid}", headers={"Idempotency-Key": key}).status_code == 204
    notes = [n for n in alice.get("/notifications").json() if n["kind"] == "like"]
    assert len(notes) == 1


def test_problem_documents_for_bad_input(server: RunningServer, make_user: Callable[..., Api]) -> None:
    alice = make_user("alice")
    malformed = alice.post("/posts", content=b"{not json", headers={"content-type": "application/json"})
    assert is_problem(malformed, 400)
    missing = alice.post("/posts", json={"id": uuid7()})
    assert is_problem(missing, 422)
    fields = {error["field"] for error in missing.json()["errors"]}
    assert {"community_id", "body"} <= fields
    wrong_type = alice.post(
        "/communities", json={"id": uuid7(), "name": "x", "kind": "banana", "visibility": "public"}
    )
    assert is_problem(wrong_type, 422) and wrong_type.json()["errors"][0]["field"] == "kind"
    huge = alice.post(
        "/posts", content=b"x" * (9 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert is_problem(huge, 413)
    assert is_problem(alice.get("/no/such/route"), 404)
    assert is_problem(alice.get(f"/posts/{uuid7()}"), 404)
    assert is_problem(httpx.get(server.api + "/me"), 401)


def test_community_membership_rules(make_user: Callable[..., Api]) -> None:
    owner, mod, member, stranger = (make_user(n) for n in ("owner", "mod", "member", "stranger"))
    cid = make_community(owner, "Lean Manufacturing", kind="practice")
    secret = make_community(owner, "Falcon", "private")
    assert (
        owner.put(f"/communities/{cid}/members/{mod.user_id}", json={"role": "moderator"}).status_code == 200
    )
    assert member.put(f"/communities/{cid}/members/{member.user_id}").status_code == 200
    assert is_problem(member.put(f"/communities/{cid}/members/{stranger.user_id}"), 403)
    assert is_problem(mod.put(f"/communities/{cid}/members/{member.user_id}", json={"role": "owner"}), 403)
    assert is_problem(stranger.put(f"/communities/{secret}/members/{stranger.user_id}"), 404)
    assert is_problem(stranger.get(f"/communities/{secret}"), 404)
    assert is_problem(stranger.get(f"/communities/{secret}/members"), 404)
    card = owner.get(f"/communities/{cid}").json()
    assert card["member_count"] == 3 and card["my_role"] == "owner"
    assert is_problem(owner.delete(f"/communities/{cid}/members/{owner.user_id}"), 409)  # last owner
    assert is_problem(mod.delete(f"/communities/{cid}/members/{owner.user_id}"), 403)
    assert mod.delete(f"/communities/{cid}/members/{member.user_id}").status_code == 204
    assert owner.get(f"/communities/{cid}").json()["member_count"] == 2
    browse = stranger.get("/communities").json()["communities"]
    assert cid in {c["id"] for c in browse} and secret not in {c["id"] for c in browse}
    mine = owner.get("/communities", params={"joined": "true"}).json()["communities"]
    assert {c["id"] for c in mine} == {cid, secret}
    searched = stranger.get("/communities", params={"q": "lean"}).json()["communities"]
    assert [c["id"] for c in searched] == [cid]
