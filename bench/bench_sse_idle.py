"""Idle SSE connections: how many ``GET /events`` streams one server process holds, at what memory.

Starts ``atrium-server serve`` (one worker) as its own process, opens ``--connections``
streams from this process with raw asyncio sockets (an HTTP/1.1 GET with a bearer token,
read until the ``: connected`` comment), spread over several 127.0.0.x source addresses,
then reports the server's RSS (``VmRSS`` in /proc/<pid>/status) and checks that a post
still wakes a sample of the streams within a second: first a post in a community every
user belongs to (it fans out to every stream — the worst case), then one in a community of
a tenth of the users (``--few-percent``).

    python -m bench.bench_sse_idle --db sqlite --connections 10000
    python -m bench.bench_sse_idle --db postgres --connections 10000

Target: 10,000 streams with the server under 1 GiB RSS. The file-descriptor limit is raised
with setrlimit before the server is spawned, so both processes have room.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from atrium.server.clock import uuid7
from bench.common import (
    add_db_argument,
    database,
    issue_tokens,
    make_dataset,
    percentile,
    print_machine,
    profiling,
    raise_fd_limit,
    rss_kib,
    scratch_folder,
    server_process,
    wait_for_quiet,
)

TARGET_CONNECTIONS = 10_000
TARGET_RSS_KIB = 1024 * 1024


@dataclass
class Stream:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    user: int


@dataclass
class OpenResult:
    streams: list[Stream] = field(default_factory=list)
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0


async def open_stream(host: str, port: int, path: str, token: str, source: str, user: int) -> Stream:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        writer.close()
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    seen = b""
    while b": connected" not in seen:  # the server has subscribed this stream
        chunk = await reader.read(4096)
        if not chunk:
            raise ConnectionError("closed before ': connected'")
        seen += chunk
    return Stream(reader, writer, user)


async def open_all(api: str, tokens: list[str], count: int, sources: list[str], in_flight: int) -> OpenResult:
    parts = urlsplit(api)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + "/events"
    result = OpenResult()
    gate = asyncio.Semaphore(in_flight)
    started = time.perf_counter()

    async def one(number: int) -> None:
        async with gate:
            user = number % len(tokens)
            try:
                stream = await asyncio.wait_for(
                    open_stream(host, port, path, tokens[user], sources[number % len(sources)], user), 60
                )
            except (OSError, RuntimeError, TimeoutError, asyncio.IncompleteReadError) as error:
                result.failures[f"{type(error).__name__}: {error}"[:120]] += 1
                return
            result.streams.append(stream)
            if len(result.streams) % 2000 == 0:
                print(f"  {len(result.streams)} open after {time.perf_counter() - started:.1f} s", flush=True)

    await asyncio.gather(*(one(n) for n in range(count)))
    result.seconds = time.perf_counter() - started
    return result


async def drain(stream: Stream) -> None:
    """Read whatever is buffered (heartbeats, earlier wake-ups) without waiting."""
    while True:
        try:
            chunk = await asyncio.wait_for(stream.reader.read(65536), 0.001)
        except TimeoutError:
            return
        if not chunk:
            return


async def wait_changed(stream: Stream, started: float, limit: float) -> float | None:
    seen = b""
    deadline = started + limit
    while b"event: changed" not in seen:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        try:
            chunk = await asyncio.wait_for(stream.reader.read(4096), left)
        except TimeoutError:
            return None
        if not chunk:
            return None
        seen += chunk
    return time.perf_counter() - started


async def wake_round(
    api: str, author_token: str, community_id: str, sample: list[Stream], limit: float
) -> tuple[list[float], int, float]:
    """Post once; returns the sample's delays to `changed` (sorted), how many missed it, and
    how long the post itself took to answer (all measured from just before the post)."""
    await asyncio.gather(*(drain(stream) for stream in sample))
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {author_token}"}) as client:
        started = time.perf_counter()
        waiters = [asyncio.create_task(wait_changed(stream, started, limit)) for stream in sample]
        answer = await client.post(
            "/posts", json={"id": uuid7(), "community_id": community_id, "body": "Wake-up check"}
        )
        answer.raise_for_status()
        posted = time.perf_counter() - started
        delays = await asyncio.gather(*waiters)
    heard = sorted(delay for delay in delays if delay is not None)
    return heard, len(sample) - len(heard), posted


def server_sockets(pid: int) -> int:
    count = 0
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if entry.readlink().name.startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


def setup_community(api: str, tokens: list[str], name: str) -> str:
    """A public community that the users of TOKENS join (the first creates it); returns its id."""
    community_id = uuid7()
    with httpx.Client(base_url=api, timeout=30) as client:
        answer = client.post(
            "/communities",
            headers={"Authorization": f"Bearer {tokens[0]}"},
            json={
                "id": community_id,
                "name": f"{name} {community_id[-6:]}",
                "kind": "interest",
                "visibility": "public",
                "description": "Streams listen here",
            },
        )
        answer.raise_for_status()
        for token in tokens[1:]:
            me = client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()
            client.put(
                f"/communities/{community_id}/members/{me['id']}",
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()
    return community_id


async def run(
    args: argparse.Namespace, api: str, pid: int, tokens: list[str], communities: dict[str, str]
) -> bool:
    sources = [f"127.0.0.{n}" for n in range(1, args.sources + 1)]
    wait_for_quiet()
    base_rss, _ = rss_kib(pid)
    print(f"server pid {pid}: RSS {base_rss / 1024:.0f} MiB before any stream", flush=True)
    opened = await open_all(api, tokens, args.connections, sources, args.in_flight)
    streams = opened.streams
    print(
        f"opened {len(streams)} of {args.connections} streams in {opened.seconds:.1f} s "
        f"({len(streams) / opened.seconds:,.0f}/s) from {len(sources)} source addresses",
        flush=True,
    )
    for reason, count in opened.failures.most_common(5):
        print(f"  failed x{count}: {reason}", flush=True)
    await asyncio.sleep(args.idle)
    rss, peak = rss_kib(pid)
    per_stream = (rss - base_rss) / max(1, len(streams))
    print(
        f"idle {args.idle:.0f} s: server RSS {rss / 1024:.0f} MiB (peak {peak / 1024:.0f} MiB), "
        f"{per_stream:.1f} KiB per stream, {server_sockets(pid)} sockets open in the server",
        flush=True,
    )
    few = max(1, len(tokens) * args.few_percent // 100)
    scenarios = [
        ("everyone", communities["everyone"], streams),
        (f"{few} of {len(tokens)} users", communities["few"], [s for s in streams if s.user < few]),
    ]
    woken: dict[str, bool] = {}
    for label, community_id, candidates in scenarios:
        woken[label] = True
        sample = random.Random(7).sample(candidates, min(args.sample, len(candidates)))
        for number in range(1, args.rounds + 1):
            with profiling(pid, args.profile if number == 1 and label == "everyone" else None):
                heard, missed, posted = await wake_round(api, tokens[0], community_id, sample, args.limit)
            within = sum(1 for delay in heard if delay <= 1.0)
            woken[label] &= within == len(sample)
            print(
                f"wake [{label}: {len(candidates)} streams woken] round {number}: {within}/{len(sample)} "
                f"sampled streams heard 'changed' within 1 s (p50 {percentile(heard, 50) * 1000:.0f} ms, "
                f"p95 {percentile(heard, 95) * 1000:.0f} ms, max {(heard[-1] if heard else float('nan')) * 1000:.0f}"
                f" ms, missed {missed}; the post answered in {posted * 1000:.0f} ms)",
                flush=True,
            )
            await asyncio.sleep(1.0)
    rss_after, peak = rss_kib(pid)
    for stream in streams:
        stream.writer.close()
    await asyncio.sleep(3)
    rss_closed, _ = rss_kib(pid)
    print(
        f"after wake-ups RSS {rss_after / 1024:.0f} MiB; all streams closed: RSS {rss_closed / 1024:.0f} MiB, "
        f"{server_sockets(pid)} sockets open in the server",
        flush=True,
    )
    ok = len(streams) >= TARGET_CONNECTIONS and peak < TARGET_RSS_KIB and all(woken.values())
    wakes = "; ".join(f"{label}: {'all' if fine else 'NOT all'} within 1 s" for label, fine in woken.items())
    print(
        f"result: {args.db}: {len(streams)} idle streams, server RSS {rss / 1024:.0f} MiB "
        f"(peak {peak / 1024:.0f} MiB); wake-ups {wakes}; "
        f"{'meets' if ok else 'BELOW'} the target of {TARGET_CONNECTIONS:,} streams under 1 GiB, woken within 1 s",
        flush=True,
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_db_argument(parser)
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50, help="distinct users the streams belong to")
    parser.add_argument("--sources", type=int, default=4, help="127.0.0.x source addresses to spread over")
    parser.add_argument("--in-flight", type=int, default=256, help="connection attempts at a time")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to sit idle before measuring")
    parser.add_argument("--sample", type=int, default=500, help="streams checked for each wake-up")
    parser.add_argument(
        "--few-percent", type=int, default=10, help="share of users in the second, smaller community"
    )
    parser.add_argument("--rounds", type=int, default=3, help="wake-up checks")
    parser.add_argument("--limit", type=float, default=5.0, help="seconds to wait for a wake-up")
    parser.add_argument("--profile", type=Path, help="record the server with py-spy during the first wake-up")
    args = parser.parse_args(argv)

    fds = raise_fd_limit(args.connections + 2000)
    print_machine()
    print(
        f"RLIMIT_NOFILE raised to {fds} (inherited by the server); "
        f"listen backlog: uvicorn's default 2048, capped by net.core.somaxconn = {somaxconn()}; "
        f"ephemeral ports {ephemeral_ports()}",
        flush=True,
    )
    if fds < args.connections + 100:
        print(f"warning: only {fds} file descriptors; expect failures", flush=True)
    with scratch_folder() as folder, database(args.db, folder) as url:
        dataset = make_dataset(url, folder / "files", scale=0)
        handles = dataset.handles[: args.users]
        tokens = [token for _handle, _id, token in issue_tokens(url, handles)]
        with server_process(url, folder / "files") as (pid, api):
            few = max(1, len(tokens) * args.few_percent // 100)
            communities = {
                "everyone": setup_community(api, tokens, "SSE everyone"),
                "few": setup_community(api, tokens[:few], "SSE few"),
            }
            ok = asyncio.run(run(args, api, pid, tokens, communities))
    return 0 if ok else 1


def somaxconn() -> str:
    try:
        return Path("/proc/sys/net/core/somaxconn").read_text().strip()
    except OSError:
        return "?"


def ephemeral_ports() -> str:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return f"{low}-{high} ({int(high) - int(low) + 1} per source address)"
    except (OSError, ValueError):
        return "?"


if __name__ == "__main__":
    socket.setdefaulttimeout(60)
    sys.exit(main())
