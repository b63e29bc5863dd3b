"""The demo seeder: a believable, deterministic company that lives entirely in the sync feed.

Most checks share one seeded server per database (module scope): signing in as the demo user,
what their sync carries and hides, feed rows identical to what ``publish.*`` writes, counts,
search and the demo apps. Determinism, ``--scale`` and refusing a second seed use fresh databases.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import orjson
import pytest
from sqlalchemy import Connection, Engine, func, select, text

from atrium.server import publish
from atrium.server.admin_ops import add_user
from atrium.server.clock import uuid7
from atrium.server.database import create_db_engine
from atrium.server.routes.posts import content_hash
from atrium.server.schema import (
    change_log,
    comments,
    communities,
    follows,
    memberships,
    notifications,
    posts,
    reactions,
    scope_events,
    sync_counter,
    users,
    wiki_pages,
    wiki_revisions,
)
from atrium.server.security import verify_password
from atrium.server.seed import DemoSummary, SeedError, seed_demo
from atrium.server.seed.communities import CommunitySpec
from atrium.server.seed.company import CommunityPlan, Company, plan_company
from atrium.server.seed.compose import Composer
from atrium.server.seed.ids import DAY_MS, IdMaker, iso_ms, to_ms
from atrium.server.seed.notes import NotificationDeriver
from atrium.server.seed.threads import ThreadFactory
from atrium.server.text_extract import mentioned_handles, topics_in
from tests.harness import (
    Api,
    PostgresCluster,
    RunningServer,
    fresh_sqlite_url,
    prepare_database,
    start_server,
)

ANCHOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SMALL = 60  # colleagues in the companies seeded only to test the mechanics (the full one has 300)
PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}")
CODE = re.compile(r"```.*?```", re.DOTALL)


def unfilled(text: str) -> bool:
    """Whether TEXT still has a template placeholder (code blocks may hold braces of their own)."""
    return PLACEHOLDER.search(CODE.sub("", text)) is not None


@dataclass
class Seeded:
    url: str
    engine: Engine
    summary: DemoSummary
    output: str
    server: RunningServer
    files_dir: Path


def _fresh_url(kind: str, request: pytest.FixtureRequest, folder: Path) -> str:
    if kind == "sqlite":
        return prepare_database(fresh_sqlite_url(folder))
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return prepare_database(cluster.create_database())


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One demo company per database, seeded up to now (so the retention window applies)."""
    folder = tmp_path_factory.mktemp("seeded")
    url = _fresh_url(request.param, request, folder)
    engine = create_db_engine(url, pool_size=2)
    out = io.StringIO()
    summary = seed_demo(engine, seed=3, out=out, files_dir=folder / "files")
    running = start_server(url, folder / "files")
    yield Seeded(url, engine, summary, out.getvalue(), running, folder / "files")
    running.stop()
    engine.dispose()


def _sign_in(server: RunningServer, handle: str, password: str) -> Api:
    anonymous = Api(server.api)
    answer = anonymous.post(
        "/auth/login", json={"username": handle, "password": password, "device_name": "t"}
    )
    anonymous.close()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Api(server.api, body["token"], body["user"])


def _community_ids(conn: Connection) -> dict[str, str]:
    return {row.slug: row.id for row in conn.execute(select(communities.c.slug, communities.c.id))}


# --- signing in and syncing as the demo user -------------------------------------------------------


