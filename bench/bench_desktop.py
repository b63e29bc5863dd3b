"""Desktop benchmarks (issue 4) on a warm cache of the ``--scale`` dataset.

1. cold start: ``atrium --profile DIR`` spawned with ``QT_QPA_PLATFORM=offscreen`` and
   ``ATRIUM_BENCH_FIRST_PAINT=1`` until it prints ``first-home-paint``; median and p90 of
   ``--runs`` launches (target < 1.0 s), with the server running (the app must still paint from
   the cache without waiting for it);
2. RSS of that child after the first paint + 2 s idle (target < 200 MB);
3. scrolling the Home feed through ``--items`` posts in a child process that builds the real
   ``MainWindow`` as the app does (``bench/desktop_probe.py``), measuring the longest GUI-thread
   stall with a 5 ms ticker (target max < 50 ms) — in wall time and in the GUI thread's CPU time
   (the latter is not inflated when other processes load the machine) — with the GUI time of
   each gap split by activity (page queries, card measuring, idle warm-up, painting), and the
   times the scroll position was lost; ``--scroll-layouts`` adds view what-ifs;
4. where start-up time goes: ``python -X importtime`` top entries, the probe's phase marks, and
   (``--only whatif``) start-up what-ifs tried from outside before proposing them as diffs.

Children run atrium from .pyc files kept under ``<folder>/pycache`` (see ``child_env``), as an
installed app would; ``--no-bytecode`` measures this environment's compile-every-launch instead.

The server database, the demo user's profile and its synced cache live in ``--folder``
(default ``/tmp/atrium-desktop-bench``) and are reused between runs; ``--rebuild`` starts over.

    python -m bench.bench_desktop [--rebuild] [--scale 100000] [--runs 10] [--items 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from atrium.app.account import Account, load_account, save_account
from atrium.app.api_connection import normalise_base_url
from atrium.app.session import TEST_KEYRING_ENV, credential_store
from bench.common import (
    issue_tokens,
    make_dataset,
    percentile,
    print_machine,
    rss_kib,
    server_process,
    wait_for_quiet,
)
from tests.harness import prepare_database

DEFAULT_FOLDER = Path("/tmp/atrium-desktop-bench")
READY_FILE = "ready.json"
PAINT_LINE = re.compile(r"^first-home-paint (?P<seconds>[0-9.]+)", re.MULTILINE)
START_TIMEOUT = 60.0
TICK_MS_TEXT = "5 ms"
WHATIF_SETS = [  # bench/desktop_probe.py explains each
    ("no-rich",),
    ("preimport",),
    ("engine-next-tick",),
    ("defer-engine",),
    ("no-rich", "preimport", "engine-next-tick"),
]
PARTS = ["start", "rss", "phases", "imports", "scroll", "offline"]


@dataclass(frozen=True)
class Bench:
    """The reusable bench folder: server database, attachment files, profile and test keyring."""

    folder: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.folder / 'server.db'}"

    @property
    def files(self) -> Path:
        return self.folder / "files"

    @property
    def profile(self) -> Path:
        return self.folder / "profile"

    @property
    def keyring(self) -> Path:
        return self.folder / "keyring.cfg"

    @property
    def ready(self) -> Path:
        return self.folder / READY_FILE

    def facts(self) -> dict[str, object]:
        return dict(orjson.loads(self.ready.read_bytes())) if self.ready.exists() else {}


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


BYTECODE = {"on": True}  # --no-bytecode turns it off for every child


def child_env(bench: Bench, **extra: str) -> dict[str, str]:
    """The environment of a desktop child: offscreen Qt, the bench keyring, no user config.

    Bytecode: an installed app (wheel, PyInstaller) runs from .pyc files, but this environment sets
    PYTHONDONTWRITEBYTECODE and the editable checkout has none, so every launch would compile
    ``atrium`` from source. Children keep .pyc files under ``<folder>/pycache`` instead
    (PYTHONPYCACHEPREFIX: nothing is written into the checkout) unless --no-bytecode.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", TEST_KEYRING_ENV: str(bench.keyring)}
    env.pop("ATRIUM_PROFILE", None)
    if BYTECODE["on"]:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bench.folder / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    env.update(extra)
    return env


