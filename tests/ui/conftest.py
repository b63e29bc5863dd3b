"""Shared UI fixtures: one offscreen QApplication and qasync loop per session, a real demo server, a signed-in Session.

The demo company is seeded once per test session into a template database; each test that
needs a server gets its own copy, so tests can revoke devices or stop the server freely.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported anywhere
os.environ.setdefault("ATRIUM_FAST_PASSWORD_HASHING", "1")

import asyncio
import io
import shutil
import sqlite3
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from atrium.server.database import create_db_engine, migrate
from atrium.ui.app import DesktopSession, create_application
from atrium.ui.theme import ThemeManager
from tests.harness import RunningServer, start_server
from tests.ui.desk import Desk, make_desk

T = TypeVar("T")
Runner = Callable[..., Any]
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoTemplate:
    database: Path
    files: Path


@pytest.fixture(autouse=True)
def _isolated_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No machine policy, and tokens in a throw-away keyring file, never the real keyring."""
    monkeypatch.setenv("ATRIUM_POLICY_FILE", str(tmp_path / "no-policy.json"))
    monkeypatch.setenv("ATRIUM_TEST_KEYRING_FILE", str(tmp_path / "keyring.cfg"))


@pytest.fixture(scope="session")
def ui_app(qapp: QApplication) -> tuple[QApplication, ThemeManager]:
    """pytest-qt's QApplication, set up as the desktop sets up its own (theme, font, no quit on close)."""
    app, theme = create_application([])
    theme.set_choice("light")
    return app, theme


@pytest.fixture(scope="session")
def qloop(ui_app: tuple[QApplication, ThemeManager]) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(ui_app[0])
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop: qasync.QEventLoop) -> Callable[..., Any]:
    """run(coroutine, timeout=60): run it on the Qt loop (qasync) until it finishes."""

    def runner(coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return qloop.run_until_complete(asyncio.wait_for(coroutine, timeout))

    return runner


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo company, seeded once: atrium.server.seed.demo.seed_demo (user demo/demo)."""
    from atrium.server.seed.demo import seed_demo

    folder = tmp_path_factory.mktemp("demo-template")
    database = folder / "atrium.db"
    url = f"sqlite:///{database}"
    migrate(url)
    engine = create_db_engine(url, pool_size=2)
    try:
        seed_demo(engine, scale=0, seed=1, out=io.StringIO(), files_dir=folder / "files")
    finally:
        engine.dispose()
    return DemoTemplate(database, folder / "files")


@pytest.fixture
def demo_server(demo_template: DemoTemplate, tmp_path: Path) -> Iterator[RunningServer]:
    """The real server on this test's own copy of the demo database."""
    database = tmp_path / "server.db"
    with sqlite3.connect(demo_template.database) as source, sqlite3.connect(database) as target:
        source.backup(target)
    files = tmp_path / "server-files"
    if demo_template.files.exists():
        shutil.copytree(demo_template.files, files)
    running = start_server(f"sqlite:///{database}", files)
    yield running
    running.stop()


@pytest.fixture
def signed_in_session(demo_server: RunningServer, tmp_path: Path, run: Runner) -> Iterator[DesktopSession]:
    """A Session in a temporary profile, signed in to the demo server as demo/demo (not started)."""
    session = DesktopSession.open(tmp_path / "profile")
    run(session.sign_in(demo_server.url, "demo", DEMO_PASSWORD))
    yield session
    run(session.close())


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where tests save screenshots: $ATRIUM_UI_SCREENSHOTS when set (to look at them), else a temp folder."""
    chosen = os.environ.get("ATRIUM_UI_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def desk(
    qloop: qasync.QEventLoop, demo_server: RunningServer, signed_in_session: DesktopSession
) -> Iterator[Desk]:
    """A signed-in desktop as the shell builds it, for driving one pane (see desk.py)."""
    yield from make_desk(qloop, demo_server, signed_in_session)
