"""Planning the demo company in memory: people (with the demo and admin users), communities,
who belongs where with which role, and who follows what. Nothing here touches the database."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..text_extract import mentioned_handles
from . import communities as catalog
from .communities import CommunitySpec
from .ids import DAY_MS, HOUR_MS, IdMaker
from .people import Person, make_people

DEMO_HANDLE = "demo"
ADMIN_HANDLE = "admin"
DEMO_PERSON = Person("demo", "Dana Demo", "Digital Workplace Lead", "IT", "Grenoble, France", "France")
ADMIN_PERSON = Person(
    "admin", "Atrium Admin", "Platform Administrator", "IT", "Rueil-Malmaison, France", "France"
)

SIZE_BY_ACTIVITY = {1: (8, 22), 2: (22, 55), 3: (55, 110)}


@dataclass(eq=False)
class UserPlan:
    id: str
    person: Person
    created_ms: int
    is_admin: bool = False

    @property
    def handle(self) -> str:
        return self.person.handle

    @property
    def city(self) -> str:
        return self.person.location.split(",")[0]


@dataclass
class CommunityPlan:
    spec: CommunitySpec  # as in the catalog: spec.slug is the catalog's key
    id: str
    created_ms: int
    created_by: str
    roles: dict[str, str] = field(default_factory=dict)  # user id -> owner | moderator | member
    joined_ms: dict[str, int] = field(default_factory=dict)
    added_by: dict[str, str] = field(default_factory=dict)  # user id -> who added them (private ones)
    slug: str = ""  # the slug written to the database (the catalog's, unless that one was taken)

    def __post_init__(self) -> None:
        self.slug = self.slug or self.spec.slug

    @property
    def member_ids(self) -> list[str]:
        return list(self.roles)

    @property
    def moderator_ids(self) -> list[str]:
        return [uid for uid, role in self.roles.items() if role in ("owner", "moderator")]


@dataclass
class FollowPlan:
    user_id: str
    target_type: str  # user | community | topic
    target_id: str
    created_ms: int


@dataclass
class Company:
    users: list[UserPlan]
    communities: list[CommunityPlan]
    follows: list[FollowPlan]
    demo: UserPlan
    admin: UserPlan

    def __post_init__(self) -> None:
        self.user_by_id = {user.id: user for user in self.users}
        self.user_by_handle = {user.handle: user for user in self.users}
        self.community_by_slug = {plan.spec.slug: plan for plan in self.communities}
        self.community_by_id = {plan.id: plan for plan in self.communities}

    def mentioned_ids(self, body: str) -> list[str]:
        """Ids of the users BODY @mentions, in order: the server's own rule (text_extract)."""
        found = (self.user_by_handle.get(handle) for handle in mentioned_handles(body))
        return [user.id for user in found if user is not None]

    def community(self, slug: str) -> CommunityPlan:
        return self.community_by_slug[slug]

    def demo_communities(self) -> list[CommunityPlan]:
        return [plan for plan in self.communities if self.demo.id in plan.roles]


def plan_company(
    rng: random.Random,
    ids: IdMaker,
    *,
    people: int,
    anchor_ms: int,
    taken_handles: set[str],
    taken_slugs: set[str],
) -> Company:
    """Plan PEOPLE colleagues plus the demo and admin users, every community and its members."""
    launch_ms = anchor_ms - 200 * DAY_MS  # the platform opened to everyone about 200 days ago
    taken = set(taken_handles) | {DEMO_HANDLE, ADMIN_HANDLE}
    persons = make_people(rng, people, taken)
    users: list[UserPlan] = []
    demo = UserPlan(ids.at(launch_ms - 400 * DAY_MS), DEMO_PERSON, launch_ms - 400 * DAY_MS)
    admin = UserPlan(ids.at(launch_ms - 401 * DAY_MS), ADMIN_PERSON, launch_ms - 401 * DAY_MS, is_admin=True)
    for person in persons:
        created = launch_ms - rng.randint(30, 3000) * DAY_MS
        users.append(UserPlan(ids.at(created), person, created))
    everyone = [demo, *users]
    plans: list[CommunityPlan] = []
    for spec in catalog.ALL:
        if spec.slug in (catalog.IT_SUPPORT, catalog.ANNOUNCEMENTS, catalog.CAFE):
            created = launch_ms - 60 * DAY_MS  # created for the pilot
        else:
            created = launch_ms + rng.randint(-60, 40) * DAY_MS
        plan = _plan_members(rng, ids, spec, everyone, demo, created, anchor_ms)
        while plan.slug in taken_slugs:
            plan.slug = f"{plan.slug}-demo"  # seeding beside existing communities keeps theirs
        plans.append(plan)
    return Company(
        users=[demo, admin, *users],
        communities=plans,
        follows=_plan_follows(rng, everyone, demo, plans, anchor_ms),
        demo=demo,
        admin=admin,
    )


def _weight(user: UserPlan, spec: CommunitySpec) -> float:
    if spec.departments and user.person.department in spec.departments:
        return 5.0
    if spec.kind in ("interest", "social"):
        return 1.0
    return 0.4 if spec.departments else 1.0


