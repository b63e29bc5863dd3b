"""HTTP routes of the Atrium server, one module per resource; ROUTERS lists them all, in mount order."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    apps,
    auth,
    communities,
    events,
    files,
    hooks,
    insights,
    notifications,
    posts,
    search,
    social,
    sync,
    system,
    wiki,
)

ROUTERS: list[APIRouter] = [
    module.router
    for module in (
        system,
        auth,
        communities,
        posts,
        social,
        sync,
        events,
        wiki,
        files,
        apps,
        notifications,
        search,
        hooks,
        insights,
    )
]
