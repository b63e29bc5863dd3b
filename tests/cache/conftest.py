"""Fixtures for cache tests: a real cache file in a temporary directory, owned by user "me"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atrium.cache import Cache, open_cache, set_identity

ME = "01900000-0000-7000-8000-00000000000e"


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "cache.db"


@pytest.fixture
def cache(cache_path: Path) -> Iterator[Cache]:
    opened = open_cache(cache_path)
    set_identity(opened, "https://atrium.example", ME)
    yield opened
    opened.close()