def test_demo_user_signs_in_and_sync_carries_the_company(seeded: Seeded) -> None:
    assert "Sign in as demo / demo" in seeded.output
    demo = _sign_in(seeded.server, "demo", "demo")
    assert demo.user["display_name"] == "Dana Demo" and demo.user["department"] == "IT"
    changes, _ = demo.sync_all(limit=5000)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        assert change["op"] == "upsert"
        by_type.setdefault(change["type"], []).append(change["data"])
    with seeded.engine.connect() as conn:
        slugs = _community_ids(conn)
    ids = slugs

    synced_communities = {item["id"] for item in by_type["community"]}
    assert len(synced_communities) >= 100  # every public community, plus the private ones Dana is in
    mine = {
        item["community_id"]: item["role"]
        for item in by_type["membership"]
        if item["user_id"] == demo.user_id
    }
    assert len(mine) >= 20
    assert mine[ids["digital-workplace"]] == "owner" and mine[ids["atrium-champions"]] == "owner"
    assert mine[ids["it-support"]] == "moderator"
    assert ids["it-major-incidents"] in synced_communities and ids["workplace-pilot"] in synced_communities

    posts_by_community = Counter(item["community_id"] for item in by_type["post"])
    support = [item for item in by_type["post"] if item["community_id"] == ids["it-support"]]
    solved = [item for item in support if item["kind"] == "question" and item["accepted_comment_id"]]
    open_questions = [
        item for item in support if item["kind"] == "question" and not item["accepted_comment_id"]
    ]
    assert len(solved) >= 10 and len(open_questions) >= 3
    assert any(item["kind"] == "app_event" and item["app_id"] for item in support)
    accepted_ids = {item["accepted_comment_id"] for item in solved}
    assert accepted_ids <= {item["id"] for item in by_type["comment"]}  # the accepted answers arrive too

    announcements = [item for item in by_type["post"] if item["kind"] == "announcement"]
    assert len(announcements) >= 8
    assert any(item["pinned"] for item in announcements)
    assert any(not item["comments_enabled"] and item["comment_count"] == 0 for item in announcements)
    assert any(item["comment_count"] >= 3 for item in announcements)
    assert posts_by_community[ids["cafe"]] > 0 and posts_by_community[ids["python-guild"]] > 0
    kinds = Counter(item["kind"] for item in by_type["post"])
    assert {"post", "question", "blog", "announcement", "app_event"} <= set(kinds)
    assert any(item["parent_id"] for item in by_type["comment"])  # threaded replies
    assert any(item["attachments"] for item in by_type["post"])
    assert any("@demo" in item["body"] for item in by_type["post"] + by_type["comment"])

    pages = {item["path"]: item for item in by_type["wiki_page"]}
    assert {"onboarding", "it/vpn-setup", "it/printers", "travel-policy"} <= set(pages)
    history = demo.get(f"/wiki/pages/{pages['it/vpn-setup']['id']}/revisions")
    assert history.status_code == 200 and len(history.json()) >= 2

    notes = by_type["notification"]
    assert {"mention", "reply", "like", "accepted", "announcement", "added_to_community"} <= {
        item["kind"] for item in notes
    }
    assert any(item["read"] for item in notes) and any(not item["read"] for item in notes)
    follow_types = {item["target_type"] for item in by_type["follow"] if item["user_id"] == demo.user_id}
    assert follow_types == {"user", "community", "topic"}
    assert {item["url"] for item in by_type["app"]} >= {"/demo-apps/expenses/", "/demo-apps/it-status/"}
    assert any(item["is_admin"] for item in by_type["user"])
    assert len(by_type["user"]) >= 300

    # what the feed carries is what the API answers
    for item in random.Random(1).sample(by_type["post"], 5):
        assert demo.get(f"/posts/{item['id']}").json() == item
    demo.close()


def test_private_communities_the_demo_user_is_not_in_stay_invisible(seeded: Seeded) -> None:
    demo = _sign_in(seeded.server, "demo", "demo")
    with seeded.engine.connect() as conn:
        ids = _community_ids(conn)
        hidden = {ids["leadership-team"], ids["project-falcon"], ids["hr-business-partners"]}
        hidden_posts = set(conn.execute(select(posts.c.id).where(posts.c.community_id.in_(hidden))).scalars())
        hidden_pages = set(
            conn.execute(select(wiki_pages.c.id).where(wiki_pages.c.community_id.in_(hidden))).scalars()
        )
    assert hidden_posts and hidden_pages  # they do have content...
    changes, _ = demo.sync_all(limit=5000, window_days=3650)
    seen = {change["id"] for change in changes}
    for change in changes:  # ...which never reaches Dana
        data = change["data"]
        assert data.get("community_id") not in hidden, change
        assert not (change["type"] == "community" and change["id"] in hidden)
    assert not (seen & (hidden_posts | hidden_pages))
    assert demo.get(f"/communities/{ids['leadership-team']}").status_code == 404
    member = _sign_in(seeded.server, _a_member_of(seeded.engine, ids["leadership-team"]), "demo")
    assert member.get(f"/communities/{ids['leadership-team']}").status_code == 200
    demo.close()
    member.close()


def _a_member_of(engine: Engine, community_id: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(users.c.handle)
                .join(memberships, memberships.c.user_id == users.c.id)
                .where(memberships.c.community_id == community_id)
                .limit(1)
            ).scalar_one()
        )


