"""Without a display the desktop and `make run` say so plainly, before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is how Linux finds one")


def run_without_display(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` with no display in its environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", module, *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_desktop_without_a_display_says_so(tmp_path: Path) -> None:
    done = run_without_display("atrium.app.cli", "--profile", str(tmp_path / "profile"))
    assert done.returncode == 1
    assert "no display to open Atrium's window on" in done.stderr
    assert "platform plugin" not in done.stderr


def test_make_run_without_a_display_stops_before_the_server_starts(tmp_path: Path) -> None:
    done = run_without_display("atrium.devtools.demo", "--dir", str(tmp_path / "demo"))
    assert done.returncode == 1
    assert "no display" in done.stderr and "make server" in done.stderr
    assert "Atrium demo server" not in done.stdout
