"""Sign-in tokens, kept only in the OS keyring, and a log filter that keeps them out of logs.

When the machine has no secure keyring (no Secret Service on a bare Linux desktop, or only
keyrings.alt's files), the token lives in memory for this run only and ``warning`` says so: the
person signs in again next time. Never a plaintext file, never SQLite, never a log line.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import PasswordDeleteError

SERVICE = "Atrium"
log = logging.getLogger("atrium.app.credentials")

NO_SECURE_STORE_WARNING = (
    "This computer has no secure password store (keyring), so Atrium will not remember your "
    "sign-in: you will be asked to sign in again next time you start Atrium."
)
STORE_FAILED_WARNING = (
    "The system password store (keyring) did not work, so Atrium keeps your sign-in only until "
    "you quit. You will be asked to sign in again next time."
)


def account_name(server: str, user: str) -> str:
    """The keyring user name for USER on SERVER (e.g. "https://atrium.example.com/api/v1|alice")."""
    return f"{server.strip().rstrip('/')}|{user.strip().lower()}"


def is_secure_backend(backend: KeyringBackend) -> bool:
    """False for backends that refuse, forget, or store secrets in files we cannot vouch for."""
    if isinstance(backend, fail.Keyring | null.Keyring | chainer.ChainerBackend):
        return False
    # keyrings.alt: plaintext files, or encrypted files that prompt for a password on the console.
    return not type(backend).__module__.startswith("keyrings.alt")


def secure_backend_of(backend: KeyringBackend) -> KeyringBackend | None:
    """BACKEND itself if secure; for keyring's chainer, its first secure member; else None."""
    if isinstance(backend, chainer.ChainerBackend):
        members = [b for b in backend.backends if is_secure_backend(b)]
        return members[0] if members else None
    return backend if is_secure_backend(backend) else None


class CredentialStore:
    """Tokens per (server, user) in the OS keyring, or in memory when there is no secure keyring.

    ``backend`` defaults to keyring's choice for this OS. ``allow_insecure_backend`` is for tests
    that point keyrings.alt's PlaintextKeyring at a temp folder; the app never sets it.
    """

    def __init__(
        self, backend: KeyringBackend | None = None, *, allow_insecure_backend: bool = False
    ) -> None:
        chosen = backend if backend is not None else keyring.get_keyring()
        self._backend = chosen if allow_insecure_backend else secure_backend_of(chosen)
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self.warning: str | None = None if self._backend is not None else NO_SECURE_STORE_WARNING
        if self._backend is None:
            log.warning(
                "no secure keyring backend (found %s); sign-ins last for this run only", type(chosen).__name__
            )

    @property
    def secure(self) -> bool:
        """True while tokens go to a secure keyring (False after the keyring failed this run)."""
        return self._backend is not None

    @property
    def backend_name(self) -> str:
        return type(self._backend).__name__ if self._backend is not None else "memory (this run only)"

    def save(self, server: str, user: str, token: str) -> None:
        name = account_name(server, user)
        remember_secret(token)
        with self._lock:
            self._memory[name] = token
            backend = self._backend
        if backend is None:
            return
        try:
            backend.set_password(SERVICE, name, token)
        except Exception as error:  # keyring errors, D-Bus errors, a locked keychain...
            self._keyring_failed("save", error)

    def load(self, server: str, user: str) -> str | None:
        name = account_name(server, user)
        with self._lock:
            if name in self._memory:
                return self._memory[name]
            backend = self._backend
        if backend is None:
            return None
        try:
            token = backend.get_password(SERVICE, name)
        except Exception as error:
            self._keyring_failed("read", error)
            return None
        if token:
            remember_secret(token)
            with self._lock:
                self._memory[name] = token
        return token or None

    def delete(self, server: str, user: str) -> None:
        """Forget the token (sign-out, revoked device). Missing tokens are fine."""
        name = account_name(server, user)
        with self._lock:
            self._memory.pop(name, None)
            backend = self._backend
        if backend is None:
            return
        try:
            backend.delete_password(SERVICE, name)
        except PasswordDeleteError:
            pass  # nothing stored: already gone
        except Exception as error:
            self._keyring_failed("delete", error)

    def _keyring_failed(self, action: str, error: Exception) -> None:
        # The error's text comes from the backend, never from the token: safe to log.
        log.warning(
            "keyring %s failed (%s: %s); keeping sign-ins in memory for this run",
            action,
            type(error).__name__,
            error,
        )
        with self._lock:
            self._backend = None
        self.warning = STORE_FAILED_WARNING


# --- keeping tokens out of logs ----------------------------------------------------------------------

_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_SECRET_WORDS = r"(?:access_token|refresh_token|token|password|passwd|secret)"
_PATTERNS = [
    re.compile(r"(?i)(?P<keep>\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(?P<keep>\bauthorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b)[^\s\"',;]{8,}"),
    # "password": "two words" (JSON, Python reprs): everything up to the closing quote
    re.compile(
        rf"(?i)(?P<keep>[\"']?\b{_SECRET_WORDS}[\"']?\s*[:=]\s*(?P<quote>[\"']))(?:\\.|(?!(?P=quote)).)*"
    ),
    # token=abc (query strings, key=value logs)
    re.compile(rf"(?i)(?P<keep>\b{_SECRET_WORDS}\s*[:=]\s*)(?![\"'])[^\s&,;}}]+"),
]
REDACTED = "[redacted]"


def remember_secret(secret: str) -> None:
    """Redact SECRET wherever it appears in a log line, whatever surrounds it."""
    if len(secret) >= 8:
        with _secrets_lock:
            _known_secrets.add(secret)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group("keep") + REDACTED, text)
    with _secrets_lock:
        secrets = list(_known_secrets)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record with bearer tokens, passwords and known tokens replaced by [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> RedactSecretsFilter:
    """Add the filter to LOGGER (default: root) and every handler it has now. Call after logging is set up.

    Handler filters see records propagated from child loggers; logger filters do not, hence both.
    """
    target = logger or logging.getLogger()
    redactor = RedactSecretsFilter()
    holders: list[Any] = [target, *target.handlers]
    for holder in holders:
        if not any(isinstance(f, RedactSecretsFilter) for f in holder.filters):
            holder.addFilter(redactor)
    return redactor
