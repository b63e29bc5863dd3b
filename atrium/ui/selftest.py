"""``atrium --self-test [--screenshot-dir DIR]``: the real app against a temporary demo server, pane by pane.

Starts ``atrium-server`` (migrate, seed the demo company, serve) in a temporary folder, signs
in as demo/demo with a throw-away profile (the token stays in memory, never in the keyring),
waits for the first sync, then shows every pane: its expected texts must be visible and its
picture must not be blank. Prints one line per pane; exit code 0 only when all passed.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

from .display import has_no_display

MIN_COLOURS = 16
SYNC_TIMEOUT = 180.0
PANE_SETTLE_TIMEOUT = 8.0
SEARCH_QUERY = "VPN"


class MemoryKeyring(KeyringBackend):
    """Keeps the self-test's token in memory only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._items.pop((service, username), None)


@dataclass
class PaneResult:
    key: str
    ok: bool
    reason: str = ""

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.key:<14} {self.reason}".rstrip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_self_test(screenshot_dir: str | os.PathLike[str] | None = None) -> int:
    if has_no_display():  # the self-test runs anywhere: without a display, offscreen
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from atrium.app.credentials import CredentialStore
    from atrium.app.policy import Policy
    from atrium.devtools import demo

    from .app import AutoSignIn, DesktopSession
    from .main import launch

    shots = Path(screenshot_dir).resolve() if screenshot_dir else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="atrium-self-test-") as folder:
        root = Path(folder)
        print("Self-test: preparing a demo server...", flush=True)
        try:
            url = demo.prepare_database(root / "server", quiet=True)
            port = _free_port()
            server = demo.start_server(url, port, root / "server" / "files", quiet=True)
        except (OSError, SystemExit, Exception) as error:
            print(f"FAIL server         could not start the demo server: {error}")
            return 1
        try:
            session = DesktopSession.open(root / "profile", policy_source=Policy())
            session.credentials = CredentialStore(MemoryKeyring(), allow_insecure_backend=True)
            results: list[PaneResult] = []

            async def driver(controller: Any) -> int:
                try:
                    await visit_panes(controller, shots, results)
                except Exception as error:
                    results.append(PaneResult("self-test", False, f"crashed: {error!r}"))
                return 0 if results and all(result.ok for result in results) else 1

            sign_in = AutoSignIn(f"http://127.0.0.1:{port}", demo.DEMO_USER, demo.DEMO_PASSWORD)
            code = launch(root / "profile", session=session, auto_sign_in=sign_in, driver=driver)
        finally:
            demo.stop_server(server)
    for result in results:
        print(result.line())
    verdict = "passed" if code == 0 else "FAILED"
    print(f"Self-test {verdict}: {sum(r.ok for r in results)}/{len(results)} panes in "
          f"{time.monotonic() - started:.0f} s" + (f"; screenshots in {shots}" if shots else ""))  # fmt: skip
    return code


async def visit_panes(controller: Any, shots: Path | None, results: list[PaneResult]) -> None:
    """Wait for the first sync, then show and check every pane the signed-in person has."""
    from .pane_registry import SIDEBAR_KEYS

    deadline = time.monotonic() + SYNC_TIMEOUT
    while not controller.synced.is_set():
        dialog = controller.dialog
        if dialog is not None:  # the automatic sign-in failed and the app asks the person
            notice = getattr(getattr(dialog, "notice_label", None), "text", lambda: "")()
            results.append(PaneResult("sync", False, f"could not sign in: {notice or 'see the log'}"))
            return
        if time.monotonic() > deadline:
            message = getattr(controller.status, "message", "") or controller.status.state.value
            results.append(
                PaneResult("sync", False, f"no first sync within {SYNC_TIMEOUT:.0f} s ({message})")
            )
            return
        await asyncio.sleep(0.1)
    window = controller.window
    results.append(PaneResult("sync", True, f"signed in and synced ({controller.status.state.value})"))
    for key in [*SIDEBAR_KEYS, "search"]:
        if key != "search" and not window.sidebar.is_entry_visible(key):
            continue
        results.append(await check_pane(window, key, shots))


async def check_pane(window: Any, key: str, shots: Path | None) -> PaneResult:
    from .panes.coming import UnavailablePane
    from .probe import distinct_colours, missing_texts

    if key == "search":
        window.top_bar.focus_search()
        window.top_bar.search_field.setText(SEARCH_QUERY)
    pane = window.show_pane(key)
    if isinstance(pane, UnavailablePane):
        return PaneResult(key, False, f"not available: {pane.reason}")
    try:
        wanted = [text for text in pane.self_test_texts() if text]
    except Exception as error:
        return PaneResult(key, False, f"self_test_texts() failed: {error!r}")
    deadline = time.monotonic() + PANE_SETTLE_TIMEOUT
    missing = missing_texts(pane, wanted)
    while missing and time.monotonic() < deadline:  # panes may fill in over a few event-loop turns
        await asyncio.sleep(0.2)
        missing = missing_texts(pane, wanted)
    await asyncio.sleep(0.3)
    colours = distinct_colours(pane.grab().toImage())
    if shots is not None:
        window.grab().save(str(shots / f"{key}.png"))
    if missing:
        return PaneResult(key, False, "missing texts: " + ", ".join(repr(text) for text in missing))
    if colours <= MIN_COLOURS:
        return PaneResult(key, False, f"looks blank ({colours} colours)")
    if not wanted:
        return PaneResult(key, True, f"no expected texts declared; {colours} colours")
    return PaneResult(
        key, True, f"{len(wanted)} texts shown, {colours}{'+' if colours >= 256 else ''} colours"
    )
