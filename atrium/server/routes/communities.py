"""Communities: create, browse, read, edit, and memberships (join, add, change role, leave, remove)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, and_, delete, func, or_, select, update
from starlette.responses import Response

from .. import feed
from ..access import MODERATING_ROLES, readable_community, role_in
from ..clock import is_uuid, now_iso
from ..context import Caller, current_caller, json_response, reading, run_write
from ..notify import notify
from ..problems import conflict, forbidden, invalid, not_found
from ..publish import (
    community_dict,
    membership_dict,
    publish_community,
    publish_membership,
    unpublish_membership,
)
from ..schema import communities, memberships, users
from ..text_extract import check_text_chars

router = APIRouter(tags=["communities"])
CallerDep = Annotated[Caller, Depends(current_caller)]

Kind = Literal["expertise", "practice", "interest", "social", "support", "announcements"]
Visibility = Literal["public", "private"]
Role = Literal["owner", "moderator", "member"]


class CommunityIn(BaseModel):
    id: str = Field(min_length=36, max_length=36)
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    visibility: Visibility
    description: str = Field(default="", max_length=5000)
    slug: str | None = Field(default=None, max_length=120)


class CommunityPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class MemberIn(BaseModel):
    role: Role | None = None


class CommunityOut(BaseModel):
    id: str
    slug: str
    name: str
    description: str
    kind: Kind
    visibility: Visibility
    member_count: int
    created_at: str
    my_role: Role | None = None


class CommunityPage(BaseModel):
    communities: list[CommunityOut]
    next_cursor: str | None


class MembershipOut(BaseModel):
    community_id: str
    user_id: str
    role: Role
    joined_at: str


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:100] or "community"


def _unique_slug(conn: Connection, wanted: str) -> str:
    slug, number = wanted, 1
    while conn.execute(select(communities.c.id).where(communities.c.slug == slug)).first() is not None:
        number += 1
        slug = f"{wanted}-{number}"
    return slug


def _with_role(conn: Connection, row: Any, user_id: str) -> dict[str, Any]:
    data = community_dict(row)
    data["my_role"] = role_in(conn, row.id, user_id)
    return data


@router.post("/communities", status_code=201, response_model=CommunityOut)
def create_community(body: CommunityIn, request: Request, caller: CallerDep) -> Response:
    if not is_uuid(body.id):
        raise invalid("id", "must be a UUID")
    check_text_chars(body.name, "name")
    check_text_chars(body.description, "description")
    if body.slug is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", body.slug):
        raise invalid("slug", "use lower-case letters, digits and '-'")

    def work(conn: Connection) -> tuple[int, Any]:
        existing = conn.execute(select(communities).where(communities.c.id == body.id)).first()
        if existing is not None:
            same = (
                existing.name,
                existing.kind,
                existing.visibility,
                existing.description,
                existing.created_by,
            ) == (body.name, body.kind, body.visibility, body.description, caller.user_id)
            if same:
                return 201, _with_role(conn, existing, caller.user_id)
            raise conflict("A different community already has this id.")
        if body.slug is not None:
            if conn.execute(select(communities.c.id).where(communities.c.slug == body.slug)).first():
                raise conflict(f"The address '{body.slug}' is taken.")
            slug = body.slug
        else:
            slug = _unique_slug(conn, _slugify(body.name))
        stamp = now_iso()
        conn.execute(
            communities.insert().values(
                id=body.id,
                slug=slug,
                name=body.name.strip(),
                description=body.description,
                kind=body.kind,
                visibility=body.visibility,
                member_count=1,
                created_at=stamp,
                created_by=caller.user_id,
            )
        )
        conn.execute(
            memberships.insert().values(
                community_id=body.id, user_id=caller.user_id, role="owner", joined_at=stamp
            )
        )
        publish_community(conn, body.id)
        publish_membership(conn, body.id, caller.user_id)
        feed.record_scope_event(conn, caller.user_id, feed.community_scope(body.id), "gain")
        if body.kind == "announcements" and body.visibility == "public":
            feed.record_scope_event(conn, None, feed.community_scope(body.id), "gain")
        row = conn.execute(select(communities).where(communities.c.id == body.id)).one()
        return 201, _with_role(conn, row, caller.user_id)

    return run_write(request, caller, work)


@router.get("/communities", response_model=CommunityPage)
def browse_communities(
    request: Request,
    caller: CallerDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    joined: bool = False,
) -> Response:
    """Public communities the caller has not joined (``joined=true``: the caller's own), by name."""
    member_of = select(memberships.c.community_id).where(memberships.c.user_id == caller.user_id)
    query = select(communities)
    if joined:
        query = query.where(communities.c.id.in_(member_of))
    else:
        query = query.where(communities.c.visibility == "public", communities.c.id.not_in(member_of))
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(communities.c.name).like(pattern),
                func.lower(communities.c.description).like(pattern),
            )
        )
    if cursor:
        name, _, last_id = cursor.partition("\x1f")
        query = query.where(
            or_(communities.c.name > name, and_(communities.c.name == name, communities.c.id > last_id))
        )
    query = query.order_by(communities.c.name, communities.c.id).limit(limit + 1)
    with reading(request) as conn:
        rows = conn.execute(query).all()
        items = [_with_role(conn, row, caller.user_id) for row in rows[:limit]]
    next_cursor = f"{rows[limit - 1].name}\x1f{rows[limit - 1].id}" if len(rows) > limit else None
    return json_response({"communities": items, "next_cursor": next_cursor})


