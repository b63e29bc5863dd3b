"""Deterministic ids and times for seeding: UUIDv7 strings drawn from a seeded Random, and
millisecond timestamps rendered as the protocol's RFC 3339 strings."""

from __future__ import annotations

import random
from datetime import UTC, datetime

_MS_48 = (1 << 48) - 1
_LOW_62 = (1 << 62) - 1
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000


class IdMaker:
    """UUIDv7 ids (RFC 9562) whose random bits come from a seeded ``random.Random``.

    ``clock.uuid7`` draws its randomness from ``os.urandom``; the seeder needs the
    same shape but reproducible, and time-ordered by each object's own creation time.
    """

    def __init__(self, rng: random.Random) -> None:
        self._bits = rng.getrandbits

    def at(self, at_ms: int) -> str:
        rand = self._bits(74)
        value = (
            ((at_ms & _MS_48) << 80)
            | (0x7 << 76)
            | (((rand >> 62) & 0xFFF) << 64)
            | (0b10 << 62)
            | (rand & _LOW_62)
        )
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_DAY_PREFIX: dict[int, str] = {}


def iso_ms(at_ms: int) -> str:
    """RFC 3339 UTC with milliseconds, the same format as ``clock.iso`` (fast: the date is cached)."""
    day, rest = divmod(at_ms, DAY_MS)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
    seconds, millis = divmod(rest, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def default_anchor() -> datetime:
    """The moment demo content leads up to: the start of the current UTC hour.

    Content is placed relative to it, so the demo always looks recent, and two
    seeds within the same hour are identical.
    """
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
