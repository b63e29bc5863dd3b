"""The server's OpenAPI document matches ../shared/protocol.md: every listed call and object field exists."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.harness import RunningServer

# (method, path) for every call protocol.md lists, under /api/v1.
PROTOCOL_CALLS = [
    ("get", "/health"),
    ("post", "/auth/login"),
    ("post", "/auth/logout"),
    ("get", "/me"),
    ("get", "/devices"),
    ("delete", "/devices/{device_id}"),
    ("delete", "/admin/devices/{device_id}"),
    ("get", "/sync"),
    ("get", "/events"),
    ("post", "/communities"),
    ("get", "/communities"),
    ("put", "/communities/{community_id}/members/{user_id}"),
    ("delete", "/communities/{community_id}/members/{user_id}"),
    ("post", "/files"),
    ("get", "/files/{file_id}"),
    ("post", "/posts"),
    ("patch", "/posts/{post_id}"),
    ("delete", "/posts/{post_id}"),
    ("post", "/posts/{post_id}/comments"),
    ("post", "/posts/{post_id}/accept"),
    ("put", "/reactions/{target_type}/{target_id}"),
    ("delete", "/reactions/{target_type}/{target_id}"),
    ("put", "/follows/{target_type}/{target_id}"),
    ("delete", "/follows/{target_type}/{target_id}"),
    ("post", "/wiki/pages"),
    ("post", "/wiki/pages/{page_id}/revisions"),
    ("get", "/wiki/pages/{page_id}/revisions"),
    ("post", "/notifications/read"),
    ("get", "/search"),
    ("post", "/hooks/{token}"),
    ("get", "/admin/insights"),
]

# Object fields protocol.md says every side can rely on, and the schema that carries each.
PROTOCOL_OBJECTS = {
    "UserOut": "id handle display_name title department location avatar_url is_admin",
    "CommunityOut": "id slug name description kind visibility member_count created_at",
    "MembershipOut": "community_id user_id role joined_at",
    "FollowOut": "user_id target_type target_id",
    "PostOut": (
        "id community_id author_id kind title body created_at edited_at pinned comments_enabled "
        "accepted_comment_id mentions topics attachments like_count comment_count"
    ),
    "FileOut": "id name mime size sha256 created_at",
    "CommentOut": "id post_id author_id parent_id body created_at edited_at like_count",
}


@pytest.fixture
def openapi(server: RunningServer) -> dict[str, Any]:
    answer = httpx.get(server.api + "/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _normalise(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_protocol_call_is_published(openapi: dict[str, Any]) -> None:
    published = {
        (method, _normalise(path.removeprefix("/api/v1")))
        for path, item in openapi["paths"].items()
        for method in item
    }
    missing = [f"{m.upper()} {p}" for m, p in PROTOCOL_CALLS if (m, _normalise(p)) not in published]
    assert not missing, f"not in the OpenAPI document: {missing}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_protocol_objects_have_their_fields(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for name, fields in PROTOCOL_OBJECTS.items():
        assert name in schemas, f"{name} missing from the OpenAPI components"
        properties = set(schemas[name]["properties"])
        assert set(fields.split()) <= properties, f"{name} lacks {set(fields.split()) - properties}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sync_page_shape(openapi: dict[str, Any]) -> None:
    page = openapi["components"]["schemas"]["SyncPage"]
    assert {"cursor", "has_more", "changes"} <= set(page["properties"])
    change = openapi["components"]["schemas"]["Change"]
    assert {"type", "id", "op", "data"} <= set(change["properties"])
    kinds = set(change["properties"]["type"]["enum"])
    assert kinds == {
        "user",
        "community",
        "membership",
        "follow",
        "post",
        "comment",
        "reaction",
        "wiki_page",
        "app",
        "notification",
        "scope",
    }
