"""Opening the cache: settings, migrations, refusing newer files, recovering from damaged ones, wiping."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from atrium.cache import (
    LATEST_VERSION,
    Cache,
    CacheError,
    CacheTooNewError,
    apply_sync_page,
    attachment_path,
    integrity,
    open_cache,
    read_sync_state,
    search,
    set_aside,
    set_identity,
    store_attachment,
    thread,
    wipe,
)
from atrium.cache.migrations import MIGRATIONS, Migration, migrate, run_statements
from atrium.cache.store import cache_files

from . import factory as f
from .conftest import ME
from .damage import scribble_over_pages


def test_a_new_cache_uses_wal_foreign_keys_and_the_latest_format(cache_path: Path) -> None:
    with open_cache(cache_path) as cache:
        conn = cache.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental: eviction gives space back
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert cache.recovered_from is None


def test_content_round_trips_through_a_real_file(cache_path: Path) -> None:
    alice = f.user("alice")
    with open_cache(cache_path) as cache:
        apply_sync_page(cache, [f.upsert("user", alice)], "cursor-1")
    with open_cache(cache_path) as cache:
        assert read_sync_state(cache).cursor == "cursor-1"
        assert cache.conn.execute(
            "SELECT display_name FROM users WHERE id = ?", (alice["id"],)
        ).fetchone() == ("Alice",)


def test_a_cache_from_before_the_fts_flush_setting_gets_it_and_keeps_content_and_search(
    cache_path: Path,
) -> None:
    group = f.community("G")
    post = f.post(group["id"], f.user("ann")["id"], body="The VPN drops at the airport")
    with open_cache(cache_path) as cache:
        apply_sync_page(
            cache, [f.upsert("community", group), f.upsert("post", post)], "cursor-1", index_now=True
        )
        for table in ("posts", "comments", "wiki_pages", "users"):  # as an older Atrium left it
            cache.conn.execute(f"DELETE FROM {table}_fts_config WHERE k = 'hashsize'")
    with open_cache(cache_path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        for table in ("posts", "comments", "wiki_pages", "users"):
            config = cache.conn.execute(f"SELECT k, v FROM {table}_fts_config").fetchall()
            assert ("hashsize", 8 * 1024 * 1024) in config
        assert read_sync_state(cache).cursor == "cursor-1"
        assert [hit.id for hit in search(cache, "vpn")] == [post["id"]]


def _index_names(cache: Cache) -> set[str]:
    return {row[0] for row in cache.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_format_1_cache_loses_the_reactions_index_and_still_shows_likes(cache_path: Path) -> None:
    group = f.community("G")
    post = f.post(group["id"], "01900000-0000-7000-8000-0000000000aa", "Printer on floor 3 is back")
    comment = f.comment(post["id"], "01900000-0000-7000-8000-0000000000bb")
    others_comment = f.comment(post["id"], ME)
    with open_cache(cache_path, migrations=MIGRATIONS[:1]) as cache:  # as Atrium wrote it before
        set_identity(cache, "https://atrium.example", ME)
        f.write_as_an_older_atrium(
            cache.conn,
            [f.upsert("community", group), f.upsert("post", post)]
            + [f.upsert("comment", c) for c in (comment, others_comment)]
            + [
                f.upsert("reaction", f.reaction("post", post["id"], ME)),
                f.upsert("reaction", f.reaction("comment", others_comment["id"], "someone-else")),
            ],
        )
        assert "reactions_by_target" in _index_names(cache)
    with open_cache(cache_path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert "reactions_by_target" not in _index_names(cache)
        assert "reactions_pending" in _index_names(cache)
        found = thread(cache, post["id"])
        assert found is not None and found.post.liked_by_me
        assert [c.liked_by_me for c in found.comments] == [False, False]


def test_migrations_apply_in_order_once_each(cache_path: Path) -> None:
    with open_cache(cache_path):
        pass
    extra = Migration(
        LATEST_VERSION + 1,
        "test: a new table",
        run_statements(["CREATE TABLE test_notes (id TEXT PRIMARY KEY)"]),
    )
    steps = (*MIGRATIONS, extra)
    with open_cache(cache_path, migrations=steps) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 1
        assert migrate(cache.conn, cache_path, steps) == []  # nothing left to do
        cache.conn.execute("INSERT INTO test_notes VALUES ('x')")


def test_a_failing_migration_leaves_the_file_at_the_last_good_version(cache_path: Path) -> None:
    with open_cache(cache_path):
        pass
    broken = Migration(
        LATEST_VERSION + 1,
        "test: fails halfway",
        run_statements(["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"]),
    )
    with pytest.raises(sqlite3.OperationalError):
        open_cache(cache_path, migrations=(*MIGRATIONS, broken))
    with open_cache(cache_path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert cache.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone() is None


def test_migration_versions_must_be_consecutive(cache_path: Path) -> None:
    gap = Migration(LATEST_VERSION + 2, "test: skips one", run_statements([]))
    with pytest.raises(ValueError, match="migration versions"):
        open_cache(cache_path, migrations=(*MIGRATIONS, gap))


def test_a_file_from_a_newer_atrium_is_refused_and_left_alone(cache_path: Path) -> None:
    with open_cache(cache_path) as cache:
        cache.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    before = cache_path.read_bytes()
    with pytest.raises(CacheTooNewError) as raised:
        open_cache(cache_path)
    assert "newer version of Atrium" in str(raised.value)
    assert raised.value.found == LATEST_VERSION + 5
    assert cache_path.read_bytes() == before
    assert not list(cache_path.parent.glob("*.corrupt-*"))


def _assert_fresh_and_usable(cache: Cache, damaged: Path) -> None:
    assert cache.recovered_from == damaged
    assert damaged.exists()
    assert cache.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert read_sync_state(cache).cursor is None
    apply_sync_page(cache, [f.upsert("user", f.user("bob"))], "c1")
    assert read_sync_state(cache).cursor == "c1"


def test_a_file_that_is_not_a_database_is_moved_aside(cache_path: Path) -> None:
    cache_path.parent.mkdir(parents=True)
    garbage = b"this is not SQLite, just garbage bytes \x00\xff" * 200
    cache_path.write_bytes(garbage)
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is not None
        assert cache.recovered_from.name.startswith("cache.db.corrupt-")
        assert cache.recovered_from.read_bytes() == garbage
        _assert_fresh_and_usable(cache, cache.recovered_from)


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_a_truncated_database_is_moved_aside(cache_path: Path, keep: float) -> None:
    with open_cache(cache_path) as cache:
        people = [f.upsert("user", f.user(f"user{n}", title="x" * 500)) for n in range(2000)]
        apply_sync_page(cache, people, "c1")
        cache.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = cache_path.stat().st_size
    with open(cache_path, "r+b") as handle:
        handle.truncate(int(size * keep))
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is not None
        _assert_fresh_and_usable(cache, cache.recovered_from)


def _fill(cache_path: Path) -> None:
    with open_cache(cache_path) as cache:
        apply_sync_page(cache, [f.upsert("user", f.user(f"user{n}")) for n in range(500)], "c1")


def test_damaged_pages_fail_quick_check_and_are_moved_aside(cache_path: Path) -> None:
    _fill(cache_path)
    scribble_over_pages(cache_path)
    with open_cache(cache_path, verify=True) as cache:
        assert cache.recovered_from is not None
        _assert_fresh_and_usable(cache, cache.recovered_from)


def _set_state(cache_path: Path, key: str, value: str) -> None:
    conn = sqlite3.connect(cache_path)
    with conn:
        conn.execute("UPDATE sync_state SET value = ? WHERE key = ?", (value, key))
    conn.close()


def test_after_an_unclean_shutdown_the_full_check_runs_by_itself(cache_path: Path) -> None:
    _fill(cache_path)
    _set_state(cache_path, "session_open", "1")  # as a crash leaves it
    scribble_over_pages(cache_path)
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is not None


def test_a_clean_recent_file_opens_without_reading_it_all(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_cache(cache_path):
        pass
    checks: list[str] = []
    real = integrity.full_check_problems

    def counting(conn: sqlite3.Connection) -> list[str]:
        checks.append("run")
        return real(conn)

    monkeypatch.setattr(integrity, "full_check_problems", counting)
    with open_cache(cache_path):
        pass
    assert checks == []
    _set_state(cache_path, "verified_at", "2000-01-01T00:00:00.000Z")  # a week and more ago
    with open_cache(cache_path):
        pass
    assert checks == ["run"]
    with open_cache(cache_path, verify=True):
        pass
    assert checks == ["run", "run"]


def test_recovery_keeps_stored_attachments_usable(cache_path: Path) -> None:
    data = b"quarterly report"
    sha = hashlib.sha256(data).hexdigest()
    with open_cache(cache_path) as cache:
        store_attachment(cache, sha, data)
    cache_path.write_bytes(b"garbage" * 1000)
    with open_cache(cache_path) as cache:
        assert cache.recovered_from is not None
        stored = attachment_path(cache, sha)
        assert stored is not None and stored.read_bytes() == data


def test_a_reader_opens_read_only(cache_path: Path) -> None:
    with open_cache(cache_path) as writer:
        apply_sync_page(writer, [f.upsert("user", f.user("carol"))], "c1")
        with open_cache(cache_path, read_only=True) as reader:
            assert reader.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
            with pytest.raises(sqlite3.OperationalError):
                reader.conn.execute("DELETE FROM users")


def test_a_reader_does_not_create_or_repair(tmp_path: Path) -> None:
    with pytest.raises(CacheError):
        open_cache(tmp_path / "missing.db", read_only=True)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"garbage" * 1000)
    with pytest.raises(CacheError, match="damaged"):
        open_cache(damaged, read_only=True)
    assert damaged.read_bytes() == b"garbage" * 1000


def test_a_newer_atrium_cache_set_aside_is_kept_whole_and_a_fresh_one_opens(cache_path: Path) -> None:
    with open_cache(cache_path) as cache:
        apply_sync_page(cache, [f.upsert("user", f.user("erin"))], "c1")
        cache.conn.execute("PRAGMA user_version = 99")  # as a newer Atrium leaves it
    with pytest.raises(CacheTooNewError) as raised:
        open_cache(cache_path)
    kept = set_aside(raised.value.path)
    assert kept.name.startswith("cache.db.newer-") and kept in set(cache_files(cache_path))
    with contextlib.closing(sqlite3.connect(kept)) as copy:
        assert copy.execute("SELECT handle FROM users").fetchall() == [("erin",)]
    with open_cache(cache_path) as fresh:
        assert read_sync_state(fresh).cursor is None
    wipe(cache_path)  # a revoked device takes the copy set aside too
    assert not kept.exists()


def test_a_newer_cache_set_aside_keeps_what_only_its_wal_held(cache_path: Path, tmp_path: Path) -> None:
    """A newer Atrium that crashed (or was killed by the roll-back) leaves its last commits in the
    WAL only: they travel with the copy set aside, so renaming it back gives them all."""
    open_cache(cache_path).close()
    newer = sqlite3.connect(cache_path)
    newer.execute("PRAGMA wal_autocheckpoint = 0")
    with newer:
        newer.execute(
            "INSERT INTO outbox (op_id, kind, method, path, body, created_at) "
            "VALUES ('op-1', 'post', 'POST', '/posts', '{}', '2026-11-27T00:00:00Z')"
        )
        newer.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    copies = [tmp_path / name / cache_path.name for name in ("refused-first", "moved-at-once")]
    for crashed in copies:  # the files as a killed process leaves them
        crashed.parent.mkdir()
        for suffix in ("", "-wal"):
            shutil.copyfile(f"{cache_path}{suffix}", f"{crashed}{suffix}")
    newer.close()
    with pytest.raises(CacheTooNewError):
        open_cache(copies[0])  # as the desktop finds it (SQLite may merge the WAL on closing)
    assert Path(f"{copies[1]}-wal").stat().st_size > 0  # the other copy's commits are in its WAL only
    for crashed in copies:
        kept = set_aside(crashed)
        with contextlib.closing(sqlite3.connect(kept)) as copy:
            assert copy.execute("SELECT op_id FROM outbox").fetchall() == [("op-1",)]
            assert copy.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 1
        with open_cache(crashed) as fresh:
            assert fresh.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_wipe_removes_the_database_its_side_files_copies_and_attachments(cache_path: Path) -> None:
    cache_path.parent.mkdir(parents=True)
    cache_path.write_bytes(b"garbage" * 100)
    cache = open_cache(cache_path)  # leaves a moved-aside copy
    store_attachment(cache, hashlib.sha256(b"x").hexdigest(), b"x")
    apply_sync_page(cache, [f.upsert("user", f.user("dave"))], "c1")
    cache.close()
    unrelated = cache_path.parent / "settings.ini"
    unrelated.write_text("keep me")
    wipe(cache_path)
    assert sorted(p.name for p in cache_path.parent.iterdir()) == ["settings.ini"]
