"""Damaging a cache file the way a crash or a failing disk does, for the recovery tests."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest


def scribble_over_pages(cache_path: Path, page_size: int = 4096) -> None:
    """Damage every other page after the first few, leaving the header intact."""
    data = bytearray(cache_path.read_bytes())
    for page in range(3, len(data) // page_size, 2):
        start = page * page_size
        data[start : start + 64] = b"\xa5" * 64
    cache_path.write_bytes(bytes(data))


def damage_table(path: Path, table: str, *, one_leaf: bool = False) -> None:
    """Scribble over every page of TABLE (and its indexes), leaving the rest of the file whole;
    ONE_LEAF: only the middle one of the table's leaf pages."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            if one_leaf:
                leaves = [row[0] for row in conn.execute(
                    "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path", (table,))]  # fmt: skip
                pages = leaves[len(leaves) // 2 : len(leaves) // 2 + 1]
            else:
                pages = [row[0] for row in conn.execute(
                    "SELECT pageno FROM dbstat WHERE name = ? OR name IN "
                    "(SELECT name FROM sqlite_schema WHERE tbl_name = ? AND type = 'index')", (table, table))]  # fmt: skip
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    assert pages
    data = bytearray(path.read_bytes())
    for page in pages:
        start = (page - 1) * page_size
        data[start + 8 : start + page_size] = b"\xa5" * (page_size - 8)
    path.write_bytes(bytes(data))


def real_corruption_error(folder: Path) -> sqlite3.DatabaseError:
    """The error SQLite raises when it meets a damaged page: made by damaging a small database
    in FOLDER and reading it (to inject where the file cannot be damaged under a live connection)."""
    path = folder / "damaged-sample.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(200)])
    damage_table(path, "t")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            conn.execute("SELECT count(*), max(x) FROM t").fetchone()
        except sqlite3.DatabaseError as error:
            return error
    raise AssertionError("the damaged sample read without an error")
