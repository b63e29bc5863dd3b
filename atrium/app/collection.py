"""Pausing Python's cyclic garbage collector while sync pages stream in.

A sync page parses into ~20,000 dicts and lists that live until the page is written. Each
allocation burst triggers young collections, and the survivors pile up until a full
collection walks the whole heap — in the desktop, every Qt wrapper and cached row. Sync pages
hold no reference cycles (plain JSON), so reference counting frees them; the collector only
burns time. Measured in the client sync bench's process (~108k live objects): applying a
first sync took 2.58 s with the collector running and 2.21 s with it paused per page
(bench/RESULTS.md). The pause is process-wide and short (one pull); cycles made meanwhile by
other threads are collected once it ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; nested or concurrent pauses end with the last."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
