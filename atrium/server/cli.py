"""``atrium-server``: serve, migrate, add users and apps, seed demo content."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .database import DatabaseError, check_reachable, create_db_engine, migrate


def _engine_for(url: str):  # type: ignore[no-untyped-def]
    engine = create_db_engine(url, pool_size=2)
    check_reachable(engine)
    from .database import ensure_current

    ensure_current(engine)
    return engine


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    engine = _engine_for(args.db)
    engine.dispose()
    if args.files_dir:
        os.environ["ATRIUM_FILES_DIR"] = str(Path(args.files_dir).resolve())
    print(
        f"Atrium server on http://{args.host}:{args.port}/api/v1 (database {args.db.split('@')[-1]})",
        flush=True,
    )
    if args.workers > 1:
        os.environ["ATRIUM_DB"] = args.db
        uvicorn.run(
            "atrium.server.main:app_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            timeout_graceful_shutdown=5,
        )
    else:
        from .main import create_app, tune_server_process

        tune_server_process()
        app = create_app(args.db, files_dir=Path(args.files_dir) if args.files_dir else None)
        uvicorn.run(
            app, host=args.host, port=args.port, log_level=args.log_level, timeout_graceful_shutdown=5
        )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    revision = migrate(args.db)
    print(f"Database is at schema {revision}.")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from .admin_ops import add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass(f"Password for {args.username}: ")
    engine = _engine_for(args.db)
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        user_id = add_user(
            conn,
            args.username,
            password=password,
            display_name=args.display_name,
            department=args.department or "",
            title=args.title or "",
            location=args.location or "",
            is_admin=args.admin,
        )
    engine.dispose()
    print(f"Added user {args.username} ({user_id}){' as an administrator' if args.admin else ''}.")
    return 0


def cmd_app_add(args: argparse.Namespace) -> int:
    from .admin_ops import add_app

    engine = _engine_for(args.db)
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        app_id, token = add_app(
            conn,
            args.name,
            args.url,
            description=args.description or "",
            icon_url=args.icon_url,
            allowed_origins=args.allowed_origin or [],
            position=args.position,
            community_slug=args.community,
        )
    engine.dispose()
    print(f"Added app {args.name} ({app_id}).")
    if token:
        print(f"Webhook: POST /api/v1/hooks/{token}  (keep this secret; it is shown once)")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    if not args.demo:
        print("Nothing to seed: pass --demo.", file=sys.stderr)
        return 2
    from .seed.demo import seed_demo

    engine = _engine_for(args.db)
    try:
        seed_demo(
            engine,
            scale=args.scale,
            seed=args.seed,
            out=sys.stdout,
            files_dir=Path(args.files_dir) if args.files_dir else None,
        )
    finally:
        engine.dispose()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atrium-server", description="The Atrium collaboration server.")
    from atrium import __version__

    parser.add_argument("--version", action="version", version=f"atrium-server {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--db",
            required=True,
            metavar="URL",
            help="sqlite:///PATH or postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME",
        )
        return sub

    serve = with_db(commands.add_parser("serve", help="run the server"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--files-dir", help="where attachment bytes are kept (default: beside the database)")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(func=cmd_serve)

    with_db(commands.add_parser("migrate", help="create or upgrade the schema")).set_defaults(
        func=cmd_migrate
    )

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    add = with_db(user.add_parser("add", help="add a user"))
    add.add_argument("username")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--admin", action="store_true")
    add.add_argument("--display-name")
    add.add_argument("--department")
    add.add_argument("--title")
    add.add_argument("--location")
    add.set_defaults(func=cmd_user_add)

    app = commands.add_parser("app", help="manage business apps").add_subparsers(
        dest="app_command", required=True
    )
    app_add = with_db(app.add_parser("add", help="add a business app to the catalog"))
    app_add.add_argument("--name", required=True)
    app_add.add_argument("--url", required=True)
    app_add.add_argument("--description")
    app_add.add_argument("--icon-url")
    app_add.add_argument("--allowed-origin", action="append", help="an origin the app may load (repeatable)")
    app_add.add_argument("--position", type=int, default=0)
    app_add.add_argument("--community", metavar="SLUG", help="a community the app may post into (webhook)")
    app_add.set_defaults(func=cmd_app_add)

    seed = with_db(commands.add_parser("seed", help="fill the database with demo content"))
    seed.add_argument("--demo", action="store_true", help="the demo company")
    seed.add_argument("--scale", type=int, default=0, metavar="N", help="also add N posts (benchmarks)")
    seed.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (deterministic content)")
    seed.add_argument(
        "--files-dir", help="where attachment bytes go (as serve --files-dir; default: beside the database)"
    )
    seed.set_defaults(func=cmd_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DatabaseError as error:
        print(f"atrium-server: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # an admin error or similar: one clear line, no traceback
        from .admin_ops import AdminError

        if isinstance(error, AdminError):
            print(f"atrium-server: {error}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
