"""``atrium``: the desktop, and headless commands for scripts, IT and tests (login, logout, sync, status).

Exit codes: 0 done; 1 failed (the message says why); 2 bad usage; 3 not signed
in (sign in again; unsent work is kept); 4 this device was revoked (local data wiped).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sqlite3
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from atrium import __version__
from atrium.cache.errors import CacheError

from .errors import ApiError, DeviceRevoked, Unauthorized, plural, sign_in_message

if TYPE_CHECKING:
    from .engine import EngineStatus

EXIT_FAILED, EXIT_USAGE, EXIT_SIGNED_OUT, EXIT_REVOKED = 1, 2, 3, 4


def _say(message: str) -> None:
    print(f"atrium: {message}", file=sys.stderr)


async def _login(args: argparse.Namespace) -> int:
    from .session import Session

    if not args.password_stdin:
        import getpass

        password = getpass.getpass(f"Password for {args.username}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    session = Session.open(args.profile)
    pinned = str(session.settings.get("server_url") or "")
    if session.settings.is_locked("server_url") and args.server and not _same_server(args.server, pinned):
        if pinned:
            _say(f"Your organisation set the server to {pinned}; it cannot be changed.")
        else:
            _say(
                "Your organisation does not let you choose the server, and its policy names none: ask your IT team."
            )
        return EXIT_FAILED
    server = args.server or session.settings.get("server_url")
    if not server:
        _say("No server: pass --server URL.")
        return EXIT_USAGE
    try:
        account = await session.sign_in(server, args.username, password, args.device_name)
    except ApiError as error:
        message = sign_in_message(error)
        _say(f"{message} ({error.detail})" if error.detail and error.detail not in message else message)
        return EXIT_FAILED
    except ValueError as error:
        _say(str(error))
        return EXIT_FAILED
    print(f"Signed in to {account.server} as {account.handle}.")
    for problem in session.problems:
        _say(problem)
    return 0


async def _logout(args: argparse.Namespace) -> int:
    from atrium.cache import draft_count, open_cache, pending_counts, set_aside_copies, wipe

    from .api_client import ApiClient
    from .session import Session

    session = Session.open(args.profile)
    if session.account is None:
        print("Not signed in.")
        return 0
    if session.profile.cache_db.exists() and not args.discard_unsent:
        try:
            cache = open_cache(session.profile.cache_db)
        except CacheError as error:
            _say(
                f"{error} Its unsent changes cannot be counted: sign out with --discard-unsent to drop them."
            )
            return EXIT_FAILED
        unsent = pending_counts(cache)
        drafts = draft_count(cache)
        cache.close()
        if unsent["pending"] or unsent["failed"]:
            _say(
                f"{plural(unsent['pending'] + unsent['failed'], 'change')} not sent to the server yet. "
                "Run 'atrium sync --once' first, or sign out with --discard-unsent to drop them."
            )
            return EXIT_FAILED
        if drafts:
            _say(
                f"{plural(drafts, 'draft')} you have not sent would be deleted with the offline copy. "
                "Send or discard them in Atrium first, or sign out with --discard-unsent to drop them."
            )
            return EXIT_FAILED
    kept = set_aside_copies(session.profile.cache_db)
    if kept and not args.discard_unsent:
        why = "found damaged" if ".corrupt-" in kept[0].name else "from a newer Atrium"
        _say(
            f"An offline copy {why} was set aside here ({kept[0].name}); signing out deletes "
            "it with any changes it had not sent. Sign out with --discard-unsent to go ahead."
        )
        return EXIT_FAILED
    token = session.token()
    if token:
        client = ApiClient(session.account.server, token=token)
        try:
            await client.logout()
        except ApiError as error:
            _say(f"Could not tell the server ({error.statement}); signing out here anyway.")
        finally:
            await client.aclose()
    handle = session.account.handle
    wipe(session.profile.cache_db)
    session.forget()
    print(f"Signed out {handle}; the offline copy on this computer was deleted.")
    return 0


class TerminalProgress:
    """A long sync's count on one line of a terminal, rewritten in place as pages arrive (the
    server gives no total). Given only when stderr is a terminal, so scripts log the summary alone."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def update(self, status: EngineStatus) -> None:
        if status.received:
            self.stream.write(f"\rDownloading… {status.received:,} items")
            self.stream.flush()
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False


