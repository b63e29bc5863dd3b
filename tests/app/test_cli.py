"""The headless command's terminal output."""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from atrium.app import cli
from atrium.app import session as session_module
from atrium.app.cli import TerminalProgress
from atrium.app.engine import EngineState, EngineStatus
from atrium.app.errors import Offline


def test_a_long_sync_counts_on_one_terminal_line_then_ends_it() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.update(EngineStatus(EngineState.SYNCING))  # before any page: nothing to say
    progress.update(EngineStatus(EngineState.SYNCING, received=5000))
    progress.update(EngineStatus(EngineState.SYNCING, received=10_000))
    progress.update(EngineStatus(EngineState.ONLINE))
    progress.finish()
    assert stream.getvalue() == "\rDownloading… 5,000 items\rDownloading… 10,000 items\n"


def test_a_short_sync_prints_no_progress_line() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.update(EngineStatus(EngineState.SYNCING))
    progress.update(EngineStatus(EngineState.ONLINE))
    progress.finish()
    assert stream.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FailsAfterTwoPages:
    """Fault injection: a sync that reports two pages, then loses the network."""

    def __init__(self, on_status: Callable[[EngineStatus], None]) -> None:
        self.on_status = on_status

    async def sync_once(self, *, retry_now: bool = False) -> None:
        for received in (0, 5000, 10_000):
            self.on_status(EngineStatus(EngineState.SYNCING, received=received))
        raise Offline()


class SessionFailingMidSync:
    problems: ClassVar[list[str]] = []

    @classmethod
    def open(cls, profile: Any) -> SessionFailingMidSync:
        return cls()

    async def start(self, **options: Any) -> FailsAfterTwoPages:
        return FailsAfterTwoPages(options["on_status"])

    async def close(self) -> None:
        pass


def test_a_failing_sync_ends_the_progress_line_before_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(session_module, "Session", SessionFailingMidSync)
    monkeypatch.setattr(sys, "stderr", terminal)
    code = asyncio.run(cli._sync(argparse.Namespace(profile=None)))
    assert code == cli.EXIT_FAILED
    lines = terminal.getvalue().split("\n")
    assert lines[0] == "\rDownloading… 5,000 items\rDownloading… 10,000 items"
    assert lines[1].startswith("atrium: Sync failed: ") and lines[2:] == [""]
