"""Benchmark the desktop cache's first sync: apply 100k posts + 300k comments, build search, query.

Prints objects/s for parse+apply alone, the bulk full-text build afterwards, search latency
p50/p95 over 20 fixed queries, and the pane queries' latency on the full cache.
Usage: ``python bench/bench_cache_apply.py [--posts N] [--dir D]``.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from atrium.cache import (
    Cache,
    FeedPage,
    apply_sync_page,
    community_feed,
    notifications,
    open_cache,
    personal_feed,
    questions,
    search,
    search_people,
    set_identity,
    thread,
)
from atrium.cache.clock import iso
from atrium.cache.ids import follow_id, membership_id, uuid7

PAGE_SIZE = 5000
COMMENTS_PER_POST = 3
_COMMON_TEXT = """the a to and of in for is on that with it this be are as at we you have from our please team
project update meeting server network printer laptop release customer office policy question answer issue fix
access account password email calendar vpn travel expense report budget plan review design data sales support
service ticket install driver screen audio video call share folder document wiki page training onboarding
security badge building floor parking lunch cafe coffee event week month quarter year goal result launch
product feature bug test deploy build pipeline monitor alert incident outage restore backup"""
COMMON_WORDS = _COMMON_TEXT.split()
TOPICS = [f"topic{n}" for n in range(40)]
RARE_WORDS = 50_000
ME = "01900000-0000-7000-8000-00000000000e"


def rare_word(number: int) -> str:
    """Long-tail vocabulary: each word lands in a few dozen documents."""
    return f"zq{number:05d}{chr(97 + number % 26)}x"


def zipf_choice(rng: random.Random, words: list[str], count: int) -> list[str]:
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return rng.choices(words, weights=weights, k=count)


class Corpus:
    """Bodies of 200–1500 characters: Zipf-distributed sentences plus three long-tail words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [
            " ".join(zipf_choice(rng, COMMON_WORDS, rng.randint(6, 16))).capitalize() + "."
            for _ in range(4000)
        ]

    def body(self) -> str:
        target = self.rng.randint(200, 1500)
        parts: list[str] = [rare_word(self.rng.randrange(RARE_WORDS)) for _ in range(3)]
        size = 40
        while size < target:
            sentence = self.rng.choice(self.sentences)
            parts.append(sentence)
            size += len(sentence) + 1
        self.rng.shuffle(parts)
        return " ".join(parts)


def _page(number: int, changes: list[bytes], has_more: bool) -> bytes:
    more = b"true" if has_more else b"false"
    return b'{"cursor":"c%d","has_more":%s,"changes":[%s]}' % (number, more, b",".join(changes))


