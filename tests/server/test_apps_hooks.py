"""The app catalog (GET /apps, admin add/remove) and incoming webhooks (POST /hooks/{token})."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from atrium.server.schema import apps, idempotency_keys, post_topics, posts, search_documents

from ..harness import Api, RunningServer


def _community(owner: Api, name: str, visibility: str = "private") -> dict[str, Any]:
    answer = owner.post(
        "/communities",
        json={
            "id": str(uuid.uuid4()),
            "name": name,
            "kind": "practice",
            "visibility": visibility,
            "description": "",
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _add_member(owner: Api, community_id: str, user_id: str) -> None:
    answer = owner.put(f"/communities/{community_id}/members/{user_id}", json={})
    assert answer.status_code == 200, answer.text


def _add_app(admin: Api, **fields: Any) -> dict[str, Any]:
    answer = admin.post("/admin/apps", json=fields)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _hook(server: RunningServer, token: str, **kw: Any) -> httpx.Response:
    """POST /hooks/{token} with no bearer token at all."""
    return httpx.post(f"{server.api}/hooks/{token}", timeout=30, **kw)


# --- the catalog ------------------------------------------------------------------------


def test_catalog_lists_apps_by_position_then_name(make_user: Callable[..., Api]) -> None:
    admin = make_user("root", admin=True)
    user = make_user("uma")
    assert user.get("/apps").json() == []
    created = [
        _add_app(admin, name="Zeta", url="https://zeta.example.com", position=1),
        _add_app(
            admin,
            name="beta",
            url="/demo-apps/beta/",
            position=2,
            description="Beta app",
            icon_url="https://beta.example.com/icon.svg",
            allowed_origins=["https://beta.example.com"],
        ),
        _add_app(admin, name="Alpha", url="https://alpha.example.com", position=1),
    ]
    assert all(item["hook_token"] is None for item in created)  # no community, no webhook
    listed = user.get("/apps")
    assert listed.status_code == 200
    assert [app["name"] for app in listed.json()] == ["Alpha", "Zeta", "beta"]
    beta = created[1]["app"]
    assert beta == {
        "id": beta["id"],
        "name": "beta",
        "url": "/demo-apps/beta/",
        "icon_url": "https://beta.example.com/icon.svg",
        "description": "Beta app",
        "allowed_origins": ["https://beta.example.com"],
        "position": 2,
        "community_id": None,
    }
    assert user.get(f"/apps/{beta['id']}").json() == beta
    assert user.get(f"/apps/{uuid.uuid4()}").status_code == 404
    # the catalog reaches every user through sync
    synced = {c["id"]: c for c in user.sync_all()[0] if c["type"] == "app"}
    assert synced[beta["id"]]["data"] == beta


def test_catalog_needs_sign_in(server: RunningServer) -> None:
    assert httpx.get(f"{server.api}/apps", timeout=30).status_code == 401


def test_only_admins_manage_apps(make_user: Callable[..., Api]) -> None:
    admin = make_user("root", admin=True)
    user = make_user("uma")
    refused = user.post("/admin/apps", json={"name": "Mine", "url": "https://mine.example.com"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    app = _add_app(admin, name="Payroll", url="https://payroll.example.com")["app"]
    assert user.delete(f"/admin/apps/{app['id']}").status_code == 403
    assert user.get(f"/apps/{app['id']}").status_code == 200

    _changes, cursor = user.sync_all()
    assert admin.delete(f"/admin/apps/{app['id']}").status_code == 204
    assert user.get(f"/apps/{app['id']}").status_code == 404
    assert admin.delete(f"/admin/apps/{app['id']}").status_code == 404
    later, _ = user.sync_all(since=cursor)
    assert {"type": "app", "id": app["id"], "op": "delete"} in [
        {k: c[k] for k in ("type", "id", "op")} for c in later
    ]


def test_add_app_refuses_bad_input(make_user: Callable[..., Api]) -> None:
    admin = make_user("root", admin=True)
    bad_url = admin.post("/admin/apps", json={"name": "X", "url": "ftp://x.example.com"})
    assert bad_url.status_code == 422
    assert bad_url.json()["errors"][0]["field"] == "url"
    no_community = admin.post("/admin/apps", json={"name": "X", "url": "/x/", "community_slug": "nowhere"})
    assert no_community.status_code == 422
    assert no_community.json()["errors"][0]["field"] == "community_slug"
    assert admin.post("/admin/apps", json={"url": "/x/"}).status_code == 422
    assert admin.post("/admin/apps", json={"name": "X", "url": "/x/", "position": "first"}).status_code == 422
    assert (
        admin.post("/admin/apps", content=b"{nope", headers={"content-type": "application/json"}).status_code
        == 400
    )
    for fields in (
        {"name": "X", "url": "/x/", "icon_url": "javascript:alert(1)"},
        {"name": "X", "url": "/x/", "allowed_origins": ["https://x.example.com/path"]},
        {"name": "X", "url": "/x/", "allowed_origins": ["*"]},
        {"name": "nul\x00", "url": "/x/"},
        {"name": "X", "url": "/x/", "community_slug": "a\x00b"},
        {"name": "   ", "url": "/x/"},
    ):
        refused = admin.post("/admin/apps", json=fields)
        assert refused.status_code == 422, (fields, refused.text)
    assert admin.get("/apps/%00").status_code == 404
    assert admin.delete("/admin/apps/%00").status_code == 404
    assert admin.get("/apps").json() == []


# --- webhooks ---------------------------------------------------------------------------


def test_hook_posts_an_app_event_members_sync(
    server: RunningServer, engine: Engine, make_user: Callable[..., Api]
) -> None:
    admin = make_user("root", admin=True)
    member = make_user("mia")
    outsider = make_user("otto")
    community = _community(admin, "Finance ops")
    _add_member(admin, community["id"], member.user_id)
    created = _add_app(
        admin, name="Expenses", url="https://expenses.example.com", community_slug=community["slug"]
    )
    app, token = created["app"], created["hook_token"]
    assert app["community_id"] == community["id"] and token

    answer = _hook(
        server,
        token,
        json={
            "title": "Report approved",
            "body": "**Q3** travel report approved for @mia, cc @otto. #Expenses #q3-close",
        },
    )
    assert answer.status_code == 201, answer.text
    post = answer.json()
    assert post["kind"] == "app_event"
    assert post["author_id"] is None
    assert post["app_id"] == app["id"]
    assert post["community_id"] == community["id"]
    assert post["title"] == "Report approved"
    assert (
        post["body"] == "**Q3** travel report approved for @mia, cc @otto. #Expenses #q3-close"
    )  # Markdown as-is
    assert post["topics"] == ["expenses", "q3-close"]
    assert post["mentions"] == [member.user_id, outsider.user_id]

    changes, _ = member.sync_all()
    synced = [c for c in changes if c["type"] == "post" and c["id"] == post["id"]]
    assert synced and synced[0]["data"] == post
    mentioned = [c["data"] for c in changes if c["type"] == "notification"]
    assert any(
        n["kind"] == "mention" and n["target_id"] == post["id"] and n["actor_id"] is None for n in mentioned
    )
    outsider_changes, _ = outsider.sync_all()
    assert all(c["id"] != post["id"] for c in outsider_changes)
    assert not [
        c for c in outsider_changes if c["type"] == "notification"
    ]  # a private community stays hidden
    assert outsider.get(f"/posts/{post['id']}").status_code == 404

    with engine.connect() as conn:
        row = conn.execute(select(posts).where(posts.c.id == post["id"])).one()
        assert (row.kind, row.author_id, row.app_id) == ("app_event", None, app["id"])
        topics = set(
            conn.execute(select(post_topics.c.topic).where(post_topics.c.post_id == post["id"])).scalars()
        )
        assert topics == {"expenses", "q3-close"}
        indexed = conn.execute(
            select(search_documents).where(
                search_documents.c.type == "post", search_documents.c.object_id == post["id"]
            )
        ).one()
        assert (indexed.post_kind, indexed.community_id, indexed.title) == (
            "app_event",
            community["id"],
            "Report approved",
        )

    # naming the app's own community is fine
    same = _hook(server, token, json={"body": "second", "community_id": community["id"]})
    assert same.status_code == 201
    assert same.json()["title"] is None


def test_hook_refusals(server: RunningServer, engine: Engine, make_user: Callable[..., Api]) -> None:
    admin = make_user("root", admin=True)
    community = _community(admin, "Ops", visibility="public")
    other = _community(admin, "Elsewhere")
    token = _add_app(admin, name="Monitor", url="/m/", community_slug=community["slug"])["hook_token"]

    assert _hook(server, "not-a-token", json={"body": "hi"}).status_code == 404
    assert _hook(server, token + "x", json={"body": "hi"}).status_code == 404
    mismatch = _hook(server, token, json={"body": "hi", "community_id": other["id"]})
    assert mismatch.status_code == 403
    assert mismatch.headers["content-type"].startswith("application/problem+json")

    too_long = _hook(server, token, json={"body": "x" * (64 * 1024 + 1)})
    assert too_long.status_code == 413
    assert too_long.json()["field"] == "body"
    assert _hook(server, token, json={"body": "é" * (32 * 1024 + 1)}).status_code == 413  # bytes, not chars
    assert _hook(server, token, json={"body": "x" * (64 * 1024)}).status_code == 201
    long_title = _hook(server, token, json={"title": "t" * 301, "body": "hi"})
    assert long_title.status_code == 413
    assert long_title.json()["field"] == "title"
    assert _hook(server, token, json={"title": "t" * 300, "body": "hi"}).status_code == 201

    malformed = _hook(server, token, content=b'{"body": "hi"', headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("application/problem+json")
    assert _hook(server, token, json={"title": "no body"}).status_code == 422
    assert _hook(server, token, json={"body": "   "}).status_code == 422
    assert _hook(server, token, json={"body": "nul\x00byte"}).status_code == 422
    assert _hook(server, token, json={"title": "nul\x00", "body": "hi"}).status_code == 422
    assert _hook(server, "%00", json={"body": "hi"}).status_code == 404
    assert _hook(server, token, json=["body"]).status_code == 422

    with engine.connect() as conn:
        kinds = conn.execute(select(posts.c.kind, func.count()).group_by(posts.c.kind)).all()
    assert [tuple(row) for row in kinds] == [("app_event", 2)]


def test_hook_token_dies_with_its_app(server: RunningServer, make_user: Callable[..., Api]) -> None:
    admin = make_user("root", admin=True)
    community = _community(admin, "Ops")
    created = _add_app(admin, name="Monitor", url="/m/", community_slug=community["slug"])
    assert _hook(server, created["hook_token"], json={"body": "up"}).status_code == 201
    assert admin.delete(f"/admin/apps/{created['app']['id']}").status_code == 204
    assert _hook(server, created["hook_token"], json={"body": "up"}).status_code == 404


def test_hook_idempotency_key(server: RunningServer, engine: Engine, make_user: Callable[..., Api]) -> None:
    admin = make_user("root", admin=True)
    community = _community(admin, "Ops")
    token = _add_app(admin, name="Monitor", url="/m/", community_slug=community["slug"])["hook_token"]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = _hook(server, token, json={"body": "deploy finished"}, headers=key)
    again = _hook(server, token, json={"body": "deploy finished"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replay") == "true"
    assert again.json() == first.json()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 1
        stored = conn.execute(select(idempotency_keys.c.user_id)).scalars().all()
        assert stored == [""]
        assert conn.execute(select(apps.c.hook_token_hash)).scalar_one() != token  # only the hash is kept
