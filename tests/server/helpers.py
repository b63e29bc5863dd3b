"""Small builders shared by server tests: make communities, posts and comments through the real API."""

from __future__ import annotations

from typing import Any

from atrium.server.clock import uuid7
from tests.harness import Api


def make_community(api: Api, name: str, visibility: str = "public", kind: str = "interest") -> str:
    cid = uuid7()
    answer = api.post(
        "/communities",
        json={
            "id": cid,
            "name": name,
            "kind": kind,
            "visibility": visibility,
            "description": f"About {name}",
        },
    )
    assert answer.status_code == 201, answer.text
    return cid


def make_post(api: Api, community_id: str, body: str, **extra: Any) -> str:
    pid = uuid7()
    answer = api.post("/posts", json={"id": pid, "community_id": community_id, "body": body, **extra})
    assert answer.status_code == 201, answer.text
    return pid


def make_comment(api: Api, post_id: str, body: str, **extra: Any) -> str:
    cid = uuid7()
    answer = api.post(f"/posts/{post_id}/comments", json={"id": cid, "body": body, **extra})
    assert answer.status_code == 201, answer.text
    return cid


def join(api: Api, community_id: str) -> None:
    answer = api.put(f"/communities/{community_id}/members/{api.user_id}")
    assert answer.status_code == 200, answer.text


def is_problem(answer: Any, status: int) -> bool:
    return (
        answer.status_code == status
        and answer.headers.get("content-type", "").startswith("application/problem+json")
        and answer.json()["status"] == status
    )