def generate_pages(posts: int, seed: int = 7) -> Iterator[bytes]:
    """Sync pages as the server sends a first sync: people, communities, memberships and follows,
    then posts and comments interleaved in creation order (UUIDv7 ids), questions re-sent when
    answered, and the user's notifications."""
    rng = random.Random(seed)
    corpus = Corpus(rng)
    base = 1_700_000_000_000
    communities = [uuid7(base + n) for n in range(60)]
    users = [ME] + [uuid7(base + n) for n in range(3000)]
    changes: list[bytes] = []
    page_no = 0

    def emit(change: dict[str, Any]) -> Iterator[bytes]:
        nonlocal changes, page_no
        changes.append(orjson.dumps(change))
        if len(changes) == PAGE_SIZE:
            page_no += 1
            yield _page(page_no, changes, True)
            changes = []

    first_names = [
        "Alice",
        "Bob",
        "Carol",
        "Dan",
        "Eve",
        "Farid",
        "Grace",
        "Hiro",
        "Ines",
        "Jun",
        "Karl",
        "Lea",
    ]
    for number, user_id in enumerate(users):
        name = f"{rng.choice(first_names)} {rng.choice(COMMON_WORDS).title()}son"
        user = {"id": user_id, "handle": f"user{number}", "display_name": name, "title": "Engineer",
                "department": rng.choice(["IT", "Sales", "HR", "Finance"]), "location": "Lyon",
                "avatar_url": None, "is_admin": False}  # fmt: skip
        yield from emit({"type": "user", "id": user_id, "op": "upsert", "data": user})
    for number, community_id in enumerate(communities):
        community = {"id": community_id, "slug": f"c{number}", "name": f"Community {number}", "description": "",
                     "kind": "announcements" if number == 0 else "practice", "visibility": "public",
                     "member_count": 100, "created_at": "2025-01-01T00:00:00.000Z"}  # fmt: skip
        yield from emit({"type": "community", "id": community_id, "op": "upsert", "data": community})
        if number % 2 == 0:
            membership = {"community_id": community_id, "user_id": ME, "role": "member",
                          "joined_at": "2025-01-01T00:00:00.000Z"}  # fmt: skip
            key = membership_id(community_id, ME)
            yield from emit({"type": "membership", "id": key, "op": "upsert", "data": membership})
    for target_type, target_id in [("user", u) for u in users[1:21]] + [("topic", t) for t in TOPICS[:5]]:
        follow = {"user_id": ME, "target_type": target_type, "target_id": target_id, "created_at": None}
        key = follow_id(ME, target_type, target_id)
        yield from emit({"type": "follow", "id": key, "op": "upsert", "data": follow})

    ms = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
    recent: list[str] = []
    for number in range(posts):
        ms += rng.randint(1, 20_000)
        post_id = uuid7(ms)
        kind = rng.choices(["post", "question", "announcement", "blog"], weights=[70, 15, 5, 10])[0]
        post = {
            "id": post_id,
            "community_id": communities[number % len(communities)],
            "author_id": rng.choice(users),
            "kind": kind,
            "title": " ".join(zipf_choice(rng, COMMON_WORDS, 6)).capitalize(),
            "body": corpus.body(),
            "created_at": iso(datetime.fromtimestamp(ms / 1000, UTC)),
            "edited_at": None,
            "pinned": rng.random() < 0.002,
            "comments_enabled": True,
            "accepted_comment_id": None,
            "mentions": [rng.choice(users)] if rng.random() < 0.2 else [],
            "topics": rng.sample(TOPICS, rng.randint(0, 2)),
            "attachments": [],
            "like_count": rng.randint(0, 30),
            "comment_count": COMMENTS_PER_POST,
        }
        yield from emit({"type": "post", "id": post_id, "op": "upsert", "data": post})
        recent.append(post_id)
        for index in range(COMMENTS_PER_POST):
            ms += rng.randint(1, 5000)
            comment_id = uuid7(ms)
            comment = {
                "id": comment_id,
                "post_id": post_id
                if index == 0
                else recent[max(0, len(recent) - 1 - int(rng.expovariate(0.05)))],
                "author_id": rng.choice(users),
                "parent_id": None,
                "body": corpus.body(),
                "created_at": iso(datetime.fromtimestamp(ms / 1000, UTC)),
                "edited_at": None,
                "like_count": rng.randint(0, 5),
            }
            yield from emit({"type": "comment", "id": comment_id, "op": "upsert", "data": comment})
            if index == 0 and kind == "question" and rng.random() < 0.5:
                solved = {**post, "accepted_comment_id": comment_id}
                yield from emit({"type": "post", "id": post_id, "op": "upsert", "data": solved})
        if number % 50 == 0:
            note = {"id": uuid7(ms), "kind": "reply", "actor_id": rng.choice(users), "target_type": "post",
                    "target_id": post_id, "community_id": None, "created_at": post["created_at"],
                    "read": rng.random() < 0.7}  # fmt: skip
            yield from emit({"type": "notification", "id": note["id"], "op": "upsert", "data": note})
    page_no += 1
    yield _page(page_no, changes, False)


