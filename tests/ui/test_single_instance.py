"""One desktop per profile: a second start brings the first to the front; a crash frees the profile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from atrium.ui.main import launch
from atrium.ui.single_instance import LOCK_FILE, SingleInstance

HOLD_A_PROFILE = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from atrium.ui.single_instance import SingleInstance
app = QCoreApplication([])
desktop = SingleInstance(Path(sys.argv[1]))  # held, as the running desktop holds it
print(desktop.claim(), flush=True)
if len(sys.argv) > 2:  # quitting: stop answering at once, let go of the profile a moment later
    desktop.stop_listening()
    print("closing", flush=True)
    time.sleep(float(sys.argv[2]))
    desktop.release()
    sys.exit(0)
time.sleep(60)
"""


def test_a_second_desktop_on_a_profile_brings_the_first_forward_and_stays_out(
    ui_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    first = SingleInstance(tmp_path / "profile")
    asked: list[bool] = []
    first.show_requested.connect(lambda: asked.append(True))
    assert first.claim()
    assert not SingleInstance(tmp_path / "profile").claim()
    qtbot.waitUntil(lambda: asked == [True], timeout=5000)
    assert SingleInstance(tmp_path / "another-profile").claim()  # other people's desktops: no matter
    first.release()
    assert SingleInstance(tmp_path / "profile").claim()  # once the first has quit


def test_launching_again_on_a_running_profile_opens_nothing_and_says_so(
    ui_app: Any, qtbot: Any, tmp_path: Path, capsys: Any
) -> None:
    running = SingleInstance(tmp_path / "profile")
    asked: list[bool] = []
    running.show_requested.connect(lambda: asked.append(True))
    assert running.claim()
    assert launch(tmp_path / "profile") == 0
    assert "already running" in capsys.readouterr().err
    qtbot.waitUntil(lambda: asked == [True], timeout=5000)
    running.release()


def test_a_second_demo_start_brings_the_first_forward_without_starting_a_server(
    ui_app: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from atrium.devtools import demo
    from atrium.ui.main import run_demo

    started: list[str] = []

    def prepare_database(folder: Path) -> str:
        started.append("database")
        return ""

    monkeypatch.setattr(demo, "prepare_database", prepare_database)
    monkeypatch.setattr(demo, "start_server", lambda *args: started.append("server"))
    running = SingleInstance(tmp_path / "demo" / "profile")
    asked: list[bool] = []
    running.show_requested.connect(lambda: asked.append(True))
    assert running.claim()
    assert run_demo(str(tmp_path / "demo")) == 0
    qtbot.waitUntil(lambda: asked == [True], timeout=5000)
    assert started == []  # no second demo server (seeding, a port, a process) for a window already open
    running.release()


def test_a_crashed_desktop_leaves_the_profile_free(ui_app: Any, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_PROFILE, str(profile)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert not SingleInstance(profile).claim()  # while it runs
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    assert (profile / LOCK_FILE).exists()  # left behind by the crash
    assert SingleInstance(profile).claim()


def test_a_start_while_the_desktop_is_closing_waits_and_then_runs(ui_app: Any, tmp_path: Path) -> None:
    """Quit, then start again at once: the new start does not hand its request to a desktop that
    is going away (and end with nothing open); it waits for the profile, then runs."""
    profile = tmp_path / "profile"
    closing = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_PROFILE, str(profile), "1.0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert closing.stdout is not None
        assert [closing.stdout.readline().strip() for _ in range(2)] == ["True", "closing"]
        started = SingleInstance(profile)
        assert started.claim() and not started.unanswered
    finally:
        closing.wait(10)


def test_one_profile_spelled_two_ways_is_one_desktop(tmp_path: Path, monkeypatch: Any) -> None:
    from atrium.ui.single_instance import server_name

    profile = tmp_path / "profile"
    profile.mkdir()
    (tmp_path / "link").symlink_to(profile)
    monkeypatch.chdir(tmp_path)
    assert server_name(Path("profile")) == server_name(profile) == server_name(tmp_path / "link")
    assert server_name(tmp_path / "other") != server_name(profile)
