"""``atrium-server seed --demo``: a believable company — people, communities, six months of posts,
IT Support questions, announcements, wiki pages, apps and notifications — all in the sync feed.

Deterministic: the same ``seed`` (and the same anchor hour) gives the same content and ids.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine, select

from .. import search_index
from ..admin_ops import AdminError, add_app
from ..database import default_files_dir
from ..publish import publish_wiki_page
from ..schema import communities, users, wiki_pages, wiki_revisions
from . import communities as catalog
from .attachments import adoption_files, expense_template_file
from .bulk import FeedWriter
from .company import ADMIN_HANDLE, DEMO_HANDLE, CommunityPlan, Company, UserPlan, plan_company
from .compose import Composer
from .corpus_announcements import ANNOUNCEMENTS
from .corpus_support import QUESTIONS, STATUS_EVENTS
from .corpus_wiki import PAGES, WikiSpec
from .ids import DAY_MS, HOUR_MS, MINUTE_MS, IdMaker, default_anchor, iso_ms, to_ms
from .notes import NotificationDeriver
from .org import write_communities, write_follows, write_people
from .records import Thread
from .templates import DEMO_POSTS, HOBBY_COMMENTS, WORK_ANSWERS, WORK_REACTIONS
from .threads import ThreadFactory

PEOPLE = 300
DEMO_PASSWORD = "demo"
ADMIN_PASSWORD = "admin"
CONTENT_DAYS = 180
POSTS_BY_ACTIVITY = {1: (1, 4), 2: (4, 9), 3: (12, 20)}
DEFAULT_SERVER = "http://127.0.0.1:8470"


class SeedError(AdminError):
    """Seeding refused (for example: the database already has the demo company)."""


@dataclass
class DemoSummary:
    """What a seed run created."""

    users: int = 0
    communities: int = 0
    memberships: int = 0
    follows: int = 0
    posts: int = 0
    comments: int = 0
    likes: int = 0
    notifications: int = 0
    wiki_pages: int = 0
    wiki_revisions: int = 0
    apps: int = 0
    files: int = 0
    feed_changes: int = 0
    scale_posts: int = 0
    seconds: float = 0.0

    def add_threads(self, threads: list[Thread]) -> None:
        self.posts += len(threads)
        self.comments += sum(len(thread.comments) for thread in threads)
        self.likes += sum(len(thread.reactions) for thread in threads)
        self.files += sum(len(thread.post.attachments) for thread in threads)

    def lines(self) -> list[str]:
        labels = {
            "feed_changes": "feed changes",
            "scale_posts": "of which --scale posts",
            "wiki_pages": "wiki pages",
            "wiki_revisions": "wiki revisions",
        }
        rows = [
            f"  {labels.get(item.name, item.name.replace('_', ' ')):<24}{getattr(self, item.name):>10,}"
            for item in fields(self)
            if item.name != "seconds"
        ]
        return [*rows, f"  {'seconds':<24}{self.seconds:>10.1f}"]


def seed_demo(
    engine: Engine,
    *,
    scale: int = 0,
    seed: int = 1,
    out: TextIO,
    anchor: datetime | None = None,
    files_dir: Path | None = None,
    people: int = PEOPLE,
) -> DemoSummary:
    """Create the demo company (and SCALE extra posts) in an empty, migrated database.

    ANCHOR is the moment the content leads up to (default: the start of this hour); FILES_DIR
    is where attachment bytes go (default: the server's default for this database).
    """
    started = time.monotonic()
    anchor_ms = to_ms(anchor or default_anchor())
    if files_dir is None:
        files_dir = default_files_dir(engine.url.render_as_string(hide_password=False))
    summary = DemoSummary()
    ids = IdMaker(random.Random(f"{seed}:ids"))
    # The demo company is one transaction: a failure leaves no half company behind.
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        refuse_if_seeded(conn)
        taken_handles = set(conn.execute(select(users.c.handle)).scalars())
        taken_slugs = set(conn.execute(select(communities.c.slug)).scalars())
        company = plan_company(
            random.Random(f"{seed}:company"),
            ids,
            people=people,
            anchor_ms=anchor_ms,
            taken_handles=taken_handles,
            taken_slugs=taken_slugs,
        )
        out.write(
            f"Seeding the demo company: {len(company.users)} people, "
            f"{len(company.communities)} communities...\n"
        )
        admin_exists = ADMIN_HANDLE in taken_handles
        summary.users = write_people(
            conn, company, demo_password=DEMO_PASSWORD, admin_password=ADMIN_PASSWORD, skip_admin=admin_exists
        )
        summary.communities, summary.memberships = write_communities(conn, company)
        summary.follows = write_follows(conn, company)
        summary.feed_changes += summary.users + summary.communities + summary.memberships + summary.follows
        status_app_id = register_apps(conn, company, out, summary)

        rng = random.Random(f"{seed}:content")
        factory = ThreadFactory(rng, ids, company, Composer(rng, company), anchor_ms)
        threads = plan_threads(factory, company, ids, anchor_ms, status_app_id)
        writer = FeedWriter(conn, files_dir=files_dir)
        summary.feed_changes += writer.write_threads(threads)
        summary.add_threads(threads)

        write_wiki(conn, company, ids, random.Random(f"{seed}:wiki"), anchor_ms, summary)

        deriver = NotificationDeriver(random.Random(f"{seed}:notes"), ids, company, anchor_ms)
        for thread in threads:
            deriver.from_thread(thread)
        deriver.from_additions()
        deriver.make_recent_unread(company.demo.id, 9)
        summary.notifications = writer.write_notifications(deriver.notes)
        summary.feed_changes += summary.notifications
        writer.wake_listeners()
    out.write(
        f"Demo company ready: {summary.posts:,} posts, {summary.comments:,} comments, "
        f"{summary.likes:,} likes.\n"
    )
    if scale > 0:
        from .scale import seed_scale

        seed_scale(engine, company, count=scale, seed=seed, anchor_ms=anchor_ms, out=out, summary=summary)
    summary.seconds = time.monotonic() - started
    out.write("Seeded:\n" + "\n".join(summary.lines()) + "\n")
    admin = (
        "the existing administrator is unchanged" if admin_exists else f"{ADMIN_HANDLE} / {ADMIN_PASSWORD}"
    )
    out.write(
        f"Sign in as {DEMO_HANDLE} / {DEMO_PASSWORD} at {DEFAULT_SERVER} once `atrium-server serve` "
        f"runs on this database (administrator: {admin}; every other colleague's password is "
        f"'{DEMO_PASSWORD}' too).\n"
    )
    out.flush()
    return summary


def refuse_if_seeded(conn: Connection) -> None:
    if conn.execute(select(users.c.id).where(users.c.handle == DEMO_HANDLE)).first() is not None:
        raise SeedError(
            "This database already has demo content (there is a user 'demo'). Seed a fresh database: "
            "atrium-server migrate --db NEW_URL, then atrium-server seed --db NEW_URL --demo."
        )


# --- apps (per object, through admin_ops) ----------------------------------------------------


APPS = (
    (
        "Expenses",
        "/demo-apps/expenses/",
        "File travel and other expenses; entries are kept on this computer until you submit.",
        None,
    ),
    (
        "IT Service Status",
        "/demo-apps/it-status/",
        "Live status of IT services and current incidents. Posts incidents into IT Support.",
        catalog.IT_SUPPORT,
    ),
    ("Room Booking", "/demo-apps/room-booking/", "Find and book a meeting room in your building.", None),
)


def register_apps(conn: Connection, company: Company, out: TextIO, summary: DemoSummary) -> str | None:
    """Add the business apps served at /demo-apps/; returns the id of the one with a webhook."""
    hooked: str | None = None
    for position, (name, url, description, slug) in enumerate(APPS, start=1):
        community_slug = company.community(slug).slug if slug else None
        icon = url + "icon.svg"
        app_id, token = add_app(
            conn,
            name,
            url,
            description=description,
            icon_url=icon,
            position=position,
            community_slug=community_slug,
        )
        summary.apps += 1
        summary.feed_changes += 1
        if token:
            hooked = app_id
            out.write(
                f"  {name} posts into {community_slug} through its webhook: POST /api/v1/hooks/{token}\n"
            )
    return hooked


# --- the content plan ---------------------------------------------------------------------


def plan_threads(
    factory: ThreadFactory, company: Company, ids: IdMaker, anchor_ms: int, status_app_id: str | None
) -> list[Thread]:
    rng = factory.rng
    start = anchor_ms - CONTENT_DAYS * DAY_MS
    threads: list[Thread] = []
    announcements = company.community(catalog.ANNOUNCEMENTS)
    # from launch week to two days ago, roughly evenly
    step = (CONTENT_DAYS - 3) * DAY_MS // (len(ANNOUNCEMENTS) - 1)
    for index, announcement in enumerate(ANNOUNCEMENTS):
        jitter = rng.randint(0, 2) * DAY_MS if 0 < index < len(ANNOUNCEMENTS) - 1 else 0
        day = start + DAY_MS + index * step - jitter
        created = day - day % DAY_MS + 8 * HOUR_MS + rng.randint(0, 120) * MINUTE_MS
        threads.append(
            factory.announcement_thread(announcements, announcement, min(created, factory.latest_ms))
        )

    support = company.community(catalog.IT_SUPPORT)
    solved_seen = 0
    for question in QUESTIONS:
        answerer: UserPlan | None = None
        if question.solved:
            solved_seen += 1
            if solved_seen % 4 == 2:
                answerer = company.demo  # Dana answers too, and gets "accepted" notifications
            created = factory.growth_time(start, anchor_ms - 2 * DAY_MS)
        else:
            created = factory.growth_time(anchor_ms - 20 * DAY_MS, anchor_ms - HOUR_MS)
        asker = factory.pick_author(support, exclude=company.demo.id)
        threads.append(factory.support_thread(support, question, created, asker=asker, answerer=answerer))
    if status_app_id is not None:
        offsets = (26 * DAY_MS, 26 * DAY_MS - 155 * MINUTE_MS, 12 * DAY_MS, 5 * DAY_MS, DAY_MS)
        for (event_title, event_body), offset in zip(STATUS_EVENTS, offsets, strict=True):
            threads.append(
                factory.app_event_thread(support, status_app_id, event_title, event_body, anchor_ms - offset)
            )

    for demo_post in DEMO_POSTS:
        plan = company.community(demo_post.community)
        context = factory.context(plan, company.demo)
        title, body = factory.composer.fill_pair(demo_post.title, demo_post.body, context)
        created = anchor_ms - int(demo_post.days_ago * DAY_MS) + rng.randint(0, 50) * MINUTE_MS
        created = min(created, factory.latest_ms)
        thread = Thread(
            factory.new_post(plan, company.demo, demo_post.kind, title, body, created, context.shared)
        )
        thread.post.pinned = demo_post.pinned
        thread.post.edited_ms = None
        if demo_post.attach == "adoption":
            thread.post.attachments = adoption_files(ids, company.demo.id, created - MINUTE_MS)
        elif demo_post.attach == "expenses":
            thread.post.attachments = [expense_template_file(ids, company.demo.id, created - MINUTE_MS)]
        _discussion(factory, plan, thread)
        threads.append(thread)

    for plan in company.communities:
        if plan.spec.slug in (support.spec.slug, announcements.spec.slug):
            continue
        low, high = POSTS_BY_ACTIVITY[plan.spec.activity]
        count = rng.randint(low, high) + (2 if company.demo.id in plan.roles else 0)
        begin = max(start, plan.created_ms + DAY_MS)
        for _ in range(count):
            threads.append(factory.for_community(plan, factory.growth_time(begin, anchor_ms)))
    return threads


def _discussion(factory: ThreadFactory, plan: CommunityPlan, thread: Thread) -> None:
    """Comments and likes on one of the demo user's own posts (they make reply/like notifications)."""
    rng = factory.rng
    last = thread.post.created_ms
    for index in range(rng.randint(2, 5)):
        if plan.spec.kind == "interest":
            pool = HOBBY_COMMENTS
        else:
            pool = WORK_ANSWERS if thread.post.kind == "question" or index == 0 else WORK_REACTIONS
        comment = factory.add_comment(
            thread, plan, factory.pick_author(plan, exclude=thread.post.author_id), rng.choice(pool), last
        )
        last = comment.created_ms
    factory.like_post_and_comments(thread, plan, boost=6)


# --- wiki (per page, through publish and search_index) ------------------------------------------


def write_wiki(
    conn: Connection, company: Company, ids: IdMaker, rng: random.Random, anchor_ms: int, summary: DemoSummary
) -> None:
    existing = {(row.space, row.path) for row in conn.execute(select(wiki_pages.c.space, wiki_pages.c.path))}
    for spec in PAGES:
        plan = company.community(spec.community) if spec.community else None
        space = plan.id if plan else ""
        if (space, spec.path) in existing:
            continue
        editors = _wiki_editors(company, spec, plan, rng)
        bodies = spec.revision_bodies()
        moment = anchor_ms - rng.randint(150, 230) * DAY_MS
        revisions: list[dict[str, str | None]] = []
        first_ms = moment
        parent: str | None = None
        for index, (summary_text, body) in enumerate(zip(spec.summaries, bodies, strict=True)):
            if index:
                moment = min(
                    moment + rng.randint(2, 40) * DAY_MS + rng.randint(0, 600) * MINUTE_MS,
                    anchor_ms - (len(bodies) - index) * HOUR_MS,
                )
            revision_id = ids.at(moment)
            author = editors[0] if index == 0 else rng.choice(editors)
            revisions.append(
                {
                    "id": revision_id,
                    "parent_revision_id": parent,
                    "title": spec.title,
                    "body": body,
                    "summary": summary_text,
                    "author_id": author.id,
                    "created_at": iso_ms(moment),
                }
            )
            parent = revision_id
        first, last = revisions[0], revisions[-1]
        page_id = ids.at(first_ms)
        conn.execute(
            wiki_pages.insert().values(
                id=page_id,
                community_id=plan.id if plan else None,
                space=space,
                path=spec.path,
                title=spec.title,
                body=last["body"],
                revision_id=last["id"],
                created_at=first["created_at"],
                updated_at=last["created_at"],
                updated_by=last["author_id"],
            )
        )
        conn.execute(wiki_revisions.insert(), [{**revision, "page_id": page_id} for revision in revisions])
        data = publish_wiki_page(conn, page_id)
        search_index.upsert_document(
            conn,
            "wiki_page",
            page_id,
            community_id=data["community_id"],
            title=data["title"],
            body=data["body"],
            created_at=data["created_at"],
        )
        summary.wiki_pages += 1
        summary.wiki_revisions += len(revisions)
        summary.feed_changes += 1


def _wiki_editors(
    company: Company, spec: WikiSpec, plan: CommunityPlan | None, rng: random.Random
) -> list[UserPlan]:
    """Who edits a page: a community's moderators and members, or people from the department
    that owns a company page (anyone, in a company too small to have that department)."""
    if plan is not None:
        pool = [company.user_by_id[uid] for uid in plan.moderator_ids] or [
            company.user_by_id[uid] for uid in plan.member_ids
        ]
        members = [company.user_by_id[uid] for uid in plan.member_ids]
        return pool[:1] + rng.sample(members, min(3, len(members)))
    colleagues = [user for user in company.users if user is not company.admin and user is not company.demo]
    pool = [user for user in colleagues if user.person.department == spec.editors] or colleagues
    chosen = rng.sample(pool, min(3, len(pool)))
    if spec.editors == "IT":
        chosen.append(company.demo)
    return chosen