@pytest.mark.parametrize(
    ("visibility", "told"), [("private", {"member"}), ("public", {"member", "outsider"})]
)
def test_the_seeder_notifies_by_the_live_rule(visibility: str, told: set[str]) -> None:
    """Seeded notifications follow notify.recipients_to_notify, as live ones do: never the
    actor, each person once, and a mention of an outsider in a private community does not
    reach them (it would tell them the community exists)."""
    spec = CommunitySpec("falcon", "Falcon", "interest", "A project", "it", (), visibility=visibility)
    plan = CommunityPlan(
        spec=spec, id="c1", created_ms=0, created_by="owner", roles={"owner": "owner", "member": "member"}
    )
    company = cast(Company, SimpleNamespace(community_by_id={"c1": plan}))
    deriver = NotificationDeriver(random.Random(1), IdMaker(random.Random(1)), company, anchor_ms=DAY_MS)
    deriver.notify(
        ["member", "outsider", "owner", "member", None],
        "mention",
        actor_id="owner",
        target_type="post",
        target_id="p1",
        community_id="c1",
        created_ms=0,
    )
    assert sorted(note.user_id for note in deriver.notes) == sorted(told)


def test_admin_signs_in_and_everyone_else_uses_the_demo_password(seeded: Seeded) -> None:
    admin = _sign_in(seeded.server, "admin", "admin")
    assert admin.user["is_admin"] is True
    with seeded.engine.connect() as conn:
        colleague = conn.execute(
            select(users.c.handle).where(users.c.handle.notin_(["demo", "admin"]))
        ).scalar()
    assert colleague is not None
    _sign_in(seeded.server, colleague, "demo").close()
    admin.close()


def test_demo_apps_are_served_and_listed(seeded: Seeded) -> None:
    for name, title in (
        ("expenses", "Expenses"),
        ("it-status", "IT Service Status"),
        ("room-booking", "Room"),
    ):
        page = httpx.get(f"{seeded.server.url}/demo-apps/{name}/", timeout=10)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert f"<title>{title}" in page.text
        assert "http://" not in page.text and "https://" not in page.text  # self-contained
        icon = httpx.get(f"{seeded.server.url}/demo-apps/{name}/icon.svg", timeout=10)
        assert icon.status_code == 200 and "<svg" in icon.text
    demo = _sign_in(seeded.server, "demo", "demo")
    listed = demo.get("/apps").json()
    assert [app["name"] for app in listed] == ["Expenses", "IT Service Status", "Room Booking"]
    demo.close()


def test_search_finds_seeded_questions_and_wiki_pages(seeded: Seeded) -> None:
    demo = _sign_in(seeded.server, "demo", "demo")
    answer = demo.get("/search", params={"q": "VPN", "limit": 20})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert any(item["type"] == "post" and item["solved"] for item in results)
    assert any(item["type"] == "wiki_page" for item in results)
    demo.close()


def test_attachment_bytes_are_downloadable(seeded: Seeded) -> None:
    demo = _sign_in(seeded.server, "demo", "demo")
    with seeded.engine.connect() as conn:
        row = conn.execute(text("SELECT file_id FROM post_attachments LIMIT 1")).one()
    answer = demo.get(f"/files/{row.file_id}")
    assert answer.status_code == 200 and len(answer.content) > 0
    demo.close()


# --- the feed rows are exactly what publish.* writes -------------------------------------------------


def _feed_row(conn: Connection, kind: str, object_id: str) -> tuple[Any, ...]:
    row = conn.execute(
        select(
            change_log.c.scope, change_log.c.op, change_log.c.ts, change_log.c.keep, change_log.c.data
        ).where(change_log.c.type == kind, change_log.c.object_id == object_id)
    ).one()
    return row.scope, row.op, row.ts, bool(row.keep), orjson.loads(row.data)


