"""Reusable post widgets: the feed (model, delegate, view), the thread view and the composer."""

from __future__ import annotations

from .pyside_guard import guard_none_refcount

guard_none_refcount()  # before any painting: see pyside_guard.py

from .feed_delegate import FeedDelegate  # noqa: E402
from .feed_model import FeedModel, FeedQuery, FeedRole  # noqa: E402
from .feed_view import FeedView  # noqa: E402

__all__ = ["FeedDelegate", "FeedModel", "FeedQuery", "FeedRole", "FeedView"]
