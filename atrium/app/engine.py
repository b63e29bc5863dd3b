"""The background sync engine: push the outbox, pull /sync pages, listen for wake-ups, back off on errors.

One engine per signed-in profile, on one asyncio loop (the Qt loop via qasync in
the desktop, plain asyncio headless). It syncs on start, on a server-sent
`changed`, on a timer, when told the network is back, and on demand. Each page
is applied with its cursor in one cache transaction on the writer thread, while
the next page is already being fetched. After a pull it downloads the attachments
the person keeps offline that are not here yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from atrium.cache import (
    ATTACHMENT,
    CacheDamagedError,
    ChangeSet,
    MalformedPageError,
    OutboxEntry,
    UnknownOutboxEntryError,
    add_wiki_conflict,
    apply_answer,
    apply_sync_page,
    attachments_size,
    catch_up_search,
    enforce_retention,
    evict_attachments,
    kept_files_to_fetch,
    mark_done,
    mark_failed,
    mark_fetch_failed,
    mark_sending,
    next_due,
    pending_counts,
    read_sync_state,
    release_unreachable_files,
    revise,
    settle,
    store_file,
)
from atrium.cache.attachments import DEFAULT_CAP_BYTES
from atrium.cache.clock import now_iso

from .api_client import ApiClient, SyncPage, parse_sync_page
from .collection import collection_paused
from .errors import (
    CONNECTION_ERRORS,
    AnswerTooLarge,
    AnswerTooSlow,
    ApiError,
    Conflict,
    DeviceRevoked,
    MalformedReply,
    RateLimited,
    Unauthorized,
    file_problem,
)
from .merge import merge3
from .writer import CacheWriter

log = logging.getLogger("atrium.sync")

# Two pages are in memory at once (one applied, one arriving); 5000 rather than 2000: fewer
# commits, 0.4 s less on a 100k-object first sync, peak RSS still ~125 MiB (bench/RESULTS.md).
PAGE_SIZE = 5000
SLOW_PAGE_SIZE = 200  # a page asked for after one did not arrive whole in time (a slow link)
SEARCH_SLICE_ROWS = 20_000
# Pages are committed together while the next one is ready (see SyncEngine._pull): 4 pages of a
# first sync to a commit cut its disk writes from 140 to 99 MB and its apply by about a tenth
# (bench/RESULTS.md).
HELD_CHANGES = 20_000
HOLD_WAIT_SECONDS = 0.05
RETENTION_INTERVAL_SECONDS = 3600.0
FILE_RETRY_SECONDS = 3600.0  # a file kept offline that failed to download is tried again after this
PRIVATE_PREFIX = "_"  # outbox body keys starting with this stay on the client (e.g. a wiki edit's base text)


class EngineState(enum.Enum):
    STARTING = "starting"
    SYNCING = "syncing"
    ONLINE = "online"
    OFFLINE = "offline"
    SIGNED_OUT = "signed_out"
    REVOKED = "revoked"
    STOPPED = "stopped"


@dataclass(frozen=True)
class EngineStatus:
    state: EngineState
    message: str = ""
    last_sync_at: str | None = None
    pending: int = 0
    failed: int = 0
    retry_in: float | None = None
    received: int = 0
    """Changes received so far by a pull of several pages (a first sync), 0 otherwise."""


def backoff_delay(attempt: int, rng: random.Random, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter: never a busy loop, and clients don't retry in step."""
    ceiling = min(cap, base * (2 ** min(attempt, 16)))
    return max(base / 2, rng.uniform(0, ceiling))


def sendable_body(body: Any) -> Any:
    if isinstance(body, dict):
        return {key: value for key, value in body.items() if not key.startswith(PRIVATE_PREFIX)}
    return body


