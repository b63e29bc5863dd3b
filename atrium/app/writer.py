"""The cache's one writer: every cache write runs on a single background thread, in order.

The GUI thread (or a headless command's event loop) awaits ``writer.call(fn, ...)``
and never blocks on SQLite; results come back on the calling loop.

The sync engine may leave a transaction open between its pages (``call_held``) so that a first
sync commits several pages at once. Any other call commits that transaction before it runs, so
a person's action is never written into it: committed at once, it cannot be lost with the
pages if the process dies or a later page is rolled back.

When SQLite finds the file damaged in the middle of a call, the writer marks it (the next open
sets it aside and rebuilds, bringing the unsent work along), tells ``on_damaged`` (the desktop
reopens its session) and raises ``CacheDamagedError``, which says so in words.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from atrium.cache import Cache, CacheDamagedError, commit_held, mark_damaged, open_cache
from atrium.cache.errors import is_corruption

T = TypeVar("T")


class CacheWriter:
    def __init__(self, cache_path: Path) -> None:
        self.cache_path = cache_path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atrium-cache-writer")
        self._cache: Cache | None = None
        self.on_damaged: Callable[[], None] | None = None

    @property
    def cache(self) -> Cache:
        if self._cache is None:
            raise RuntimeError("the cache is not open")
        return self._cache

    async def open(self) -> Cache:
        self._cache = await self.run(open_cache, self.cache_path)
        return self._cache

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        except sqlite3.DatabaseError as error:
            if not is_corruption(error):
                raise
            mark_damaged(self.cache_path)
            if self.on_damaged is not None:
                self.on_damaged()
            raise CacheDamagedError(str(error)) from error

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run FN(cache, *args) on the writer thread, after committing a held transaction."""
        return await self.run(_after_commit, self.cache, fn, *args, **kwargs)

    async def call_held(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run FN(cache, *args) on the writer thread inside the transaction an earlier held call
        left open, if any (``apply_sync_page(..., commit=False)``)."""
        return await self.run(fn, self.cache, *args, **kwargs)

    async def commit_held(self) -> bool:
        """Commit the transaction held calls left open; False when none was open."""
        return await self.run(commit_held, self.cache)

    async def close(self) -> None:
        if self._cache is not None:
            cache, self._cache = self._cache, None
            await self.run(cache.close)
        self._executor.shutdown(wait=True)


def _after_commit(cache: Cache, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # The cache is taken when the call is made, as before held calls: a call queued before
    # close() still runs (close() waits for it) instead of finding the cache gone.
    commit_held(cache)
    return fn(cache, *args, **kwargs)
