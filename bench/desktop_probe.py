"""Child-process entry point of ``bench/bench_desktop.py``: the real desktop, instrumented from outside.

    python -m bench.desktop_probe startup --profile DIR
    python -m bench.desktop_probe scroll --profile DIR [--items 10000] [--step-px 480] [--frame-ms 8]

Both run ``atrium.ui.main.launch`` — the code path of ``atrium --profile DIR`` — with no edits to
the app: the probe wraps a few of its functions (module attributes) to time them.

``startup`` prints ``phase <name> <seconds since process start>`` lines (imports, QApplication,
session, cache opened by the writer and the reader, first Home query, window built and shown,
first painted Home feed) and quits after the first paint.

``scroll`` waits for the first Home paint, then scrolls the Home feed's scroll bar by STEP_PX
every FRAME_MS (the model fetches pages as the bar reaches its end) until ITEMS rows have been
shown, while a 5 ms precise QTimer records the gaps between its ticks: a gap far above 5 ms is
a stall of the GUI thread. Prints ``result {json}``.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

TICK_MS = 5


def since_start() -> float:
    """Seconds since this process was spawned (/proc/self/stat start time, 10 ms resolution)."""
    after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


# Offsets between perf_counter and "since process start", fixed once (the /proc clock is coarse).
_BASE = since_start() - time.perf_counter()


def mark(name: str) -> None:
    print(f"phase {name} {_BASE + time.perf_counter():.3f}", flush=True)


def timed(name: str, function: Callable[..., Any], *, once: bool = True) -> Callable[..., Any]:
    """FUNCTION, printing ``phase <name>:start`` / ``phase <name>`` around its (first) call."""
    calls = 0

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if once and calls > 1:
            return function(*args, **kwargs)
        mark(f"{name}:start")
        try:
            return function(*args, **kwargs)
        finally:
            mark(name)

    return wrapper


def timed_async(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"{name}:start")
        try:
            return await function(*args, **kwargs)
        finally:
            mark(name)

    return wrapper


# What-ifs: start-up changes tried from outside before proposing them as diffs.
WHATIFS = ["preimport", "defer-engine", "engine-next-tick", "no-rich"]
PRE_IMPORTS = (  # pure-Python modules the desktop needs before its first paint
    "atrium.app.session", "atrium.app.services", "atrium.app.engine", "atrium.cache", "atrium.app.markdown",
    "httpcore", "keyring",
)  # fmt: skip


def instrument(whatifs: frozenset[str] = frozenset()) -> None:
    """Import the desktop as ``atrium`` would (timing each step) and wrap its start-up steps.

    WHATIFS: ``preimport`` imports PRE_IMPORTS before PySide6 (whose ``__feature__`` import hook
    reads the source of every module imported after it); ``defer-engine`` starts the sync engine
    0.5 s after the window instead of with it, ``engine-next-tick`` from a zero-delay timer;
    ``no-rich`` hides rich/click/pygments (absent from a desktop-only install; present here as
    test dependencies, they make ``import httpx`` load its optional command-line tool).
    """
    mark("python")
    import atrium.app.cli  # the `atrium` entry point's own imports

    mark("import atrium.app.cli")
    import atrium.ui.main

    mark("import atrium.ui.main")
    if "no-rich" in whatifs:  # as in a desktop-only install: httpx then skips its optional CLI
        for name in ("rich", "click", "pygments"):
            sys.modules[name] = None  # type: ignore[assignment]
    if "preimport" in whatifs:
        import importlib

        for name in PRE_IMPORTS:
            importlib.import_module(name)
        mark("what-if: pure-Python modules imported before PySide6")
    import qasync  # noqa: F401

    mark("import qasync")
    import atrium.ui.app

    mark("import atrium.ui.app (PySide6, session, httpx, keyring)")
    import atrium.ui.controller as controller

    mark("import atrium.ui.controller (window, dialogs)")
    import atrium.cache
    import atrium.ui.main_window as main_window
    from atrium.app.session import Session

    make_app = timed("QApplication ready", atrium.ui.app.create_application)
    setattr(atrium.ui.app, "create_application", make_app)  # noqa: B010  (launch imports it from here)
    opener = timed("session opened (settings, keyring)", atrium.ui.app.DesktopSession.open)
    setattr(atrium.ui.app.DesktopSession, "open", staticmethod(opener))  # noqa: B010
    start = timed_async("Session.start (writer opens the cache; API client)", Session.start)
    setattr(Session, "start", start)  # noqa: B010
    from atrium.app.api_client import ApiClient
    from atrium.app.writer import CacheWriter

    setattr(CacheWriter, "open", timed_async("writer opened the cache", CacheWriter.open))  # noqa: B010
    setattr(ApiClient, "__init__", timed("API client made (TLS context, httpcore)", ApiClient.__init__))  # noqa: B010
    setattr(controller, "open_cache", timed("reader opened the cache", controller.open_cache))  # noqa: B010
    setattr(atrium.cache, "personal_feed", timed("first Home query", atrium.cache.personal_feed))  # noqa: B010
    pane = timed("Home pane built (import + first query + model)", main_window.build_pane)
    setattr(main_window, "build_pane", pane)  # noqa: B010
    from atrium.app.engine import SyncEngine

    engine_start = SyncEngine.start

    def start_engine(engine: SyncEngine) -> None:
        from PySide6.QtCore import QTimer

        if "engine-next-tick" in whatifs:

            def next_tick() -> None:
                mark("engine started (what-if: QTimer.singleShot(0) after show)")
                engine_start(engine)

            QTimer.singleShot(0, next_tick)
            return
        if "defer-engine" not in whatifs:
            mark("engine started")
            engine_start(engine)
            return

        def later() -> None:
            mark("engine started (what-if: 0.5 s after the window)")
            engine_start(engine)

        QTimer.singleShot(500, later)

    setattr(SyncEngine, "start", start_engine)  # noqa: B010
    seen: set[str] = set()
    deliver = controller.AppController._deliver_status

    def deliver_status(self: Any, status: Any) -> None:
        name = f"engine {status.state.value if hasattr(status.state, 'value') else status.state}"
        if name not in seen:
            seen.add(name)
            mark(name)
        deliver(self, status)

    setattr(controller.AppController, "_deliver_status", deliver_status)  # noqa: B010
    window_class = controller.MainWindow

    def make_window(*args: Any, **kwargs: Any) -> Any:
        mark("main window:start")
        window = window_class(*args, **kwargs)
        mark("main window")
        original_show = window.show

        def show() -> None:
            original_show()
            mark("window shown")

        setattr(window, "show", show)  # noqa: B010
        return window

    setattr(controller, "MainWindow", make_window)  # noqa: B010


# --- scrolling ----------------------------------------------------------------------------------


SPENT: dict[str, float] = {}  # ms of GUI-thread CPU time per activity (see attribute_scrolling)
MEASURED: list[int] = []  # the width of every card measured (rendered) outside idle-time preparation


def spend(category: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """FUNCTION, adding its CPU time to SPENT[CATEGORY] (outermost calls only)."""
    depth = {"n": 0}

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if depth["n"]:
            return function(*args, **kwargs)
        depth["n"] += 1
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth["n"] -= 1
            SPENT[category] = SPENT.get(category, 0.0) + (time.thread_time() - started) * 1000

    return wrapper


GC_PAUSES: list[tuple[int, float]] = []  # (generation, ms) of each cyclic garbage collection


def watch_gc() -> None:
    """Record every collection of Python's cyclic garbage collector (a pause of the GUI thread)."""
    import gc

    started = {"at": 0.0}

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
        else:
            GC_PAUSES.append((info["generation"], (time.perf_counter() - started["at"]) * 1000))

    gc.callbacks.append(callback)


