"""``atrium`` with no subcommand: the desktop window; also ``--demo``, ``--demo-server URL`` and ``--self-test``.

``atrium.app.cli`` imports this lazily, so the headless commands never load Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from .display import display_problem

DEMO_USER = "demo"
DEMO_PASSWORD_ENV = "ATRIUM_DEMO_PASSWORD"
Driver = Callable[[Any], Awaitable[int]]  # given the AppController; returns the exit code
PRE_QT_IMPORTS = (  # no Qt in these; httpx imports httpcore only when the API client is made
    "httpcore", "keyring", "atrium.cache", "atrium.app.markdown", "atrium.app.session",
    "atrium.app.services", "atrium.app.engine",
)  # fmt: skip
# Benchmarks only (bench/bench_desktop.py): print "first-home-paint <s since process start> monotonic=<s>
# cpu=<s of CPU used>" when the Home feed first paints its cards; with BENCH_QUIT_ENV=1, then quit.
BENCH_PAINT_ENV = "ATRIUM_BENCH_FIRST_PAINT"
BENCH_QUIT_ENV = "ATRIUM_BENCH_QUIT_AFTER_PAINT"


def run_desktop(args: argparse.Namespace) -> int:
    """Run the desktop as the command line asks; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="atrium: %(levelname)s %(name)s: %(message)s")
    if getattr(args, "self_test", False):
        from .selftest import run_self_test

        return run_self_test(getattr(args, "screenshot_dir", None))
    if getattr(args, "demo", False):
        return run_demo(args.profile)
    auto = None
    if getattr(args, "demo_server", None):
        from .app import AutoSignIn

        auto = AutoSignIn(args.demo_server, DEMO_USER, os.environ.get(DEMO_PASSWORD_ENV, "demo"))
    return launch(args.profile, auto_sign_in=auto)


def launch(profile: str | os.PathLike[str] | None, *, auto_sign_in: Any = None, policy_source: Any = None,
           driver: Driver | None = None, session: Any = None, listen_events: bool = True,
           sign_in_from: Callable[[], AbstractContextManager[Any]] | None = None) -> int:  # fmt: skip
    """Create the app, run the controller on a qasync loop until it ends, and return its exit code.

    DRIVER (the self-test) runs beside the controller and decides the exit code. A desktop already
    running on the profile is brought to the front instead (single_instance.py), and this returns 0.
    SIGN_IN_FROM, entered only once this desktop holds the profile, yields the AUTO_SIGN_IN to use
    and is left when the desktop ends (``--demo`` starts and stops its server there).
    """
    problem = display_problem()
    if problem is not None:
        print(f"atrium: {problem}", file=sys.stderr)
        return 1
    _import_before_qt()
    from .app import DesktopSession, create_application
    from .single_instance import SingleInstance

    app, theme = create_application(sys.argv[:1])
    session = session or DesktopSession.open(profile, policy_source)
    instance = SingleInstance(session.profile.root)
    if not instance.claim():
        if instance.unanswered:
            print("atrium: Atrium is already running with this profile but does not answer; "
                  "quit it (or end its process) and start again.", file=sys.stderr)  # fmt: skip
            return 1
        print("atrium: Atrium is already running with this profile; its window was brought to the front.",
              file=sys.stderr)  # fmt: skip
        return 0
    try:
        with sign_in_from() if sign_in_from else nullcontext(auto_sign_in) as sign_in:
            return _run(app, theme, session, instance, sign_in, driver, listen_events)
    finally:
        instance.release()


def _run(app: Any, theme: Any, session: Any, instance: Any, auto_sign_in: Any, driver: Driver | None,
         listen_events: bool) -> int:  # fmt: skip
    """``launch`` once this desktop holds the profile."""
    import qasync

    from .controller import AppController

    controller = AppController(session, theme, auto_sign_in=auto_sign_in, listen_events=listen_events)
    instance.show_requested.connect(controller.bring_to_front)
    controller.quitting.connect(instance.stop_listening)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    _quit_on_interrupt(controller)
    if os.environ.get(BENCH_PAINT_ENV) == "1":
        _report_first_home_paint(app, controller)

    async def main() -> int:
        running = asyncio.ensure_future(controller.run())
        if driver is None:
            return await running
        try:
            code = await driver(controller)
        except Exception:
            logging.getLogger("atrium.ui").exception("the driver failed")
            code = 1
        controller.request_quit(code)
        await running
        return code

    with loop:
        task = loop.create_task(main())
        try:
            return int(loop.run_until_complete(task))
        except RuntimeError:
            if task.done():
                raise
            # Qt quit from outside (e.g. the session ended): finish the shutdown on a running loop.
            return int(loop.run_until_complete(task))


def _import_before_qt() -> None:
    """Import the desktop's pure-Python modules before PySide6 (qasync loads it): once PySide6 is
    loaded, its ``__feature__`` import hook reads the source of every module imported after it
    (``inspect.getsource``), ~0.1 s of start-up for these (bench/bench_desktop.py, what-if preimport)."""
    import importlib

    for name in PRE_QT_IMPORTS:
        importlib.import_module(name)


def _quit_on_interrupt(controller: Any) -> None:
    """Ctrl+C in the terminal quits cleanly; a timer gives Python a chance to see the signal."""
    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_: controller.request_quit(130))
    ticker = QTimer(controller)
    ticker.timeout.connect(lambda: None)
    ticker.start(300)


def _report_first_home_paint(app: Any, controller: Any) -> None:
    """BENCH_PAINT_ENV: once the Home feed's viewport has painted with rows in it, print the moment.

    An application event filter sees the paint event arrive; a zero-delay timer then fires after
    that paint (and the delegate's card rendering) has finished. The filter removes itself.
    """
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QAbstractItemView

    def report() -> None:
        cpu = os.times()
        print(f"first-home-paint {_seconds_since_process_start():.3f} monotonic={time.monotonic():.6f} "
              f"cpu={cpu.user + cpu.system:.3f}", flush=True)  # fmt: skip
        if os.environ.get(BENCH_QUIT_ENV) == "1":
            controller.request_quit(0)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() != QEvent.Type.Paint:
                return False
            view = watched.parent()
            if not isinstance(view, QAbstractItemView) or view.objectName() != "feed-view":
                return False
            model, window = view.model(), controller.window
            home = window is not None and window.current_key == "home"
            if view.viewport() is watched and model is not None and model.rowCount() > 0 and home:
                app.removeEventFilter(self)
                QTimer.singleShot(0, report)
            return False

    app.installEventFilter(FirstPaint(app))


def _seconds_since_process_start() -> float:
    """Seconds since this process was spawned (from /proc/self/stat, 10 ms steps; -1 where there is none)."""
    import time

    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time in clock ticks
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return -1.0


def run_demo(profile: str | None) -> int:
    """``atrium --demo``: a local demo server with demo content, and the desktop signed in to it."""
    from atrium.app.profile import Profile
    from atrium.devtools import demo

    from .app import AutoSignIn

    folder = Path(profile).resolve() if profile else Profile.locate(None).root / "demo"

    @contextmanager
    def demo_server() -> Iterator[AutoSignIn]:
        """Started once this desktop holds the profile: a second ``--demo`` only brings the first forward."""
        url = demo.prepare_database(folder)
        port = demo.pick_port(demo.DEFAULT_PORT)
        server = demo.start_server(url, port, folder / "files")
        try:
            yield AutoSignIn(f"http://127.0.0.1:{port}", DEMO_USER, demo.DEMO_PASSWORD)
        finally:
            demo.stop_server(server)

    return launch(folder / "profile", sign_in_from=demo_server)