QUERIES = [
    # common words, found in most documents
    "the",
    "please",
    "project update",
    "server",
    "meeting",
    "printer",
    "password reset",
    "vpn access",
    "incident outage",
    "release",
    # rare words (a few dozen documents each), mixes and a prefix
    rare_word(42),
    rare_word(12_345),
    rare_word(31_337),
    rare_word(49_999),
    f"{rare_word(777)} printer",
    rare_word(2_500),
    f"backup {rare_word(4_000)}",
    "zq0123",
    "onboarding training badge",
    "expense report travel",
]


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def timed(call: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """Median milliseconds of ``repeat`` calls, and the last result."""
    samples = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def bench_apply(cache: Cache, pages: list[bytes]) -> None:
    applied = 0
    wall = cpu = parse = 0.0
    for page in pages:
        started, cpu_started = time.perf_counter(), time.process_time()
        parsed = orjson.loads(page)
        parsed_at = time.perf_counter()
        apply_sync_page(cache, parsed["changes"], parsed["cursor"])
        wall += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        parse += parsed_at - started
        applied += len(parsed["changes"])
    print(
        f"apply (orjson parse + write): {applied:,} objects in {wall:.2f} s wall = {applied / wall:,.0f} objects/s"
        f"  ({cpu:.2f} s CPU = {applied / cpu:,.0f} objects/s); parse alone {parse:.2f} s"
    )
    print(f"  readable at once; search backlog after apply: {cache.search_backlog():,} rows")


def bench_reference(pages: list[bytes], workdir: Path) -> None:
    """DESIGN.md's measuring method on the same pages, for calibration on a shared machine: parse,
    build rows in Python, upsert on a UUIDv7 text key, one table per type, no validation, no
    secondary indexes, no FTS (the design measured ~89,000 objects/s for this on its 2-core CI)."""
    conn = sqlite3.connect(workdir / "reference.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE posts (id TEXT PRIMARY KEY, community_id, author_id, kind, title, body, "
                 "created_at, pinned, mentions, topics, like_count, comment_count) WITHOUT ROWID")  # fmt: skip
    conn.execute("CREATE TABLE comments (id TEXT PRIMARY KEY, post_id, author_id, body, created_at, like_count) "
                 "WITHOUT ROWID")  # fmt: skip
    conn.execute("CREATE TABLE others (id TEXT PRIMARY KEY, type, data) WITHOUT ROWID")
    applied = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        changes = orjson.loads(page)["changes"]
        posts, comments, others = [], [], []
        for change in changes:
            data = change["data"]
            if change["type"] == "post":
                posts.append((data["id"], data["community_id"], data["author_id"], data["kind"], data["title"],
                              data["body"], data["created_at"], data["pinned"], orjson.dumps(data["mentions"]),
                              orjson.dumps(data["topics"]), data["like_count"], data["comment_count"]))  # fmt: skip
            elif change["type"] == "comment":
                comments.append((data["id"], data["post_id"], data["author_id"], data["body"], data["created_at"],
                                 data["like_count"]))  # fmt: skip
            else:
                others.append((change["id"], change["type"], orjson.dumps(data)))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO posts VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                         "body = excluded.body, like_count = excluded.like_count", posts)  # fmt: skip
        conn.executemany("INSERT INTO comments VALUES (?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                         "body = excluded.body", comments)  # fmt: skip
        conn.executemany("INSERT INTO others VALUES (?,?,?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                         others)  # fmt: skip
        conn.execute("COMMIT")
        applied += len(changes)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    conn.close()
    print(
        f"calibration, DESIGN.md's reference path on the same pages: {applied / wall:,.0f} objects/s wall "
        f"({applied / cpu:,.0f} objects/s CPU)"
    )


def bench_index(cache: Cache) -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    indexed = cache.catch_up_search()
    print(
        f"bulk FTS build (catch_up_search): {indexed:,} rows in {time.perf_counter() - started:.2f} s wall "
        f"({time.process_time() - cpu_started:.2f} s CPU)"
    )


def bench_search(cache: Cache) -> None:
    for label, prefix_last in (("submitted query", False), ("as you type (last word a prefix)", True)):
        latencies: list[float] = []
        last: dict[str, tuple[int, float]] = {}
        for _ in range(3):
            for query in QUERIES:
                started = time.perf_counter()
                hits = search(cache, query, limit=20, prefix_last=prefix_last)
                elapsed = (time.perf_counter() - started) * 1000
                latencies.append(elapsed)
                last[query] = (len(hits), elapsed)
        latencies.sort()
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(
            f"search, {label}, {len(QUERIES)} queries x3: p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms"
        )
        if not prefix_last:
            for query, (found, elapsed) in last.items():
                print(f"  {query!r:28} {found:3d} hits {elapsed:7.1f} ms")


def bench_panes(cache: Cache) -> None:
    print("pane queries (median of 5):")
    feed_ms, first = timed(lambda: personal_feed(cache))
    print(f"  personal feed, first page        {feed_ms:7.1f} ms ({len(first.items)} posts)")
    page: FeedPage = first
    for _ in range(10):
        if page.next_before is None:
            break
        page = personal_feed(cache, before=page.next_before)
    deep_ms, _ = timed(lambda: personal_feed(cache, before=page.next_before))
    print(f"  personal feed, 12th page         {deep_ms:7.1f} ms")
    for name in ("following", "questions", "announcements", "blogs"):
        elapsed, result = timed(lambda name=name: personal_feed(cache, filter=name))  # type: ignore[misc]
        print(f"  personal feed, {name:17} {elapsed:7.1f} ms ({len(result.items)} posts)")
    community_id = first.items[-1].community_id
    elapsed, _ = timed(lambda: community_feed(cache, community_id))
    print(f"  community feed                   {elapsed:7.1f} ms")
    elapsed, _ = timed(lambda: questions(cache, state="open"))
    print(f"  open questions                   {elapsed:7.1f} ms")
    elapsed, _ = timed(lambda: questions(cache, state="solved", community_id=community_id))
    print(f"  solved questions, one community  {elapsed:7.1f} ms")
    elapsed, found = timed(lambda: thread(cache, first.items[-1].id))
    print(f"  thread                           {elapsed:7.1f} ms ({len(found.comments)} comments)")
    elapsed, found = timed(lambda: notifications(cache))
    print(f"  notifications                    {elapsed:7.1f} ms ({len(found)})")
    elapsed, found = timed(lambda: search_people(cache, "car"))
    print(f"  people by prefix                 {elapsed:7.1f} ms ({len(found)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the cache (default: a temp dir)")
    parser.add_argument(
        "--no-reference",
        dest="reference",
        action="store_false",
        help="skip the calibration run of the reference path",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="atrium-bench-")) if args.dir is None else args.dir
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "cache.db"
    print(
        f"load average before the run: {load_average()} (2 shared cores: wall figures are noisy under load)"
    )
    print(
        f"cache at {db}; {args.posts:,} posts + {args.posts * COMMENTS_PER_POST:,} comments in pages of {PAGE_SIZE}"
    )
    started = time.perf_counter()
    pages = list(generate_pages(args.posts))
    print(
        f"generated {len(pages)} pages ({sum(map(len, pages)) / 1e6:,.0f} MB of JSON) in {time.perf_counter() - started:.0f} s"
    )
    cache = open_cache(db)
    set_identity(cache, "https://bench.example", ME)
    bench_apply(cache, pages)
    bench_index(cache)
    bench_search(cache)
    bench_panes(cache)
    size = db.stat().st_size
    cache.close()
    started = time.perf_counter()
    open_cache(db).close()
    clean = time.perf_counter() - started
    started = time.perf_counter()
    open_cache(db, verify=True).close()
    print(
        f"database {size / 1e6:,.0f} MB; reopening after a clean close {clean:.2f} s, "
        f"with the full quick_check (after a crash, or weekly) {time.perf_counter() - started:.2f} s"
    )
    if args.reference:
        bench_reference(pages, workdir)
    print(f"load average after the run: {load_average()}")


if __name__ == "__main__":
    main()
