"""The ASGI application: builds the FastAPI app over one database and mounts every route module."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from atrium import __version__

from .body_limit import BodySizeLimit
from .context import WORKER_THREADS, ServerState
from .database import create_db_engine, default_files_dir, ensure_current
from .problems import install_problem_handlers
from .routes.events import serve_event_stream

API = "/api/v1"
EVENTS_PATH = f"{API}/events"
# How often the interpreter offers the GIL to another thread (Python's default is 5 ms): a
# request's thread re-takes it after each database call, so a shorter turn keeps small
# requests from waiting behind a large one. Set by the server's entry points only.
SWITCH_INTERVAL_S = 0.001
DEMO_APPS_DIR = Path(__file__).parent / "demo_apps"


class AtriumApp(FastAPI):
    """The FastAPI app, with ``GET /events`` answered ahead of its middleware and routing (each
    of thousands of long-lived streams would otherwise keep that whole chain suspended; see
    ``routes/events.py``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == EVENTS_PATH:
            await serve_event_stream(self, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(database_url: str, *, files_dir: Path | None = None, check_schema: bool = True) -> FastAPI:
    engine = create_db_engine(database_url)
    if check_schema:
        ensure_current(engine)
    state = ServerState(engine=engine, files_dir=files_dir or default_files_dir(database_url))
    state.files_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_uploads(state.files_dir)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from .events import EventHub

        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        hub = EventHub(state, database_url)
        state.waker = hub
        _app.state.events = hub
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            state.hot.dispose()
            engine.dispose()

    app = AtriumApp(
        title="Atrium server",
        version=__version__,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.atrium = state
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit)

    from .routes import ROUTERS

    for router in ROUTERS:
        app.include_router(router, prefix=API)
    if DEMO_APPS_DIR.is_dir():
        app.mount("/demo-apps", StaticFiles(directory=DEMO_APPS_DIR, html=True), name="demo-apps")
    return app


def tune_server_process() -> None:
    """Process-wide settings for a process that serves Atrium and nothing else."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` with several workers: the URL comes from ATRIUM_DB."""
    tune_server_process()
    url = os.environ.get("ATRIUM_DB")
    if not url:
        raise RuntimeError("ATRIUM_DB is not set")
    files = os.environ.get("ATRIUM_FILES_DIR")
    return create_app(url, files_dir=Path(files) if files else None)


def _remove_stale_uploads(files_dir: Path) -> None:
    """Uploads cut short by a crash leave temp files; an hour later they are certainly dead."""
    for stale in (files_dir / "tmp").glob("upload-*.part"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)
        except OSError:
            pass