def attribute_scrolling() -> None:
    """Before the window exists: time the feed's Python work by kind, so each stall can be explained.

    ``query``: the model's page reads (fetchMore's read-ahead); ``measure``: card sizes the view
    asked for that were not prepared yet (Markdown render + text layout inside sizeHint);
    ``warm``: idle-time card preparation; ``paint``: painting cards. The rest of a gap is Qt's
    own work (the relayout, the backing store) and the event loop.
    """
    from atrium.ui.widgets.feed_delegate import FeedDelegate
    from atrium.ui.widgets.feed_model import FeedModel
    from atrium.ui.widgets.feed_view import FeedView

    prepare = FeedDelegate.prepare

    def prepare_counted(self: Any, option: Any, post: Any) -> Any:
        known = len(self._heights)
        started = time.thread_time()
        try:
            return prepare(self, option, post)
        finally:
            if len(self._heights) != known:  # a miss: rendered and measured now
                key = "warm:misses" if SPENT.get("_in_warm") else "measure"
                SPENT[key] = SPENT.get(key, 0.0) + (time.thread_time() - started) * 1000
                if key == "measure":
                    MEASURED.append(self._width(option))

    setattr(FeedDelegate, "prepare", prepare_counted)  # noqa: B010
    setattr(FeedDelegate, "paint", spend("paint", FeedDelegate.paint))  # noqa: B010
    warm = FeedView._warm_one

    def warm_one(self: Any) -> None:
        SPENT["_in_warm"] = 1.0
        try:
            spend("warm", warm)(self)
        finally:
            SPENT["_in_warm"] = 0.0

    setattr(FeedView, "_warm_one", warm_one)  # noqa: B010
    setattr(FeedModel, "read_ahead", spend("query", FeedModel.read_ahead))  # noqa: B010


