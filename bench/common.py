"""Shared helpers for the benchmarks: machine facts, throw-away databases, datasets, device
tokens, server processes, file-descriptor limits, RSS and percentiles.

Datasets come from the demo seeder (``atrium.server.seed.demo.seed_demo``) when it is
installed; otherwise ``build_bulk_dataset`` writes a comparable one straight into the
tables and the sync feed, in the shapes ``publish.py`` renders.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import math
import os
import platform
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select, text, update

from atrium.server.clock import iso, uuid7
from atrium.server.database import create_db_engine
from atrium.server.feed import community_scope
from atrium.server.publish import membership_key, reaction_key
from atrium.server.schema import (
    change_log,
    comments,
    communities,
    devices,
    memberships,
    posts,
    reactions,
    sync_counter,
    users,
)
from atrium.server.security import hash_password, new_token, token_hash
from tests.harness import PostgresCluster, fresh_sqlite_url, prepare_database, start_server_process

DEMO_HANDLE = "demo"
BATCH = 5000


# --- the machine --------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    """CPU count, memory, CPU model, Python version and the date, for RESULTS.md."""
    memory = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["free", "-h"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Mem:"):
                memory = line.split()[1]
    model = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "memory": memory,
        "cpu": model,
        "python": platform.python_version(),
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def print_machine() -> None:
    facts = machine_facts()
    print("machine: " + ", ".join(f"{key}={value}" for key, value in facts.items()), flush=True)


def cpu_busy(seconds: float = 1.0) -> float:
    """The share of all CPUs busy over the next SECONDS, from /proc/stat (0.0 to 1.0)."""

    def sample() -> tuple[int, int]:
        values = [int(part) for part in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values), idle

    total_a, idle_a = sample()
    time.sleep(seconds)
    total_b, idle_b = sample()
    return 1.0 - (idle_b - idle_a) / max(1, total_b - total_a)


def wait_for_quiet(threshold: float = 0.25, limit: float = 60.0) -> None:
    """This machine may be shared: wait (up to LIMIT s) until under THRESHOLD of the CPUs are busy,
    and say how busy it was, so a figure taken on a loaded machine is recognisable."""
    started = time.monotonic()
    busy = cpu_busy()
    while busy > threshold and time.monotonic() - started < limit:
        busy = cpu_busy(2.0)
    waited = time.monotonic() - started
    note = "" if busy <= threshold else " (still busy: figures may be low)"
    print(
        f"other load before measuring: {busy * 100:.0f} % of the CPUs busy, waited {waited:.0f} s{note}",
        flush=True,
    )


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite", help="database to run on")


# --- databases and server processes ------------------------------------------------------------


@contextlib.contextmanager
def scratch_folder(prefix: str = "atrium-bench-") -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database: an SQLite file in FOLDER, or a throw-away PostgreSQL cluster."""
    if kind == "sqlite":
        yield prepare_database(fresh_sqlite_url(folder))
        return
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield prepare_database(cluster.create_database())
    finally:
        cluster.stop()


