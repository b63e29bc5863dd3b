"""The headless commands' output: progress on a terminal, and clear messages instead of tracebacks."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest

from atrium.app import cli
from atrium.app import session as session_module
from atrium.app.account import Account, save_account
from atrium.app.cli import TerminalProgress
from atrium.app.engine import EngineState, EngineStatus
from atrium.app.errors import Offline
from atrium.app.profile import Profile
from atrium.app.session import TEST_KEYRING_ENV, credential_store
from atrium.cache import (
    draft_count,
    enqueue,
    load_draft,
    mark_failed,
    open_cache,
    pending_counts,
    save_draft,
    set_aside,
    set_aside_copies,
    uuid7,
)
from atrium.cache.store import cache_files
from tests.cache.damage import damage_table
from tests.conftest import PASSWORD
from tests.harness import RunningServer
from tests.server.helpers import make_community


def test_a_long_sync_counts_on_one_terminal_line_then_ends_it() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.update(EngineStatus(EngineState.SYNCING))  # before any page: nothing to say
    progress.update(EngineStatus(EngineState.SYNCING, received=5000))
    progress.update(EngineStatus(EngineState.SYNCING, received=10_000))
    progress.update(EngineStatus(EngineState.ONLINE))
    progress.finish()
    assert stream.getvalue() == "\rDownloading… 5,000 items\rDownloading… 10,000 items\n"


def test_a_short_sync_prints_no_progress_line() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.update(EngineStatus(EngineState.SYNCING))
    progress.update(EngineStatus(EngineState.ONLINE))
    progress.finish()
    assert stream.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FailsAfterTwoPages:
    """Fault injection: a sync that reports two pages, then loses the network."""

    def __init__(self, on_status: Callable[[EngineStatus], None]) -> None:
        self.on_status = on_status

    async def sync_once(self, *, retry_now: bool = False) -> None:
        for received in (0, 5000, 10_000):
            self.on_status(EngineStatus(EngineState.SYNCING, received=received))
        raise Offline()


class SessionFailingMidSync:
    problems: ClassVar[list[str]] = []

    @classmethod
    def open(cls, profile: Any) -> SessionFailingMidSync:
        return cls()

    async def start(self, **options: Any) -> FailsAfterTwoPages:
        return FailsAfterTwoPages(options["on_status"])

    async def close(self) -> None:
        pass


def test_a_failing_sync_ends_the_progress_line_before_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(session_module, "Session", SessionFailingMidSync)
    monkeypatch.setattr(sys, "stderr", terminal)
    code = asyncio.run(cli._sync(argparse.Namespace(profile=None)))
    assert code == cli.EXIT_FAILED
    lines = terminal.getvalue().split("\n")
    assert lines[0] == "\rDownloading… 5,000 items\rDownloading… 10,000 items"
    assert lines[1].startswith("atrium: Sync failed: ") and lines[2:] == [""]


SERVER = "http://127.0.0.1:9/api/v1"  # nothing listens there: these commands fail before the network


def profile_with_a_cache_from_a_newer_atrium(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, signed_in: bool = True
) -> Path:
    """A signed-in profile whose cache says a newer Atrium wrote it (as after IT rolls a version back)."""
    monkeypatch.setenv(TEST_KEYRING_ENV, str(folder / "keyring.cfg"))
    profile = folder / "profile"
    if signed_in:
        save_account(profile, Account(server=SERVER, handle="ann", user_id=uuid7(), device_id="d1"))
        credential_store().save(SERVER, "ann", "a-token")
    cache = open_cache(Profile(profile).cache_db)
    cache.conn.execute("PRAGMA user_version = 99")
    cache.close()
    return profile


def signed_in_profile(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signed-in profile with no offline copy yet: the test makes the one it needs."""
    profile = profile_with_a_cache_from_a_newer_atrium(folder, monkeypatch)
    for side in cache_files(Profile(profile).cache_db):
        side.unlink(missing_ok=True)
    return profile


def test_sync_with_a_cache_from_a_newer_atrium_explains_and_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = profile_with_a_cache_from_a_newer_atrium(tmp_path, monkeypatch)
    assert cli.main(["sync", "--once", "--profile", str(profile)]) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert said.startswith("atrium: The offline cache ") and "newer version of Atrium" in said
    assert "Traceback" not in said
    with contextlib.closing(sqlite3.connect(Profile(profile).cache_db)) as untouched:
        assert untouched.execute("PRAGMA user_version").fetchone()[0] == 99


