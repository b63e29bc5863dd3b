"""Helpers for the desktop core's tests: run a coroutine, a throw-away profile, the server over TLS."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from atrium.app.profile import Profile
from tests.harness import RunningServer, start_server

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
    """Run COROUTINE on a fresh asyncio loop (pytest-asyncio is not used in this project)."""

    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile(tmp_path / "profile").ensure()


@pytest.fixture(autouse=True)
def _no_machine_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read this machine's /etc/atrium/policy.json by accident."""
    monkeypatch.setenv("ATRIUM_POLICY_FILE", str(tmp_path / "no-policy.json"))


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A private CA and a certificate it signed for 127.0.0.1: (ca.pem, server.pem, server.key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atrium Test Corp CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_server(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The real server over HTTPS with a certificate from a private CA: (base URL, CA bundle path)."""
    import threading

    import uvicorn

    from atrium.server.main import create_app
    from tests.harness import free_port

    ca_file, cert_file, key_file = _certificates(tmp_path)
    port = free_port()
    config = uvicorn.Config(create_app(sqlite_url, files_dir=tmp_path / "files"), host="127.0.0.1", port=port,
                            log_level="warning", ssl_certfile=str(cert_file), ssl_keyfile=str(key_file),
                            timeout_graceful_shutdown=2)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"atrium-tls-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the TLS test server did not start")
        time.sleep(0.02)
    yield f"https://127.0.0.1:{port}", str(ca_file)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def sqlite_server(sqlite_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    """The real server on SQLite only, for tests about the network path rather than the database."""
    running = start_server(sqlite_url, tmp_path / "files")
    yield running
    running.stop()


@pytest.fixture
def forward_proxy() -> Iterator[tuple[str, list[str]]]:
    """A tiny real HTTP forward proxy: (its URL, the absolute URLs it forwarded)."""
    import http.server
    import threading

    import httpx

    forwarded: list[str] = []

    class Forwarder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            forwarded.append(self.path)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")}
            answer = httpx.get(self.path, headers=headers, timeout=10, trust_env=False)
            self.send_response(answer.status_code)
            for name in ("content-type", "retry-after", "etag"):
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *_args: object) -> None:
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forwarder)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}", forwarded
    proxy.shutdown()
    proxy.server_close()