class StallMeter:
    """A precise TICK_MS timer on the GUI thread; every gap between its ticks is recorded (ms),
    with the SPENT time of each activity since the previous tick."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.where: list[int] = []  # the model's row count at each gap
        self.spent: list[dict[str, float]] = []  # SPENT per activity during each gap
        self.cpu: list[float] = []  # CPU time of this (the GUI) thread during each gap, ms
        self.frozen: Callable[[], bool] = lambda: False  # is the feed's picture frozen now?
        self.frozen_spans: list[float] = []  # ms the picture stayed frozen, each time
        self._frozen_since: float | None = None
        self._last_cpu = 0.0
        self._snapshot: dict[str, float] = {}
        self.rows: Callable[[], int] = lambda: 0
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._snapshot = dict(SPENT)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        if self.frozen():
            self._frozen_since = self._frozen_since or now
        elif self._frozen_since is not None:
            self.frozen_spans.append((now - self._frozen_since) * 1000)
            self._frozen_since = None
        self.gaps.append((now - self._last) * 1000)
        self.cpu.append((cpu - self._last_cpu) * 1000)
        self._last_cpu = cpu
        self.where.append(self.rows())
        self.spent.append({key: round(value - self._snapshot.get(key, 0.0), 1) for key, value in SPENT.items()
                           if not key.startswith("_") and value - self._snapshot.get(key, 0.0) >= 0.05})  # fmt: skip
        self._snapshot = dict(SPENT)
        self._last = now


class KeepScrollPosition:
    """What-if for a Batched QListView: keep the scroll position while rows appended by fetchMore are laid out.

    Qt lays the whole list out again after an insert, a batch per event-loop pass from row 0, and
    sets the scroll range after the first batch: the value is clamped to it and not restored, so
    the list jumps back to row ~batchSize. This remembers the value when rows are about to be
    inserted, freezes the viewport's painting, and restores the value (and painting) as soon as
    the range has grown back past it.
    """

    def __init__(self, view: Any) -> None:
        from PySide6.QtCore import QTimer

        self.view = view
        self.bar = view.verticalScrollBar()
        self.saved: int | None = None
        self.frozen_ms: list[float] = []
        self._since = 0.0
        self._safety = QTimer(singleShot=True, interval=2000)
        self._safety.timeout.connect(lambda: self._thaw(None))
        view.model().rowsAboutToBeInserted.connect(self._save)
        self.bar.rangeChanged.connect(self._range_changed)

    def _save(self, *_args: Any) -> None:
        if self.saved is None and self.bar.value() > 0:
            self.saved = self.bar.value()
            self._since = time.perf_counter()
            self.view.viewport().setUpdatesEnabled(False)
            self._safety.start()

    def _range_changed(self, _low: int, high: int) -> None:
        if self.saved is not None and high >= self.saved:
            self._thaw(self.saved)

    def _thaw(self, value: int | None) -> None:
        if self.saved is None:
            return
        self.saved = None
        self._safety.stop()
        if value is not None:
            self.bar.setValue(value)
        self.view.viewport().setUpdatesEnabled(True)
        self.frozen_ms.append((time.perf_counter() - self._since) * 1000)


async def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    import asyncio

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def scroll_driver(
    items: int, step_px: int, frame_ms: float, timeout: float, layout: str = "as-is", gc_freeze: bool = False
) -> Callable[[Any], Any]:
    """The driver coroutine for ``launch``: scroll Home through ITEMS posts and print the stalls.

    LAYOUT (what-ifs for the feed view): ``as-is``, ``single`` (SinglePass), ``batch:N`` or ``keep``
    (KeepScrollPosition).
    """

    async def drive(controller: Any) -> int:
        import asyncio

        from PySide6.QtCore import QPoint

        ready = await wait_for(
            lambda: controller.window is not None and "home" in controller.window.panes, 60
        )
        if not ready:
            print("result " + orjson.dumps({"error": "the Home pane did not appear"}).decode(), flush=True)
            return 1
        mark("window up")
        if gc_freeze:  # what-if: what start-up made is never collected again (shorter full collections)
            import gc

            gc.freeze()
        home = controller.window.panes["home"]
        view, model = home.feed, home.model
        await asyncio.sleep(1.0)  # the first paint, the engine's first sync (nothing new), idle warm-up
        queries: list[float] = []
        query = model._query

        def timed_query(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return query(*args)
            finally:
                queries.append((time.perf_counter() - started) * 1000)

        model._query = timed_query
        keeper: KeepScrollPosition | None = None
        if layout == "single":  # what-if: the whole list laid out in one pass after each page
            from PySide6.QtWidgets import QListView

            view.setLayoutMode(QListView.LayoutMode.SinglePass)
        elif layout.startswith("batch:"):
            view.setBatchSize(int(layout.removeprefix("batch:")))
        elif layout == "keep":
            keeper = KeepScrollPosition(view)
        bar = view.verticalScrollBar()
        jumps: list[int] = []  # the bar moved back on its own (a relayout lost the scroll position)
        expected = {"value": 0}
        meter = StallMeter()
        meter.rows = model.rowCount
        meter.frozen = lambda: not view.viewport().updatesEnabled()

        def last_visible_row() -> int:
            viewport = view.viewport()
            index = view.indexAt(QPoint(viewport.width() // 2, viewport.height() - 2))
            return index.row() if index.isValid() else model.rowCount() - 1

        reached = 0
        steps = 0
        idle_since = time.monotonic()
        started = time.perf_counter()
        GC_PAUSES.clear()
        meter.start()
        while reached + 1 < items:
            if bar.value() < expected["value"] - step_px and view.viewport().updatesEnabled():
                jumps.append(expected["value"] - bar.value())  # and shown (a frozen picture hides it)
            bar.setValue(bar.value() + step_px)
            expected["value"] = bar.value()
            steps += 1
            await asyncio.sleep(frame_ms / 1000)
            row = last_visible_row()
            if row > reached:
                reached = row
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > timeout:
                break  # the feed ended (or stopped growing)
        meter.stop()
        seconds = time.perf_counter() - started
        gaps = sorted(meter.gaps)
        worst = max(range(len(meter.gaps)), key=meter.gaps.__getitem__) if meter.gaps else -1
        queries.sort()
        result = {
            "items_reached": reached + 1,
            "rows_loaded": model.rowCount(),
            "exhausted": bool(getattr(model, "_exhausted", not model.canFetchMore())),
            "steps": steps,
            "seconds": round(seconds, 2),
            "ticks": len(gaps),
            "max_gap_ms": round(gaps[-1], 1) if gaps else None,
            "p99_gap_ms": round(gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))], 1) if gaps else None,
            "p50_gap_ms": round(gaps[len(gaps) // 2], 1) if gaps else None,
            "gaps_over_50ms": sum(1 for gap in gaps if gap > 50),
            "max_gap_cpu_ms": round(max(meter.cpu, default=0.0), 1),
            "p99_gap_cpu_ms": round(sorted(meter.cpu)[min(len(meter.cpu) - 1, int(len(meter.cpu) * 0.99))], 1)
            if meter.cpu
            else None,
            "gaps_cpu_over_50ms": sum(1 for cpu in meter.cpu if cpu > 50),
            "gaps_over_16ms": sum(1 for gap in gaps if gap > 16.7),
            "worst_at_rows": meter.where[worst] if worst >= 0 else None,
            "gc": {
                f"gen{generation}": [
                    sum(1 for g, _ in GC_PAUSES if g == generation),
                    round(max((ms for g, ms in GC_PAUSES if g == generation), default=0.0), 1),
                ]
                for generation in range(3)
            },
            "spent_ms": {
                key: round(sum(gap.get(key, 0.0) for gap in meter.spent))
                for key in SPENT
                if not key.startswith("_")
            },
            "top_gaps": [
                [round(meter.gaps[i], 1), round(meter.cpu[i], 1), meter.where[i], meter.spent[i]]
                for i in sorted(range(len(meter.gaps)), key=meter.gaps.__getitem__)[-8:]
            ],
            "queries": len(queries),
            "query_p50_ms": round(queries[len(queries) // 2], 2) if queries else None,
            "query_max_ms": round(queries[-1], 2) if queries else None,
            "viewport": [view.viewport().width(), view.viewport().height()],
            "bar_at_end": [bar.value(), bar.maximum()],
            "layout": f"{view.layoutMode().name} batch {view.batchSize()}",
            "jumps_back": len(jumps),
            "frozen_ms": sorted(round(ms) for ms in meter.frozen_spans)[-5:],
            "frozen_count": len(meter.frozen_spans),
            "keep_whatif": keeper is not None,  # (also keeps the what-if object alive until here)
            "largest_jump_px": max(jumps, default=0),
        }
        print("result " + orjson.dumps(result).decode(), flush=True)
        return 0

    return drive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["startup", "scroll"])
    parser.add_argument("--layout", default="as-is", help="scroll what-if: as-is, single, batch:N or keep")
    parser.add_argument("--gc-freeze", action="store_true", help="scroll what-if: gc.freeze() after start-up")
    parser.add_argument("--whatif", action="append", choices=WHATIFS, default=[])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--step-px", type=int, default=480, help="pixels per scroll step")
    parser.add_argument("--frame-ms", type=float, default=8.0, help="pause between scroll steps")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="stop when no new row shows for this long"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.mode == "startup":
        os.environ["ATRIUM_BENCH_FIRST_PAINT"] = "1"
        os.environ["ATRIUM_BENCH_QUIT_AFTER_PAINT"] = "1"
        instrument(frozenset(args.whatif))
        attribute_scrolling()
        mark("feed widgets imported (early: the probe wraps them)")
        from atrium.ui.main import launch

        try:
            return launch(args.profile)
        finally:  # everything up to the quit that follows the first paint
            widths = {width: MEASURED.count(width) for width in sorted(set(MEASURED))}
            print(f"measured {len(MEASURED)} cards during start-up ({SPENT.get('measure', 0.0):.0f} ms CPU) "
                  f"at viewport widths {widths}; warm-up {SPENT.get('warm', 0.0):.0f} ms", flush=True)  # fmt: skip
    from atrium.ui.main import launch

    attribute_scrolling()
    watch_gc()
    driver = scroll_driver(args.items, args.step_px, args.frame_ms, args.timeout, args.layout, args.gc_freeze)
    return launch(args.profile, driver=driver)


if __name__ == "__main__":
    sys.exit(main())
