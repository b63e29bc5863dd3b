"""Tokens in a real keyring backend (keyrings.alt in a temp folder), the no-keyring path, and log redaction."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import ClassVar

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyrings.alt.file import PlaintextKeyring

from atrium.app.credentials import (
    NO_SECURE_STORE_WARNING,
    SERVICE,
    STORE_FAILED_WARNING,
    CredentialStore,
    RedactSecretsFilter,
    account_name,
    install_log_redaction,
    redact,
)

SERVER = "https://atrium.example.com/api/v1"
TOKEN = "tok_6fJ2kq9Zr1xWv8Lp3Qa7Hs0Dm4Nc5Be"


def plaintext_keyring(tmp_path: Path) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # never the real user's keyring file
    return backend


def test_tokens_round_trip_through_a_real_backend(tmp_path: Path) -> None:
    backend = plaintext_keyring(tmp_path)
    store = CredentialStore(backend, allow_insecure_backend=True)
    assert store.secure and store.warning is None
    store.save(SERVER, "Alice", TOKEN)
    assert backend.get_password(SERVICE, f"{SERVER}|alice") == TOKEN
    # A new run (a new store over the same keyring) finds the token again.
    assert (
        CredentialStore(plaintext_keyring(tmp_path), allow_insecure_backend=True).load(SERVER, "alice")
        == TOKEN
    )
    assert store.load(SERVER, "bob") is None
    assert store.load("https://other.example.com/api/v1", "alice") is None
    store.delete(SERVER, "alice")
    assert store.load(SERVER, "alice") is None
    assert (
        CredentialStore(plaintext_keyring(tmp_path), allow_insecure_backend=True).load(SERVER, "alice")
        is None
    )
    store.delete(SERVER, "alice")  # deleting twice is fine


def test_account_names_ignore_trailing_slash_and_handle_case() -> None:
    assert account_name(SERVER + "/", " Alice ") == account_name(SERVER, "alice") == f"{SERVER}|alice"


def test_plaintext_files_are_not_secure_unless_allowed_for_tests(tmp_path: Path) -> None:
    backend = plaintext_keyring(tmp_path)
    store = CredentialStore(backend)
    assert not store.secure
    assert store.warning == NO_SECURE_STORE_WARNING
    store.save(SERVER, "alice", TOKEN)
    assert store.load(SERVER, "alice") == TOKEN  # for this run
    assert not (tmp_path / "keyring_pass.cfg").exists()  # and never on disk
    assert CredentialStore(plaintext_keyring(tmp_path)).load(SERVER, "alice") is None  # a new run forgot it
    assert not any(TOKEN in p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_secure_backend_keeps_the_token_in_memory_for_this_run(backend: object) -> None:
    store = CredentialStore(backend)  # type: ignore[arg-type]
    assert not store.secure and store.warning == NO_SECURE_STORE_WARNING
    assert store.backend_name == "memory (this run only)"
    store.save(SERVER, "alice", TOKEN)
    assert store.load(SERVER, "alice") == TOKEN
    store.delete(SERVER, "alice")
    assert store.load(SERVER, "alice") is None


def test_an_empty_chainer_is_not_secure() -> None:
    class NothingBehind(chainer.ChainerBackend):
        backends: list[object] = []  # noqa: RUF012 - replaces keyring's discovered list

    assert not CredentialStore(NothingBehind()).secure


def test_a_chainer_uses_its_first_secure_member(tmp_path: Path) -> None:
    class OsKeychainLike(KeyringBackend):
        """Stands for a secure OS backend (Keychain, Credential Manager, Secret Service)."""

        priority = 5
        stored: ClassVar[dict[tuple[str, str], str]] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.stored.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.stored[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.stored.pop((service, username), None)

    class Chain(chainer.ChainerBackend):
        backends = [plaintext_keyring(tmp_path), OsKeychainLike()]  # noqa: RUF012

    store = CredentialStore(Chain())
    assert store.secure and store.backend_name == "OsKeychainLike"
    store.save(SERVER, "alice", TOKEN)
    assert OsKeychainLike.stored == {(SERVICE, f"{SERVER}|alice"): TOKEN}
    assert not (tmp_path / "keyring_pass.cfg").exists()


def test_a_keyring_that_fails_at_runtime_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    store = CredentialStore(fail.Keyring(), allow_insecure_backend=True)  # "available", then refuses
    assert store.secure
    store.save(SERVER, "alice", TOKEN)
    assert not store.secure and store.warning == STORE_FAILED_WARNING
    assert store.load(SERVER, "alice") == TOKEN
    assert "keyring save failed" in caplog.text and TOKEN not in caplog.text


# --- logs -------------------------------------------------------------------------------------------------


def test_redaction_of_tokens_and_passwords() -> None:
    assert redact("Authorization: Bearer abcdefgh12345678") == "Authorization: Bearer [redacted]"
    assert (
        redact('{"token": "abcdefgh12345678", "device_id": "d1"}')
        == '{"token": "[redacted]", "device_id": "d1"}'
    )
    assert redact("login password=hunter2hunter2 ok") == "login password=[redacted] ok"
    assert (
        redact("{'username': 'ann', 'password': 'correct horse battery'}")
        == "{'username': 'ann', 'password': '[redacted]'}"
    )
    assert redact('body={"password": "a \\" quote"}') == 'body={"password": "[redacted]"}'
    assert redact("GET /sync?since=abc&token=abcdefgh12345678") == "GET /sync?since=abc&token=[redacted]"
    assert (
        redact("nothing secret here, device_token_count: 3") == "nothing secret here, device_token_count: 3"
    )


def test_log_lines_never_carry_a_known_token(tmp_path: Path) -> None:
    logger = logging.getLogger("atrium.test.redaction")
    logger.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger.addHandler(handler)
    try:
        redactor = install_log_redaction(logger)
        assert isinstance(redactor, RedactSecretsFilter)
        assert install_log_redaction(logger) is not None and len(handler.filters) == 1  # idempotent
        CredentialStore(plaintext_keyring(tmp_path), allow_insecure_backend=True).save(SERVER, "a", TOKEN)
        logger.warning("stored %s for %s", TOKEN, "alice")  # a known token, however it is formatted
        logger.getChild("child").error("header was %r", {"Authorization": f"Bearer {TOKEN}"})
        try:
            raise RuntimeError(f"request failed with token {TOKEN}")
        except RuntimeError:
            logger.exception("sync failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count("[redacted]") >= 3
    assert "stored [redacted] for alice" in output and "RuntimeError" in output
