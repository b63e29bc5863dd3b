"""Client-side sync benchmarks (issue 3): first sync of a large dataset into an empty cache, peak RSS of
`atrium sync --once`, post-to-arrival latency through server-sent events, and offline search latency.

    python -m bench.bench_client_sync [--db sqlite|postgres] [--scale 100000] [--posts 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
from sqlalchemy import select

from atrium.app.account import Account, save_account
from atrium.app.api_client import ApiClient
from atrium.app.collection import collection_paused
from atrium.app.engine import HELD_CHANGES, PAGE_SIZE, SyncEngine
from atrium.app.session import TEST_KEYRING_ENV, credential_store
from atrium.app.writer import CacheWriter
from atrium.cache import (
    ChangeSet,
    apply_sync_page,
    catch_up_search,
    commit_held,
    open_cache,
    search,
    set_identity,
)
from atrium.cache.objects import SPECS
from atrium.server.clock import uuid7
from atrium.server.database import create_db_engine
from atrium.server.schema import memberships, users
from bench.common import (
    add_db_argument,
    database,
    issue_tokens,
    make_dataset,
    percentile,
    print_machine,
    scratch_folder,
    server_process,
)

QUERIES = [
    "vpn",
    "printer",
    "password reset",
    "outlook",
    "battery",
    "certificate",
    "laptop",
    "budget",
    "meeting",
    "roadmap",
    "supplier",
    "travel",
    "python",
    "safety",
    "onboarding",
    "coffee",
    "quarterly results",
    "invoice",
    "teams audio",
    "kaizen",
]


def fetch_all_pages(api: str, token: str) -> tuple[list[bytes], float, int]:
    """The server alone: every page of a first sync, in the client's page size, each parsed as a
    client must to learn the next cursor (orjson); returns pages, seconds and changes."""
    pages: list[bytes] = []
    total = 0
    started = time.perf_counter()
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        since = None
        while True:
            params: dict[str, str | int] = {"limit": PAGE_SIZE}
            if since:
                params["since"] = since
            answer = client.get("/sync", params=params)
            answer.raise_for_status()
            pages.append(answer.content)
            page = orjson.loads(answer.content)
            total += len(page["changes"])
            since = page["cursor"]
            if not page["has_more"]:
                break
    return pages, time.perf_counter() - started, total


def apply_rate(pages: list[bytes], folder: Path) -> tuple[float, float, int]:
    """Parse + write every page into an empty cache, then build the search index: (apply s, index s, objects).

    Pages are committed HELD_CHANGES at a time, as the engine does while the next page is ready."""
    folder.mkdir(parents=True, exist_ok=True)
    cache = open_cache(folder / "apply-only.db")
    objects = held = 0
    started = time.perf_counter()
    with collection_paused():  # as the engine pulls pages
        for raw in pages:
            page = orjson.loads(raw)
            apply_sync_page(cache, page["changes"], page["cursor"], commit=False)
            objects += len(page["changes"])
            held += len(page["changes"])
            if held >= HELD_CHANGES:
                commit_held(cache)
                held = 0
        commit_held(cache)
    applied = time.perf_counter() - started
    started = time.perf_counter()
    while catch_up_search(cache, 50_000):
        pass
    indexed = time.perf_counter() - started
    cache.close()
    return applied, indexed, objects


def engine_sync(api: str, account: Account, token: str, folder: Path) -> tuple[float, int]:
    """The sync engine's first sync in this process, from start to finish (no interpreter
    start-up): (seconds, objects)."""
    from atrium.app.session import Session

    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "engine-profile"
    os.environ[TEST_KEYRING_ENV] = str(folder / "engine-keyring.cfg")
    save_account(profile, account)
    credential_store().save(account.server, account.handle, token)

    async def run() -> tuple[float, int]:
        session = Session.open(profile)
        engine = await session.start(listen_events=False, run_loop=False)
        started = time.perf_counter()
        touched = await engine.sync_once(retry_now=True)
        seconds = time.perf_counter() - started
        await session.close()
        return seconds, sum(touched.values())

    return asyncio.run(run())


def vm_hwm_kib(pid: int) -> int:
    """Peak resident memory of PID so far (Linux), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def headless_sync(api: str, account: Account, token: str, folder: Path) -> tuple[float, int, Path]:
    """`atrium sync --once` in a fresh profile as a child process: (seconds, peak RSS KiB, cache path)."""
    profile = folder / "profile"
    keyring_file = folder / "keyring.cfg"
    os.environ[TEST_KEYRING_ENV] = str(keyring_file)
    save_account(profile, account)
    credential_store().save(account.server, account.handle, token)
    started = time.perf_counter()
    with (folder / "sync-once.err").open("w+") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "atrium.app.cli", "sync", "--once", "--profile", str(profile)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        # The child's own high-water mark (VmHWM, reset at exec), polled until it exits: the
        # rusage of a child also counts the forked copy of this (large) process before exec.
        peak = 0
        while process.poll() is None:
            peak = max(peak, vm_hwm_kib(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        errors.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"atrium sync --once failed: {errors.read()}")
    return seconds, peak, profile / "cache.db"


def search_latency(cache_path: Path) -> tuple[float, float, int]:
    cache = open_cache(cache_path, read_only=True)
    timings: list[float] = []
    hits = 0
    for _round in range(5):
        for query in QUERIES:
            started = time.perf_counter()
            found = search(cache, query, limit=20)
            timings.append((time.perf_counter() - started) * 1000)
            hits += len(found)
    cache.close()
    timings.sort()
    return percentile(timings, 50), percentile(timings, 95), hits


def shared_community(url: str, handle: str) -> tuple[str, str]:
    """A community the demo user is in, and another member of it: (community id, that member's handle)."""
    engine = create_db_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            demo_id = conn.execute(select(users.c.id).where(users.c.handle == handle)).scalar_one()
            mine = select(memberships.c.community_id).where(memberships.c.user_id == demo_id)
            row = conn.execute(
                select(memberships.c.community_id, users.c.handle)
                .join(users, users.c.id == memberships.c.user_id)
                .where(
                    memberships.c.community_id.in_(mine),
                    memberships.c.user_id != demo_id,
                    users.c.is_admin.is_(False),
                )
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    return str(row[0]), str(row[1])


async def push_latency(
    api: str,
    listener_token: str,
    listener_id: str,
    poster_token: str,
    community_id: str,
    posts: int,
    folder: Path,
) -> list[float]:
    """Post POSTS times as one user; time until each post is in the other user's cache (SSE wake-up)."""
    writer = CacheWriter(folder / "listener.db")
    await writer.open()
    await writer.call(set_identity, api, listener_id)
    arrived: dict[str, float] = {}
    sent: dict[str, float] = {}
    got_all = asyncio.Event()

    def on_changed(changes: ChangeSet) -> None:
        moment = time.perf_counter()
        for post_id in changes.get("post", ()):
            if post_id in sent and post_id not in arrived:
                arrived[post_id] = moment
        if len(arrived) == posts:
            got_all.set()

    client = ApiClient(api.removesuffix("/api/v1"), token=listener_token)
    engine = SyncEngine(writer, client, on_changed=on_changed, sync_interval=3600)
    await engine.sync_once()
    engine.start()
    await asyncio.sleep(1.0)  # the event stream is connected
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {poster_token}"}) as poster:
        for n in range(posts):
            post_id = uuid7()
            sent[post_id] = time.perf_counter()
            answer = await poster.post(
                "/posts", json={"id": post_id, "community_id": community_id, "body": f"latency probe {n}"}
            )
            answer.raise_for_status()
            await asyncio.sleep(0.1)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(got_all.wait(), timeout=30)
    await engine.stop()
    await client.aclose()
    await writer.close()
    return sorted((arrived[p] - sent[p]) * 1000 for p in arrived)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_db_argument(parser)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=200, help="posts for the push-latency run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds of server alone, client apply and engine (medians)",
    )
    parser.add_argument(
        "--database", metavar="URL", help="reuse an already seeded database instead of building one"
    )
    args = parser.parse_args(argv)
    print_machine()
    with scratch_folder() as folder, contextlib.ExitStack() as stack:
        if args.database:
            url = args.database
        else:
            url = stack.enter_context(database(args.db, folder))
            dataset = make_dataset(url, folder / "files", scale=args.scale)
            print(
                f"dataset: {dataset.feed_rows} feed rows ({dataset.source}), built in {dataset.seconds:.0f} s"
            )
        (handle, user_id, token), (_same, _also, token_b) = issue_tokens(url, ["demo"], per_user=2)
        community_id, poster_handle = shared_community(url, "demo")
        poster_token = issue_tokens(url, [poster_handle])[0][2]
        listener_token = issue_tokens(url, ["demo"])[0][2]
        with server_process(url, folder / "files") as (_pid, api):
            # This VM's speed drifts by up to 40 % over minutes, so the three measures are taken in
            # interleaved rounds (server alone, client apply, engine) and each ratio within a round.
            _pages, cold_seconds, _changes = fetch_all_pages(api, token)
            print(f"server alone, first (cold) fetch, not counted: {cold_seconds:.2f} s")
            rounds: list[tuple[float, float, float, float]] = []  # server, apply, index, engine
            account = Account(server=api, handle=handle, user_id=user_id, device_id="bench")
            for number in range(args.rounds):
                pages, server_round, changes = fetch_all_pages(api, token)
                applied, indexed, objects = apply_rate(pages, folder / f"apply-{number}")
                del pages
                engine_round, engine_objects = engine_sync(api, account, token, folder / f"engine-{number}")
                rounds.append((server_round, applied, indexed, engine_round))
                print(
                    f"  round {number + 1}: server alone {server_round:.2f} s; client apply {applied:.2f} s "
                    f"+ index {indexed:.2f} s = {objects / (applied + indexed):,.0f}/s; engine "
                    f"{engine_round:.2f} s = {engine_round / server_round:.2f}x"
                )
            server_seconds = statistics.median(r[0] for r in rounds)
            applied = statistics.median(r[1] for r in rounds)
            indexed = statistics.median(r[2] for r in rounds)
            with_index = statistics.median(objects / (r[1] + r[2]) for r in rounds)
            engine_seconds = statistics.median(r[3] for r in rounds)
            ratio = statistics.median(r[3] / r[0] for r in rounds)
            print(
                f"server alone: {changes} changes in {server_seconds:.2f} s ({changes / server_seconds:,.0f}/s), "
                f"median of {len(rounds)} warm rounds"
            )
            print(
                f"client apply (parse + write): {objects} objects in {applied:.2f} s "
                f"({objects / applied:,.0f}/s); search index build {indexed:.2f} s; "
                f"with index {with_index:,.0f}/s (medians of {len(rounds)} rounds)"
            )
            print(
                f"sync engine, first sync in process (fetch + parse + write + index, overlapped): "
                f"{engine_objects} objects in {engine_seconds:.2f} s ({engine_objects / engine_seconds:,.0f}/s) "
                f"= {ratio:.2f}x the server alone (median of the rounds' ratios)"
            )
            total, peak_kib, cache_path = headless_sync(api, account, token_b, folder)
            print(
                f"atrium sync --once (first sync, subprocess, incl. interpreter start-up): {total:.2f} s = "
                f"{total / server_seconds:.2f}x the server alone; peak RSS {peak_kib / 1024:.0f} MiB"
            )
            p50, p95, hits = search_latency(cache_path)
            print(
                f"offline search over that cache: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                f"({len(QUERIES)} queries x 5, {hits} hits)"
            )
            latencies = asyncio.run(
                push_latency(api, listener_token, user_id, poster_token, community_id, args.posts, folder)
            )
            if latencies:
                print(
                    f"post -> other user's cache via SSE: {len(latencies)}/{args.posts} arrived, "
                    f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
                    f"max {latencies[-1]:.0f} ms"
                )
            else:
                print("post -> other user's cache via SSE: nothing arrived")
            counts = {}
            cache = open_cache(cache_path, read_only=True)
            for kind, spec in SPECS.items():
                counts[kind] = cache.conn.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0]
            cache.close()
            print("cache contents: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