async def _sync(args: argparse.Namespace, *, rebuild_damaged: bool = True) -> int:
    """One catch-up. A copy found damaged on the way is set aside and rebuilt in the same run
    (REBUILD_DAMAGED: once), its unsent work brought along and sent."""
    from atrium.cache import CacheDamagedError

    from .session import NotSignedIn, Session

    session = Session.open(args.profile)
    progress = TerminalProgress(sys.stderr)
    try:
        engine = await session.start(
            listen_events=False, run_loop=False, on_status=progress.update if sys.stderr.isatty() else None
        )
    except NotSignedIn as error:
        _say(str(error))
        return EXIT_SIGNED_OUT
    except CacheDamagedError as error:  # met while opening, after the file's own checks
        await session.close()
        _say(str(error))
        return await _sync(args, rebuild_damaged=False) if rebuild_damaged else EXIT_FAILED
    damaged = False
    try:
        try:
            touched = await engine.sync_once(retry_now=True)
        finally:
            progress.finish()  # before any message: it gets a line of its own
    except CacheDamagedError as error:
        _say(str(error))
        damaged = True
    except DeviceRevoked:
        await session.wipe_device()
        _say(
            "This device was signed out remotely by you or your administrator; its offline copy was deleted."
        )
        return EXIT_REVOKED
    except Unauthorized as error:
        kept = "" if "unsent changes are kept" in error.message else " Your unsent changes are kept."
        _say(f"{error.message}{kept}")
        return EXIT_SIGNED_OUT
    except ApiError as error:
        again = (
            " Your unsent changes stay here; run 'atrium sync --once' again later." if error.retryable else ""
        )
        _say(f"Sync failed: {error.one_shot()}{again}")
        return EXIT_FAILED
    finally:
        await session.close()
    if damaged:  # closed: the next open sets the copy aside
        return await _sync(args, rebuild_damaged=False) if rebuild_damaged else EXIT_FAILED
    for problem in session.problems:
        _say(problem)
    total = sum(touched.values())
    status = engine.status
    print(f"Synced: {plural(total, 'object')} updated; {plural(status.pending, 'change')} waiting, "
          f"{status.failed} failed.")  # fmt: skip
    if status.failed:
        _say(
            f"{plural(status.failed, 'change')} refused by the server: 'atrium status' says why; the "
            "desktop's Unsent changes can retry or discard each."
        )
    return 0


def _status(args: argparse.Namespace) -> int:
    from atrium.cache import draft_count, entries, open_cache, pending_counts, read_sync_state
    from atrium.cache.errors import CacheNotUpgradedError

    from .session import Session

    session = Session.open(args.profile)
    report: dict[str, Any] = {
        "server": session.account.server if session.account else None,
        "user": session.account.handle if session.account else None,
        "user_id": session.account.user_id if session.account else None,
        "cursor": None,
        "last_sync": None,
        "counts": {},
        "outbox": {"pending": 0, "failed": 0},
        "drafts": 0,
        "refused": [],
        "problems": session.problems,
    }
    readable = True
    if session.profile.cache_db.exists():
        try:  # only read: a damaged file is reported, and left for the next sync to set aside
            try:
                cache = open_cache(session.profile.cache_db, read_only=True, verify=False)
            except CacheNotUpgradedError:  # an older Atrium's file: upgrading it is safe
                open_cache(session.profile.cache_db).close()
                cache = open_cache(session.profile.cache_db, read_only=True, verify=False)
        except CacheError as error:  # reported with the rest; the file is left as it is
            report["problems"].append(str(error))
            readable = False
        except (OSError, sqlite3.Error) as error:  # a folder in its place, read-only…: said, still JSON
            report["problems"].append(profile_problem(error, args.profile))
            readable = False
        else:
            try:
                state = read_sync_state(cache)
                report["cursor"], report["last_sync"] = state.cursor, state.last_sync_at
                report["counts"] = _counts(cache)
                report["outbox"] = pending_counts(cache)
                report["drafts"] = draft_count(cache)
                report["refused"] = [
                    {"change": entry.kind, "object_id": entry.object_id, "reason": entry.last_error}
                    for entry in entries(cache)
                    if entry.state == "failed"
                ]
            except sqlite3.DatabaseError as error:
                report["problems"].append(
                    f"The offline copy is damaged ({error}); the next sync sets it aside and rebuilds it."
                )
                readable = False
            finally:
                cache.close()
    if args.json:
        print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        who = f"{report['user']} on {report['server']}" if report["user"] else "not signed in"
        print(f"Atrium {__version__}: {who}")
        print(f"Last sync: {report['last_sync'] or 'never'}")
        print("Objects: " + ", ".join(f"{kind} {count}" for kind, count in report["counts"].items()))
        print(f"Waiting to send: {report['outbox']['pending']}, failed: {report['outbox']['failed']}")
        print(f"Drafts (typed, not sent): {report['drafts']}")
        for refused in report["refused"]:
            print(f"Refused by the server: {refused['change']} ({refused['reason']})")
        for problem in report["problems"]:
            _say(problem)
    return 0 if readable else EXIT_FAILED


