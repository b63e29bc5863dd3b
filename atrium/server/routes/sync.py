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
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .. import feed
from ..clock import days_ago_iso
from ..context import ServerState, bearer_token, caller_from_device, state_of, unauthorized
from ..hot_reads import ChangeRow, Snapshot
from ..problems import invalid
from ..security import token_hash

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


def _encode_change(kind: str, object_id: str, op: str, data: str | None) -> dict[str, Any]:
    """One change, ready for orjson: the stored JSON goes in verbatim as a Fragment (no re-parsing)."""
    if data is None:
        return {"type": kind, "id": object_id, "op": op}
    return {"type": kind, "id": object_id, "op": op, "data": orjson.Fragment(data)}


def _encode_rows(rows: list[ChangeRow]) -> list[dict[str, Any]]:
    return [_encode_change(kind, object_id, op, data) for kind, object_id, op, data, _seq in rows]


def _start_round(snapshot: Snapshot, round_: Round, user_id: str, scopes: set[str], target: int) -> None:
    if round_.since > target:
        raise invalid("since", "is ahead of this server (was it reset?); sync again without 'since'")
    round_.target = target
    round_.delta_after = round_.since
    if round_.since == 0:
        return
    last: dict[str, str] = {}
    for scope, op in snapshot.scope_events(user_id, round_.since, target):
        last[scope] = op
    # Community drops before author drops: a desktop purging a community keeps the posts of people
    # it still follows there, so an unfollow in the same round must be purged after it.
    round_.drops = sorted((scope for scope in last if scope not in scopes), key=_drop_order)
    round_.gains = sorted(scope for scope, op in last.items() if op == "gain" and scope in scopes)


def _drop_order(scope: str) -> tuple[bool, str]:
    return feed.is_author_scope(scope), scope


def _drop_changes(snapshot: Snapshot, drops: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for scope in drops:
        out.append(_encode_change("scope", scope, "drop", None))
        kind, _, community_id = scope.partition(":")
        if kind != "community":
            continue
        # A public community stays visible after leaving it: resend its card so the client keeps it.
        card = snapshot.public_community_card(community_id)
        if card is not None:
            out.append(_encode_change("community", community_id, "upsert", card))
    return out


def _page(
    snapshot: Snapshot, state: ServerState, token: str, since: str | None, limit: int, window_days: int
) -> bytes:
    """One page of the caller's feed (in a worker thread)."""
    # The change number is read with the caller and scopes, before anything else.
    device, scopes = snapshot.sync_caller(token_hash(token))
    caller = caller_from_device(state, device)  # who is asking comes first: a 401 before a 422
    assert device is not None  # caller_from_device refused it otherwise
    round_ = Round.decode(since)
    out: list[dict[str, Any]] = []
    if round_.target is None:
        _start_round(snapshot, round_, caller.user_id, scopes, device.seq_now)
        out.extend(_drop_changes(snapshot, round_.drops))
    assert round_.target is not None
    gains = [scope for scope in round_.gains if scope in scopes]
    if gains and round_.backfill_after < round_.since:
        rows = snapshot.backfill(gains, round_.backfill_after, round_.since, days_ago_iso(window_days), limit)
        out.extend(_encode_rows(rows))
        round_.backfill_after = rows[-1][4] if len(rows) == limit else round_.since
    remaining = limit - len(out)
    finished = False
    backfill_done = not gains or round_.backfill_after >= round_.since
    if backfill_done and remaining > 0:
        cutoff = days_ago_iso(window_days) if round_.since == 0 else None
        rows = snapshot.delta(round_.delta_after, round_.target, ["", *sorted(scopes)], cutoff, remaining)
        out.extend(_encode_rows(rows))
        if len(rows) < remaining:
            finished = True
        else:
            round_.delta_after = rows[-1][4]
    cursor = Round(since=round_.target).encode() if finished else round_.encode()
    return orjson.dumps({"cursor": cursor, "has_more": not finished, "changes": out})


@router.get("/sync", response_model=SyncPage)
async def sync(
    request: Request,
    since: Annotated[str | None, Query(max_length=20_000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    window_days: Annotated[int, Query(ge=1, le=36_500)] = 90,
) -> Response:
    # Async, with the whole page (caller included) read in one worker-thread hop: the sync
    # dependency and endpoint of a plain route cost two hops, and thread hand-offs are a large
    # share of a small incremental sync (bench/bench_incremental_sync.py).
    token = bearer_token(request)
    if token is None:
        raise unauthorized("Sign in first: this call needs 'Authorization: Bearer <token>'.")
    state = state_of(request)
    body = await run_in_threadpool(
        state.hot.read, lambda snapshot: _page(snapshot, state, token, since, limit, window_days)
    )
    return Response(body, media_type="application/json")
