"""A bounded Schemathesis run against the published OpenAPI document: no input makes a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from atrium.server.admin_ops import add_user
from atrium.server.database import create_db_engine
from tests.conftest import PASSWORD
from tests.harness import Api, fresh_sqlite_url, prepare_database, start_server


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    url = prepare_database(fresh_sqlite_url(folder))
    engine = create_db_engine(url)
    with engine.connect().execution_options(atrium_write=True) as conn, conn.begin():
        add_user(conn, "fuzzer", password=PASSWORD, is_admin=True)
    engine.dispose()
    running = start_server(url, folder / "files")
    login = Api(running.api).post("/auth/login", json={"username": "fuzzer", "password": PASSWORD})
    yield running.api, login.json()["token"]
    running.stop()


def test_no_input_makes_a_server_error(fuzz_target: tuple[str, str]) -> None:
    base, token = fuzz_target
    root = base.removesuffix("/api/v1")
    published = schemathesis.openapi.from_url(base + "/openapi.json")
    # /events streams forever; logout would end the run's own session early.
    schema = published.exclude(path_regex=r"/events$").exclude(path_regex=r"/auth/logout$")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=root, headers={"Authorization": f"Bearer {token}"})
            content_type = response.headers.get("content-type", "")
            content_type = content_type[0] if isinstance(content_type, list) else content_type
            if response.status_code >= 500 or (
                response.status_code >= 400 and not content_type.startswith("application/problem+json")
            ):
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}"
                )

        check()
    assert operations >= 30
    assert not failures, "\n".join(sorted(set(failures))[:20])
