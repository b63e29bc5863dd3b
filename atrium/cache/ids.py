"""Client-made ids: UUIDv7 for new objects, and the change ids of objects that have no ``id`` field."""

from __future__ import annotations

import os
import time
import uuid


def uuid7(at_ms: int | None = None) -> str:
    """A UUIDv7 string (RFC 9562): 48-bit millisecond time, then randomness, so new ids sort last."""
    ms = int(time.time() * 1000) if at_ms is None else at_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def membership_id(community_id: str, user_id: str) -> str:
    """The change id of a membership (ARCHITECTURE.md, protocol extensions)."""
    return f"{community_id}:{user_id}"


def reaction_id(target_type: str, target_id: str, user_id: str, kind: str = "like") -> str:
    """The change id of a reaction: it starts with its target, so the reactions on one target are a
    range of the reactions table's primary key (``reactions_on``), with no index of their own."""
    return f"{target_type}:{target_id}:{user_id}:{kind}"


def reaction_target(reaction: str) -> tuple[str, str]:
    """The (target_type, target_id) a reaction id names (UUID targets hold no ':')."""
    target_type, _, rest = reaction.partition(":")
    return target_type, rest.split(":", 1)[0]


def reaction_id_sql(target_type: str, target_id: str, user_id: str, kind: str = "like") -> str:
    """``reaction_id`` as an SQL expression over the column or parameter expressions given."""
    return f"'{target_type}:' || {target_id} || ':' || {user_id} || ':{kind}'"


def reactions_on(target_type: str, target_ids: str) -> str:
    """A SELECT of the ids of the reactions on TARGET_TYPE objects whose ids TARGET_IDS (a SELECT
    of one column) yields: per target, the primary-key range of ids that start ``<type>:<id>:``
    (checked against the row's target too, so a target id holding ':' cannot widen the range).
    CROSS JOIN keeps the targets outside: that check alone would let the planner scan every
    reaction and look each one's target up instead."""
    return f"""WITH target(id) AS ({target_ids})
        SELECT r.id FROM target CROSS JOIN reactions AS r
        ON r.id > '{target_type}:' || target.id || ':' AND r.id < '{target_type}:' || target.id || ';'
        AND r.target_id = target.id"""


def follow_id(user_id: str, target_type: str, target_id: str) -> str:
    """The change id of a follow."""
    return f"{user_id}:{target_type}:{target_id}"
