"""Adoption insights: weekly activity, company-wide and per community (``GET /admin/insights``).

Everything is computed by a few grouped SQL queries; nothing walks posts row by
row in Python. Weeks are bucketed in SQL by a balanced tree of ``CASE``s over
the week boundaries: times are RFC 3339 strings (``YYYY-MM-DDTHH:MM:SS.mmmZ``)
and a Monday as ``YYYY-MM-DD`` sorts just before every time of that day, so
plain string comparison puts each row in its week identically on SQLite and
PostgreSQL, with no dialect date functions. (Counting days in SQL and folding
them into weeks in Python would not do: distinct people per day do not add up
to distinct people per week.)

Distinct people are counted by grouping every action to one row per person,
community and week, and "returning" comes from ``lag()`` over each person's
weeks; both databases do that with sorts or hashes, no self-joins. Measured on
a loaded 2-core machine with 100k posts, 300k comments and 300k likes over two
years and 20k users signing in most weeks: about 1 s of CPU for 12 weeks on
SQLite (4 s for 52), 0.2 s for an owner's few communities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from starlette.responses import Response

from ..clock import now
from ..context import Caller, current_caller, json_response, reading
from ..problems import forbidden
from ..schema import activity_weeks, comments, communities, memberships, posts, reactions

router = APIRouter(tags=["insights"])
CallerDep = Annotated[Caller, Depends(current_caller)]

METRICS = (
    "active_users",
    "returning_users",
    "posters",
    "commenters",
    "questions_asked",
    "questions_answered",
)


class WeekOut(BaseModel):
    week: str = Field(description="the week's Monday (UTC), YYYY-MM-DD")
    active_users: int
    returning_users: int
    posters: int
    commenters: int
    questions_asked: int
    questions_answered: int


class CommunityInsightsOut(BaseModel):
    community_id: str
    name: str
    weeks: list[WeekOut]


class InsightsOut(BaseModel):
    scope: Literal["company", "owned"] = Field(
        description="'company' for administrators, 'owned' for community owners"
    )
    weeks: list[WeekOut]
    communities: list[CommunityInsightsOut]


class _Weeks:
    """The reported weeks plus the one before them (index 0, needed for returning users).

    Index i (0..n) is the week starting on ``mondays[i]``; the last is the current week.
    """

    def __init__(self, count: int, today: date) -> None:
        current = today - timedelta(days=today.weekday())
        self.mondays = [current - timedelta(weeks=count - i) for i in range(count + 1)]
        self.start = self.mondays[0].isoformat()
        self.end = (current + timedelta(weeks=1)).isoformat()

    def index(self, column: Any) -> ColumnElement[Any]:
        """SQL: the week index of COLUMN (an RFC 3339 time or a YYYY-MM-DD day) within the window.

        A balanced tree of ``CASE``s, so a row costs about log2(weeks) string comparisons.
        """
        return self._bucket(column, 0, len(self.mondays) - 1)

    def _bucket(self, column: Any, low: int, high: int) -> ColumnElement[Any]:
        if low == high:
            return literal_column(str(low), Integer)
        middle = (low + high + 1) // 2  # the first week of the upper half
        return case(
            (column < self.mondays[middle].isoformat(), self._bucket(column, low, middle - 1)),
            else_=self._bucket(column, middle, high),
        )

    def within(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def reported(self) -> Iterable[tuple[int, str]]:
        return ((i, monday.isoformat()) for i, monday in enumerate(self.mondays) if i > 0)


def _in_communities(column: Any, community_ids: list[str] | None) -> ColumnElement[bool]:
    return true() if community_ids is None else column.in_(community_ids)


def _flag(value: int) -> ColumnElement[Any]:
    return literal_column(str(value), Integer)


Counts = dict[tuple[str | None, int], int]
_SUMMED = ("active_users", "returning_users", "posters", "commenters", "questions_asked")


def _actions(weeks: _Weeks, community_ids: list[str] | None) -> Subquery:
    """One row per post, comment and like in the window: who, where, which week, and what.

    Posts without an author (``app_event``) are left out: they count for no one.
    """
    post_week = weeks.index(posts.c.created_at)
    comment_week = weeks.index(comments.c.created_at)
    return union_all(
        select(
            posts.c.community_id,
            posts.c.author_id.label("user_id"),
            post_week.label("idx"),
            _flag(1).label("posted"),
            _flag(0).label("commented"),
            case((posts.c.kind == "question", 1), else_=0).label("asked"),
        ).where(
            weeks.within(posts.c.created_at),
            posts.c.author_id.is_not(None),
            _in_communities(posts.c.community_id, community_ids),
        ),
        select(posts.c.community_id, comments.c.author_id, comment_week, _flag(0), _flag(1), _flag(0))
        .select_from(comments.join(posts, posts.c.id == comments.c.post_id))
        .where(weeks.within(comments.c.created_at), _in_communities(posts.c.community_id, community_ids)),
        select(
            reactions.c.community_id,
            reactions.c.user_id,
            weeks.index(reactions.c.created_at),
            _flag(0),
            _flag(0),
            _flag(0),
        ).where(
            weeks.within(reactions.c.created_at), _in_communities(reactions.c.community_id, community_ids)
        ),
    ).subquery("actions")


def _weekly(per_person: FromClause, keys: list[str]) -> Select[Any]:
    """The per-week figures from PER_PERSON: one row per person, week and KEYS (say, community).

    A person returns when their previous active week (``lag`` over their rows in
    week order, within the same KEYS) is the week just before.
    """
    group = [per_person.c[name] for name in keys]
    previous = func.lag(per_person.c.idx).over(
        partition_by=[*group, per_person.c.user_id], order_by=per_person.c.idx
    )
    marked = select(
        *group,
        per_person.c.idx,
        per_person.c.posted,
        per_person.c.commented,
        per_person.c.asked,
        case((previous == per_person.c.idx - 1, 1), else_=0).label("back"),
    ).subquery("marked")
    by = [*(marked.c[name] for name in keys), marked.c.idx]
    return select(
        *by,
        func.count().label("active_users"),
        func.sum(marked.c.back).label("returning_users"),
        func.sum(marked.c.posted).label("posters"),
        func.sum(marked.c.commented).label("commenters"),
        func.sum(marked.c.asked).label("questions_asked"),
    ).group_by(*by)


def compute_insights(conn: Connection, weeks: _Weeks, community_ids: list[str] | None) -> dict[str, Counts]:
    """Every metric, keyed (community_id, week index) per community and (None, week index) overall.

    COMMUNITY_IDS None means the whole company: then overall activity also counts
    sign-ins (``activity_weeks``); otherwise everything is limited to those communities.

    Distinct people are counted by grouping the actions to one row per person and
    week (and community), which each database does with one sort or hash; that is
    much cheaper than ``DISTINCT`` sets or self-joins on large tables.
    """
    counts: dict[str, Counts] = defaultdict(dict)
    actions = _actions(weeks, community_ids)

    # One row per person, community and week; per community, active means posting,
    # commenting or liking there.
    per_member = (
        select(
            actions.c.community_id,
            actions.c.user_id,
            actions.c.idx,
            func.max(actions.c.posted).label("posted"),
            func.max(actions.c.commented).label("commented"),
            func.sum(actions.c.asked).label("asked"),
        )
        .group_by(actions.c.community_id, actions.c.user_id, actions.c.idx)
        .cte("per_member")
    )
    # Overall: the same, folded over the communities, plus (company-wide) every signed-in user.
    people: Any = select(
        per_member.c.user_id,
        per_member.c.idx,
        per_member.c.posted,
        per_member.c.commented,
        per_member.c.asked,
    )
    if community_ids is None:
        people = union_all(
            people,
            select(
                activity_weeks.c.user_id,
                weeks.index(activity_weeks.c.week),
                _flag(0),
                _flag(0),
                _flag(0),
            ).where(weeks.within(activity_weeks.c.week)),
        )
    everyone = people.subquery("people")
    per_person = (
        select(
            everyone.c.user_id,
            everyone.c.idx,
            func.max(everyone.c.posted).label("posted"),
            func.max(everyone.c.commented).label("commented"),
            func.sum(everyone.c.asked).label("asked"),
        )
        .group_by(everyone.c.user_id, everyone.c.idx)
        .subquery("per_person")
    )
    overall = _weekly(per_person, []).subquery("overall")
    both = union_all(
        _weekly(per_member, ["community_id"]),
        select(null().label("community_id"), *overall.c),
    )
    for row in conn.execute(both):
        for name in _SUMMED:
            counts[name][(row.community_id, int(row.idx))] = int(row._mapping[name] or 0)

    # Questions answered: bucketed by the week the accepted comment was written.
    answered = (
        select(posts.c.community_id, weeks.index(comments.c.created_at).label("idx"))
        .select_from(posts.join(comments, comments.c.id == posts.c.accepted_comment_id))
        .where(
            posts.c.kind == "question",
            weeks.within(comments.c.created_at),
            _in_communities(posts.c.community_id, community_ids),
        )
        .subquery("answered")
    )
    for row in conn.execute(
        select(answered.c.community_id, answered.c.idx, func.count()).group_by(
            answered.c.community_id, answered.c.idx
        )
    ):
        idx, n = int(row[1]), int(row[2])
        counts["questions_answered"][(row[0], idx)] = n
        counts["questions_answered"][(None, idx)] = counts["questions_answered"].get((None, idx), 0) + n
    return counts


def _week_list(counts: dict[str, Counts], weeks: _Weeks, community_id: str | None) -> list[dict[str, Any]]:
    return [
        {"week": monday, **{metric: counts[metric].get((community_id, idx), 0) for metric in METRICS}}
        for idx, monday in weeks.reported()
    ]


@router.get("/admin/insights", response_model=InsightsOut, responses={403: {}, 422: {}})
def insights(
    request: Request,
    caller: CallerDep,
    weeks: Annotated[int, Query(ge=1, le=52, description="how many weeks, ending with the current one")] = 12,
) -> Response:
    """Weekly adoption figures for the last WEEKS weeks (UTC weeks starting on Monday, oldest
    first, the last being the current, partial week).

    Who sees what: administrators get the whole company (``scope: "company"``) and
    every community; a community owner who is not an administrator gets only the
    communities they own (``scope: "owned"``), and the top-level ``weeks`` then sum up
    just those communities; anyone else gets 403.

    Per week:

    - ``active_users``: distinct people who posted, commented or liked in the week; for
      the company-wide figures also everyone who made any signed-in request that week
      (``activity_weeks``). Per community: distinct posters, commenters and likers there.
    - ``returning_users``: people active (as above, in the same scope) both this week
      and the week before.
    - ``posters`` / ``commenters``: distinct authors of posts / comments written that
      week (``app_event`` posts have no author and count for no one).
    - ``questions_asked``: posts of kind ``question`` created that week.
    - ``questions_answered``: questions whose currently accepted answer (comment) was
      written that week, whenever the question was asked. Acceptance time is not
      stored, so the answer's own creation time is what dates it; un-accepting an
      answer removes the question from that week's count.
    """
    with reading(request) as conn:
        if caller.is_admin:
            scope = "company"
            community_ids: list[str] | None = None
            listed = conn.execute(
                select(communities.c.id, communities.c.name).order_by(communities.c.name, communities.c.id)
            ).all()
        else:
            scope = "owned"
            listed = conn.execute(
                select(communities.c.id, communities.c.name)
                .join(memberships, memberships.c.community_id == communities.c.id)
                .where(memberships.c.user_id == caller.user_id, memberships.c.role == "owner")
                .order_by(communities.c.name, communities.c.id)
            ).all()
            if not listed:
                raise forbidden("Insights are for administrators and community owners.")
            community_ids = [row.id for row in listed]
        window = _Weeks(weeks, now().date())
        counts = compute_insights(conn, window, community_ids)
    return json_response(
        {
            "scope": scope,
            "weeks": _week_list(counts, window, None),
            "communities": [
                {"community_id": row.id, "name": row.name, "weeks": _week_list(counts, window, row.id)}
                for row in listed
            ],
        }
    )
