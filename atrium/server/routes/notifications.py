"""The caller's notifications: listing them and marking them read.

Notifications are personal (feed scope ``user:<id>``), so every device of the
user also receives them through /sync; marking one read re-publishes it so the
other devices learn the new read state.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select, update
from starlette.responses import Response

from ..clock import iso, parse_iso
from ..context import Caller, WriteResult, current_caller, json_response, reading, run_write
from ..problems import invalid
from ..publish import notification_dict, publish_notification
from ..schema import notifications

router = APIRouter(tags=["notifications"])
CallerDep = Annotated[Caller, Depends(current_caller)]

MAX_IDS = 1000


class NotificationOut(BaseModel):
    id: str
    kind: str
    actor_id: str | None = None
    target_type: str
    target_id: str
    community_id: str | None = None
    created_at: str
    read: bool


class ReadBody(BaseModel):
    ids: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=MAX_IDS)
    up_to: str | None = Field(default=None, max_length=64, description="RFC 3339 time, inclusive")


class ReadOut(BaseModel):
    updated: int


def _canonical_time(field: str, value: str) -> str:
    """VALUE as the server's own RFC 3339 form, so string comparison with stored times is exact."""
    try:
        return iso(parse_iso(value))
    except (ValueError, OverflowError):
        raise invalid(field, "must be an RFC 3339 time with a zone, like 2026-11-27T09:30:00Z") from None


@router.get("/notifications", response_model=list[NotificationOut], responses={422: {}})
def list_notifications(
    request: Request,
    caller: CallerDep,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[
        str | None, Query(max_length=64, description="only ones created before this time")
    ] = None,
) -> Response:
    """The caller's notifications: unread first, then newest first (ties broken by id).

    ``before`` keeps only notifications created strictly before that time. To page
    through unread ones, repeat with ``unread=true&before=<oldest created_at so far>``;
    the whole history (read state included) reaches every device through /sync.
    """
    query = select(notifications).where(notifications.c.user_id == caller.user_id)
    if unread:
        query = query.where(notifications.c.read.is_(False))
    if before is not None:
        query = query.where(notifications.c.created_at < _canonical_time("before", before))
    query = query.order_by(
        notifications.c.read, notifications.c.created_at.desc(), notifications.c.id.desc()
    ).limit(limit)
    with reading(request) as conn:
        rows = conn.execute(query).all()
    return json_response([notification_dict(row) for row in rows])


@router.post("/notifications/read", response_model=ReadOut, responses={422: {}})
def mark_read(body: ReadBody, request: Request, caller: CallerDep) -> Response:
    """Mark the caller's notifications read: either the listed ``ids`` (unknown ones and other
    people's are ignored) or every one created at or before ``up_to``. Exactly one of the two."""
    if (body.ids is None) == (body.up_to is None):
        raise invalid("ids", "give exactly one of 'ids' or 'up_to'")
    ids = None if body.ids is None else [item for item in body.ids if "\x00" not in item]  # unknown anyway
    condition = (
        notifications.c.id.in_(ids)
        if ids is not None
        else notifications.c.created_at <= _canonical_time("up_to", body.up_to or "")
    )

    def work(conn: Connection) -> WriteResult:
        if ids == []:
            return 200, {"updated": 0}
        changed = sorted(
            conn.execute(
                update(notifications)
                .where(notifications.c.user_id == caller.user_id, notifications.c.read.is_(False), condition)
                .values(read=True)
                .returning(notifications.c.id)
            ).scalars()
        )
        for notification_id in changed:
            publish_notification(conn, notification_id)
        return 200, {"updated": len(changed)}

    return run_write(request, caller, work)
