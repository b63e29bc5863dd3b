"""`make run`'s demo database: seeded once, then brought up to date on every later run."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from atrium.devtools.demo import prepare_database
from atrium.server.database import alembic_config, create_db_engine, ensure_current


def test_a_demo_database_from_an_older_version_is_migrated_on_the_next_run(tmp_path: Path) -> None:
    url = prepare_database(tmp_path / "demo", quiet=True)
    command.downgrade(alembic_config(url), "0001")  # as a checkout from before a migration left it
    assert prepare_database(tmp_path / "demo", quiet=True) == url
    engine = create_db_engine(url, pool_size=1)
    try:
        ensure_current(engine)  # the server refuses a database older than itself
    finally:
        engine.dispose()