# --- the warm cache ---------------------------------------------------------------------------


def prepare(bench: Bench, scale: int, rebuild: bool) -> None:
    """Build the server database and sync the demo user's profile once; reuse them afterwards."""
    facts = bench.facts()
    if not rebuild and facts.get("scale") == scale and (bench.profile / "cache.db").exists():
        print(f"dataset: reusing {bench.folder} (scale {scale}, built {facts.get('built')})", flush=True)
        return
    if bench.folder.exists():
        shutil.rmtree(bench.folder)
    bench.folder.mkdir(parents=True)
    url = prepare_database(bench.database_url)
    dataset = make_dataset(url, bench.files, scale=scale)
    print(
        f"dataset: {dataset.feed_rows} feed rows ({dataset.source}), built in {dataset.seconds:.0f} s",
        flush=True,
    )
    handle, user_id, token = issue_tokens(url, ["demo"])[0]
    account = Account(
        server="", handle=handle, user_id=user_id, device_id="bench-desktop", display_name="Demo"
    )
    save_account(bench.profile, account)
    (bench.folder / "token").write_text(token)
    with running_server(bench) as api:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "atrium.app.cli", "sync", "--once", "--profile", str(bench.profile)],
            capture_output=True, text=True, env=child_env(bench),
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"atrium sync --once failed: {result.stderr}")
        print(f"first sync of the demo profile: {time.perf_counter() - started:.0f} s ({api})", flush=True)
    size = (bench.profile / "cache.db").stat().st_size
    facts = {"scale": scale, "built": time.strftime("%Y-%m-%d %H:%M"), "feed_rows": dataset.feed_rows,
             "cache_bytes": size}  # fmt: skip
    bench.ready.write_bytes(orjson.dumps(facts))
    print(f"warm cache: {size / 2**20:.0f} MiB at {bench.profile / 'cache.db'}", flush=True)


@contextlib.contextmanager
def running_server(bench: Bench) -> Iterator[str]:
    """The bench server on a free port; the profile's account and keyring are pointed at it."""
    with server_process(bench.database_url, bench.files) as (_pid, api):
        server = normalise_base_url(api)
        account = load_account(bench.profile)
        assert account is not None, "the bench profile has no account.json"
        save_account(bench.profile, Account(server=server, handle=account.handle, user_id=account.user_id,
                                            device_id=account.device_id, display_name=account.display_name))  # fmt: skip
        os.environ[TEST_KEYRING_ENV] = str(bench.keyring)
        credential_store().save(server, account.handle, (bench.folder / "token").read_text())
        yield server


# --- cold start and RSS -----------------------------------------------------------------------


@dataclass
class Launch:
    seconds: float  # process spawn to the first painted Home feed
    cpu: float  # CPU seconds (user + system, all threads) the child had used by then
    rss_kib: int = 0  # VmRSS after the paint + IDLE seconds (0 when not asked)
    hwm_kib: int = 0
    exit_code: int | None = None


def launch_desktop(bench: Bench, *, idle: float | None = None, importtime: Path | None = None) -> Launch:
    """Spawn ``atrium --profile`` until ``first-home-paint``; with IDLE, sample its RSS that much later.

    The child quits by itself after the paint (ATRIUM_BENCH_QUIT_AFTER_PAINT) or, when sampling
    RSS, on SIGINT: either way it shuts down cleanly, so the next start skips the cache's full check.
    """
    env = child_env(bench, ATRIUM_BENCH_FIRST_PAINT="1", ATRIUM_BENCH_QUIT_AFTER_PAINT="0" if idle else "1")
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "atrium.app.cli",
               "--profile", str(bench.profile)]  # fmt: skip
    errors = (importtime or bench.folder / "desktop-stderr.log").open("w")
    spawned = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env, text=True)
    try:
        assert process.stdout is not None
        line = wait_for_line(process, PAINT_LINE, START_TIMEOUT)
        match = re.search(r"monotonic=(?P<at>[0-9.]+) cpu=(?P<cpu>[0-9.]+)", line)
        assert match is not None, line
        result = Launch(float(match["at"]) - spawned, float(match["cpu"]))
        if idle:
            time.sleep(idle)
            result.rss_kib, result.hwm_kib = rss_kib(process.pid)
            process.send_signal(signal.SIGINT)
        result.exit_code = process.wait(timeout=30)
        return result
    finally:
        errors.close()
        if process.poll() is None:
            process.kill()
            process.wait()
            print("  (a desktop child had to be killed: the next start runs the cache's full check)")


