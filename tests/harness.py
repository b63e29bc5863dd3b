"""Test and benchmark harness: a real Atrium server on a loopback port, and a throw-away PostgreSQL.

Both the tests (through fixtures in conftest.py) and the benchmarks use this.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from atrium.server.database import migrate
from atrium.server.main import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str  # base URL, e.g. http://127.0.0.1:PORT
    database_url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: Any = None

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def start_server(database_url: str, files_dir: Path, *, port: int | None = None) -> RunningServer:
    """Start the real server in a thread of this process; returns when it answers."""
    app = create_app(database_url, files_dir=files_dir)
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"atrium-server-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.started:
            break
        if not thread.is_alive():
            raise RuntimeError("the test server failed to start")
        time.sleep(0.02)
    else:
        raise RuntimeError("the test server did not start within 20 s")
    return RunningServer(url=base, database_url=database_url, server=server, thread=thread, app=app)


def start_server_process(
    database_url: str, *, workers: int = 1, port: int | None = None, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `atrium-server serve` as a separate process; returns it and its base URL."""
    port = port or free_port()
    command = [
        str(Path(sys.executable).with_name("atrium-server")),
        "serve",
        "--db",
        database_url,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"atrium-server exited with {process.returncode}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("atrium-server did not answer within 30 s")


def fresh_sqlite_url(folder: Path) -> str:
    path = folder / f"atrium-{uuid.uuid4().hex[:8]}.db"
    return f"sqlite:///{path}"


# --- PostgreSQL ---------------------------------------------------------------------


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


class PostgresCluster:
    """A throw-away PostgreSQL cluster in a temp folder, on a loopback port.

    initdb refuses to run as root, so as root the cluster belongs to the
    'postgres' system user (created by Debian's package) and is run through runuser.
    """

    def __init__(self) -> None:
        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not found (run scripts/ensure-postgres.sh)")
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="atrium-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, "postgres")
            os.chmod(self.root, 0o755)

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "atrium", "--auth=trust", "-E", "UTF8", "--locale=C")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400 "
            "-c shared_buffers=256MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://atrium@127.0.0.1:{self.port}/{name}"

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=atrium dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


# --- a small API client for tests ---------------------------------------------------


class Api:
    """httpx with the base URL and a bearer token; raises on nothing, so tests see every status."""

    def __init__(self, base_api: str, token: str | None = None, user: dict[str, Any] | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=base_api, headers=headers, timeout=30)
        self.token = token
        self.user = user or {}

    @property
    def user_id(self) -> str:
        return str(self.user["id"])

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.put(path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.patch(path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.delete(path, **kw)

    def sync_all(
        self, since: str | None = None, limit: int = 500, **params: Any
    ) -> tuple[list[dict[str, Any]], str]:
        """Follow /sync pages until has_more is false; returns all changes and the last cursor."""
        changes: list[dict[str, Any]] = []
        cursor = since
        for _ in range(10_000):
            query: dict[str, Any] = {"limit": limit, **params}
            if cursor is not None:
                query["since"] = cursor
            response = self.get("/sync", params=query)
            assert response.status_code == 200, response.text
            page = response.json()
            changes.extend(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                return changes, cursor
        raise AssertionError("sync never finished")

    def close(self) -> None:
        self.client.close()


def prepare_database(url: str) -> str:
    migrate(url)
    return url
