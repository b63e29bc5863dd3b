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
    # Routes are matched in this order, one by one: the calls every client makes every few
    # seconds come first (no paths overlap, so the order changes nothing else).
    for module in (
        sync,
        events,
        system,
        auth,
        communities,
        posts,
        social,
        wiki,
        files,
        apps,
        notifications,
        search,
        hooks,
        insights,
    )
]
