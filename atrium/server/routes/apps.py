"""The business-app catalog: every signed-in user reads it; administrators add and remove apps.

Apps reach the desktop through the sync feed (type ``app``, scope everyone), so
adding or removing one here publishes it. An app tied to a community gets a
webhook token once, in the answer to ``POST /admin/apps``; only its SHA-256 is
stored (see routes/hooks.py).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, select
from starlette.responses import Response

from .. import feed
from ..admin_ops import AdminError, add_app
from ..context import Caller, WriteResult, current_caller, json_response, reading, run_write
from ..problems import Problem, forbidden, invalid, not_found
from ..publish import app_dict
from ..schema import apps, communities
from ..text_extract import check_text_chars

router = APIRouter(tags=["apps"])
CallerDep = Annotated[Caller, Depends(current_caller)]
ORIGIN_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class AppOut(BaseModel):
    id: str
    name: str
    url: str
    icon_url: str | None = None
    description: str
    allowed_origins: list[str]
    position: int
    community_id: str | None = None


class AppCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=1000)
    description: str = Field(default="", max_length=10_000)
    icon_url: str | None = Field(default=None, max_length=1000)
    allowed_origins: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=50
    )
    position: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    community_slug: str | None = Field(default=None, min_length=1, max_length=120)


class AppCreated(BaseModel):
    app: AppOut
    hook_token: str | None = Field(
        description="The incoming-webhook token (POST /hooks/{token}); shown only here, stored hashed. "
        "Null when the app has no community."
    )


def _require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise forbidden("Only administrators may manage the app catalog.")


@router.get("/apps", response_model=list[AppOut])
def list_apps(request: Request, _caller: CallerDep) -> Response:
    """The app catalog, ordered by position, then name."""
    with reading(request) as conn:
        rows = conn.execute(select(apps).order_by(apps.c.position, apps.c.name, apps.c.id)).all()
    return json_response([app_dict(row) for row in rows])


@router.get("/apps/{app_id}", response_model=AppOut, responses={404: {}})
def get_app(app_id: str, request: Request, _caller: CallerDep) -> Response:
    if "\x00" in app_id:  # PostgreSQL cannot even compare text holding NUL
        raise not_found("app")
    with reading(request) as conn:
        row = conn.execute(select(apps).where(apps.c.id == app_id)).first()
    if row is None:
        raise not_found("app")
    return json_response(app_dict(row))


@router.post("/admin/apps", status_code=201, response_model=AppCreated, responses={403: {}, 422: {}})
def add_catalog_app(body: AppCreate, request: Request, caller: CallerDep) -> Response:
    """Add an app (administrators). With ``community_slug`` the app may post ``app_event``s into
    that community through its webhook token, which this answer carries once."""
    _require_admin(caller)
    for field in ("name", "url", "description", "icon_url", "community_slug"):
        value = getattr(body, field)
        if value is not None:
            check_text_chars(value, field)
    for origin in body.allowed_origins:
        check_text_chars(origin, "allowed_origins")
    name = body.name.strip()
    if not name:
        raise invalid("name", "must not be blank")
    url = body.url.strip()
    if not url.startswith(("http://", "https://", "/")):
        raise invalid("url", "must start with http://, https:// or / (served by this server)")
    icon_url = (body.icon_url or "").strip() or None
    if icon_url is not None and not icon_url.startswith(("http://", "https://", "/")):
        raise invalid("icon_url", "must start with http://, https:// or / (served by this server)")
    for origin in body.allowed_origins:
        if not ORIGIN_PATTERN.match(origin):
            raise invalid("allowed_origins", f"'{origin}' is not an origin like https://host[:port]")

    def work(conn: Connection) -> WriteResult:
        if body.community_slug is not None:
            slug_owner = conn.execute(
                select(communities.c.id).where(communities.c.slug == body.community_slug)
            ).first()
            if slug_owner is None:
                raise invalid("community_slug", f"no community with the slug '{body.community_slug}'")
        try:
            app_id, token = add_app(
                conn,
                name,
                url,
                description=body.description,
                icon_url=icon_url,
                allowed_origins=body.allowed_origins,
                position=body.position,
                community_slug=body.community_slug,
            )
        except AdminError as error:
            raise Problem(422, "Invalid input", str(error), kind="invalid") from error
        row = conn.execute(select(apps).where(apps.c.id == app_id)).one()
        return 201, {"app": app_dict(row), "hook_token": token}

    return run_write(request, caller, work)


@router.delete("/admin/apps/{app_id}", status_code=204, responses={403: {}, 404: {}})
def remove_catalog_app(app_id: str, request: Request, caller: CallerDep) -> Response:
    """Remove an app (administrators); its webhook token stops working. Posts it made stay."""
    _require_admin(caller)
    if "\x00" in app_id:
        raise not_found("app")

    def work(conn: Connection) -> WriteResult:
        removed = conn.execute(delete(apps).where(apps.c.id == app_id))
        if not removed.rowcount:
            raise not_found("app")
        feed.record_delete(conn, "app", app_id, feed.EVERYONE)
        return 204, None

    return run_write(request, caller, work)
