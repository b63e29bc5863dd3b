"""HTTP routes of the Atrium server, one module per resource; ROUTERS lists them all."""

from __future__ import annotations

import importlib

from fastapi import APIRouter

_MODULES = [
    "system",
    "auth",
    "communities",
    "posts",
    "social",
    "sync",
    "events",
    "wiki",
    "files",
    "apps",
    "notifications",
    "search",
    "hooks",
    "insights",
]


def _load() -> list[APIRouter]:
    routers = []
    for name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"{__name__}.{name}":
                continue  # not written yet
            raise
        routers.append(module.router)
    return routers


ROUTERS: list[APIRouter] = _load()
