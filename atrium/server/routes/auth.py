"""Sign-in, sign-out, the caller's profile and signed-in devices, and admin revocation."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select, update
from starlette.responses import Response

from ..clock import iso, now, now_iso, uuid7
from ..context import Caller, current_caller, json_response, reading, run_write, state_of
from ..problems import Problem, forbidden, not_found
from ..publish import user_dict
from ..schema import devices, login_failures, users
from ..security import (
    LOGIN_FAILURE_LIMIT,
    LOGIN_FAILURE_WINDOW_SECONDS,
    new_token,
    token_hash,
    verify_password,
)

router = APIRouter(tags=["auth"])
CallerDep = Annotated[Caller, Depends(current_caller)]


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    device_name: str = Field(default="Atrium desktop", max_length=200)


class UserOut(BaseModel):
    id: str
    handle: str
    display_name: str
    title: str
    department: str
    location: str
    avatar_url: str | None = None
    is_admin: bool


class LoginOut(BaseModel):
    token: str
    device_id: str
    user: UserOut


class DeviceOut(BaseModel):
    id: str
    name: str
    created_at: str
    last_seen_at: str
    current: bool


def _throttled(request: Request, username: str) -> int:
    """Seconds to wait before another try, or 0."""
    since = iso(now() - timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS))
    with reading(request) as conn:
        failures = conn.execute(
            select(func.count(), func.min(login_failures.c.at)).where(
                login_failures.c.username == username, login_failures.c.at >= since
            )
        ).one()
    count, oldest = failures
    if count < LOGIN_FAILURE_LIMIT or oldest is None:
        return 0
    from ..clock import parse_iso

    wait = LOGIN_FAILURE_WINDOW_SECONDS - (now() - parse_iso(oldest)).total_seconds()
    return max(1, int(wait) + 1)


@router.post("/auth/login", response_model=LoginOut, responses={401: {}, 429: {}})
def login(body: LoginBody, request: Request) -> Response:
    username = body.username.strip().lower()
    wait = _throttled(request, username)
    if wait:
        raise Problem(
            429,
            "Too many attempts",
            f"Too many failed sign-ins. Try again in {wait} seconds.",
            kind="too-many-attempts",
            headers={"Retry-After": str(wait)},
        )
    with reading(request) as conn:
        row = conn.execute(select(users).where(users.c.handle == username)).first()
    if not verify_password(row.password_hash if row else None, body.password) or row is None:

        def note_failure(conn: Any) -> tuple[int, Any]:
            conn.execute(login_failures.insert().values(username=username, at=now_iso()))
            return 200, None

        run_write(request, None, note_failure)
        raise Problem(401, "Sign-in failed", "Wrong user name or password.", kind="bad-credentials")

    token = new_token()
    device_id = uuid7()

    def create_device(conn: Any) -> tuple[int, Any]:
        stamp = now_iso()
        conn.execute(
            devices.insert().values(
                id=device_id,
                user_id=row.id,
                name=body.device_name or "Atrium desktop",
                token_hash=token_hash(token),
                created_at=stamp,
                last_seen_at=stamp,
            )
        )
        conn.execute(delete(login_failures).where(login_failures.c.username == username))
        return 200, {"token": token, "device_id": device_id, "user": user_dict(row)}

    return run_write(request, None, create_device)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, caller: CallerDep) -> Response:
    def revoke(conn: Any) -> tuple[int, Any]:
        conn.execute(delete(devices).where(devices.c.id == caller.device_id))
        return 204, None

    return run_write(request, caller, revoke)


@router.get("/me", response_model=UserOut)
def me(request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        row = conn.execute(select(users).where(users.c.id == caller.user_id)).one()
    return json_response(user_dict(row))


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: str, request: Request, _caller: CallerDep) -> Response:
    with reading(request) as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise not_found("user")
    return json_response(user_dict(row))


@router.get("/devices", response_model=list[DeviceOut])
def list_devices(request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        rows = conn.execute(
            select(devices)
            .where(devices.c.user_id == caller.user_id, devices.c.revoked_at.is_(None))
            .order_by(devices.c.created_at)
        ).all()
    return json_response(
        [
            {
                "id": r.id,
                "name": r.name,
                "created_at": r.created_at,
                "last_seen_at": r.last_seen_at,
                "current": r.id == caller.device_id,
            }
            for r in rows
        ]
    )


def _revoke(request: Request, caller: Caller, device_id: str, *, any_user: bool) -> Response:
    def work(conn: Any) -> tuple[int, Any]:
        query = select(devices.c.id).where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
        if not any_user:
            query = query.where(devices.c.user_id == caller.user_id)
        if conn.execute(query).first() is None:
            raise not_found("device")
        conn.execute(update(devices).where(devices.c.id == device_id).values(revoked_at=now_iso()))
        return 204, None

    response = run_write(request, caller, work)
    state_of(request)._seen.pop(device_id, None)
    return response


@router.delete("/devices/{device_id}", status_code=204)
def revoke_own_device(device_id: str, request: Request, caller: CallerDep) -> Response:
    return _revoke(request, caller, device_id, any_user=False)


@router.delete("/admin/devices/{device_id}", status_code=204)
def admin_revoke_device(device_id: str, request: Request, caller: CallerDep) -> Response:
    if not caller.is_admin:
        raise forbidden("Only administrators may revoke other people's devices.")
    return _revoke(request, caller, device_id, any_user=True)


@router.get("/admin/devices", response_model=list[DeviceOut])
def admin_list_devices(request: Request, caller: CallerDep, user_id: str) -> Response:
    if not caller.is_admin:
        raise forbidden("Only administrators may list other people's devices.")
    with reading(request) as conn:
        rows = conn.execute(
            select(devices).where(devices.c.user_id == user_id, devices.c.revoked_at.is_(None))
        ).all()
    return json_response(
        [
            {
                "id": r.id,
                "name": r.name,
                "created_at": r.created_at,
                "last_seen_at": r.last_seen_at,
                "current": r.id == caller.device_id,
            }
            for r in rows
        ]
    )
