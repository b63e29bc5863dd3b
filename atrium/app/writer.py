"""The cache's one writer: every cache write runs on a single background thread, in order.

The GUI thread (or a headless command's event loop) awaits ``writer.call(fn, ...)``
and never blocks on SQLite; results come back on the calling loop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from atrium.cache import Cache, open_cache

T = TypeVar("T")


class CacheWriter:
    def __init__(self, cache_path: Path) -> None:
        self.cache_path = cache_path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atrium-cache-writer")
        self._cache: Cache | None = None

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
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run FN(cache, *args) on the writer thread."""
        return await self.run(fn, self.cache, *args, **kwargs)

    async def close(self) -> None:
        if self._cache is not None:
            cache, self._cache = self._cache, None
            await self.run(cache.close)
        self._executor.shutdown(wait=True)
