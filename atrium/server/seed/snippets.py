"""Short code snippets for generated posts in technical communities, keyed by language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    lang: str
    title: str
    code: str


SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        "python",
        "a pytest fixture for a temporary SQLite database",
        """import sqlite3

import pytest


@pytest.fixture
def db(tmp_path):
    conn = sqlite3.connect(tmp_path / "test.db")
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()""",
    ),
    Snippet(
        "python",
        "reading test-bench CSV logs with pandas",
        """import pandas as pd

frame = pd.read_csv("bench_run_0412.csv", parse_dates=["timestamp"])
summary = (
    frame.groupby("channel")["temperature_c"]
    .agg(["mean", "max"])
    .sort_values("max", ascending=False)
)
print(summary.head(10))""",
    ),
    Snippet(
        "python",
        "retrying a flaky HTTP call with backoff",
        """import time

import httpx


def get_with_retry(url: str, attempts: int = 5) -> httpx.Response:
    for attempt in range(attempts):
        try:
            return httpx.get(url, timeout=10).raise_for_status()
        except httpx.HTTPError:
            time.sleep(2**attempt)
    raise RuntimeError(f"{url} still failing after {attempts} attempts")""",
    ),
    Snippet(
        "python",
        "walking a folder of reports with pathlib",
        """from pathlib import Path

reports = sorted(Path("//fileserver/quality/reports").glob("**/*.xlsx"))
for report in reports:
    if report.stat().st_size == 0:
        print("empty:", report)""",
    ),
    Snippet(
        "sql",
        "finding the slowest open orders per plant",
        """SELECT plant, order_id, created_at,
       now() - created_at AS age
FROM open_orders
WHERE status <> 'closed'
ORDER BY age DESC
LIMIT 20;""",
    ),
    Snippet(
        "sql",
        "a running total with a window function",
        """SELECT posting_date,
       amount,
       SUM(amount) OVER (PARTITION BY cost_center ORDER BY posting_date) AS running_total
FROM gl_lines
WHERE fiscal_year = 2026;""",
    ),
    Snippet(
        "powershell",
        "checking which certificate a laptop presents",
        """Get-ChildItem Cert:\\CurrentUser\\My |
    Where-Object { $_.NotAfter -lt (Get-Date).AddDays(30) } |
    Select-Object Subject, Thumbprint, NotAfter""",
    ),
    Snippet(
        "powershell",
        "resetting the network stack",
        """ipconfig /flushdns
netsh winsock reset
netsh int ip reset
Restart-Computer -Confirm""",
    ),
    Snippet(
        "bash",
        "an SSH tunnel to the lab database",
        '''ssh -N -L 5433:lab-db.internal:5432 jumphost.internal
psql "host=localhost port=5433 dbname=lab user=$USER"''',
    ),
    Snippet(
        "bash",
        "finding what fills the build agent's disk",
        """du -xh /var/lib/docker 2>/dev/null | sort -h | tail -n 15
docker system prune --filter "until=72h" --force""",
    ),
    Snippet(
        "yaml",
        "caching pip downloads in CI",
        """test:
  image: python:3.12
  cache:
    key: pip-$CI_COMMIT_REF_SLUG
    paths: [.cache/pip]
  variables:
    PIP_CACHE_DIR: .cache/pip
  script:
    - pip install -r requirements.txt
    - pytest -q""",
    ),
    Snippet(
        "c",
        "a lock-free ring buffer for the UART ISR",
        """#define RB_SIZE 256u  /* power of two */

static volatile uint8_t buf[RB_SIZE];
static volatile uint16_t head, tail;

void uart_isr(void) {
    buf[head & (RB_SIZE - 1u)] = UART->DR;
    head++;
}

int rb_pop(uint8_t *out) {
    if (tail == head) return 0;
    *out = buf[tail & (RB_SIZE - 1u)];
    tail++;
    return 1;
}""",
    ),
    Snippet(
        "iec",
        "a debounced start button in Structured Text",
        """IF StartButton AND NOT StartLatch THEN
    DebounceTimer(IN := TRUE, PT := T#50MS);
    IF DebounceTimer.Q THEN
        StartLatch := TRUE;
        ConveyorRun := SafetyOK AND NOT EmergencyStop;
    END_IF
ELSE
    DebounceTimer(IN := FALSE);
END_IF""",
    ),
    Snippet(
        "dax",
        "year-to-date sales that respects the fiscal calendar",
        """Sales YTD =
CALCULATE (
    [Net Sales],
    DATESYTD ( 'Calendar'[Date], "06-30" )
)""",
    ),
    Snippet(
        "css",
        "a focus outline that passes contrast checks",
        """:focus-visible {
  outline: 3px solid #1a5fb4;
  outline-offset: 2px;
}

@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; }
}""",
    ),
)


def by_language(languages: tuple[str, ...]) -> tuple[Snippet, ...]:
    return tuple(snippet for snippet in SNIPPETS if snippet.lang in languages)
