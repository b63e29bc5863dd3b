"""The headless command's terminal output."""

from __future__ import annotations

import io

from atrium.app.cli import TerminalProgress
from atrium.app.engine import EngineState, EngineStatus


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
