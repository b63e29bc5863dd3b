"""Full first sync: how many changes a second one server process serves.

Seeds the demo company plus ``--scale`` posts (with their comments and likes), starts
``atrium-server serve`` (one worker) as its own process, then the demo user — a member of
many communities — syncs from the beginning with ``limit=5000`` pages over one keep-alive
connection. Each round prints pages, changes, bytes, wall time and changes/s; the client
parses every page with orjson, as the desktop does.

    python -m bench.bench_server_sync --db sqlite --scale 100000
    python -m bench.bench_server_sync --db postgres --scale 100000

Target: at least 20,000 changes/s from one process. ``--profile FILE`` records the server
with py-spy (``pip install py-spy`` into the venv) during the rounds.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from bench.common import (
    DEMO_HANDLE,
    add_db_argument,
    database,
    issue_tokens,
    make_dataset,
    print_machine,
    profiling,
    scratch_folder,
    server_process,
    wait_for_quiet,
)

TARGET_CHANGES_PER_SECOND = 20_000


@dataclass
class Round:
    changes: int
    pages: int
    bytes: int
    seconds: float
    waiting: float  # time spent in requests (server work + transfer)
    parsing: float  # time spent in orjson.loads on the client

    @property
    def rate(self) -> float:
        return self.changes / self.seconds


def full_sync(api: str, token: str, limit: int) -> Round:
    """Sync from the beginning to the end, page by page, on one keep-alive connection."""
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
        client.get("/me").raise_for_status()  # connect (and note the device as seen) outside the timing
        changes = pages = size = 0
        waiting = parsing = 0.0
        cursor: str | None = None
        started = time.perf_counter()
        while True:
            params: dict[str, str | int] = {"limit": limit}
            if cursor is not None:
                params["since"] = cursor
            sent = time.perf_counter()
            response = client.get("/sync", params=params)
            received = time.perf_counter()
            response.raise_for_status()
            page = orjson.loads(response.content)
            parsing += time.perf_counter() - received
            waiting += received - sent
            changes += len(page["changes"])
            pages += 1
            size += len(response.content)
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        return Round(changes, pages, size, time.perf_counter() - started, waiting, parsing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_db_argument(parser)
    parser.add_argument("--scale", type=int, default=100_000, help="posts added to the demo company")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=5000, help="changes per page (the protocol's maximum)")
    parser.add_argument("--bulk", action="store_true", help="use bench.common's dataset, not seed_demo")
    parser.add_argument(
        "--profile", type=Path, help="record the server with py-spy to this file (.svg/.json)"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="DIR",
        help="also serve the same data from the `atrium` package in DIR (a patched copy), rounds alternating",
    )
    args = parser.parse_args(argv)

    print_machine()
    variants: dict[str, dict[str, str] | None] = {"this checkout": None}
    if args.compare:
        variants[f"{args.compare}"] = {"PYTHONPATH": str(args.compare.resolve())}
    results: dict[str, list[Round]] = {name: [] for name in variants}
    with scratch_folder() as folder, database(args.db, folder) as url:
        dataset = make_dataset(
            url, folder / "files", scale=args.scale, seed=args.seed, prefer_demo=not args.bulk
        )
        print(
            f"dataset: {dataset.source} --scale {args.scale} on {args.db}: {dataset.feed_rows} feed rows, "
            f"{len(dataset.handles)} users, seeded in {dataset.seconds:.1f} s",
            flush=True,
        )
        ((_handle, _user_id, token),) = issue_tokens(url, [DEMO_HANDLE])
        with contextlib.ExitStack() as stack:
            servers = {
                name: stack.enter_context(server_process(url, folder / "files", env=env))
                for name, env in variants.items()
            }
            first_pid = next(iter(servers.values()))[0]
            wait_for_quiet()
            with profiling(first_pid, args.profile):
                for number in range(1, args.rounds + 1):
                    for name, (_pid, api) in servers.items():
                        result = full_sync(api, token, args.limit)
                        results[name].append(result)
                        label = f" [{name}]" if len(servers) > 1 else ""
                        print(
                            f"round {number}{label}: {result.changes} changes in {result.pages} pages, "
                            f"{result.bytes / 1e6:.1f} MB in {result.seconds:.2f} s = {result.rate:,.0f} "
                            f"changes/s (waiting on the server {result.waiting:.2f} s, client parsing "
                            f"{result.parsing:.2f} s)",
                            flush=True,
                        )
    for name, rounds in results.items():
        rates = sorted(r.rate for r in rounds)
        median = statistics.median(rates)
        verdict = "meets" if median >= TARGET_CHANGES_PER_SECOND else "BELOW"
        label = f" [{name}]" if len(results) > 1 else ""
        print(
            f"result{label}: {args.db} first sync of {rounds[0].changes} changes: median {median:,.0f} "
            f"changes/s (best {rates[-1]:,.0f}); {verdict} the {TARGET_CHANGES_PER_SECOND:,} changes/s target",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