def test_feed_rows_match_what_publish_writes(seeded: Seeded) -> None:
    """Re-publish a sample of every kind of object with the real publish_* functions (rolled back)
    and check the seeded feed row was already identical, byte for byte in JSON terms."""
    rng = random.Random(5)
    with seeded.engine.connect().execution_options(atrium_write=True) as conn:
        transaction = conn.begin()
        try:
            samples: list[tuple[str, str, Any]] = []
            for user_id in rng.sample(list(conn.execute(select(users.c.id)).scalars()), 5):
                samples.append(("user", user_id, lambda c, i=user_id: publish.publish_user(c, i)))
            for cid in rng.sample(list(conn.execute(select(communities.c.id)).scalars()), 5):
                samples.append(("community", cid, lambda c, i=cid: publish.publish_community(c, i)))
            for m in rng.sample(list(conn.execute(select(memberships)).all()), 5):
                samples.append(
                    (
                        "membership",
                        publish.membership_key(m.community_id, m.user_id),
                        lambda c, m=m: publish.publish_membership(c, m.community_id, m.user_id),
                    )
                )
            post_ids = list(conn.execute(select(posts.c.id)).scalars())
            pinned = list(conn.execute(select(posts.c.id).where(posts.c.pinned.is_(True))).scalars())
            for pid in rng.sample(post_ids, 15) + pinned:
                samples.append(("post", pid, lambda c, i=pid: publish.publish_post(c, i)))
            for cid in rng.sample(list(conn.execute(select(comments.c.id)).scalars()), 15):
                samples.append(("comment", cid, lambda c, i=cid: publish.publish_comment(c, i)))
            for r in rng.sample(list(conn.execute(select(reactions)).all()), 10):
                samples.append(
                    (
                        "reaction",
                        publish.reaction_key(r.target_type, r.target_id, r.user_id, r.kind),
                        lambda c, r=r: publish.publish_reaction(
                            c, r.target_type, r.target_id, r.user_id, r.kind
                        ),
                    )
                )
            for f in rng.sample(list(conn.execute(select(follows)).all()), 5):
                samples.append(
                    (
                        "follow",
                        publish.follow_key(f.user_id, f.target_type, f.target_id),
                        lambda c, f=f: publish.publish_follow(c, f.user_id, f.target_type, f.target_id),
                    )
                )
            for nid in rng.sample(list(conn.execute(select(notifications.c.id)).scalars()), 10):
                samples.append(("notification", nid, lambda c, i=nid: publish.publish_notification(c, i)))
            assert len(samples) >= 70
            for kind, object_id, republish in samples:
                seeded_row = _feed_row(conn, kind, object_id)
                republish(conn)
                assert _feed_row(conn, kind, object_id) == seeded_row, (kind, object_id)
        finally:
            transaction.rollback()


def test_counts_ids_and_indexes_are_consistent(seeded: Seeded) -> None:
    _check_consistency(seeded.engine)
    with seeded.engine.connect() as conn:
        for row in conn.execute(select(posts)).all():
            assert not unfilled(row.body) and not unfilled(row.title or ""), row.body
            assert orjson.loads(row.topics) == topics_in(row.body, row.title)
            if row.app_id is None:
                assert row.content_hash == content_hash(
                    row.community_id,
                    row.kind,
                    row.title,
                    row.body,
                    [
                        file_id
                        for (file_id,) in conn.execute(
                            text("SELECT file_id FROM post_attachments WHERE post_id = :p ORDER BY position"),
                            {"p": row.id},
                        )
                    ],
                )
        by_handle = {u.handle: u.id for u in conn.execute(select(users.c.id, users.c.handle))}
        for row in conn.execute(select(posts.c.body, posts.c.mentions)).all():
            assert orjson.loads(row.mentions) == [
                by_handle[h] for h in mentioned_handles(row.body) if h in by_handle
            ]
        for (body,) in conn.execute(select(comments.c.body)):
            assert not unfilled(body), body
        # ids are time-ordered UUIDv7 made from each object's own creation time
        for row in conn.execute(select(posts.c.id, posts.c.created_at).limit(200)):
            assert row.id[14] == "7"
            assert int(row.id.replace("-", "")[:12], 16) == to_ms(
                datetime.fromisoformat(row.created_at.replace("Z", "+00:00"))
            )
        pages = conn.execute(select(func.count()).select_from(wiki_pages)).scalar_one()
        revisions = conn.execute(select(func.count()).select_from(wiki_revisions)).scalar_one()
        assert pages >= 15 and revisions >= 2 * pages