def test_status_of_a_cache_from_a_newer_atrium_reports_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = profile_with_a_cache_from_a_newer_atrium(tmp_path, monkeypatch)
    assert cli.main(["status", "--json", "--profile", str(profile)]) == cli.EXIT_FAILED
    report = orjson.loads(capsys.readouterr().out)
    assert report["user"] == "ann" and report["counts"] == {}
    assert any("newer version of Atrium" in problem for problem in report["problems"])


def test_logout_with_a_cache_from_a_newer_atrium_needs_the_word_to_drop_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = profile_with_a_cache_from_a_newer_atrium(tmp_path, monkeypatch)
    assert cli.main(["logout", "--profile", str(profile)]) == cli.EXIT_FAILED
    assert "--discard-unsent" in capsys.readouterr().err
    assert Profile(profile).cache_db.exists()
    assert cli.main(["logout", "--discard-unsent", "--profile", str(profile)]) == 0
    assert "Signed out ann" in capsys.readouterr().out
    assert not Profile(profile).cache_db.exists()


def test_logout_keeps_a_newer_copy_set_aside_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = profile_with_a_cache_from_a_newer_atrium(tmp_path, monkeypatch)
    kept = set_aside(Profile(profile).cache_db)  # as the desktop's "Start with a fresh copy" leaves it
    open_cache(Profile(profile).cache_db).close()
    assert cli.main(["logout", "--profile", str(profile)]) == cli.EXIT_FAILED
    assert kept.name in capsys.readouterr().err and kept.exists()
    assert cli.main(["logout", "--discard-unsent", "--profile", str(profile)]) == 0
    assert not kept.exists()


def test_login_to_an_address_without_atrium_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sign-in wording of the desktop: no "changes are kept", no "will try again"."""
    monkeypatch.setenv(TEST_KEYRING_ENV, str(tmp_path / "keyring.cfg"))
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    args = ["login", "--server", "http://127.0.0.1:9", "--username", "ann", "--password-stdin"]
    assert cli.main([*args, "--profile", str(tmp_path / "profile")]) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert said.startswith("atrium: Atrium could not reach a server at this address.")
    assert "changes" not in said and "try again" not in said


def test_logout_does_not_delete_drafts_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = signed_in_profile(tmp_path, monkeypatch)  # a current cache, holding one draft
    with open_cache(Profile(profile).cache_db) as cache:
        save_draft(cache, "comment:p1", {"body": "Half a reply"})
    assert cli.main(["status", "--json", "--profile", str(profile)]) == 0
    assert orjson.loads(capsys.readouterr().out)["drafts"] == 1
    assert cli.main(["logout", "--profile", str(profile)]) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert "1 draft you have not sent" in said and "--discard-unsent" in said
    assert Profile(profile).cache_db.exists()
    assert cli.main(["logout", "--discard-unsent", "--profile", str(profile)]) == 0
    assert not Profile(profile).cache_db.exists()


def login(
    server: RunningServer, profile: Path, handle: str, monkeypatch: pytest.MonkeyPatch, address: str = ""
) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n"))
    args = ["login", "--server", address or server.url, "--username", handle, "--password-stdin"]
    return cli.main([*args, "--profile", str(profile)])


def ann_with_unsent_work(
    server: RunningServer, make_user: Callable[..., Any], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Ann signed in on a profile holding a post she has not sent and a draft; bob exists too."""
    monkeypatch.setenv(TEST_KEYRING_ENV, str(folder / "keyring.cfg"))
    make_user("ann"), make_user("bob")
    profile = folder / "profile"
    assert login(server, profile, "ann", monkeypatch) == 0
    with open_cache(Profile(profile).cache_db) as cache:
        enqueue(cache, "create_post", "POST", "/posts", {"id": uuid7(), "body": "typed on the plane"})
        save_draft(cache, "question", {"title": "Half a question"})
    return profile


