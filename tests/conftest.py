"""Shared fixtures: a real server on SQLite and on a real PostgreSQL, and signed-in API clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from atrium.server.admin_ops import add_user
from atrium.server.database import create_db_engine

from .harness import Api, PostgresCluster, RunningServer, fresh_sqlite_url, prepare_database, start_server

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ATRIUM_FAST_PASSWORD_HASHING", "1")  # real argon2, cheaper parameters


def pytest_configure(config: pytest.Config) -> None:
    """pytest-qt calls into PySide around every test, even tests without widgets, and this
    PySide leaks a reference to None on each void call (see pyside_guard.py): without the guard
    the whole run aborts ("deallocating None") once None's count runs out, at a point that
    depends on how many other objects happen to hold None."""
    from atrium.ui.widgets.pyside_guard import guard_none_refcount

    guard_none_refcount()


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return prepare_database(fresh_sqlite_url(tmp_path))
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return prepare_database(cluster.create_database())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return prepare_database(fresh_sqlite_url(tmp_path))


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    running = start_server(database_url, tmp_path / "files")
    yield running
    running.stop()


@pytest.fixture
def engine(server: RunningServer) -> Iterator[Engine]:
    engine = create_db_engine(server.database_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def make_user(server: RunningServer, engine: Engine) -> Iterator[Callable[..., Api]]:
    """make_user("alice", admin=False) -> an Api signed in as a new user."""
    clients: list[Api] = []

    def make(handle: str, *, admin: bool = False, **profile: str) -> Api:
        with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
            add_user(conn, handle, password=PASSWORD, is_admin=admin, **profile)
        waker = server.app.state.atrium.waker
        if waker is not None:  # wake SSE listeners: a new user row is news to everyone
            waker.wake()
        anonymous = Api(server.api)
        answer = anonymous.post(
            "/auth/login",
            json={"username": handle, "password": PASSWORD, "device_name": f"{handle}'s test device"},
        )
        anonymous.close()
        assert answer.status_code == 200, answer.text
        body = answer.json()
        api = Api(server.api, body["token"], body["user"])
        clients.append(api)
        return api

    yield make
    for client in clients:
        client.close()