def _check_consistency(engine: Engine) -> None:
    """Counters on rows equal the rows they count; every object has its feed row and search document."""
    with engine.connect() as conn:

        def scalar(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar_one())

        assert (
            scalar(
                "SELECT count(*) FROM posts p WHERE like_count <> (SELECT count(*) FROM reactions r "
                "WHERE r.target_type = 'post' AND r.target_id = p.id)"
            )
            == 0
        )
        assert (
            scalar(
                "SELECT count(*) FROM posts p WHERE comment_count <> "
                "(SELECT count(*) FROM comments c WHERE c.post_id = p.id)"
            )
            == 0
        )
        assert (
            scalar(
                "SELECT count(*) FROM comments c WHERE like_count <> (SELECT count(*) FROM reactions r "
                "WHERE r.target_type = 'comment' AND r.target_id = c.id)"
            )
            == 0
        )
        assert (
            scalar(
                "SELECT count(*) FROM communities c WHERE member_count <> "
                "(SELECT count(*) FROM memberships m WHERE m.community_id = c.id)"
            )
            == 0
        )
        assert (
            scalar(
                "SELECT count(*) FROM posts WHERE accepted_comment_id IS NOT NULL AND accepted_comment_id "
                "NOT IN (SELECT id FROM comments)"
            )
            == 0
        )
        assert (
            scalar(
                "SELECT count(*) FROM comments c WHERE parent_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM comments p WHERE p.id = c.parent_id AND p.post_id = c.post_id)"
            )
            == 0
        )
        assert (
            scalar(
                "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id "
                "WHERE c.created_at < p.created_at"
            )
            == 0
        )
        for table, kind in (
            ("posts", "post"),
            ("comments", "comment"),
            ("users", "user"),
            ("communities", "community"),
            ("notifications", "notification"),
            ("wiki_pages", "wiki_page"),
            ("apps", "app"),
        ):
            assert scalar(f"SELECT count(*) FROM {table}") == scalar(
                f"SELECT count(*) FROM change_log WHERE type = '{kind}'"
            ), kind
        for table, kind in (("reactions", "reaction"), ("memberships", "membership"), ("follows", "follow")):
            assert scalar(f"SELECT count(*) FROM {table}") == scalar(
                f"SELECT count(*) FROM change_log WHERE type = '{kind}'"
            ), kind
        assert scalar("SELECT count(*) FROM memberships") <= scalar(
            "SELECT count(*) FROM scope_events WHERE op = 'gain'"
        )
        last = conn.execute(select(sync_counter.c.value)).scalar_one()
        assert last == max(
            conn.execute(select(func.max(change_log.c.seq))).scalar_one(),
            conn.execute(select(func.max(scope_events.c.seq))).scalar_one(),
        )
        numbers = scalar("SELECT count(*) FROM change_log") + scalar("SELECT count(*) FROM scope_events")
        assert numbers <= last  # every change number used once (some publish calls are superseded)
        documents = scalar("SELECT count(*) FROM search_documents")
        assert documents == scalar("SELECT count(*) FROM posts") + scalar(
            "SELECT count(*) FROM comments"
        ) + scalar("SELECT count(*) FROM wiki_pages")
        assert (
            scalar(
                "SELECT count(*) FROM search_documents d JOIN posts p ON p.id = d.object_id "
                "WHERE d.type = 'post' AND d.solved <> (p.accepted_comment_id IS NOT NULL)"
            )
            == 0
        )
        if engine.dialect.name == "sqlite":
            assert scalar("SELECT count(*) FROM search_fts") == documents
            assert (
                scalar(
                    "SELECT count(*) FROM search_fts f JOIN search_documents d ON d.rowid = f.rowid "
                    "WHERE f.body <> d.body"
                )
                == 0
            )


# --- determinism, --scale and refusing a second seed -------------------------------------------------


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        feed = []
        for row in conn.execute(
            select(change_log).where(change_log.c.type != "app").order_by(change_log.c.seq)
        ):
            data = orjson.loads(row.data)
            data.pop("app_id", None)  # apps get random ids and webhook tokens from admin_ops.add_app
            feed.append((row.type, row.object_id, row.seq, row.scope, row.ts, bool(row.keep), data))
        return {
            "users": sorted(conn.execute(select(users.c.id, users.c.handle, users.c.display_name)).all()),
            "posts": sorted(conn.execute(select(posts.c.id, posts.c.title, posts.c.body)).all()),
            "comments": sorted(
                conn.execute(select(comments.c.id, comments.c.parent_id, comments.c.body)).all()
            ),
            "feed": feed,
        }