def _plan_members(
    rng: random.Random,
    ids: IdMaker,
    spec: CommunitySpec,
    everyone: list[UserPlan],
    demo: UserPlan,
    created_ms: int,
    anchor_ms: int,
) -> CommunityPlan:
    colleagues = everyone[1:]
    if spec.kind == "announcements":
        chosen = list(colleagues)
    else:
        low, high = SIZE_BY_ACTIVITY[spec.activity]
        if spec.slug == catalog.IT_SUPPORT:
            low, high = 180, 220
        elif spec.slug == catalog.CAFE:
            low, high = 130, 170
        if spec.slug.endswith(("-campus", "-hub", "-office", "-site", "-hq")):
            city = spec.name.split()[0]
            local = [user for user in colleagues if user.city.startswith(city)]
            chosen = local + _weighted_sample(
                rng,
                [u for u in colleagues if u not in local],
                spec,
                max(0, rng.randint(low, high) // 2 - len(local)),
            )
        else:
            chosen = _weighted_sample(rng, colleagues, spec, min(len(colleagues), rng.randint(low, high)))
    # owners and moderators come from the community's own departments when possible
    insiders = [user for user in chosen if not spec.departments or user.person.department in spec.departments]
    leaders = (insiders or chosen)[: rng.randint(1, 2) + rng.randint(1, 3)]
    owner_count = 1 if spec.kind != "announcements" else 2
    plan = CommunityPlan(
        spec=spec, id=ids.at(created_ms), created_ms=created_ms, created_by=(leaders or chosen)[0].id
    )
    for index, user in enumerate(leaders):
        plan.roles[user.id] = "owner" if index < owner_count else "moderator"
    for user in chosen:
        plan.roles.setdefault(user.id, "member")
    demo_role = catalog.DEMO_ROLES.get(spec.slug)
    if demo_role is not None:
        if demo_role == "owner":
            plan.created_by = demo.id
        plan.roles[demo.id] = demo_role
    span = max(HOUR_MS, anchor_ms - created_ms - 2 * DAY_MS)
    for user_id, role in plan.roles.items():
        if role == "owner" or user_id == plan.created_by:
            plan.joined_ms[user_id] = created_ms
        else:
            # most people join early, a tail keeps arriving
            plan.joined_ms[user_id] = created_ms + int(span * rng.random() ** 2.5) + rng.randint(1, 3_600_000)
    if spec.slug in catalog.DEMO_ADDED_TO:
        plan.joined_ms[demo.id] = anchor_ms - 3 * DAY_MS + 9 * HOUR_MS
    if spec.visibility == "private":
        owners = [uid for uid, role in plan.roles.items() if role == "owner"]
        for user_id in plan.roles:
            if user_id not in owners:
                plan.added_by[user_id] = rng.choice(owners)
    return plan


def _weighted_sample(
    rng: random.Random, pool: list[UserPlan], spec: CommunitySpec, count: int
) -> list[UserPlan]:
    """COUNT distinct users, favouring the community's departments (Efraimidis–Spirakis keys)."""
    if count <= 0:
        return []
    keyed = sorted(pool, key=lambda user: rng.random() ** (1.0 / _weight(user, spec)), reverse=True)
    return keyed[:count]


def _plan_follows(
    rng: random.Random, everyone: list[UserPlan], demo: UserPlan, plans: list[CommunityPlan], anchor_ms: int
) -> list[FollowPlan]:
    follows: list[FollowPlan] = []
    public = [plan for plan in plans if plan.spec.visibility == "public"]
    topics = sorted({topic for plan in public for topic in plan.spec.topics})
    colleagues = everyone[1:]
    it_people = [user for user in colleagues if user.person.department == "IT"]

    def when() -> int:
        return anchor_ms - rng.randint(1, 170) * DAY_MS - rng.randint(0, 23) * HOUR_MS

    # the demo user: colleagues from IT and elsewhere, some communities without joining, a few topics
    picked = rng.sample(it_people, min(7, len(it_people))) + rng.sample(colleagues, min(6, len(colleagues)))
    for user in dict.fromkeys(picked):
        follows.append(FollowPlan(demo.id, "user", user.id, when()))
    for slug in ("kubernetes", "ux-design", "ev-charging", "cycling", "hiking"):
        plan = next((p for p in public if p.spec.slug == slug), None)
        if plan is not None and demo.id not in plan.roles:
            follows.append(FollowPlan(demo.id, "community", plan.id, when()))
    for topic in ("security", "python", "sustainability", "vpn", "atrium", "windows11"):
        follows.append(FollowPlan(demo.id, "topic", topic, when()))
    # everyone else: a handful each
    for user in colleagues:
        followed: set[tuple[str, str]] = set()
        for _ in range(rng.choice((0, 1, 2, 3, 4, 6, 8))):
            other = rng.choice(everyone)
            if other.id != user.id:
                followed.add(("user", other.id))
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            followed.add(("topic", rng.choice(topics)))
        if rng.random() < 0.3:
            followed.add(("community", rng.choice(public).id))
        if rng.random() < 0.15:
            followed.add(("user", demo.id))
        follows.extend(FollowPlan(user.id, kind, target, when()) for kind, target in sorted(followed))
    return follows
