"""Schema migrations carry a live deployment's data forward (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from sqlalchemy import Engine, select

from atrium.server.database import alembic_config
from atrium.server.schema import change_log, scope_events
from tests.harness import Api, RunningServer
from tests.server.helpers import make_community, make_post


def test_author_scopes_reach_posts_and_follows_made_before_them(
    server: RunningServer, engine: Engine, make_user: Callable[..., Api]
) -> None:
    """0002 gives existing posts in public communities their author's scope and records each
    existing follow of a person as a gain, so a desktop already in sync backfills those posts."""
    owner, reader = make_user("olga"), make_user("ravi")
    open_post = make_post(owner, make_community(owner, "Photography"), "Golden hour")
    secret_post = make_post(owner, make_community(owner, "Falcon", "private"), "plans")
    assert reader.put(f"/follows/user/{owner.user_id}").status_code == 204
    _changes, cursor = reader.sync_all()  # a desktop in sync
    config = alembic_config(server.database_url)
    command.downgrade(config, "0001")  # as if the posts and the follow predated author scopes
    command.upgrade(config, "head")

    with engine.connect() as conn:
        scopes = dict(
            conn.execute(
                select(change_log.c.object_id, change_log.c.author_scope).where(change_log.c.type == "post")
            ).all()
        )
        gains = conn.execute(
            select(scope_events.c.scope, scope_events.c.op).where(scope_events.c.user_id == reader.user_id)
        ).all()
    assert scopes == {open_post: f"author:{owner.user_id}", secret_post: None}
    assert (f"author:{owner.user_id}", "gain") in gains
    changes, _ = reader.sync_all(since=cursor)
    assert [c["id"] for c in changes if c["type"] == "post"] == [open_post]