def wait_for_line(process: subprocess.Popen[str], pattern: re.Pattern[str], timeout: float) -> str:
    """The first line of PROCESS's stdout matching PATTERN; SystemExit if it exits or times out first."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            line = process.stdout.readline()
            if not line:
                break
            if pattern.search(line):
                return line
            seen.append(line)
    process.kill()
    raise SystemExit(
        f"the desktop did not paint its Home feed (exit {process.wait()}): {''.join(seen)[-2000:]}"
    )


def cold_starts(bench: Bench, runs: int, label: str) -> list[float]:
    """One warm-up launch (page cache, .pyc), then RUNS timed launches; prints the figure."""
    launch_desktop(bench)
    launches = [launch_desktop(bench) for _ in range(runs)]
    times = sorted(launch.seconds for launch in launches)
    cpu = statistics.median(launch.cpu for launch in launches)
    verdict = "meets" if statistics.median(times) < 1.0 else "MISSES"
    print(f"cold start to first painted Home feed ({label}): median {statistics.median(times):.3f} s, "
          f"p90 {percentile(times, 90):.3f} s, min {times[0]:.3f} s, max {times[-1]:.3f} s "
          f"over {runs} runs (CPU used by then: median {cpu:.3f} s) — {verdict} the < 1.0 s target "
          f"[load {load()}]", flush=True)  # fmt: skip
    return times


def resident_memory(bench: Bench, runs: int, idle: float) -> None:
    samples = sorted(
        (launch_desktop(bench, idle=idle) for _ in range(runs)), key=lambda launch: launch.rss_kib
    )
    middle = samples[len(samples) // 2]
    verdict = "meets" if middle.rss_kib < 200 * 1024 else "MISSES"
    print(f"RSS after first paint + {idle:.0f} s idle: median {middle.rss_kib / 1024:.0f} MiB "
          f"(runs: {', '.join(f'{s.rss_kib / 1024:.0f}' for s in samples)} MiB; peak VmHWM "
          f"{max(s.hwm_kib for s in samples) / 1024:.0f} MiB) — {verdict} the < 200 MB target [load {load()}]",
          flush=True)  # fmt: skip


# --- where the time goes ----------------------------------------------------------------------


def import_profile(bench: Bench, top: int) -> None:
    """``python -X importtime``: the slowest imports (cumulative, and self time) of one launch."""
    log = bench.folder / "importtime.log"
    launch_desktop(bench, importtime=log)
    rows: list[tuple[int, int, str]] = []
    for line in log.read_text().splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]), int(parts[1]), parts[2].rstrip()))
    total = sum(own for own, _, _ in rows)
    print(f"imports (python -X importtime, one launch): {len(rows)} modules, {total / 1e6:.2f} s in total "
          f"[load {load()}]; slowest top-level and package imports (cumulative):")  # fmt: skip
    shown = 0
    for _own, cumulative, name in sorted(rows, key=lambda row: -row[1]):
        depth = (len(name) - len(name.lstrip(" "))) // 2
        if depth <= 2:
            print(f"  {cumulative / 1000:7.0f} ms  {name}")
            shown += 1
            if shown >= top:
                break
    print("  slowest by self time:")
    for own, _cumulative, name in sorted(rows, key=lambda row: -row[0])[:top]:
        print(f"  {own / 1000:7.0f} ms  {name.strip()}")


def probe_startup(bench: Bench, whatifs: tuple[str, ...] = ()) -> dict[str, float]:
    """One ``desktop_probe startup`` launch: {phase: seconds since spawn}, ``first Home paint`` last."""
    command = [sys.executable, "-m", "bench.desktop_probe", "startup", "--profile", str(bench.profile)]
    for whatif in whatifs:
        command += ["--whatif", whatif]
    result = subprocess.run(command, capture_output=True, text=True, env=child_env(bench), timeout=120)
    moments: dict[str, float] = {}
    for line in result.stdout.splitlines():
        parts = line.split(" ")
        if parts[0] == "phase":
            moments.setdefault(" ".join(parts[1:-1]), float(parts[-1]))
        elif parts[0] == "first-home-paint":
            moments["first Home paint"] = float(parts[1])
            moments["cpu"] = float(parts[3].removeprefix("cpu="))
    if result.returncode != 0 or "first Home paint" not in moments:
        raise SystemExit(f"desktop_probe startup failed (exit {result.returncode}): {result.stderr[-1500:]}")
    return moments


def startup_phases(bench: Bench, runs: int, whatifs: tuple[str, ...] = ()) -> None:
    """``desktop_probe startup`` RUNS times: the median moment (since spawn) of each start-up phase."""
    samples = [probe_startup(bench, whatifs) for _ in range(runs)]
    seen = list(dict.fromkeys(name for sample in samples for name in sample if name != "cpu"))
    names = sorted(seen, key=lambda name: (statistics.median(s[name] for s in samples if name in s),
                                           seen.index(name)))  # fmt: skip
    label = f" with what-if {', '.join(whatifs)}" if whatifs else ""
    print(f"start-up phases{label} (bench.desktop_probe startup, median of {runs}; seconds since spawn; "
          f"+ms since the previous line) [load {load()}]:")  # fmt: skip
    previous = 0.0
    for name in names:
        at = statistics.median(sample[name] for sample in samples if name in sample)
        print(f"  {at:6.3f} s  (+{(at - previous) * 1000:4.0f} ms)  {name}")
        previous = at
    print(
        f"  CPU used by the first paint: median {statistics.median(sample['cpu'] for sample in samples):.3f} s"
    )


def whatif_comparison(bench: Bench, runs: int, whatifs: list[tuple[str, ...]]) -> None:
    """Alternate plain launches with each what-if (so load changes hit all alike); first-paint medians."""
    variants: list[tuple[str, ...]] = [(), *whatifs]
    paints: dict[tuple[str, ...], list[float]] = {variant: [] for variant in variants}
    cpus: dict[tuple[str, ...], list[float]] = {variant: [] for variant in variants}
    for _ in range(runs):
        for variant in variants:
            moments = probe_startup(bench, variant)
            paints[variant].append(moments["first Home paint"])
            cpus[variant].append(moments["cpu"])
    print(f"what-ifs (first Home paint, desktop_probe, {runs} alternating runs each) [load {load()}]:")
    for variant, values in paints.items():
        values.sort()
        print(f"  median {statistics.median(values):.3f} s, p90 {percentile(values, 90):.3f} s, CPU median "
              f"{statistics.median(cpus[variant]):.3f} s  {' + '.join(variant) or 'as is'}")  # fmt: skip


# --- scrolling --------------------------------------------------------------------------------


SCROLL_LAYOUTS = {
    "as-is": "the feed view as it is",
    "keep": "what-if: the view keeps its scroll position while Qt lays the list out again",
    "single": "what-if: SinglePass layout",
}


def scrolling(bench: Bench, items: int, step_px: int, frame_ms: float, layout: str) -> None:
    """``desktop_probe scroll``: the longest GUI-thread stalls while scrolling Home through ITEMS posts."""
    command = [sys.executable, "-m", "bench.desktop_probe", "scroll", "--profile", str(bench.profile),
               "--items", str(items), "--step-px", str(step_px), "--frame-ms", str(frame_ms), "--layout", layout,
               "--timeout", "20"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=child_env(bench), timeout=3600)
    lines = [line for line in result.stdout.splitlines() if line.startswith("result ")]
    if not lines:
        print(f"scrolling ({layout}): no result (exit {result.returncode}): {result.stderr[-2000:]}")
        return
    figures = orjson.loads(lines[-1].removeprefix("result "))
    if "error" in figures:
        print(f"scrolling ({layout}): {figures['error']}")
        return
    verdict = "meets" if figures["max_gap_ms"] < 50 else "MISSES"
    print(f"scrolling Home ({SCROLL_LAYOUTS[layout]}; {figures['layout']}): reached item {figures['items_reached']} "
          f"of {items} ({figures['rows_loaded']} loaded; {figures['steps']} steps of {step_px} px every "
          f"{frame_ms:g} ms in {figures['seconds']} s; viewport {figures['viewport'][0]}x{figures['viewport'][1]}; "
          f"scroll position lost {figures['jumps_back']} times, by up to {figures['largest_jump_px']} px): "
          f"longest GUI stall {figures['max_gap_ms']} ms, p99 {figures['p99_gap_ms']} ms, p50 "
          f"{figures['p50_gap_ms']} ms between {TICK_MS_TEXT} ticks; {figures['gaps_over_16ms']} gaps > 16.7 ms, "
          f"{figures['gaps_over_50ms']} > 50 ms — {verdict} the < 50 ms target [load {load()}]", flush=True)  # fmt: skip
    print(f"  the same gaps in GUI-thread CPU time (insensitive to other load): max {figures['max_gap_cpu_ms']} ms, "
          f"p99 {figures['p99_gap_cpu_ms']} ms, {figures['gaps_cpu_over_50ms']} > 50 ms")  # fmt: skip
    print(f"  GUI time by activity (ms): {figures['spent_ms']}; page queries: {figures['queries']}, "
          f"p50 {figures['query_p50_ms']} ms, max {figures['query_max_ms']} ms")  # fmt: skip
    print("  worst gaps [wall ms, CPU ms, rows loaded, {activity: ms}]:")
    for gap in figures["top_gaps"][::-1]:
        print(f"    {gap}")
    if figures.get("frozen_ms"):
        print(f"  the feed's picture was frozen {figures['frozen_count']} times while the list was laid out "
              f"again (position kept); longest: {figures['frozen_ms']} ms")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--rebuild", action="store_true", help="build the dataset and the profile again")
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10, help="timed cold starts")
    parser.add_argument("--items", type=int, default=10_000, help="posts to scroll through")
    parser.add_argument("--step-px", type=int, default=480)
    parser.add_argument("--frame-ms", type=float, default=8.0)
    parser.add_argument(
        "--scroll-layouts", nargs="+", choices=list(SCROLL_LAYOUTS), default=["as-is", "keep"]
    )
    parser.add_argument("--only", choices=[*PARTS, "whatif"], nargs="*",
                        help="run only these parts (default: all but whatif)")  # fmt: skip
    parser.add_argument("--no-bytecode", action="store_true", help="children compile atrium from source")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for the machine to be quiet")
    args = parser.parse_args(argv)
    print_machine()
    bench = Bench(args.folder)
    prepare(bench, args.scale, args.rebuild)
    if args.prepare_only:
        return 0
    facts = bench.facts()
    BYTECODE["on"] = not args.no_bytecode
    bytecode = "from .pyc (PYTHONPYCACHEPREFIX)" if BYTECODE["on"] else "compiled from source every launch"
    print(f"warm cache: {int(str(facts.get('cache_bytes', 0))) / 2**20:.0f} MiB, dataset --scale {facts.get('scale')} "
          f"({facts.get('feed_rows')} feed rows); QT_QPA_PLATFORM=offscreen; OS page cache warm "
          f"(one discarded launch first); atrium's modules {bytecode}")  # fmt: skip
    parts = set(args.only or PARTS)
    if not args.no_wait:
        wait_for_quiet()
    with running_server(bench) as server:
        print(
            f"server running at {server} (the app syncs in the background; nothing new to fetch)", flush=True
        )
        if "start" in parts:
            cold_starts(bench, args.runs, "server running")
        if "rss" in parts:
            resident_memory(bench, 3, 2.0)
        if "phases" in parts:
            startup_phases(bench, 5)
        if "whatif" in parts:
            whatif_comparison(bench, args.runs, WHATIF_SETS)
        if "imports" in parts:
            import_profile(bench, 20)
        if "scroll" in parts:
            for layout in args.scroll_layouts:
                scrolling(bench, args.items, args.step_px, args.frame_ms, layout)
    if "offline" in parts:
        cold_starts(bench, args.runs, "server stopped: offline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
