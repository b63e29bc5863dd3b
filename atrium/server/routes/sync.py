"""``GET /sync``: the paged change feed of everything the caller may read (see ARCHITECTURE.md).

A round of sync, from a finished cursor S to the change number H read at its
start, sends: drops for scopes lost since S, backfill of scopes gained since S
(their objects numbered at or below S), then every object in the caller's
scopes changed in (S, H]. Pages carry a cursor holding where the round is;
the last page's cursor is simply H.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import Connection, and_, func, or_, select
from starlette.responses import Response

from ..access import sync_scopes
from ..clock import days_ago_iso
from ..context import Caller, current_caller, reading
from ..feed import current_seq
from ..problems import invalid
from ..schema import change_log, communities, scope_events

router = APIRouter(tags=["sync"])

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000


class Change(BaseModel):
    type: Literal[
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
    ]
    id: str
    op: Literal["upsert", "delete", "drop"]
    data: dict[str, Any] | None = None


class SyncPage(BaseModel):
    cursor: str
    has_more: bool
    changes: list[Change]


@dataclass
class Round:
    """Where a sync round is. Encoded (base64url JSON) as the opaque cursor."""

    since: int
    target: int | None = None
    drops: list[str] = field(default_factory=list)
    gains: list[str] = field(default_factory=list)
    backfill_after: int = 0
    delta_after: int = 0

    def encode(self) -> str:
        if self.target is None:
            state: dict[str, Any] = {"v": 1, "s": self.since}
        else:
            state = {
                "v": 1,
                "s": self.since,
                "h": self.target,
                "d": self.drops,
                "g": self.gains,
                "b": self.backfill_after,
                "p": self.delta_after,
            }
        return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> Round:
        if not cursor:
            return cls(since=0)
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            state = orjson.loads(raw)
            since = int(state["s"])
            target = state.get("h")
            round_ = cls(since=since)
            if target is not None:
                round_.target = int(target)
                round_.drops = [str(scope) for scope in state.get("d", [])]
                round_.gains = [str(scope) for scope in state.get("g", [])]
                round_.backfill_after = int(state.get("b", 0))
                round_.delta_after = int(state.get("p", since))
        except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as error:
            raise invalid(
                "since", "is not a cursor this server gave out; sync again without 'since'"
            ) from error
        if since < 0 or (round_.target is not None and round_.target < since):
            raise invalid("since", "is not a cursor this server gave out; sync again without 'since'")
        return round_


def _encode_change(kind: str, object_id: str, op: str, data: str | None) -> bytes:
    head = b'{"type":' + orjson.dumps(kind) + b',"id":' + orjson.dumps(object_id) + b',"op":"' + op.encode()
    if data is None:
        return head + b'"}'
    return head + b'","data":' + data.encode() + b"}"


def _start_round(conn: Connection, round_: Round, user_id: str, scopes: set[str]) -> None:
    target = current_seq(conn)
    if round_.since > target:
        raise invalid("since", "is ahead of this server (was it reset?); sync again without 'since'")
    round_.target = target
    round_.delta_after = round_.since
    if round_.since == 0:
        return
    events = conn.execute(
        select(scope_events.c.scope, scope_events.c.op)
        .where(
            or_(scope_events.c.user_id == user_id, scope_events.c.user_id.is_(None)),
            scope_events.c.seq > round_.since,
            scope_events.c.seq <= target,
        )
        .order_by(scope_events.c.seq)
    ).all()
    last: dict[str, str] = {}
    for scope, op in events:
        last[scope] = op
    round_.drops = sorted(scope for scope in last if scope not in scopes)
    round_.gains = sorted(scope for scope, op in last.items() if op == "gain" and scope in scopes)


def _retention_clause(window_days: int) -> Any:
    cutoff = days_ago_iso(window_days)
    return or_(change_log.c.ts.is_(None), change_log.c.ts >= cutoff, change_log.c.keep.is_(True))


def _drop_changes(conn: Connection, drops: list[str]) -> list[bytes]:
    out: list[bytes] = []
    for scope in drops:
        out.append(_encode_change("scope", scope, "drop", None))
        kind, _, community_id = scope.partition(":")
        if kind != "community":
            continue
        # A public community stays visible after leaving it: resend its card so the client keeps it.
        row = conn.execute(
            select(change_log.c.data)
            .join(communities, communities.c.id == change_log.c.object_id)
            .where(
                change_log.c.type == "community",
                change_log.c.object_id == community_id,
                communities.c.visibility == "public",
            )
        ).first()
        if row is not None and row.data is not None:
            out.append(_encode_change("community", community_id, "upsert", row.data))
    return out


@router.get("/sync", response_model=SyncPage)
def sync(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    since: Annotated[str | None, Query(max_length=20_000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    window_days: Annotated[int, Query(ge=1, le=36_500)] = 90,
) -> Response:
    round_ = Round.decode(since)
    out: list[bytes] = []
    with reading(request) as conn:
        scopes = sync_scopes(conn, caller.user_id)
        if round_.target is None:
            _start_round(conn, round_, caller.user_id, scopes)
            out.extend(_drop_changes(conn, round_.drops))
        assert round_.target is not None
        columns = (
            change_log.c.type,
            change_log.c.object_id,
            change_log.c.op,
            change_log.c.data,
            change_log.c.seq,
        )
        gains = [scope for scope in round_.gains if scope in scopes]
        if gains and round_.backfill_after < round_.since:
            rows = conn.execute(
                select(*columns)
                .where(
                    change_log.c.scope.in_(gains),
                    change_log.c.seq > round_.backfill_after,
                    change_log.c.seq <= round_.since,
                    change_log.c.op == "upsert",
                    _retention_clause(window_days),
                )
                .order_by(change_log.c.seq)
                .limit(limit)
            ).all()
            out.extend(_encode_change(r.type, r.object_id, r.op, r.data) for r in rows)
            round_.backfill_after = rows[-1].seq if len(rows) == limit else round_.since
        remaining = limit - len(out)
        finished = False
        backfill_done = not gains or round_.backfill_after >= round_.since
        if backfill_done and remaining > 0:
            conditions = [
                change_log.c.seq > round_.delta_after,
                change_log.c.seq <= round_.target,
                # coalesce() keeps the planner on the change-number index: walking it in order and
                # stopping at LIMIT beats collecting every row of every scope and sorting them
                # (measured 12x on a 750k-row feed, SQLite; PostgreSQL plans the same way).
                func.coalesce(change_log.c.scope, "").in_(["", *sorted(scopes)]),
            ]
            if round_.since == 0:
                conditions.append(_retention_clause(window_days))
            rows = conn.execute(
                select(*columns).where(and_(*conditions)).order_by(change_log.c.seq).limit(remaining)
            ).all()
            out.extend(_encode_change(r.type, r.object_id, r.op, r.data) for r in rows)
            if len(rows) < remaining:
                finished = True
            else:
                round_.delta_after = rows[-1].seq
    cursor = Round(since=round_.target).encode() if finished else round_.encode()
    body = (
        b'{"cursor":'
        + orjson.dumps(cursor)
        + b',"has_more":'
        + (b"false" if finished else b"true")
        + b',"changes":['
        + b",".join(out)
        + b"]}"
    )
    return Response(body, media_type="application/json")