class SyncEngine:
    def __init__(
        self,
        writer: CacheWriter,
        client: ApiClient,
        *,
        window_days: int = 90,
        sync_interval: float = 300.0,
        on_changed: Callable[[ChangeSet], None] | None = None,
        on_status: Callable[[EngineStatus], None] | None = None,
        on_revoked: Callable[[], Any] | None = None,
        listen_events: bool = True,
        size_cap_bytes: int | None = None,
        attachment_cap_bytes: int | None = DEFAULT_CAP_BYTES,
        rng: random.Random | None = None,
    ) -> None:
        self.writer = writer
        self.client = client
        self.window_days = window_days
        self._page_size = PAGE_SIZE
        self.sync_interval = sync_interval
        self._on_changed = on_changed
        self._on_status = on_status
        self._on_revoked = on_revoked
        self._listen_events = listen_events
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._attempt = 0
        self.status = EngineStatus(EngineState.STARTING)
        self._sync_lock = asyncio.Lock()
        self._files_lock = asyncio.Lock()
        self.size_cap_bytes = size_cap_bytes
        self.attachment_cap_bytes = attachment_cap_bytes
        self._retention_due = 0.0  # loop time when retention next runs (after a sync)
        self._retry_now = False

    # -- public ------------------------------------------------------------------------------------

    def wake(self, *, retry_now: bool = False) -> None:
        """Sync soon (after a user action, a `changed` event, the network coming back, or a click).

        RETRY_NOW: a person asked ("Sync now"): unsent work waiting out its backoff goes too."""
        self._attempt = 0
        self._retry_now = self._retry_now or retry_now
        self._wake.set()

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._run(), name="atrium-sync"))
        if self._listen_events:
            self._tasks.append(asyncio.create_task(self._listen(), name="atrium-events"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._set_status(EngineState.STOPPED)

    async def sync_once(self, *, retry_now: bool = False) -> Counter[str]:
        """One full catch-up: push everything due, then pull until the server has no more.

        Returns how many objects of each kind changed (ids go out page by page through
        ``on_changed``; keeping them all would cost memory on a big first sync).
        RETRY_NOW (a person asked to sync) also sends entries still waiting out their backoff.
        Raises the ApiError that stopped it (the outbox and cache stay consistent)."""
        async with self._sync_lock:
            before = await self.writer.call(read_sync_state)
            if self.status.last_sync_at is None:  # a new start: say when the cache last synced
                self.status = replace(self.status, last_sync_at=before.last_sync_at)
            self._set_status(EngineState.SYNCING)
            touched: Counter[str] = Counter()
            first_sync = before.cursor is None
            await self._push(touched, retry_now)
            with collection_paused():  # pages are plain JSON: no cycles for the collector to find
                await self._pull(touched)
            self._changed(await self.writer.call(settle))  # what accepted changes left unchanged
            while await self.writer.call(catch_up_search, SEARCH_SLICE_ROWS):
                await asyncio.sleep(0)  # let the GUI breathe between slices
            if not first_sync:  # a first sync holds only what the server sent within the window
                await self._keep_within_limits()
            state = await self.writer.call(read_sync_state)
            counts = await self.writer.call(pending_counts)
            self.status = EngineStatus(
                EngineState.ONLINE,
                last_sync_at=state.last_sync_at,
                pending=counts["pending"],
                failed=counts["failed"],
            )
            self._emit_status()
        await self._fetch_kept_files()  # outside the lock: a slow download holds up no sync
        return touched

    def set_limits(
        self,
        *,
        window_days: int | None = None,
        size_cap_bytes: int | None = None,
        attachment_cap_bytes: int | None = None,
    ) -> None:
        """New retention or size limits (a setting changed): they apply from the next sync, which
        also runs retention at once instead of within the hour."""
        if window_days is not None:
            self.window_days = window_days
        if size_cap_bytes is not None:
            self.size_cap_bytes = size_cap_bytes
        if attachment_cap_bytes is not None:
            self.attachment_cap_bytes = attachment_cap_bytes
        self._retention_due = 0.0

    async def _fetch_kept_files(self) -> None:
        """Download the attachments kept offline that are not here yet (checked against their
        sha256), one at a time. A file that fails (damaged on the server, no longer readable, a
        server error) is marked with why, where the thread shows it, and tried again an hour
        later or when the person asks again; the connection failing or the sign-in ending stops
        the downloads like any sync (the next sync goes on)."""
        if self._files_lock.locked():
            return  # another sync is downloading them
        async with self._files_lock:
            for wanted in await self.writer.call(kept_files_to_fetch):
                sha = wanted.sha256
                if (no_room := await self._no_room_for(wanted.size)) is not None:
                    # nothing downloaded; looked at again each sync (a raised limit, a file let go)
                    self._changed(await self.writer.call(mark_fetch_failed, sha, no_room, now_iso(_now())))
                    continue
                try:
                    download = await self.client.download_file(
                        wanted.file_id, self.writer.cache.files_dir, sha, expected_size=wanted.size
                    )
                except CONNECTION_ERRORS:
                    raise
                except ApiError as error:
                    log.warning("a file kept offline could not be downloaded (%s): %s", sha, error.message)
                    retry_at = now_iso(_now() + timedelta(seconds=FILE_RETRY_SECONDS))
                    self._changed(
                        await self.writer.call(mark_fetch_failed, sha, file_problem(error), retry_at)
                    )
                    continue
                try:
                    _path, changes = await self.writer.call(
                        store_file, sha, download, cap_bytes=self.attachment_cap_bytes
                    )
                finally:
                    download.unlink(missing_ok=True)  # stored as a copy under its sha256
                self._changed(changes)

    async def _no_room_for(self, size: int | None) -> str | None:
        """Why a kept file of SIZE bytes cannot come: files kept offline are never evicted, so
        together they must fit in the attachment cap (else every other file would go, in vain)."""
        cap = self.attachment_cap_bytes
        if cap is None or size is None:
            return None
        if await self.writer.call(attachments_size, kept_only=True) + size <= cap:
            return None
        megabytes = f"{-(-cap // (1024 * 1024)):,} MB"
        if size > cap:
            return f"it is larger than the {megabytes} files kept offline may use; raise the attachment storage limit in Settings"
        return (
            f"files kept offline may use only {megabytes} on this computer; stop keeping another "
            "one, or raise the attachment storage limit in Settings"
        )

    async def _keep_within_limits(self) -> None:
        """Drop what fell out of the retention window and evict bodies over the size cap, hourly."""
        loop_time = asyncio.get_running_loop().time()
        if loop_time < self._retention_due:
            return
        self._retention_due = loop_time + RETENTION_INTERVAL_SECONDS
        await self.writer.call(enforce_retention, self.window_days, self.size_cap_bytes)
        self._changed(await self.writer.call(release_unreachable_files))
        if self.attachment_cap_bytes is not None:  # a lowered cap applies to files already here
            evicted = await self.writer.call(evict_attachments, self.attachment_cap_bytes)
            self._changed(ChangeSet({ATTACHMENT: set(evicted)}) if evicted else ChangeSet())

    # -- the loop ----------------------------------------------------------------------------------

    async def _run(self) -> None:
        delay: float | None = 0.0
        while True:
            if delay is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
            else:
                await self._wake.wait()
            self._wake.clear()
            retry_now, self._retry_now = self._retry_now, False
            try:
                await self.sync_once(retry_now=retry_now)
                self._attempt = 0
                delay = self.sync_interval
            except DeviceRevoked:
                await self._revoked()
                return
            except Unauthorized as error:
                self._set_status(EngineState.SIGNED_OUT, error.message)
                delay = None  # wait until someone signs in again and wakes us
            except RateLimited as error:
                delay = error.retry_after or backoff_delay(self._attempt, self._rng)
                self._attempt += 1
                self._set_status(EngineState.OFFLINE, error.message, retry_in=delay)
            except ApiError as error:
                delay = backoff_delay(self._attempt, self._rng)
                self._attempt += 1
                state = EngineState.OFFLINE if error.retryable else EngineState.ONLINE
                self._set_status(state, error.message, retry_in=delay)
            except CacheDamagedError as error:  # the file is marked: the next open rebuilds it
                self._set_status(EngineState.STOPPED, str(error))
                delay = None  # the desktop reopens its session (CacheWriter.on_damaged)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a bug must not kill syncing for good; say so and retry later
                log.exception("sync failed unexpectedly")
                delay = backoff_delay(self._attempt, self._rng, cap=600)
                self._attempt += 1
                self._set_status(EngineState.OFFLINE, f"Sync failed: {error}", retry_in=delay)

    async def _listen(self) -> None:
        attempt = 0
        while True:
            try:
                async for name, _data in self.client.events():
                    attempt = 0
                    if name == "changed":
                        self._wake.set()
            except (Unauthorized, DeviceRevoked):
                self._wake.set()  # the sync loop finds out and acts
                return
            except asyncio.CancelledError:
                raise
            except ApiError:
                pass
            except Exception:
                log.exception("event stream failed unexpectedly")
            await asyncio.sleep(backoff_delay(attempt, self._rng, cap=60))
            attempt += 1

    async def _revoked(self) -> None:
        self._set_status(
            EngineState.REVOKED, "This device was signed out remotely; its local data was deleted."
        )
        if self._on_revoked is not None:
            result = self._on_revoked()
            if asyncio.iscoroutine(result):
                await result

    # -- pull --------------------------------------------------------------------------------------

    async def _fetch(self, cursor: str | None) -> SyncPage:
        """The page after CURSOR. Only the network is on the event loop: the page is parsed on the
        writer thread, which also writes it. Parsing elsewhere would make the two threads contend
        for the GIL: the writer takes it back after every row it steps (``executemany``), and a
        first sync measured 2x slower with parsing on the loop (bench/RESULTS.md)."""
        while True:
            try:
                raw = await self.client.sync_bytes(cursor, self._page_size, self.window_days)
            except AnswerTooLarge:  # big objects (wiki pages of a megabyte): ask for fewer
                if self._page_size == 1:
                    raise
                self._page_size = max(1, self._page_size // 4)
            except AnswerTooSlow:  # a slow link: one much smaller page, then give up until next time
                if self._page_size <= SLOW_PAGE_SIZE:
                    raise  # a server trickling bytes must not hold the sync (and the pushes) for long
                self._page_size = SLOW_PAGE_SIZE
            else:
                return await self.writer.run(parse_sync_page, raw)
            log.info("a sync page was too large or too slow; asking for %d changes a page", self._page_size)

    async def _apply(self, page: SyncPage) -> ChangeSet:
        """Write PAGE with its cursor into the transaction the pages before it left open."""
        try:
            return await self.writer.call_held(apply_sync_page, page.changes, page.cursor, commit=False)
        except MalformedPageError as error:  # nothing of this page was written
            raise MalformedReply(detail=str(error)) from error

    async def _pull(self, touched: Counter[str]) -> None:
        """Fetch and apply pages until the server has no more, the next page always on its way.

        Pages are written into one open transaction, committed once it holds HELD_CHANGES, when
        the next page keeps the writer waiting longer than HOLD_WAIT_SECONDS, and at the end, on
        success or not. Each page boundary is a consistent state (its cursor is written with it),
        so a commit anywhere loses nothing and a crash only re-fetches the uncommitted pages."""
        state = await self.writer.call(read_sync_state)
        self._page_size = PAGE_SIZE  # smaller for the rest of this pull after a page too large or slow
        page = await self._fetch(state.cursor)
        held = ChangeSet()
        held_changes = received = 0
        upcoming: asyncio.Task[SyncPage] | None = None
        try:
            while True:
                upcoming = asyncio.create_task(self._fetch(page.cursor)) if page.has_more else None
                changes = await self._apply(page)
                touched.update({kind: len(ids) for kind, ids in changes.items()})
                held.merge(changes)
                held_changes += len(page.changes)
                received += len(page.changes)
                del changes
                if upcoming is not None or received > len(page.changes):  # a pull of several pages
                    self._report_received(received)
                if upcoming is None:
                    break
                if held_changes >= HELD_CHANGES or not await _arrives_within(upcoming, HOLD_WAIT_SECONDS):
                    await self._commit_held(held)
                    held, held_changes = ChangeSet(), 0
                previous, page = page, await upcoming
                if page.cursor == previous.cursor and not page.changes and page.has_more:
                    raise MalformedReply(
                        detail="the server's sync did not move on: the same position again, empty"
                    )
        except BaseException:  # an error, or the sync cancelled: keep what was applied, then re-raise
            await self._end_pull(upcoming, held, failing=True)
            raise
        await self._end_pull(upcoming, held, failing=False)

    async def _end_pull(
        self, upcoming: asyncio.Task[SyncPage] | None, held: ChangeSet, *, failing: bool
    ) -> None:
        """Stop the page still on its way and commit the held pages. While another error is on its
        way, a failing commit is logged rather than raised in its place."""
        if upcoming is not None:
            upcoming.cancel()  # a no-op when it is done
            with contextlib.suppress(BaseException):
                await upcoming
        try:
            await self._commit_held(held)
        except Exception:
            if not failing:
                raise
            log.exception("could not commit the pages applied before the sync stopped")

    async def _commit_held(self, held: ChangeSet) -> None:
        await self.writer.commit_held()
        self._changed(held)  # also when SQLite rolled back itself: panes re-read, nothing is lost

    # -- push --------------------------------------------------------------------------------------

    async def _push(self, touched: Counter[str], retry_now: bool = False) -> None:
        horizon = "9999-12-31T23:59:59.999Z" if retry_now else None
        while True:
            due = await self.writer.call(next_due, horizon, 50)
            if not due:
                return
            for entry in due:
                changes = await self._send(entry)
                touched.update({kind: len(ids) for kind, ids in changes.items()})

    async def _send(self, entry: OutboxEntry, merges_left: int = 2) -> ChangeSet:
        try:  # as it is now: an untried post may have taken an edit since it was picked
            entry = await self.writer.call(mark_sending, entry.op_id)
        except UnknownOutboxEntryError:  # discarded, or folded into another, since it was picked
            return ChangeSet()
        try:
            answer = await self.client.request(
                entry.method, entry.path, json=sendable_body(entry.body), idempotency_key=entry.op_id
            )
        except Conflict as conflict:
            if entry.kind == "wiki_revision" and merges_left > 0:
                return await self._wiki_conflict(entry, conflict, merges_left - 1)
            if entry.kind == "wiki_revision":  # yet another edit landed meanwhile: merge on the next round
                await self.writer.call(mark_failed, entry.op_id, conflict.message, retry_at=_now())
                return ChangeSet()
            await self.writer.call(mark_failed, entry.op_id, conflict.message, permanent=True)
            return ChangeSet()
        except (Unauthorized, DeviceRevoked):
            await self.writer.call(mark_failed, entry.op_id, "not signed in", retry_at=_now())
            raise
        except ApiError as error:
            if error.retryable or isinstance(error, MalformedReply):
                retry_at = _now() + timedelta(seconds=backoff_delay(entry.attempts, self._rng))
                await self.writer.call(mark_failed, entry.op_id, error.message, retry_at=retry_at)
                raise  # keep the user's order: nothing after this goes out before it
            await self.writer.call(mark_failed, entry.op_id, error.message, permanent=True)
            return ChangeSet()
        await self.writer.call(mark_done, entry.op_id)
        if (
            isinstance(answer, dict)
            and entry.object_type
            and entry.object_id
            and answer.get("id") == entry.object_id
        ):
            changes = await self.writer.call(apply_answer, entry.object_type, entry.object_id, answer)
            self._changed(changes)
            return changes
        return ChangeSet()

    async def _wiki_conflict(self, entry: OutboxEntry, conflict: Conflict, merges_left: int) -> ChangeSet:
        """Someone saved the page first: merge three-way and resend, or keep both for the person.

        The merged edit replaces the entry's request before it goes (``outbox.revise``): sent
        again after a lost answer or a crash, it is the very request the server may already
        hold, which the server recognises (same revision id, base and text) instead of refusing.
        """
        current = conflict.current
        body = dict(entry.body) if isinstance(entry.body, dict) else {}
        base_text = str(body.get("_base_body", ""))
        local_text = str(body.get("body", ""))
        if (
            not current
            or "revision_id" not in current
            or current["revision_id"] == body.get("base_revision_id")
        ):
            await self.writer.call(mark_failed, entry.op_id, conflict.message, permanent=True)
            return ChangeSet()
        # A page may be up to 1 MiB: merge off the event loop (the GUI thread).
        merged = await asyncio.to_thread(merge3, base_text, local_text, str(current.get("body", "")))
        if merged is not None:
            body.update(
                body=merged, base_revision_id=current["revision_id"], _base_body=current.get("body", "")
            )
            await self.writer.call(revise, entry.op_id, body)
            return await self._send(replace(entry, body=body), merges_left)
        await self.writer.call(
            add_wiki_conflict,
            page_id=entry.object_id or str(current.get("id")),
            base_revision_id=str(body.get("base_revision_id", "")),
            base_body=base_text,
            local_body=local_text,
            remote_body=str(current.get("body", "")),
            remote_revision_id=str(current["revision_id"]),
        )
        await self.writer.call(
            mark_failed,
            entry.op_id,
            "Someone else changed this page at the same lines. Both versions are kept: choose what to keep.",
            permanent=True,
        )
        changes = ChangeSet()
        changes.add("wiki_page", entry.object_id or "")
        self._changed(changes)
        return changes

    # -- reporting ---------------------------------------------------------------------------------

    def _changed(self, changes: ChangeSet) -> None:
        if changes and self._on_changed is not None:
            self._on_changed(changes)

    def _set_status(self, state: EngineState, message: str = "", *, retry_in: float | None = None) -> None:
        self.status = replace(self.status, state=state, message=message, retry_in=retry_in, received=0)
        self._emit_status()

    def _report_received(self, received: int) -> None:
        """A long pull's progress, after each page with more behind it: the server gives no
        total, so people see the count grow (``atrium sync --once`` prints it on a terminal)."""
        self.status = replace(self.status, received=received)
        self._emit_status()

    def _emit_status(self) -> None:
        if self._on_status is not None:
            self._on_status(self.status)


def _now() -> datetime:
    return datetime.now(UTC)


async def _arrives_within(task: asyncio.Task[Any], seconds: float) -> bool:
    """Whether TASK is done within SECONDS (it keeps running either way)."""
    await asyncio.wait({task}, timeout=seconds)
    return task.done()