def test_the_same_seed_gives_the_same_company(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    other_url = _fresh_url(_kind(database_url), request, tmp_path)
    snapshots = []
    for url in (database_url, other_url):
        engine = create_db_engine(url, pool_size=1)
        summary = seed_demo(
            engine, seed=11, out=io.StringIO(), anchor=ANCHOR, files_dir=tmp_path / "files", people=SMALL
        )
        assert summary.posts > 500 and summary.comments > summary.posts and summary.likes > summary.posts
        snapshots.append(_snapshot(engine))
        engine.dispose()
    assert snapshots[0] == snapshots[1]
    newest = max(row[1] for row in _created(snapshots[0]))
    assert newest <= iso_ms(to_ms(ANCHOR))  # nothing from the future of the anchor


def _created(snapshot: dict[str, list[tuple[Any, ...]]]) -> list[tuple[str, str]]:
    return [(row[1], row[6]["created_at"]) for row in snapshot["feed"] if row[0] in ("post", "comment")]


def test_another_seed_gives_another_company() -> None:
    anchor_ms = to_ms(ANCHOR)
    plans = [
        plan_company(
            random.Random(f"{seed}:company"),
            IdMaker(random.Random(seed)),
            people=50,
            anchor_ms=anchor_ms,
            taken_handles=set(),
            taken_slugs=set(),
        )
        for seed in (1, 2)
    ]
    assert [u.handle for u in plans[0].users] != [u.handle for u in plans[1].users]


def test_every_template_fills_in_every_community() -> None:
    """No placeholder is missing a value in any community's vocabulary."""
    anchor_ms = to_ms(ANCHOR)
    rng = random.Random(4)
    ids = IdMaker(rng)
    company = plan_company(rng, ids, people=120, anchor_ms=anchor_ms, taken_handles=set(), taken_slugs=set())
    factory = ThreadFactory(rng, ids, company, Composer(rng, company), anchor_ms)
    for plan in company.communities:
        for _ in range(40):
            thread = factory.for_community(plan, anchor_ms - rng.randint(1, 100) * DAY_MS)
            texts = [thread.post.body, thread.post.title or ""] + [c.body for c in thread.comments]
            assert not any(unfilled(item) for item in texts), (plan.spec.slug, texts)
            assert all(c.created_ms >= thread.post.created_ms for c in thread.comments)
            assert thread.post.created_ms < anchor_ms


def test_scale_adds_posts_with_correct_counts(database_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(database_url, pool_size=1)
    out = io.StringIO()
    summary = seed_demo(
        engine, scale=500, seed=2, out=out, anchor=ANCHOR, files_dir=tmp_path / "files", people=SMALL
    )
    assert summary.scale_posts == 500
    assert "100%" in out.getvalue()
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
        oldest = conn.execute(select(func.min(posts.c.created_at))).scalar_one()
    assert total == summary.posts and summary.posts >= 500 + 500
    assert oldest < iso_ms(to_ms(ANCHOR) - 300 * DAY_MS)  # spread over about a year
    assert summary.comments >= 2.5 * summary.posts
    _check_consistency(engine)
    engine.dispose()


def test_seeding_twice_is_refused_with_a_clear_message(sqlite_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(sqlite_url, pool_size=1)
    seed_demo(engine, seed=1, out=io.StringIO(), anchor=ANCHOR, files_dir=tmp_path / "files", people=SMALL)
    with engine.connect() as conn:
        before = conn.execute(select(sync_counter.c.value)).scalar_one()
    with pytest.raises(SeedError, match="already has demo content"):
        seed_demo(engine, seed=1, out=io.StringIO(), anchor=ANCHOR)
    with engine.connect() as conn:
        assert conn.execute(select(sync_counter.c.value)).scalar_one() == before  # nothing written
    engine.dispose()
    answer = subprocess.run(
        [sys.executable, "-m", "atrium.server.cli", "seed", "--db", sqlite_url, "--demo"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 1
    assert "already has demo content" in answer.stderr and "Traceback" not in answer.stderr


def test_seeding_beside_an_existing_admin_and_community(sqlite_url: str, tmp_path: Path) -> None:
    """An operator who made their admin account (and a community) first can still seed the demo."""
    engine = create_db_engine(sqlite_url, pool_size=1)
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        admin_id = add_user(conn, "admin", password="operator's own", is_admin=True)
        cafe_id = uuid7()
        conn.execute(
            communities.insert().values(
                id=cafe_id,
                slug="cafe",
                name="Our own cafe",
                description="",
                kind="social",
                visibility="public",
                member_count=0,
                created_at=iso_ms(to_ms(ANCHOR)),
            )
        )
        publish.publish_community(conn, cafe_id)
    summary = seed_demo(
        engine, seed=1, out=io.StringIO(), anchor=ANCHOR, files_dir=tmp_path / "files", people=SMALL
    )
    assert summary.users == SMALL + 1  # everyone but the existing admin
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == admin_id)).scalar_one()
        names = dict(conn.execute(select(communities.c.slug, communities.c.name)).all())
    assert verify_password(stored, "operator's own")
    assert names["cafe"] == "Our own cafe" and names["cafe-demo"] == "Cafe"
    _check_consistency(engine)
    engine.dispose()
