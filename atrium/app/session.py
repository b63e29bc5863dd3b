"""A signed-in (or signing-in) person on this machine: profile, settings, token, cache, API client, sync engine.

The headless commands and the desktop build everything through this one place,
so both sign in, sync, sign out and wipe the same way.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atrium.cache import CacheTooNewError, ChangeSet, read_sync_state, set_identity, wipe

from .account import Account, forget_account, load_account, save_account
from .api_client import ApiClient
from .credentials import CredentialStore
from .engine import EngineStatus, SyncEngine
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


def default_device_name() -> str:
    return f"Atrium on {platform.node() or 'this computer'}"


class NotSignedIn(Exception):
    """No account in this profile, or no token for it: sign in first."""


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

    def token(self) -> str | None:
        if self.account is None:
            return None
        return self.credentials.load(self.account.server, self.account.handle)

    async def sign_in(
        self, server: str, username: str, password: str, device_name: str | None = None
    ) -> Account:
        """Sign in; switching to another person or server on this profile starts a fresh cache."""
        client = ApiClient(
            server, proxy=self.settings.get("proxy"), extra_ca_bundle=self.settings.get("extra_ca_bundle")
        )
        try:
            result = await client.login(username, password, device_name or default_device_name())
        finally:
            await client.aclose()
        account = Account(
            server=client.base_url,
            handle=str(result.user["handle"]),
            user_id=str(result.user["id"]),
            device_id=result.device_id,
            display_name=str(result.user.get("display_name", "")),
        )
        previous = self.account
        if previous is not None and (previous.server, previous.user_id) != (account.server, account.user_id):
            wipe(self.profile.cache_db)
        self.credentials.save(account.server, account.handle, result.token)
        save_account(self.profile.root, account)
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
        self.writer = CacheWriter(self.profile.cache_db)
        cache = await self.writer.open()
        if cache.recovered_from is not None:
            self.problems.append(
                f"The offline copy was damaged and was set aside ({cache.recovered_from.name}); "
                "it is being rebuilt from the server."
            )
        if (await self.writer.call(read_sync_state)).user_id is None:  # a fresh file (recovered, set aside)
            await self.writer.call(set_identity, self.account.server, self.account.user_id)
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
