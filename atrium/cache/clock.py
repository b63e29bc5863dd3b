"""Times as the protocol writes them: RFC 3339 UTC strings with milliseconds, which sort as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    """Format a moment the way the server does (``2026-11-27T09:30:00.000Z``)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso(moment: datetime | None = None) -> str:
    """The given moment (default: now) as a protocol time string."""
    return iso(moment if moment is not None else datetime.now(UTC))


def days_before_iso(days: float, moment: datetime | None = None) -> str:
    """The protocol time string ``days`` before ``moment`` (default: now)."""
    return iso((moment if moment is not None else datetime.now(UTC)) - timedelta(days=days))
