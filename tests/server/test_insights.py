"""GET /admin/insights on a small hand-built dataset whose figures are worked out by hand below."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from atrium.server.admin_ops import add_user
from atrium.server.clock import iso, uuid7
from atrium.server.publish import (
    publish_comment,
    publish_community,
    publish_membership,
    publish_post,
    publish_reaction,
)
from atrium.server.schema import activity_weeks, comments, communities, memberships, posts, reactions

from ..harness import Api

FIELDS = ("active_users", "returning_users", "posters", "commenters", "questions_asked", "questions_answered")


def _this_monday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


class Seed:
    """Direct inserts (with their feed entries) at chosen times: the routes would stamp 'now'."""

    def __init__(self, conn: Connection, monday: date) -> None:
        self.conn = conn
        self.monday = monday

    def at(self, weeks_back: int, days: int = 1, seconds: int = 0) -> str:
        """A time DAYS days (+ SECONDS) into the week WEEKS_BACK weeks before the current one."""
        start = datetime.combine(self.monday - timedelta(weeks=weeks_back), datetime.min.time(), tzinfo=UTC)
        return iso(start + timedelta(days=days, seconds=seconds))

    def user(self, handle: str) -> str:
        return add_user(self.conn, handle, password_hash="x")

    def community(self, name: str, members: dict[str, str]) -> str:
        community_id = uuid7()
        self.conn.execute(
            communities.insert().values(
                id=community_id,
                slug=name.lower(),
                name=name,
                kind="practice",
                visibility="private",
                member_count=len(members),
                created_at=self.at(10),
            )
        )
        publish_community(self.conn, community_id)
        for user_id, role in members.items():
            self.conn.execute(
                memberships.insert().values(
                    community_id=community_id, user_id=user_id, role=role, joined_at=self.at(10)
                )
            )
            publish_membership(self.conn, community_id, user_id)
        return community_id

    def post(self, community_id: str, author_id: str | None, kind: str, created_at: str) -> str:
        post_id = uuid7()
        self.conn.execute(
            posts.insert().values(
                id=post_id,
                community_id=community_id,
                author_id=author_id,
                kind=kind,
                body=f"a {kind}",
                created_at=created_at,
            )
        )
        publish_post(self.conn, post_id)
        return post_id

    def comment(self, post_id: str, author_id: str, created_at: str, *, accepted: bool = False) -> str:
        comment_id = uuid7()
        self.conn.execute(
            comments.insert().values(
                id=comment_id, post_id=post_id, author_id=author_id, body="an answer", created_at=created_at
            )
        )
        publish_comment(self.conn, comment_id)
        if accepted:
            self.conn.execute(
                posts.update().where(posts.c.id == post_id).values(accepted_comment_id=comment_id)
            )
            publish_post(self.conn, post_id)
        return comment_id

    def like(
        self, target_type: str, target_id: str, community_id: str, user_id: str, created_at: str
    ) -> None:
        self.conn.execute(
            reactions.insert().values(
                target_type=target_type,
                target_id=target_id,
                user_id=user_id,
                kind="like",
                community_id=community_id,
                created_at=created_at,
            )
        )
        publish_reaction(self.conn, target_type, target_id, user_id, "like")

    def seen(self, user_id: str, weeks_back: int) -> None:
        week = (self.monday - timedelta(weeks=weeks_back)).isoformat()
        self.conn.execute(activity_weeks.insert().values(user_id=user_id, week=week))


def _build(engine: Engine, root: Api, olga: Api, nora: Api) -> dict[str, str]:
    """Two communities, Alpha (owner olga) and Beta (owner root; olga a member, nora a moderator).

    Weeks are counted back from the current one (W4 = this week; the test asks for 4
    weeks, so W0 = 4 weeks ago only feeds W1's returning users).
    """
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        s = Seed(conn, _this_monday())
        pete, cara, lily, sam = (s.user(handle) for handle in ("pete", "cara", "lily", "sam"))
        alpha = s.community(
            "Alpha",
            {olga.user_id: "owner", nora.user_id: "member", pete: "member", cara: "member", lily: "member"},
        )
        beta = s.community(
            "Beta",
            {
                root.user_id: "owner",
                olga.user_id: "member",
                nora.user_id: "moderator",
                pete: "member",
                lily: "member",
            },
        )
        # W0 (4 weeks back)
        s.post(alpha, pete, "post", s.at(4))
        s.seen(sam, 4)
        # W1
        q1 = s.post(alpha, pete, "question", s.at(3))
        s.comment(q1, cara, s.at(3, days=2))
        s.seen(sam, 3)
        # a question asked long before the window, answered (accepted comment written) in W2
        q_old = s.post(alpha, pete, "question", s.at(9))
        # W2
        s.comment(q1, cara, s.at(2, days=1), accepted=True)
        s.comment(q_old, cara, s.at(2, days=3), accepted=True)
        s.like("post", q1, alpha, lily, s.at(2, days=1))
        p2 = s.post(beta, pete, "post", s.at(2, days=2))
        # W3
        q2 = s.post(alpha, pete, "question", s.at(1))
        s.post(alpha, None, "app_event", s.at(1, days=2))  # no author: counts for no one
        s.like("post", p2, beta, lily, s.at(1))
        c3 = s.comment(q2, cara, s.at(1, days=3), accepted=True)
        s.like("comment", c3, alpha, pete, s.at(1, days=4))
        s.seen(pete, 1)
        # W4 (this week, a few seconds after Monday 00:00 UTC)
        s.comment(p2, lily, s.at(0, days=0, seconds=5))
    return {"alpha": alpha, "beta": beta}


def _weeks(table: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Expected week entries from per-field rows of 4 numbers (W1..W4)."""
    monday = _this_monday()
    return [
        {"week": (monday - timedelta(weeks=3 - i)).isoformat(), **{f: table[f][i] for f in FIELDS}}
        for i in range(4)
    ]


ALPHA = _weeks(
    {
        # W1: pete (q1), cara (c1); W2: cara (c2, c_old), lily (like q1); W3: pete (q2, like c3), cara (c3)
        "active_users": [2, 2, 2, 0],
        # W1: pete was active in W0 (p0); W2: cara; W3: cara
        "returning_users": [1, 1, 1, 0],
        "posters": [1, 0, 1, 0],
        "commenters": [1, 1, 1, 0],
        "questions_asked": [1, 0, 1, 0],
        # W2: q1 and the old question (accepted comments written in W2); W3: q2
        "questions_answered": [0, 2, 1, 0],
    }
)
BETA = _weeks(
    {
        # W2: pete (p2); W3: lily (like p2); W4: lily (comment on p2)
        "active_users": [0, 1, 1, 1],
        "returning_users": [0, 0, 0, 1],
        "posters": [0, 1, 0, 0],
        "commenters": [0, 0, 0, 1],
        "questions_asked": [0, 0, 0, 0],
        "questions_answered": [0, 0, 0, 0],
    }
)
COMPANY = _weeks(
    {
        # W0: pete, sam (signed in). W1: pete, cara, sam. W2: cara, lily, pete. W3: pete, cara, lily.
        # W4: lily, plus nora, olga and root, whose API calls this week are recorded.
        "active_users": [3, 3, 3, 4],
        "returning_users": [2, 2, 3, 1],
        "posters": [1, 1, 1, 0],
        "commenters": [1, 1, 1, 1],
        "questions_asked": [1, 0, 1, 0],
        "questions_answered": [0, 2, 1, 0],
    }
)


def test_insights_by_hand(engine: Engine, make_user: Callable[..., Api]) -> None:
    root = make_user("root", admin=True)
    olga = make_user("olga")
    nora = make_user("nora")
    ids = _build(engine, root, olga, nora)

    # nora moderates Beta but owns nothing: refused (her call still counts as activity this week)
    refused = nora.get("/admin/insights", params={"weeks": 4})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")

    # olga owns Alpha only: she sees Alpha, and the top-level weeks sum up just Alpha
    owned = olga.get("/admin/insights", params={"weeks": 4})
    assert owned.status_code == 200, owned.text
    assert owned.json() == {
        "scope": "owned",
        "weeks": ALPHA,
        "communities": [{"community_id": ids["alpha"], "name": "Alpha", "weeks": ALPHA}],
    }

    company = root.get("/admin/insights", params={"weeks": 4})
    assert company.status_code == 200, company.text
    assert company.json() == {
        "scope": "company",
        "weeks": COMPANY,
        "communities": [
            {"community_id": ids["alpha"], "name": "Alpha", "weeks": ALPHA},
            {"community_id": ids["beta"], "name": "Beta", "weeks": BETA},
        ],
    }

    # one week: just this one, whose returning users still look back at last week
    single = root.get("/admin/insights", params={"weeks": 1}).json()
    assert single["weeks"] == COMPANY[-1:]
    assert [c["weeks"] for c in single["communities"]] == [ALPHA[-1:], BETA[-1:]]

    default = root.get("/admin/insights").json()
    assert len(default["weeks"]) == 12
    assert default["weeks"][-4:] == COMPANY
    assert default["weeks"][0]["week"] == (_this_monday() - timedelta(weeks=11)).isoformat()


def test_insights_input_and_access(make_user: Callable[..., Api]) -> None:
    root = make_user("root", admin=True)
    user = make_user("uma")
    for weeks in ("0", "53", "-1", "many"):
        refused = root.get("/admin/insights", params={"weeks": weeks})
        assert refused.status_code == 422, weeks
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert user.get("/admin/insights").status_code == 403
    empty = root.get("/admin/insights", params={"weeks": 52}).json()
    assert len(empty["weeks"]) == 52 and empty["communities"] == []
    assert empty["weeks"][-1]["active_users"] == 2  # root and uma signed in and called this week
    assert sum(week["active_users"] for week in empty["weeks"]) == 2
