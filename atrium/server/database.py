"""Opening the server's database: URL checks, engine set-up for SQLite and PostgreSQL, migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseError(Exception):
    """A database problem with a message fit to show the person running the server."""


def normalise_url(url: str) -> str:
    """Check a database URL and pick the drivers Atrium uses (pysqlite, psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseError(
            f"'{url}' is not a database URL. Use sqlite:///PATH or postgresql://USER@HOST/NAME."
        ) from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseError("An SQLite URL needs a file path: sqlite:///PATH (three slashes).")
        return parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise DatabaseError(f"Unsupported database '{backend}': Atrium runs on SQLite or PostgreSQL.")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE) so two of them
    # queue on busy_timeout instead of failing to upgrade a read lock; readers
    # begin deferred and never wait for a writer (WAL).
    writing = conn.get_execution_options().get("atrium_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_db_engine(url: str, *, pool_size: int = 20) -> Engine:
    """Make an engine for URL; SQLite files get WAL and their folder is created."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.exists():
            raise DatabaseError(f"The folder for the SQLite database does not exist: {folder}")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite in autocommit mode (isolation_level=None) plus explicit BEGIN
        # gives real transactions with SQLAlchemy's begin()/commit().
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10},
    )


def create_listen_engine(url: str) -> Engine:
    """An unpooled engine for long-lived connections (PostgreSQL LISTEN)."""
    return create_engine(normalise_url(url), poolclass=NullPool)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def check_reachable(engine: Engine) -> None:
    """Connect once, turning driver errors into a message a person can act on."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise DatabaseError(f"Cannot reach the database: {reason}") from error


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return {revision.revision for revision in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def migrate(url: str) -> str:
    """Bring the database to the newest schema; refuse one made by a newer Atrium."""
    from alembic import command

    engine = create_db_engine(url, pool_size=1)
    try:
        check_reachable(engine)
        current = current_revision(engine)
    finally:
        engine.dispose()
    if current is not None and current not in known_revisions():
        raise DatabaseError(
            f"This database was written by a newer Atrium server (schema {current}). "
            "Upgrade this server before using it."
        )
    command.upgrade(alembic_config(url), "head")
    return head_revision()


def ensure_current(engine: Engine) -> None:
    """Refuse to serve a database that is not at this version's schema."""
    current = current_revision(engine)
    if current is None:
        raise DatabaseError("The database has no Atrium schema yet. Run: atrium-server migrate --db URL")
    if current not in known_revisions():
        raise DatabaseError(
            f"This database was written by a newer Atrium server (schema {current}). "
            "Upgrade this server before using it."
        )
    if current != head_revision():
        raise DatabaseError(
            "The database schema is older than this server. Run: atrium-server migrate --db URL"
        )


def default_files_dir(url: str) -> Path:
    """Where attachment bytes live unless ATRIUM_FILES_DIR says otherwise."""
    override = os.environ.get("ATRIUM_FILES_DIR")
    if override:
        return Path(override)
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database).expanduser().resolve().parent / (Path(parsed.database).stem + "-files")
    return Path.cwd() / "atrium-files"
