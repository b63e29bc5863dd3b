"""Per-app state (engine, files folder, event hub) and the request helpers every route uses:
who is calling, read transactions, and write transactions with idempotency and wake-ups."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson
from fastapi import Request
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from .clock import now, now_iso
from .hot_reads import DeviceRow, HotReads
from .problems import Problem
from .schema import activity_weeks, devices, idempotency_keys
from .security import token_hash

# Threads that run requests' database work (anyio's limiter, set in main.py's lifespan): few,
# because forty threads (anyio's default) convoy on the GIL, each re-taking it after every
# database call (bench/RESULTS.md, incremental sync).
WORKER_THREADS = 16


class Waker(Protocol):
    def wake(self) -> None: ...


@dataclass
class ServerState:
    engine: Engine
    files_dir: Path
    waker: Waker | None = None
    # device id -> monotonic time of the last "last seen" write, to write it at most once a minute
    _seen: dict[str, float] = field(default_factory=dict)
    _seen_lock: threading.Lock = field(default_factory=threading.Lock)
    hot: HotReads = field(init=False)

    def __post_init__(self) -> None:
        self.hot = HotReads(self.engine, pool_size=WORKER_THREADS)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


@dataclass(frozen=True)
class Caller:
    user_id: str
    device_id: str
    handle: str
    is_admin: bool


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.atrium
    return state


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if status == 204 or body is None:
        return Response(status_code=204 if body is None else status, headers=headers)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


@contextmanager
def reading(request: Request) -> Iterator[Connection]:
    with state_of(request).engine.connect() as conn:
        yield conn


def unauthorized(detail: str) -> Problem:
    return Problem(401, "Not signed in", detail, kind="unauthorized", headers={"WWW-Authenticate": "Bearer"})


def caller_from_token(state: ServerState, token: str) -> Caller:
    device = state.hot.read(lambda snapshot: snapshot.device(token_hash(token)))
    return caller_from_device(state, device)


def caller_from_device(state: ServerState, row: DeviceRow | None) -> Caller:
    """The caller a token's device row names, or the 401 a client must act on (sign in, or wipe)."""
    if row is None:
        raise unauthorized("The token is not valid. Sign in again.")
    if row.revoked_at is not None:
        raise Problem(
            401,
            "Device revoked",
            "This device was signed out remotely. Its local data must be deleted.",
            kind="device-revoked",
            headers={"WWW-Authenticate": "Bearer"},
            wipe=True,
        )
    caller = Caller(user_id=row.user_id, device_id=row.device_id, handle=row.handle, is_admin=row.is_admin)
    _note_seen(state, caller)
    return caller


def _note_seen(state: ServerState, caller: Caller) -> None:
    """Record activity for insights and the device list, at most once a minute per device."""
    moment = time.monotonic()
    with state._seen_lock:
        last = state._seen.get(caller.device_id)
        if last is not None and moment - last < 60:
            return
        state._seen[caller.device_id] = moment
    today = now()
    week = today.date().toordinal() - today.weekday()
    from datetime import date

    week_start = date.fromordinal(week).isoformat()
    dialect = sqlite if state.engine.dialect.name == "sqlite" else postgresql
    with state.engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        conn.execute(update(devices).where(devices.c.id == caller.device_id).values(last_seen_at=now_iso()))
        conn.execute(
            dialect.insert(activity_weeks)
            .values(user_id=caller.user_id, week=week_start)
            .on_conflict_do_nothing()
        )


def bearer_token(request: Request) -> str | None:
    return _bearer(request.headers.get("authorization", ""))


def bearer_token_of(scope: Any) -> str | None:
    """``bearer_token`` for a raw ASGI scope."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return _bearer(value.decode("latin-1"))
    return None


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_caller(request: Request) -> Caller:
    """FastAPI dependency: the signed-in caller, or a 401 problem."""
    token = bearer_token(request)
    if token is None:
        raise unauthorized("Sign in first: this call needs 'Authorization: Bearer <token>'.")
    return caller_from_token(state_of(request), token)


WriteResult = tuple[int, Any]


def run_write(request: Request, caller: Caller | None, work: Callable[[Connection], WriteResult]) -> Response:
    """Run WORK in one write transaction, honouring Idempotency-Key, then wake event listeners.

    A replay of a key by the same user returns the stored first answer and
    changes nothing; the key is stored in the same transaction as the write, so
    a write that committed is always recognised even if its answer was lost.
    """
    state = state_of(request)
    key = request.headers.get("idempotency-key")
    if key is not None and (not key.strip() or len(key) > 200):
        raise Problem(422, "Invalid input", "Idempotency-Key must be 1 to 200 characters.", kind="invalid")
    user_id = caller.user_id if caller else ""
    # Only a digest of the path is kept: some paths carry secrets (webhook tokens).
    method, path = request.method, hashlib.sha256(request.url.path.encode()).hexdigest()
    for _attempt in range(2):
        try:
            with state.engine.connect().execution_options(atrium_write=True) as conn:
                conn.info.pop("atrium_touched", None)
                with conn.begin():
                    if key is not None:
                        stored = _stored_answer(conn, user_id, key, method, path)
                        if stored is not None:
                            return stored
                    status, body = work(conn)
                    if key is not None:
                        conn.execute(
                            idempotency_keys.insert().values(
                                user_id=user_id,
                                key=key,
                                method=method,
                                path=path,
                                status=status,
                                body=orjson.dumps(body).decode(),
                                created_at=now_iso(),
                            )
                        )
                    if conn.info.get("atrium_touched") and state.is_postgres:
                        conn.execute(text("SELECT pg_notify('atrium_changes', '')"))
                    touched = bool(conn.info.pop("atrium_touched", None))
        except IntegrityError:
            if key is None:
                raise
            continue  # a concurrent request with the same key won: answer with its result
        if touched and state.waker is not None:
            state.waker.wake()
        return json_response(body, status)
    with state.engine.connect() as conn:
        stored = _stored_answer(conn, user_id, key or "", method, path)
    if stored is None:
        raise Problem(409, "Conflict", "A request with this Idempotency-Key is still being processed.")
    return stored


def _stored_answer(conn: Connection, user_id: str, key: str, method: str, path: str) -> Response | None:
    row = conn.execute(
        select(idempotency_keys).where(idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)
    ).first()
    if row is None:
        return None
    if row.method != method or row.path != path:
        raise Problem(
            422,
            "Invalid input",
            "This Idempotency-Key was already used for a different request.",
            kind="idempotency-key-reused",
        )
    body = orjson.loads(row.body)
    return json_response(body, row.status, headers={"Idempotent-Replay": "true"})
