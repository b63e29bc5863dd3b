"""`atrium-server` commands: migrate, user add, app add, and clear messages for bad databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from atrium.server.database import create_db_engine
from tests.harness import free_port, start_server_process

CLI = [sys.executable, "-m", "atrium.server.cli"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_migrate_user_add_and_serve(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert run("migrate", "--db", url).returncode == 0
    added = run(
        "user",
        "add",
        "--db",
        url,
        "Grace",
        "--password-stdin",
        "--admin",
        "--display-name",
        "Grace Hopper",
        "--department",
        "R&D",
        stdin="s3cret pass\n",
    )
    assert added.returncode == 0, added.stderr
    assert "as an administrator" in added.stdout
    again = run("user", "add", "--db", url, "grace", "--password-stdin", stdin="x\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    bad_name = run("user", "add", "--db", url, "no spaces", "--password-stdin", stdin="x\n")
    assert bad_name.returncode == 1 and "not a valid user name" in bad_name.stderr
    app = run("app", "add", "--db", url, "--name", "Expenses", "--url", "https://expenses.example.com/")
    assert app.returncode == 0 and "Added app Expenses" in app.stdout

    process, base = start_server_process(url)
    try:
        login = httpx.post(base + "/api/v1/auth/login", json={"username": "grace", "password": "s3cret pass"})
        assert login.status_code == 200
        user = login.json()["user"]
        assert user["display_name"] == "Grace Hopper" and user["is_admin"] is True
        apps = httpx.get(base + "/api/v1/apps", headers={"Authorization": f"Bearer {login.json()['token']}"})
        assert [a["name"] for a in apps.json()] == ["Expenses"]
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://x@localhost/db", "Unsupported database"),
        ("sqlite:///", "needs a file path"),
        ("sqlite:////no/such/folder/a.db", "folder for the SQLite database does not exist"),
    ],
)
def test_bad_database_urls_get_one_clear_line(url: str, message: str) -> None:
    result = run("migrate", "--db", url)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unreachable_postgres_is_a_clear_message() -> None:
    result = run("migrate", "--db", f"postgresql://nobody@127.0.0.1:{free_port()}/atrium")
    assert result.returncode == 1
    assert "Cannot reach the database" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_unmigrated_and_newer_databases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    fresh = run("serve", "--db", url, "--port", str(free_port()))
    assert fresh.returncode == 1 and "atrium-server migrate" in fresh.stderr
    assert run("migrate", "--db", url).returncode == 0
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    for command in (["serve", "--db", url, "--port", str(free_port())], ["migrate", "--db", url]):
        result = run(*command)
        assert result.returncode == 1
        assert "newer Atrium server" in result.stderr and "Traceback" not in result.stderr
