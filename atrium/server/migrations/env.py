"""Alembic environment: runs the migrations against the URL the CLI passes in."""

from __future__ import annotations

from alembic import context

from atrium.server.database import create_db_engine
from atrium.server.schema import metadata

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_db_engine(url, pool_size=1)
    with engine.connect().execution_options(atrium_write=True) as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
