"""Fast test data: posts and comments written straight into the server's sync feed (change_log).

The kill-during-sync test needs a first sync long enough to interrupt; going
through the API would take minutes. Rows have exactly the protocol's shapes.
"""

from __future__ import annotations

import random
from typing import Any

import orjson
from sqlalchemy import Engine, update

from atrium.server.clock import now_iso, uuid7
from atrium.server.schema import change_log, sync_counter


def add_feed_posts(
    engine: Engine, community_id: str, author_id: str, posts: int, comments_per_post: int
) -> int:
    rng = random.Random(3)
    stamp = now_iso()
    rows: list[tuple[str, str, dict[str, Any]]] = []
    words = [
        "vpn",
        "printer",
        "budget",
        "roadmap",
        "kaizen",
        "python",
        "coffee",
        "travel",
        "audit",
        "release",
    ]
    for _ in range(posts):
        post_id = uuid7()
        body = " ".join(rng.choice(words) for _ in range(rng.randint(30, 150)))
        rows.append(
            (
                "post",
                post_id,
                {
                    "id": post_id,
                    "community_id": community_id,
                    "author_id": author_id,
                    "app_id": None,
                    "kind": "post",
                    "title": None,
                    "body": body,
                    "created_at": stamp,
                    "edited_at": None,
                    "pinned": False,
                    "comments_enabled": True,
                    "accepted_comment_id": None,
                    "mentions": [],
                    "topics": [],
                    "attachments": [],
                    "like_count": 0,
                    "comment_count": comments_per_post,
                },
            )
        )
        for _ in range(comments_per_post):
            comment_id = uuid7()
            rows.append(
                (
                    "comment",
                    comment_id,
                    {
                        "id": comment_id,
                        "post_id": post_id,
                        "author_id": author_id,
                        "parent_id": None,
                        "body": " ".join(rng.choice(words) for _ in range(20)),
                        "created_at": stamp,
                        "edited_at": None,
                        "like_count": 0,
                    },
                )
            )
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        top = conn.execute(
            update(sync_counter)
            .where(sync_counter.c.id == 1)
            .values(value=sync_counter.c.value + len(rows))
            .returning(sync_counter.c.value)
        ).scalar_one()
        first = int(top) - len(rows) + 1
        conn.execute(
            change_log.insert(),
            [
                {
                    "type": kind,
                    "object_id": object_id,
                    "seq": first + n,
                    "scope": f"community:{community_id}",
                    "op": "upsert",
                    "ts": stamp,
                    "keep": False,
                    "data": orjson.dumps(data).decode(),
                }
                for n, (kind, object_id, data) in enumerate(rows)
            ],
        )
    return len(rows)
