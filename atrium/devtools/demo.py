"""`make run`: prepare a demo database once, start the Atrium server on it, and open the desktop.

The demo lives in one folder (default ``var/demo``): ``atrium.db`` with the
demo company, the server's attachment files, and the desktop profile. Delete the
folder to start over.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEMO_USER = "demo"
DEMO_PASSWORD = "demo"
DEFAULT_PORT = 8470


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_port(preferred: int) -> int:
    if _port_free(preferred):
        return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_command() -> list[str]:
    """How to run `atrium-server`: this Python with -m, or (in a frozen bundle) the bundled executable."""
    if getattr(sys, "frozen", False):
        bundled = Path(sys.executable).with_name("atrium-server" + (".exe" if os.name == "nt" else ""))
        return [str(bundled)]
    return [sys.executable, "-m", "atrium.server.cli"]


def prepare_database(folder: Path, *, quiet: bool = False) -> str:
    """Create and seed the demo database the first time; later runs reuse it, brought up to this
    version's schema (a checkout pulled since the last run may have new migrations)."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "atrium.db"
    url = f"sqlite:///{db_path.resolve()}"
    marker = folder / ".seeded"
    output = subprocess.DEVNULL if quiet else None
    seeded = marker.exists()
    if not seeded:
        for stale in folder.glob("atrium.db*"):
            stale.unlink()
        if not quiet:
            print("Preparing the demo company (first run only)...", flush=True)
    subprocess.run([*_server_command(), "migrate", "--db", url], check=True, stdout=output)
    if not seeded:
        # the seed's attachment files go where `serve --files-dir` will look for them
        files_env = {**os.environ, "ATRIUM_FILES_DIR": str(folder / "files")}
        subprocess.run(
            [*_server_command(), "seed", "--db", url, "--demo", "--seed", "1"],
            check=True,
            stdout=output,
            env=files_env,
        )
        marker.write_text("seeded\n")
    return url


def start_server(url: str, port: int, files_dir: Path, *, quiet: bool = False) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*_server_command(), "serve", "--db", url, "--port", str(port), "--files-dir", str(files_dir),
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL if quiet else None,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1/health"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The demo server stopped (exit code {process.returncode}).")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(base, timeout=1).status_code == 200:
                return process
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("The demo server did not answer within 30 seconds.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Atrium demo: server + desktop.")
    parser.add_argument("--dir", default="var/demo", help="folder for the demo database and profile")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--server-only", action="store_true", help="only run the server")
    args = parser.parse_args(argv)

    if not args.server_only and (problem := _display_problem()) is not None:
        print(f"atrium: {problem}", file=sys.stderr)
        return 1
    folder = Path(args.dir).resolve()
    url = prepare_database(folder)
    port = pick_port(args.port)
    server = start_server(url, port, folder / "files")
    address = f"http://127.0.0.1:{port}"
    print(f"\nAtrium demo server: {address}  (API {address}/api/v1)")
    print(f"Demo sign-in: user '{DEMO_USER}', password '{DEMO_PASSWORD}'  (admin: 'admin' / 'admin')")
    print(f"Business apps: {address}/demo-apps/")
    try:
        desktop = None if args.server_only else _desktop_command(address, folder / "profile")
        if desktop is None:
            print("Press Ctrl+C to stop.", flush=True)
            server.wait()
        else:
            env = {**os.environ, "ATRIUM_DEMO_PASSWORD": DEMO_PASSWORD}
            return subprocess.call(desktop, env=env)
    except KeyboardInterrupt:
        pass
    finally:
        stop_server(server)
    return 0


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Ask the server to stop (as Ctrl+C would), and kill it if it does not within 10 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _display_problem() -> str | None:
    """Why the desktop could not open a window here (checked before the server starts)."""
    try:
        from atrium.ui.display import display_problem
    except ImportError:  # no desktop in this build: the server runs alone anyway
        return None
    return display_problem()


def _desktop_command(address: str, profile: Path) -> list[str] | None:
    """The desktop launch command (it signs in as the demo user), or None when the desktop is not built."""
    try:
        import atrium.ui.main  # noqa: F401
    except ImportError:
        print("(The desktop is not part of this build yet: running the server only.)")
        return None
    return [sys.executable, "-m", "atrium.app.cli", "--demo-server", address, "--profile", str(profile)]


if __name__ == "__main__":
    sys.exit(main())
