"""GET /notifications and POST /notifications/read: only one's own, read state synced to every device."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select

from atrium.server.clock import uuid7
from atrium.server.publish import publish_notification
from atrium.server.schema import notifications

from ..conftest import PASSWORD
from ..harness import Api, RunningServer


def _notify(
    engine: Engine, user_id: str, created_at: str, *, read: bool = False, kind: str = "mention"
) -> str:
    """Insert and publish one notification for USER_ID at a chosen time."""
    notification_id = uuid7()
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        conn.execute(
            notifications.insert().values(
                id=notification_id,
                user_id=user_id,
                kind=kind,
                actor_id=None,
                target_type="post",
                target_id=str(uuid.uuid4()),
                community_id=None,
                created_at=created_at,
                read=read,
            )
        )
        publish_notification(conn, notification_id)
    return notification_id


def _ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()]


def _second_device(server: RunningServer, handle: str) -> Api:
    anonymous = Api(server.api)
    body = anonymous.post(
        "/auth/login", json={"username": handle, "password": PASSWORD, "device_name": "phone"}
    ).json()
    anonymous.close()
    return Api(server.api, body["token"], body["user"])


def test_listing_unread_first_then_newest(engine: Engine, make_user: Callable[..., Api]) -> None:
    ann = make_user("ann")
    bob = make_user("bob")
    old_unread = _notify(engine, ann.user_id, "2026-01-01T10:00:00.000Z")
    new_read = _notify(engine, ann.user_id, "2026-01-03T10:00:00.000Z", read=True)
    new_unread = _notify(engine, ann.user_id, "2026-01-02T10:00:00.000Z")
    oldest_read = _notify(engine, ann.user_id, "2025-12-01T10:00:00.000Z", read=True)
    _notify(engine, bob.user_id, "2026-01-05T10:00:00.000Z")

    assert _ids(ann.get("/notifications")) == [new_unread, old_unread, new_read, oldest_read]
    listed = ann.get("/notifications").json()
    assert listed[0] == {
        "id": new_unread,
        "kind": "mention",
        "actor_id": None,
        "target_type": "post",
        "target_id": listed[0]["target_id"],
        "community_id": None,
        "created_at": "2026-01-02T10:00:00.000Z",
        "read": False,
    }
    assert _ids(ann.get("/notifications", params={"unread": "true"})) == [new_unread, old_unread]
    assert _ids(ann.get("/notifications", params={"limit": 1})) == [new_unread]
    assert _ids(ann.get("/notifications", params={"before": "2026-01-02T10:00:00Z"})) == [
        old_unread,
        oldest_read,
    ]
    assert _ids(ann.get("/notifications", params={"before": "2026-01-02T12:00:00+02:00"})) == [
        old_unread,
        oldest_read,
    ]
    assert _ids(bob.get("/notifications")) != []
    assert all(item["id"] not in (old_unread, new_unread) for item in bob.get("/notifications").json())

    for bad in ({"limit": 0}, {"limit": 501}, {"before": "yesterday"}, {"unread": "perhaps"}):
        refused = ann.get("/notifications", params=bad)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_mark_read_by_ids_only_own(
    server: RunningServer, engine: Engine, make_user: Callable[..., Api]
) -> None:
    ann = make_user("ann")
    bob = make_user("bob")
    mine = [_notify(engine, ann.user_id, f"2026-02-0{day}T08:00:00.000Z") for day in (1, 2, 3)]
    already = _notify(engine, ann.user_id, "2026-02-04T08:00:00.000Z", read=True)
    theirs = _notify(engine, bob.user_id, "2026-02-01T08:00:00.000Z")
    phone = _second_device(server, "ann")
    _changes, cursor = phone.sync_all()

    answer = ann.post(
        "/notifications/read",
        json={"ids": [mine[0], mine[2], already, theirs, str(uuid.uuid4()), "junk", "nul\x00"]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"updated": 2}
    state = {item["id"]: item["read"] for item in ann.get("/notifications").json()}
    assert state == {mine[0]: True, mine[1]: False, mine[2]: True, already: True}
    assert bob.get("/notifications").json()[0]["read"] is False

    # the other device learns the new read state through sync
    later, _ = phone.sync_all(since=cursor)
    synced = {c["id"]: c["data"]["read"] for c in later if c["type"] == "notification"}
    assert synced == {mine[0]: True, mine[2]: True}
    assert all(c["id"] != theirs for c in later)

    assert ann.post("/notifications/read", json={"ids": [mine[0]]}).json() == {"updated": 0}
    assert ann.post("/notifications/read", json={"ids": []}).json() == {"updated": 0}
    phone.close()


def test_mark_read_up_to(engine: Engine, make_user: Callable[..., Api]) -> None:
    ann = make_user("ann")
    bob = make_user("bob")
    early = _notify(engine, ann.user_id, "2026-03-01T08:00:00.000Z")
    edge = _notify(engine, ann.user_id, "2026-03-02T08:00:00.000Z")
    late = _notify(engine, ann.user_id, "2026-03-03T08:00:00.000Z")
    bobs = _notify(engine, bob.user_id, "2026-03-01T08:00:00.000Z")

    answer = ann.post(
        "/notifications/read", json={"up_to": "2026-03-02T10:00:00+02:00"}
    )  # = 08:00Z, inclusive
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"updated": 2}
    state = {item["id"]: item["read"] for item in ann.get("/notifications").json()}
    assert state == {early: True, edge: True, late: False}
    assert {item["id"]: item["read"] for item in bob.get("/notifications").json()} == {bobs: False}
    with engine.connect() as conn:
        assert (
            conn.execute(select(notifications.c.read).where(notifications.c.id == bobs)).scalar_one() is False
        )


def test_mark_read_refuses_bad_bodies(make_user: Callable[..., Api]) -> None:
    ann = make_user("ann")
    for body in (
        {},
        {"ids": None, "up_to": None},
        {"ids": ["x"], "up_to": "2026-01-01T00:00:00Z"},
        {"up_to": "last tuesday"},
        {"up_to": "2026-01-01T00:00:00"},
        {"ids": "x"},
        {"ids": ["x"] * 1001},
    ):
        refused = ann.post("/notifications/read", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    malformed = ann.post("/notifications/read", content=b"{", headers={"content-type": "application/json"})
    assert malformed.status_code == 400


def test_mark_read_is_idempotent(engine: Engine, make_user: Callable[..., Api]) -> None:
    ann = make_user("ann")
    first_id = _notify(engine, ann.user_id, "2026-04-01T08:00:00.000Z")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = ann.post("/notifications/read", json={"ids": [first_id]}, headers=key)
    again = ann.post("/notifications/read", json={"ids": [first_id]}, headers=key)
    assert first.json() == again.json() == {"updated": 1}
    assert again.headers.get("idempotent-replay") == "true"
