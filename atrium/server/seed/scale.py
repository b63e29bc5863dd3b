"""``seed --demo --scale N``: N more posts (about three comments each, plus likes) over the last
year, across the demo user's communities and the rest, written in bulk batches for benchmarks."""

from __future__ import annotations

import itertools
import random
import time
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Engine

from . import communities as catalog
from .bulk import FeedWriter
from .company import Company
from .compose import Composer
from .corpus_support import QUESTIONS
from .ids import DAY_MS, HOUR_MS, IdMaker
from .threads import ThreadFactory

if TYPE_CHECKING:
    from .demo import DemoSummary

POSTS_PER_BATCH = 2000
SPAN_DAYS = 365


def seed_scale(
    engine: Engine,
    company: Company,
    *,
    count: int,
    seed: int,
    anchor_ms: int,
    out: TextIO,
    summary: DemoSummary,
) -> None:
    """Add COUNT posts with their threads; one transaction per batch of POSTS_PER_BATCH posts."""
    started = time.monotonic()
    rng = random.Random(f"{seed}:scale")
    ids = IdMaker(random.Random(f"{seed}:scale-ids"))
    composer = Composer(rng, company, demo_mention_rate=0.02)
    factory = ThreadFactory(rng, ids, company, composer, anchor_ms, demo_author_rate=0.01, like_rate=0.5)
    eligible = [plan for plan in company.communities if plan.spec.kind != "announcements"]
    demo_id = company.demo.id
    # half in the demo user's communities, half elsewhere; busy communities get more
    mine = [plan for plan in eligible if demo_id in plan.roles]
    others = [plan for plan in eligible if demo_id not in plan.roles]
    pools = [
        (pool, list(itertools.accumulate(plan.spec.activity**2 for plan in pool)))
        for pool in (mine, others)
        if pool
    ]
    support_id = company.community(catalog.IT_SUPPORT).id
    start = anchor_ms - SPAN_DAYS * DAY_MS
    end = anchor_ms - HOUR_MS
    times = sorted(_working_hours(rng.randint(start, end)) for _ in range(count))
    out.write(f"Adding {count:,} posts over the last {SPAN_DAYS} days (--scale)...\n")
    reported = 0
    written = 0
    with engine.connect().execution_options(atrium_write=True) as conn:
        for offset in range(0, count, POSTS_PER_BATCH):
            threads = []
            for created in times[offset : offset + POSTS_PER_BATCH]:
                pool, weights = pools[0] if len(pools) == 1 or rng.random() < 0.5 else pools[1]
                plan = rng.choices(pool, cum_weights=weights)[0]
                if plan.id == support_id:
                    threads.append(factory.support_thread(plan, rng.choice(QUESTIONS), min(created, end)))
                else:
                    threads.append(factory.for_community(plan, min(created, end)))
            with conn.begin():
                writer = FeedWriter(conn)
                summary.feed_changes += writer.write_threads(threads)
                writer.wake_listeners()
            summary.add_threads(threads)
            summary.scale_posts += len(threads)
            written += len(threads)
            percent = written * 100 // count
            if percent // 10 > reported // 10:
                reported = percent
                elapsed = time.monotonic() - started
                out.write(f"  {percent:3d}%  {written:>9,} posts  {elapsed:7.1f} s\n")
                out.flush()


def _working_hours(moment: int) -> int:
    """Move a night-time moment into the same day's working hours (deterministically)."""
    hour = (moment // HOUR_MS) % 24
    if 6 <= hour <= 19:
        return moment
    return moment - moment % DAY_MS + (7 + hour % 11) * HOUR_MS + moment % HOUR_MS
