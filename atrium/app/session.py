"""A signed-in (or signing-in) person on this machine: profile, settings, token, cache, API client, sync engine.

The headless commands and the desktop build everything through this one place,
so both sign in, sync, sign out and wipe the same way.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atrium.cache import (
    CacheError,
    CacheTooNewError,
    ChangeSet,
    draft_count,
    open_cache,
    pending_counts,
    read_sync_state,
    set_identity,
    wipe,
)

from .account import Account, forget_account, load_account, save_account
from .api_client import ApiClient
from .api_connection import normalise_base_url
from .credentials import CredentialStore
from .engine import EngineStatus, SyncEngine
from .errors import ApiError, plural
from .profile import Profile
from .settings import Settings, attachment_cap_bytes
from .writer import CacheWriter

TEST_KEYRING_ENV = "ATRIUM_TEST_KEYRING_FILE"


def credential_store() -> CredentialStore:
    """The OS keyring; ATRIUM_TEST_KEYRING_FILE points tests at a keyrings.alt file instead."""
    test_file = os.environ.get(TEST_KEYRING_ENV)
    if test_file:
        from keyrings.alt.file import PlaintextKeyring

        backend = PlaintextKeyring()
        backend.file_path = test_file
        return CredentialStore(backend, allow_insecure_backend=True)
    return CredentialStore()


def work_said(unsent: int, drafts: int, conflicts: int = 0) -> str | None:
    """ "2 unsent changes and 1 draft" (None for nothing): the work only this computer holds."""
    parts = [
        plural(count, noun)
        for count, noun in ((unsent, "unsent change"), (drafts, "draft"), (conflicts, "wiki conflict"))
        if count
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def default_device_name() -> str:
    return f"Atrium on {platform.node() or 'this computer'}"


class NotSignedIn(Exception):
    """No account in this profile, or no token for it: sign in first."""


class ProfileInUse(ValueError):
    """Signing in here as another person would delete the unsent work of the one before."""


@dataclass
class Session:
    profile: Profile
    settings: Settings
    credentials: CredentialStore
    account: Account | None = None
    writer: CacheWriter | None = None
    client: ApiClient | None = None
    engine: SyncEngine | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, profile_dir: str | os.PathLike[str] | None = None, policy_source: Any = None) -> Session:
        profile = Profile.locate(profile_dir).ensure()
        settings = Settings.load(profile, policy_source=policy_source)
        credentials = credential_store()
        session = cls(profile, settings, credentials, load_account(profile.root))
        session.problems.extend(settings.problems)
        if credentials.warning:
            session.problems.append(credentials.warning)
        return session

    def pinned_elsewhere(self) -> str | None:
        """When the organisation's policy now pins another server than this profile is signed in
        to: what to tell the person (they sign in again there). None otherwise."""
        pinned = str(self.settings.get("server_url") or "")
        if self.account is None or not pinned or not self.settings.is_locked("server_url"):
            return None
        try:
            if normalise_base_url(pinned) == self.account.server:
                return None
        except ApiError:
            return None  # the policy's address is broken: reported with the policy's problems
        return (
            f"Your organisation now uses the Atrium server at {pinned}. Sign in there to go on; "
            "your unsent changes stay on this computer until you do."
        )

    def token(self) -> str | None:
        if self.account is None:
            return None
        return self.credentials.load(self.account.server, self.account.handle)

    async def sign_in(
        self, server: str, username: str, password: str, device_name: str | None = None
    ) -> Account:
        """Sign in. The same person again (at any spelling of the server's address) keeps the
        offline copy and its unsent work; another person starts a fresh one, and is refused
        (ProfileInUse, the new sign-in undone) while the one before has unsent changes or drafts
        here. Whose the copy is comes from the account and from the copy itself."""
        client = ApiClient(
            server, proxy=self.settings.get("proxy"), extra_ca_bundle=self.settings.get("extra_ca_bundle")
        )
        try:
            result = await client.login(username, password, device_name or default_device_name())
            account = Account(
                server=client.base_url,
                handle=str(result.user["handle"]),
                user_id=str(result.user["id"]),
                device_id=result.device_id,
                display_name=str(result.user.get("display_name", "")),
            )
            switching = any(owner != account.user_id for owner in self._owners())
            kept = self._work_kept() if switching else None
            if kept is not None:
                client.token = result.token
                with contextlib.suppress(ApiError):
                    await client.logout()  # leave no new device behind on the server
                before = self.account.handle if self.account is not None else "the person signed in before"
                raise ProfileInUse(
                    f"This profile holds {kept} of {before}. Sign in as {before} to send them, or sign "
                    "out first with 'atrium logout --discard-unsent' to drop them."
                )
            try:
                self._record_sign_in(account, result.token, switching)
            except BaseException:  # the profile cannot keep it (full disk, unwritable folder…)
                with contextlib.suppress(ApiError):
                    await client.logout()  # so no device is left signed in that nothing uses
                raise
        finally:
            await client.aclose()
        if not self.settings.is_locked("server_url") and self.settings.get("server_url") != server:
            self.settings.set("server_url", server)
        self.account = account
        writer = CacheWriter(self.profile.cache_db)
        try:
            await writer.open()
            await writer.call(set_identity, account.server, account.user_id)
        except CacheTooNewError:
            pass  # start() meets it again, where the desktop offers to set the copy aside
        finally:
            await writer.close()
        return account

    def _record_sign_in(self, account: Account, token: str, switching: bool) -> None:
        """Make ACCOUNT this profile's, with TOKEN in the keyring. If the account file cannot be
        written, the keyring gets back what it held, so it never keeps a sign-in that did not happen."""
        if switching:
            wipe(self.profile.cache_db)
        before = self.credentials.load(account.server, account.handle)
        self.credentials.save(account.server, account.handle, token)
        try:
            save_account(self.profile.root, account)
        except BaseException:
            if before is None:
                self.credentials.delete(account.server, account.handle)
            else:
                self.credentials.save(account.server, account.handle, before)
            raise

    def _owners(self) -> set[str]:
        """Whose offline copy this profile holds: the signed-in account, and the copy's own record."""
        owners = {self.account.user_id} if self.account is not None else set()
        if self.profile.cache_db.exists():
            with contextlib.suppress(CacheError, sqlite3.Error):
                cache = open_cache(self.profile.cache_db, read_only=True, verify=False)
                try:
                    recorded = read_sync_state(cache).user_id
                finally:
                    cache.close()
                if recorded:
                    owners.add(recorded)
        return owners

    def _work_kept(self) -> str | None:
        """What a fresh copy would delete: "2 unsent changes and 1 draft"; None when nothing."""
        if not self.profile.cache_db.exists():
            return None
        try:
            cache = open_cache(self.profile.cache_db, read_only=True, verify=False)
        except CacheError:
            return "an offline copy whose unsent changes cannot be counted"
        try:
            counts, drafts = pending_counts(cache), draft_count(cache)
        finally:
            cache.close()
        return work_said(counts["pending"] + counts["failed"], drafts)

    async def start(
        self,
        *,
        on_changed: Callable[[ChangeSet], None] | None = None,
        on_status: Callable[[EngineStatus], None] | None = None,
        listen_events: bool = True,
        run_loop: bool = True,
    ) -> SyncEngine:
        """Open the cache and the API client and make the sync engine (started when RUN_LOOP)."""
        token = self.token()
        if self.account is None or token is None:
            raise NotSignedIn(
                "Not signed in. Run: atrium login --server URL --username NAME --password-stdin"
            )
        if (moved := self.pinned_elsewhere()) is not None:
            raise NotSignedIn(moved)
        self.writer = CacheWriter(self.profile.cache_db)
        cache = await self.writer.open()
        if cache.recovered_from is not None:
            rescued = cache.rescued
            kept = work_said(rescued.unsent, rescued.drafts, rescued.conflicts)
            left = (
                " Part of it could not be read: changes you had not sent may be left in that file."
                if rescued.incomplete
                else ""
            )
            self.problems.append(
                f"The offline copy was damaged and was set aside ({cache.recovered_from.name}); "
                "it is being rebuilt from the server." + (f" Kept from it: {kept}." if kept else "") + left
            )
        owner = (await self.writer.call(read_sync_state)).user_id
        if owner is None:  # a fresh file (recovered, set aside)
            await self.writer.call(set_identity, self.account.server, self.account.user_id)
        elif owner != self.account.user_id:  # account.json replaced behind Atrium's back
            await self.writer.close()
            self.writer = None
            raise NotSignedIn(
                "The offline copy in this profile belongs to another account. Sign in again: "
                "atrium login --server URL --username NAME --password-stdin"
            )
        self.client = ApiClient(
            self.account.server,
            token=token,
            proxy=self.settings.get("proxy"),
            extra_ca_bundle=self.settings.get("extra_ca_bundle"),
        )
        self.problems.extend(self.client.problems)
        self.engine = SyncEngine(
            self.writer,
            self.client,
            window_days=int(self.settings.get("retention_days")),
            sync_interval=float(self.settings.get("sync_interval_seconds")),
            on_changed=on_changed,
            on_status=on_status,
            on_revoked=self.wipe_device,
            listen_events=listen_events,
            size_cap_bytes=int(self.settings.get("cache_size_cap_mb")) * 1024 * 1024,
            attachment_cap_bytes=attachment_cap_bytes(self.settings),
        )
        if run_loop:
            self.engine.start()
        return self.engine

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        if self.writer is not None:
            await self.writer.close()
            self.writer = None

    async def wipe_device(self) -> None:
        """A revoked device: delete the cache, the attachments and the token; forget the account."""
        if self.writer is not None:
            await self.writer.close()
            self.writer = None
        wipe(self.profile.cache_db)
        self.forget()

    def forget(self) -> None:
        if self.account is not None:
            self.credentials.delete(self.account.server, self.account.handle)
        forget_account(self.profile.root)
        self.account = None


def cache_path(profile: Profile) -> Path:
    return profile.cache_db