def test_signing_in_again_keeps_the_unsent_work_and_another_person_is_refused_over_it(
    server: RunningServer, make_user: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    profile = ann_with_unsent_work(server, make_user, tmp_path, monkeypatch)
    other_spelling = server.url.replace("127.0.0.1", "localhost")
    assert login(server, profile, "ann", monkeypatch, other_spelling) == 0, "the same person, another address"
    with open_cache(Profile(profile).cache_db) as cache:
        assert pending_counts(cache)["pending"] == 1 and draft_count(cache) == 1, "nothing lost"
    capsys.readouterr()
    assert login(server, profile, "bob", monkeypatch) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert "1 unsent change and 1 draft of ann" in said and "--discard-unsent" in said
    with open_cache(Profile(profile).cache_db) as cache:
        assert pending_counts(cache)["pending"] == 1, "still there"
    assert cli.main(["status", "--json", "--profile", str(profile)]) == 0
    assert orjson.loads(capsys.readouterr().out)["user"] == "ann", "ann is still the one signed in"


def test_a_missing_account_file_does_not_hand_the_copy_to_the_next_person(
    server: RunningServer, make_user: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    profile = ann_with_unsent_work(server, make_user, tmp_path, monkeypatch)
    (profile / "account.json").unlink()
    assert login(server, profile, "bob", monkeypatch) == cli.EXIT_FAILED, "ann's post must not go out as bob"
    assert "1 unsent change and 1 draft" in capsys.readouterr().err


def test_status_only_reads_a_damaged_copy_and_logout_asks_before_deleting_one_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = signed_in_profile(tmp_path, monkeypatch)
    cache_db = Profile(profile).cache_db
    cache_db.write_bytes(b"not a database at all, but it held someone's unsent post" * 200)
    before = cache_db.read_bytes()
    assert cli.main(["status", "--json", "--profile", str(profile)]) == cli.EXIT_FAILED
    report = orjson.loads(capsys.readouterr().out)
    assert any("damaged" in problem for problem in report["problems"])
    assert cache_db.read_bytes() == before and not set_aside_copies(cache_db), "status only reads"
    open_cache(cache_db).close()  # as the next sync does: set aside, a fresh copy
    assert [copy.name.split("-")[0] for copy in set_aside_copies(cache_db)] == ["cache.db.corrupt"]
    assert cli.main(["logout", "--profile", str(profile)]) == cli.EXIT_FAILED
    assert "found damaged was set aside" in capsys.readouterr().err
    assert set_aside_copies(cache_db), "kept until the person says so"


def test_status_says_why_the_server_refused_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = signed_in_profile(tmp_path, monkeypatch)
    cache_db = Profile(profile).cache_db
    with open_cache(cache_db) as cache:
        queued = enqueue(cache, "create_post", "POST", "/posts", {"id": uuid7(), "body": "x" * 10})
        mark_failed(cache, queued.entry.op_id, "Join the community to post in it.", permanent=True)
    assert cli.main(["status", "--json", "--profile", str(profile)]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["outbox"]["failed"] == 1
    assert report["refused"] == [
        {"change": "create_post", "object_id": None, "reason": "Join the community to post in it."}
    ]


def test_a_folder_where_the_offline_copy_should_be_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = signed_in_profile(tmp_path, monkeypatch)
    cache_db = Profile(profile).cache_db
    cache_db.mkdir()
    assert cli.main(["status", "--json", "--profile", str(profile)]) == cli.EXIT_FAILED
    assert any("found a folder" in problem for problem in orjson.loads(capsys.readouterr().out)["problems"])
    assert cli.main(["sync", "--once", "--profile", str(profile)]) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert "Traceback" not in said and "cache.db" in said, said
    assert cache_db.is_dir(), "left as it is"


def test_a_pinned_server_accepts_any_spelling_of_itself_and_says_when_none_is_named(
    server: RunningServer, make_user: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv(TEST_KEYRING_ENV, str(tmp_path / "keyring.cfg"))
    make_user("ann")
    policy = tmp_path / "no-policy.json"  # the file the tests' policy variable points at
    policy.write_text(orjson.dumps({"server_url": server.url, "allow_server_change": False}).decode())
    profile = tmp_path / "profile"
    spelled = server.url.removeprefix("http://") + "/"
    assert login(server, profile, "ann", monkeypatch, spelled) == 0, "the same server, written another way"
    assert login(server, profile, "ann", monkeypatch, "http://127.0.0.1:9") == cli.EXIT_FAILED
    assert "cannot be changed" in capsys.readouterr().err
    policy.write_text(orjson.dumps({"allow_server_change": False}).decode())
    assert login(server, profile, "ann", monkeypatch, "http://127.0.0.1:9") == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert "policy names none" in said and "set the server to ;" not in said


def test_a_policy_that_moves_the_server_asks_for_a_sign_in_there_and_keeps_the_work(
    server: RunningServer, make_user: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    profile = ann_with_unsent_work(server, make_user, tmp_path, monkeypatch)
    policy = tmp_path / "no-policy.json"  # the file the tests' policy variable points at
    policy.write_text(
        orjson.dumps({"server_url": "https://atrium.new.example", "allow_server_change": False}).decode()
    )
    capsys.readouterr()
    assert cli.main(["sync", "--once", "--profile", str(profile)]) == cli.EXIT_SIGNED_OUT
    said = capsys.readouterr().err
    assert "now uses the Atrium server at https://atrium.new.example" in said
    with open_cache(Profile(profile).cache_db) as cache:
        assert pending_counts(cache)["pending"] == 1, "nothing sent to the old server, nothing lost"


def test_a_sign_in_the_profile_cannot_keep_leaves_no_device_behind(
    server: RunningServer, make_user: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The server said yes, but the profile cannot record the sign-in (here a folder where its
    account file goes; a full disk or a read-only folder alike): the new device is signed out on
    the server again, and the person is told why."""
    monkeypatch.setenv(TEST_KEYRING_ENV, str(tmp_path / "keyring.cfg"))
    ann = make_user("ann")
    profile = tmp_path / "profile"
    (profile / "account.json").mkdir(parents=True)
    assert login(server, profile, "ann", monkeypatch) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert "Traceback" not in said and "account.json" in said, said
    assert [device["current"] for device in ann.get("/devices").json()] == [True], (
        "only ann's own test device"
    )
    assert credential_store().load(server.url, "ann") is None, (
        "no token kept for a sign-in that did not happen"
    )


def test_a_sync_that_fails_says_what_to_do_not_that_it_will_try_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One run, nothing retries: the desktop's "Atrium will try again" would be untrue here."""
    profile = signed_in_profile(tmp_path, monkeypatch)  # its server's port has nothing listening
    assert cli.main(["sync", "--once", "--profile", str(profile)]) == cli.EXIT_FAILED
    said = capsys.readouterr().err
    assert said.startswith("atrium: Sync failed: You are offline or the Atrium server cannot be reached")
    assert said.rstrip().endswith("Your unsent changes stay here; run 'atrium sync --once' again later."), (
        said
    )
    assert "will try again" not in said and "changes are kept" not in said


@pytest.mark.parametrize("found", ["after_a_crash", "while_syncing"])
def test_a_damaged_copy_is_rebuilt_in_the_same_run_and_nothing_typed_is_lost(
    server: RunningServer, make_user: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], found: str,
) -> None:  # fmt: skip
    """The offline copy is damaged: found when it opens after a crash (the full check), or by
    SQLite in the middle of a sync. Either way it is set aside and rebuilt in the same run, and
    the post written offline (sent, once) and the draft are not left behind in the damaged file."""
    monkeypatch.setenv(TEST_KEYRING_ENV, str(tmp_path / "keyring.cfg"))
    ann = make_user("ann")
    community = make_community(ann, "Cafe")
    profile = tmp_path / "profile"
    assert login(server, profile, "ann", monkeypatch) == 0
    assert cli.main(["sync", "--once", "--profile", str(profile)]) == 0
    cache_db = Profile(profile).cache_db
    post = {"id": uuid7(), "community_id": community, "kind": "post", "body": "typed on the plane"}
    with open_cache(cache_db) as cache:
        enqueue(cache, "create_post", "POST", "/posts", post, "post", post["id"])
        save_draft(cache, "question", {"title": "Half a question"})
    if found == "after_a_crash":  # the writer never closed the file
        with contextlib.closing(sqlite3.connect(cache_db)) as conn, conn:
            conn.execute("UPDATE sync_state SET value = '1' WHERE key = 'session_open'")
    damage_table(cache_db, "users")
    capsys.readouterr()
    assert cli.main(["sync", "--once", "--profile", str(profile)]) == 0
    said = capsys.readouterr().err
    assert "Traceback" not in said and "was damaged and was set aside" in said, said
    if found == "after_a_crash":
        assert "Kept from it: 1 unsent change and 1 draft." in said
    else:  # the post went out before the damage was met
        assert said.startswith("atrium: The offline copy is damaged (") and "Kept from it: 1 draft." in said
    assert ann.get(f"/posts/{post['id']}").json()["body"] == "typed on the plane"
    with open_cache(cache_db) as cache:
        assert cache.conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0, "rebuilt by the sync"
        assert load_draft(cache, "question") is not None
        assert pending_counts(cache)["pending"] == 0
    aside = [copy for copy in profile.glob("cache.db.corrupt-*") if not copy.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and not list(profile.glob("*.damaged")), "set aside once, kept"
