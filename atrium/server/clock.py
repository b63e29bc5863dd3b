"""Time and id helpers shared by the server: RFC 3339 UTC strings and UUIDv7 ids."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format a moment as the protocol's RFC 3339 UTC string (millisecond precision)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(now())


def days_ago_iso(days: int) -> str:
    return iso(now() - timedelta(days=days))


def parse_iso(text: str) -> datetime:
    """Parse an RFC 3339 string; raises ValueError on anything else."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("time has no zone")
    return value.astimezone(UTC)


def uuid7(at_ms: int | None = None) -> str:
    """A UUIDv7 string: 48-bit millisecond time, then randomness (RFC 9562)."""
    ms = int(time.time() * 1000) if at_ms is None else at_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return len(text) == 36
