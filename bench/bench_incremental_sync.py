"""Incremental sync under load: latency of ``/sync?since=<cursor>`` for many clients at once.

Starts ``atrium-server serve`` (one worker) as its own process, so the load generator does
not share its GIL. ``--clients`` desktop clients (asyncio, one keep-alive connection each,
separate device tokens for ``--users`` users; the timed requests go through
``bench/lean_http.py`` so that the generator is not the bottleneck, ``--client httpx`` to
compare) first sync to the present (untimed), then for ``--seconds`` each repeatedly syncs from its own cursor — following ``has_more`` — and
pauses ``--interval`` seconds (±50 %) between rounds, as a client syncing after wake-ups
would; the first ``--warmup`` seconds are not measured. Meanwhile a writer posts ``--writes`` times a second into the first user's
communities, so the incremental pages carry real changes. ``--interval 0`` runs the
clients back to back (a closed loop): the server's saturation throughput.

    python -m bench.bench_incremental_sync --db sqlite
    python -m bench.bench_incremental_sync --db postgres
    python -m bench.bench_incremental_sync --db sqlite --interval 0

Target: p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
from sqlalchemy import select

from atrium.server.clock import uuid7
from atrium.server.database import create_db_engine
from atrium.server.schema import communities, memberships, users
from bench.common import (
    add_db_argument,
    database,
    issue_tokens,
    make_dataset,
    percentile,
    print_machine,
    process_tree_cpu,
    profiling,
    raise_fd_limit,
    scratch_folder,
    server_process,
    wait_for_quiet,
)
from bench.lean_http import LeanClient, LeanHTTPError

TARGET_P95_MS = 50.0


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    changes: int = 0
    errors: int = 0
    writes: int = 0
    write_latencies: list[float] = field(default_factory=list)
    error_kinds: collections.Counter[str] = field(default_factory=collections.Counter)


async def sync_to_present(client: httpx.AsyncClient, cursor: str | None = None) -> str:
    """A first sync with a one-day retention window (small and quick): its final cursor is
    the present, which is all the incremental phase needs."""
    while True:
        params: dict[str, str | int] = {"limit": 5000, "window_days": 1}
        if cursor is not None:
            params["since"] = cursor
        response = await client.get("/sync", params=params)
        response.raise_for_status()
        page = orjson.loads(response.content)
        cursor = page["cursor"]
        if not page["has_more"]:
            return str(cursor)


Getter = Callable[[str, dict[str, str | int]], Awaitable[tuple[int, bytes]]]


def httpx_getter(client: httpx.AsyncClient) -> Getter:
    async def get(path: str, params: dict[str, str | int]) -> tuple[int, bytes]:
        response = await client.get(path, params=params)
        return response.status_code, response.content

    return get


async def client_loop(
    get: Getter,
    cursor: str,
    start: asyncio.Event,
    window: list[float],
    interval: float,
    stats: Stats,
    rng: random.Random,
) -> None:
    await start.wait()
    if interval:
        await asyncio.sleep(rng.uniform(0, interval))  # spread the clients over the interval
    while time.perf_counter() < window[1]:
        sent = time.perf_counter()
        try:
            status, content = await get("/sync", {"since": cursor})
        except (httpx.HTTPError, LeanHTTPError) as error:
            status, content = 0, str(error).encode()
        if status != 200:
            stats.errors += 1
            stats.error_kinds[f"{status}: {content[:100]!r}"] += 1
            await asyncio.sleep(0.1)
            continue
        page = orjson.loads(content)
        if sent >= window[0]:  # after the warm-up
            stats.latencies.append(time.perf_counter() - sent)
            stats.changes += len(page["changes"])
        cursor = page["cursor"]
        if page["has_more"]:
            continue
        if interval:
            await asyncio.sleep(interval * rng.uniform(0.5, 1.5))


async def writer_loop(
    client: httpx.AsyncClient, community_ids: list[str], rate: float, window: list[float], stats: Stats
) -> None:
    number = 0
    next_at = time.perf_counter()
    while time.perf_counter() < window[1]:
        community_id = community_ids[number % len(community_ids)]
        number += 1
        sent = time.perf_counter()
        response = await client.post(
            "/posts",
            json={"id": uuid7(), "community_id": community_id, "body": f"Load test post {number}"},
        )
        if response.status_code == 201:
            if sent >= window[0]:
                stats.writes += 1
                stats.write_latencies.append(time.perf_counter() - sent)
        else:
            stats.errors += 1
            stats.error_kinds[f"post answered {response.status_code}: {response.text[:80]}"] += 1
        next_at += 1 / rate
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))


async def run(
    args: argparse.Namespace,
    api: str,
    pid: int,
    tokens: list[str],
    writer_token: str,
    community_ids: list[str],
) -> Stats:
    stats = Stats()
    lean: list[LeanClient] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=api, headers={"Authorization": f"Bearer {token}"}, timeout=60, limits=limits
        )
        for token in tokens
    ]
    writer = httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {writer_token}"}, timeout=60)
    try:
        started = time.perf_counter()
        gate = asyncio.Semaphore(8)

        async def first_sync(client: httpx.AsyncClient) -> str:
            async with gate:
                return await sync_to_present(client)

        # One first sync per user; that user's other devices start from the same cursor.
        firsts = await asyncio.gather(*(first_sync(client) for client in clients[: args.users]))
        cursors = [firsts[number % len(firsts)] for number in range(len(clients))]
        print(f"first sync of {len(firsts)} users done in {time.perf_counter() - started:.1f} s", flush=True)
        start = asyncio.Event()
        window = [0.0, 0.0]  # measured from, until
        rng = random.Random(3)
        if args.client == "lean":
            lean = [LeanClient(api, {"Authorization": f"Bearer {token}"}) for token in tokens]
            getters: list[Getter] = [client.get for client in lean]
        else:
            getters = [httpx_getter(client) for client in clients]
        tasks = [
            asyncio.create_task(
                client_loop(get, cursor, start, window, args.interval, stats, random.Random(rng.random()))
            )
            for get, cursor in zip(getters, cursors, strict=True)
        ]
        tasks.append(asyncio.create_task(writer_loop(writer, community_ids, args.writes, window, stats)))
        wait_for_quiet()
        window[0] = time.perf_counter() + args.warmup
        window[1] = window[0] + args.seconds
        start.set()
        await asyncio.sleep(args.warmup)  # pools fill, statements get prepared; not measured
        cpu_before = process_tree_cpu(pid)
        own_before = time.process_time()
        began = time.perf_counter()
        with profiling(pid, args.profile):
            await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - began
        server_cpu = process_tree_cpu(pid) - cpu_before
        client_cpu = time.process_time() - own_before
    finally:
        for client in [*clients, writer]:
            await client.aclose()
        for each in lean:
            await each.aclose()
    latencies = sorted(stats.latencies)
    ms = [value * 1000 for value in latencies]
    rate = len(latencies) / elapsed
    print(
        f"{len(latencies)} syncs in {elapsed:.1f} s = {rate:,.0f} requests/s; "
        f"latency p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms, max {ms[-1]:.1f} ms",
        flush=True,
    )
    writes = sorted(value * 1000 for value in stats.write_latencies)
    print(
        f"{stats.changes} changes delivered; {stats.writes} posts written ({stats.writes / elapsed:.1f}/s, "
        f"p50 {percentile(writes, 50):.0f} ms); {stats.errors} errors; server CPU {server_cpu:.1f} s "
        f"({server_cpu / elapsed * 100:.0f} % of a core, {server_cpu / max(1, len(latencies)) * 1000:.2f} ms "
        f"per request incl. writes); load generator CPU {client_cpu:.1f} s ({client_cpu / elapsed * 100:.0f} %)",
        flush=True,
    )
    for kind, count in stats.error_kinds.most_common(3):
        print(f"  error x{count}: {kind}", flush=True)
    verdict = "meets" if percentile(ms, 95) < TARGET_P95_MS else "BELOW"
    print(
        f"result: {args.db}, {args.workers} worker(s), {len(tokens)} {args.client} clients, "
        f"interval {args.interval} s: "
        f"{rate:,.0f} requests/s, "
        f"p50/p95/p99 {percentile(ms, 50):.1f}/{percentile(ms, 95):.1f}/{percentile(ms, 99):.1f} ms; "
        f"{verdict} the p95 < {TARGET_P95_MS:.0f} ms target",
        flush=True,
    )
    return stats


def writer_communities(url: str, handle: str) -> list[str]:
    """Public communities HANDLE belongs to (the writer posts there, round robin)."""
    engine = create_db_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(communities.c.id)
                    .join(memberships, memberships.c.community_id == communities.c.id)
                    .join(users, users.c.id == memberships.c.user_id)
                    .where(
                        users.c.handle == handle,
                        communities.c.kind != "announcements",
                        communities.c.visibility == "public",
                    )
                    .order_by(communities.c.id)
                ).scalars()
            )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_db_argument(parser)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--warmup",
        type=float,
        default=3.0,
        help="seconds of load before measuring (the server's pools fill, statements get prepared)",
    )
    parser.add_argument("--interval", type=float, default=1.0, help="mean pause between a client's syncs")
    parser.add_argument("--writes", type=float, default=3.0, help="posts a second by the writer")
    parser.add_argument("--scale", type=int, default=0, help="posts added to the demo company")
    parser.add_argument(
        "--client",
        choices=["lean", "httpx"],
        default="lean",
        help="HTTP client of the timed clients: lean (bench/lean_http.py, ~50 us a request) or httpx "
        "(~1 ms of the generator's CPU a request, which at 200/s queues in its own event loop)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (uvicorn --workers)")
    parser.add_argument(
        "--profile", type=Path, help="record the server with py-spy to this file (.svg/.json)"
    )
    parser.add_argument(
        "--server-path", type=Path, metavar="DIR", help="run the server from the `atrium` package in DIR"
    )
    args = parser.parse_args(argv)

    raise_fd_limit(args.clients * 2 + 1000)
    print_machine()
    with scratch_folder() as folder, database(args.db, folder) as url:
        dataset = make_dataset(url, folder / "files", scale=args.scale)
        print(
            f"dataset: {dataset.source} --scale {args.scale}: {dataset.feed_rows} feed rows, "
            f"{len(dataset.handles)} users",
            flush=True,
        )
        handles = dataset.handles[: args.users]
        per_user = -(-args.clients // len(handles))
        issued = issue_tokens(url, handles, per_user=per_user)
        # deal devices round robin over users, so any prefix of clients covers every user
        dealt = [
            issued[user * per_user + device] for device in range(per_user) for user in range(len(handles))
        ]
        tokens = [token for _handle, _id, token in dealt[: args.clients]]
        ((_h, _i, writer_token),) = issue_tokens(url, handles[:1])
        community_ids = writer_communities(url, handles[0])
        print(
            f"{len(tokens)} clients over {len(handles)} users; the writer posts into {len(community_ids)} "
            "communities",
            flush=True,
        )
        env = {"PYTHONPATH": str(args.server_path.resolve())} if args.server_path else None
        with server_process(url, folder / "files", env=env, workers=args.workers) as (pid, api):
            asyncio.run(run(args, api, pid, tokens, writer_token, community_ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