@router.get("/communities/{community_id}", response_model=CommunityOut)
def get_community(community_id: str, request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        row = readable_community(conn, community_id, caller.user_id)
        return json_response(_with_role(conn, row, caller.user_id))


@router.patch("/communities/{community_id}", response_model=CommunityOut)
def edit_community(community_id: str, body: CommunityPatch, request: Request, caller: CallerDep) -> Response:
    for field_name in ("name", "description"):
        value = getattr(body, field_name)
        if value is not None:
            check_text_chars(value, field_name)

    def work(conn: Connection) -> tuple[int, Any]:
        readable_community(conn, community_id, caller.user_id)
        if role_in(conn, community_id, caller.user_id) != "owner" and not caller.is_admin:
            raise forbidden("Only the community's owners may change it.")
        values = {key: value for key, value in body.model_dump(exclude_none=True).items()}
        if values:
            conn.execute(update(communities).where(communities.c.id == community_id).values(**values))
            publish_community(conn, community_id)
        row = conn.execute(select(communities).where(communities.c.id == community_id)).one()
        return 200, _with_role(conn, row, caller.user_id)

    return run_write(request, caller, work)


@router.get("/communities/{community_id}/members", response_model=list[MembershipOut])
def list_members(community_id: str, request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        readable_community(conn, community_id, caller.user_id)
        rows = conn.execute(
            select(memberships)
            .join(users, users.c.id == memberships.c.user_id)
            .where(memberships.c.community_id == community_id)
            .order_by(memberships.c.role != "owner", memberships.c.role != "moderator", users.c.display_name)
        ).all()
    return json_response([membership_dict(row) for row in rows])


def _set_member_count(conn: Connection, community_id: str) -> None:
    count = conn.execute(
        select(func.count()).select_from(memberships).where(memberships.c.community_id == community_id)
    ).scalar_one()
    conn.execute(update(communities).where(communities.c.id == community_id).values(member_count=count))
    publish_community(conn, community_id)


@router.put("/communities/{community_id}/members/{user_id}", response_model=MembershipOut)
def put_member(
    community_id: str, user_id: str, request: Request, caller: CallerDep, body: MemberIn | None = None
) -> Response:
    """Join a public community (yourself), add someone (owners/moderators), or change a role."""
    wanted = body.role if body else None

    def work(conn: Connection) -> tuple[int, Any]:
        community = readable_community(conn, community_id, caller.user_id)
        my_role = role_in(conn, community_id, caller.user_id)
        if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
            raise not_found("user")
        current = role_in(conn, community_id, user_id)
        moderator = my_role in MODERATING_ROLES or caller.is_admin
        role: str
        if current is not None and wanted in (None, current):
            return 200, _membership(conn, community_id, user_id)
        if user_id == caller.user_id and current is None:
            if community.visibility != "public" and not caller.is_admin:
                raise not_found("community")
            if wanted not in (None, "member") and not caller.is_admin:
                raise forbidden("You can join as a member; an owner can then give you another role.")
            role = wanted or "member"
        else:
            if not moderator:
                raise forbidden("Only the community's owners and moderators may add people or change roles.")
            role = wanted or current or "member"
            if (role == "owner" or current == "owner") and my_role != "owner" and not caller.is_admin:
                raise forbidden("Only an owner may make or change owners.")
        if current == role:
            return 200, _membership(conn, community_id, user_id)
        if current is None:
            conn.execute(
                memberships.insert().values(
                    community_id=community_id, user_id=user_id, role=role, joined_at=now_iso()
                )
            )
            feed.record_scope_event(conn, user_id, feed.community_scope(community_id), "gain")
            _set_member_count(conn, community_id)
            if user_id != caller.user_id:
                notify(
                    conn,
                    [user_id],
                    "added_to_community",
                    actor_id=caller.user_id,
                    target_type="community",
                    target_id=community_id,
                    community_id=community_id,
                )
        else:
            if current == "owner" and role != "owner":
                _keep_an_owner(conn, community_id, user_id)
            conn.execute(
                update(memberships)
                .where(memberships.c.community_id == community_id, memberships.c.user_id == user_id)
                .values(role=role)
            )
        publish_membership(conn, community_id, user_id)
        return 200, _membership(conn, community_id, user_id)

    return run_write(request, caller, work)


def _membership(conn: Connection, community_id: str, user_id: str) -> dict[str, Any]:
    row = conn.execute(
        select(memberships).where(
            memberships.c.community_id == community_id, memberships.c.user_id == user_id
        )
    ).one()
    return membership_dict(row)


def _keep_an_owner(conn: Connection, community_id: str, leaving_owner: str) -> None:
    others = conn.execute(
        select(func.count())
        .select_from(memberships)
        .where(
            memberships.c.community_id == community_id,
            memberships.c.role == "owner",
            memberships.c.user_id != leaving_owner,
        )
    ).scalar_one()
    if others == 0:
        raise conflict("A community needs at least one owner: make someone else an owner first.")


@router.delete("/communities/{community_id}/members/{user_id}", status_code=204)
def delete_member(community_id: str, user_id: str, request: Request, caller: CallerDep) -> Response:
    """Leave (yourself) or remove someone (owners/moderators; only owners remove owners)."""

    def work(conn: Connection) -> tuple[int, Any]:
        readable_community(conn, community_id, caller.user_id)
        current = role_in(conn, community_id, user_id)
        if user_id != caller.user_id:
            my_role = role_in(conn, community_id, caller.user_id)
            if my_role not in MODERATING_ROLES and not caller.is_admin:
                raise forbidden("Only the community's owners and moderators may remove people.")
            if current == "owner" and my_role != "owner" and not caller.is_admin:
                raise forbidden("Only an owner may remove an owner.")
        if current is None:
            return 204, None
        if current == "owner":
            _keep_an_owner(conn, community_id, user_id)
        conn.execute(
            delete(memberships).where(
                memberships.c.community_id == community_id, memberships.c.user_id == user_id
            )
        )
        unpublish_membership(conn, community_id, user_id)
        feed.record_scope_event(conn, user_id, feed.community_scope(community_id), "lose")
        _set_member_count(conn, community_id)
        return 204, None

    return run_write(request, caller, work)