def _same_server(typed: str, pinned: str) -> bool:
    """Whether two spellings of an address name the same Atrium server ("host:8601" and
    "http://host:8601/"); an address that is not one is not the same."""
    from .api_connection import normalise_base_url

    try:
        return bool(pinned) and normalise_base_url(typed) == normalise_base_url(pinned)
    except ApiError:
        return False


def _counts(cache: Any) -> dict[str, int]:
    from atrium.cache.objects import SPECS

    counts = {}
    for kind, spec in SPECS.items():
        counts[kind] = int(cache.conn.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0])
    return counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atrium", description="Atrium: your company's collaboration desktop."
    )
    parser.add_argument("--version", action="version", version=f"atrium {__version__}")
    parser.add_argument(
        "--profile", metavar="DIR", help="keep cache and settings in DIR (or set ATRIUM_PROFILE)"
    )
    desktop = parser.add_argument_group("desktop (when no command is given)")
    desktop.add_argument(
        "--demo",
        action="store_true",
        help="start a local demo server with demo content and open the desktop signed in",
    )
    desktop.add_argument(
        "--demo-server",
        metavar="URL",
        help="open the desktop signed in as the demo user on URL (password: $ATRIUM_DEMO_PASSWORD)",
    )
    desktop.add_argument(
        "--self-test",
        action="store_true",
        help="start against a temporary demo server, visit every pane, report, exit 0 if all pass",
    )
    desktop.add_argument(
        "--screenshot-dir", metavar="DIR", help="with --self-test: save one PNG per pane in DIR"
    )
    commands = parser.add_subparsers(dest="command")

    def with_profile(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--profile",
            metavar="DIR",
            default=argparse.SUPPRESS,
            help="keep cache and settings in DIR (or set ATRIUM_PROFILE)",
        )
        return sub

    login = with_profile(commands.add_parser("login", help="sign in to an Atrium server"))
    login.add_argument("--server", metavar="URL")
    login.add_argument("--username", required=True)
    login.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    login.add_argument("--device-name")
    logout = with_profile(commands.add_parser("logout", help="sign out and delete the offline copy"))
    logout.add_argument("--discard-unsent", action="store_true", help="sign out even with unsent changes")
    sync = with_profile(commands.add_parser("sync", help="sync with the server"))
    sync.add_argument("--once", action="store_true", required=True, help="one full catch-up, then exit")
    status = with_profile(commands.add_parser("status", help="what this profile holds"))
    status.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not hasattr(args, "profile"):
        args.profile = None
    try:
        if args.command == "login":
            return asyncio.run(_login(args))
        if args.command == "logout":
            return asyncio.run(_logout(args))
        if args.command == "sync":
            return asyncio.run(_sync(args))
        if args.command == "status":
            return _status(args)
        from atrium.ui.main import run_desktop  # Qt is loaded only for the desktop

        return run_desktop(args)
    except KeyboardInterrupt:
        return 130
    except CacheError as error:  # e.g. a cache from a newer Atrium (after a roll-back): left as it is
        _say(str(error))
        return EXIT_FAILED
    except (OSError, sqlite3.Error) as error:  # a folder or file Atrium cannot use: say which, no traceback
        logging.getLogger("atrium").debug("the profile could not be used", exc_info=True)
        _say(profile_problem(error, args.profile))
        return EXIT_FAILED


def profile_problem(error: OSError | sqlite3.Error, profile: str | None) -> str:
    """What to tell a person whose profile folder or offline copy cannot be used."""
    where = getattr(error, "filename", None) or profile or "the profile folder"
    if isinstance(error, PermissionError) or "readonly" in str(error):
        return (f"Atrium cannot write to {where}: check that the folder and its files are yours and not "
                "read-only, or choose another with --profile DIR.")  # fmt: skip
    if isinstance(error, IsADirectoryError | NotADirectoryError):
        return f"Atrium expected a file at {where} and found a folder (or the reverse): move it away and try again."
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return f"The disk holding {where} is full: make room and try again."
    return f"Atrium could not use its files in {where}: {error}"


if __name__ == "__main__":
    sys.exit(main())