@contextlib.contextmanager
def server_process(
    url: str, files_dir: Path, env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[tuple[int, str]]:
    """`atrium-server serve` in its own process; yields its pid and API base URL. With several
    WORKERS the pid is uvicorn's supervisor (the workers are its children)."""
    process, base = start_server_process(
        url, workers=workers, env={"ATRIUM_FILES_DIR": str(files_dir), **(env or {})}
    )
    try:
        yield process.pid, base + "/api/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def raise_fd_limit(wanted: int) -> int:
    """Raise this process's RLIMIT_NOFILE (children inherit it); returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if wanted > hard:
        with contextlib.suppress(ValueError, OSError):  # root may raise the hard limit too
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return wanted
    target = min(max(soft, wanted), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


@contextlib.contextmanager
def profiling(pid: int, out: Path | None) -> Iterator[None]:
    """Record PID with py-spy into OUT (.json: speedscope, .txt: collapsed stacks, else a flame graph SVG) while inside;
    does nothing when OUT is None. py-spy is installed on demand: ``pip install py-spy``."""
    if out is None:
        yield
        return
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("profile: py-spy is not installed (pip install py-spy); not profiling", flush=True)
        yield
        return
    fmt = {".json": "speedscope", ".txt": "raw"}.get(out.suffix, "flamegraph")
    recorder = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--output", str(out), "--format", fmt, "--rate", "250"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its output and exits
        recorder.wait(timeout=60)
        print(f"profile: written to {out}", flush=True)


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of PID and its direct children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            pids.extend(int(child) for child in children)
    for each in set(pids):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of PID in KiB, from /proc/<pid>/status."""
    values = {"VmRSS": 0, "VmHWM": 0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in values:
            values[name] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The Q-th percentile (0-100) of already sorted values, nearest-rank."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1))
    return float(sorted_values[rank])


# --- datasets ---------------------------------------------------------------------------------


@dataclass
class Dataset:
    handles: list[str]  # every non-admin user, DEMO_HANDLE first
    source: str  # "seed_demo" or "bulk"
    feed_rows: int
    seconds: float


def make_dataset(
    url: str, files_dir: Path, *, scale: int, seed: int = 1, prefer_demo: bool = True
) -> Dataset:
    """Fill URL with the demo company plus SCALE posts (attachments in FILES_DIR); falls back to
    ``build_bulk_dataset`` while the seeder is not installed, or when PREFER_DEMO is false."""
    started = time.perf_counter()
    engine = create_db_engine(url, pool_size=2)
    try:
        source = "bulk"
        seeder: Any = None
        if prefer_demo:
            with contextlib.suppress(ImportError):
                from atrium.server.seed import demo

                seeder = demo.seed_demo
        if seeder is not None:
            seeder(engine, scale=scale, seed=seed, out=io.StringIO(), files_dir=files_dir)
            source = "seed_demo"
        else:
            build_bulk_dataset(engine, posts=scale, seed=seed)
        if engine.dialect.name == "postgresql":
            # the steady state: autovacuum would analyze the bulk-loaded tables soon anyway
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            rows = int(conn.execute(select(func.count()).select_from(change_log)).scalar_one())
            handles = list(
                conn.execute(select(users.c.handle).where(users.c.is_admin.is_(False)).order_by(users.c.id))
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    if DEMO_HANDLE in handles:
        handles.remove(DEMO_HANDLE)
        handles.insert(0, DEMO_HANDLE)
    return Dataset(handles=handles, source=source, feed_rows=rows, seconds=time.perf_counter() - started)


def issue_tokens(url: str, handles: Sequence[str], per_user: int = 1) -> list[tuple[str, str, str]]:
    """Sign devices in without passwords: (handle, user_id, token) for PER_USER devices of each handle."""
    engine = create_db_engine(url, pool_size=1)
    out: list[tuple[str, str, str]] = []
    stamp = _iso(time.time() * 1000)
    try:
        with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
            ids = dict(
                conn.execute(
                    select(users.c.handle, users.c.id).where(users.c.handle.in_(list(handles)))
                ).all()
            )
            rows = []
            for handle in handles:
                for n in range(per_user):
                    token = new_token()
                    rows.append(
                        {
                            "id": uuid7(),
                            "user_id": ids[handle],
                            "name": f"bench device {n}",
                            "token_hash": token_hash(token),
                            "created_at": stamp,
                            "last_seen_at": stamp,
                        }
                    )
                    out.append((handle, ids[handle], token))
            conn.execute(devices.insert(), rows)
    finally:
        engine.dispose()
    return out


def _iso(ms: float) -> str:
    return iso(dt.datetime.fromtimestamp(ms / 1000, dt.UTC))


_WORDS_TEXT = (
    "the a of to and in is for on with that this as it be are at by from we our you can "
    "release pipeline sensor line shift audit quality safety customer supplier budget forecast "
    "python kubernetes migration workshop training onboarding lean kaizen retro sprint backlog "
    "invoice contract warehouse freight pallet forklift maintenance calibration torque valve"
)
WORDS = tuple(_WORDS_TEXT.split())


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def build_bulk_dataset(
    engine: Engine,
    *,
    posts: int,
    users_count: int = 300,
    communities_count: int = 60,
    demo_memberships: int = 40,
    comments_per_post: float = 2.0,
    likes_per_post: float = 3.0,
    days: int = 120,
    seed: int = 1,
) -> None:
    """A company of USERS_COUNT people in COMMUNITIES_COUNT communities (a tenth private) with
    POSTS posts, their comments and likes, spread over DAYS; user DEMO_HANDLE belongs to
    DEMO_MEMBERSHIPS communities. Rows go straight into the tables and ``change_log``."""
    rng = random.Random(seed)
    now_ms = time.time() * 1000
    password = hash_password("bench-password")
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        seq = _FeedSeq(conn)
        user_ids = [uuid7() for _ in range(users_count)]
        handles = [DEMO_HANDLE] + [f"user{n:04d}" for n in range(1, users_count)]
        user_rows: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        row: dict[str, Any]
        for uid, handle in zip(user_ids, handles, strict=True):
            row = {
                "id": uid,
                "handle": handle,
                "display_name": handle.title(),
                "title": "Engineer",
                "department": rng.choice(["IT", "R&D", "Sales", "Plant", "HR"]),
                "location": rng.choice(["Grenoble", "Munich", "Boston", "Pune"]),
                "avatar_url": None,
                "is_admin": False,
                "password_hash": password,
                "created_at": _iso(now_ms - 400 * 86_400_000),
            }
            user_rows.append(row)
            data = {key: row[key] for key in row if key not in ("password_hash", "created_at")}
            changes.append(seq.change("user", uid, None, data))
        _insert(conn, users, user_rows)

        community_ids = [uuid7() for _ in range(communities_count)]
        community_rows, member_rows = [], []
        members: dict[str, list[str]] = {}
        for n, cid in enumerate(community_ids):
            private = n % 10 == 9
            chosen = rng.sample(user_ids[1:], rng.randint(10, 80))
            if n < demo_memberships:
                chosen.append(user_ids[0])
            members[cid] = chosen
            row = {
                "id": cid,
                "slug": f"community-{n}",
                "name": f"Community {n}",
                "description": _text(rng, 8, 20),
                "kind": "interest",
                "visibility": "private" if private else "public",
                "member_count": len(chosen),
                "created_at": _iso(now_ms - 300 * 86_400_000),
                "created_by": chosen[0],
            }
            community_rows.append(row)
            data = {key: row[key] for key in row if key != "created_by"}
            changes.append(seq.change("community", cid, community_scope(cid) if private else None, data))
            for m, uid in enumerate(chosen):
                member = {
                    "community_id": cid,
                    "user_id": uid,
                    "role": "owner" if m == 0 else "member",
                    "joined_at": row["created_at"],
                }
                member_rows.append(member)
                changes.append(
                    seq.change("membership", membership_key(cid, uid), community_scope(cid), member)
                )
        _insert(conn, communities, community_rows)
        _insert(conn, memberships, member_rows)
        _insert(conn, change_log, changes)

        for start in range(0, posts, BATCH):
            _write_threads(
                conn,
                seq,
                rng,
                min(BATCH, posts - start),
                community_ids,
                members,
                now_ms,
                days,
                comments_per_post,
                likes_per_post,
            )
        seq.finish()


def _write_threads(
    conn: Connection,
    seq: _FeedSeq,
    rng: random.Random,
    count: int,
    community_ids: list[str],
    members: dict[str, list[str]],
    now_ms: float,
    days: int,
    comments_per_post: float,
    likes_per_post: float,
) -> None:
    post_rows: list[dict[str, Any]] = []
    comment_rows: list[dict[str, Any]] = []
    reaction_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for _ in range(count):
        cid = rng.choice(community_ids)
        people = members[cid]
        created_ms = now_ms - rng.random() * days * 86_400_000
        created = _iso(created_ms)
        pid = uuid7()
        n_comments = int(rng.expovariate(1 / comments_per_post)) if comments_per_post else 0
        likers = rng.sample(people, min(len(people), int(rng.expovariate(1 / likes_per_post))))
        scope = community_scope(cid)
        post = {
            "id": pid,
            "community_id": cid,
            "author_id": rng.choice(people),
            "app_id": None,
            "kind": rng.choice(["post", "post", "post", "question", "blog"]),
            "title": _text(rng, 3, 9),
            "body": _text(rng, 30, 120),
            "created_at": created,
            "edited_at": None,
            "pinned": False,
            "comments_enabled": True,
            "accepted_comment_id": None,
            "mentions": [],
            "topics": [rng.choice(WORDS)],
            "like_count": len(likers),
            "comment_count": n_comments,
        }
        post_rows.append(
            {**post, "mentions": "[]", "topics": orjson.dumps(post["topics"]).decode(), "content_hash": ""}
        )
        changes.append(seq.change("post", pid, scope, {**post, "attachments": []}, ts=created))
        for _c in range(n_comments):
            comment_id = uuid7()
            comment: dict[str, Any] = {
                "id": comment_id,
                "post_id": pid,
                "author_id": rng.choice(people),
                "parent_id": None,
                "body": _text(rng, 8, 50),
                "created_at": created,
                "edited_at": None,
                "like_count": 0,
            }
            comment_rows.append(comment)
            changes.append(seq.change("comment", comment_id, scope, comment, ts=created))
        for uid in likers:
            reaction = {
                "target_type": "post",
                "target_id": pid,
                "user_id": uid,
                "kind": "like",
                "created_at": created,
            }
            reaction_rows.append({**reaction, "community_id": cid})
            changes.append(seq.change("reaction", reaction_key("post", pid, uid, "like"), scope, reaction))
    _insert(conn, posts, post_rows)
    _insert(conn, comments, comment_rows)
    _insert(conn, reactions, reaction_rows)
    _insert(conn, change_log, changes)


class _FeedSeq:
    """Hands out change numbers after the counter's current value; ``finish`` stores the last."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.value = int(
            conn.execute(select(sync_counter.c.value).where(sync_counter.c.id == 1)).scalar_one()
        )

    def change(
        self, kind: str, object_id: str, scope: str | None, data: dict[str, Any], ts: str | None = None
    ) -> dict[str, Any]:
        self.value += 1
        return {
            "type": kind,
            "object_id": object_id,
            "seq": self.value,
            "scope": scope,
            "op": "upsert",
            "ts": ts,
            "keep": False,
            "data": orjson.dumps(data).decode(),
        }

    def finish(self) -> None:
        self.conn.execute(update(sync_counter).where(sync_counter.c.id == 1).values(value=self.value))


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])
