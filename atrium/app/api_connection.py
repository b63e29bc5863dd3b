"""How the API client reaches the server: base URL, TLS trust, proxy, and network errors.

TLS is verified against the operating system's trust store (``truststore``: Windows CryptoAPI,
macOS Security framework, OpenSSL's system CAs on Linux), plus an optional extra CA bundle.

Proxies (``proxy`` setting):
- ``""``: httpx's ``trust_env``: ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``. httpx asks
  ``urllib.request.getproxies()``, which on Windows falls back to the registry (Internet Options)
  and on macOS to SystemConfiguration (System Settings > Network) when no variable is set.
- ``"system"``: the same ``urllib.request.getproxies()`` answer, applied explicitly. Windows'
  "bypass for these addresses" list (ProxyOverride) is not applied; put the Atrium server into
  ``NO_PROXY`` or choose ``"direct"`` if it must bypass the proxy.
- ``"direct"``: no proxy at all.
- a URL such as ``http://proxy.example.com:3128``: always that proxy.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import truststore

from .errors import (
    ApiError,
    CertificateError,
    InvalidServerAddress,
    MalformedReply,
    Offline,
    ProxyError,
    Timeout,
)

API_PREFIX = "/api/v1"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_base_url(server: str) -> str:
    """The API base for what a person typed: "atrium.example.com" -> "https://atrium.example.com/api/v1".

    Without a scheme, https is assumed, except for this machine (localhost, 127.0.0.1, ::1), where
    a development server speaks plain http. A path is kept (a server behind a reverse proxy at
    /atrium); "/api/v1" is added unless it is already there. Raises InvalidServerAddress.
    """
    text = server.strip()
    if not text:
        raise InvalidServerAddress("No Atrium server address is set.")
    if any(char.isspace() for char in text):
        raise InvalidServerAddress(detail="the address contains spaces")
    if "://" not in text:
        host_part = text.split("/", 1)[0]
        host = urlsplit("//" + host_part).hostname or ""
        text = ("http://" if _is_loopback(host) else "https://") + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidServerAddress(detail=f"unsupported scheme {parts.scheme!r}; use https://")
    try:
        port = parts.port
    except ValueError:
        raise InvalidServerAddress(detail="the port is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise InvalidServerAddress(detail="the address has no host name")
    if parts.username or parts.password:
        raise InvalidServerAddress(detail="the address must not contain a user name or password")
    host = parts.hostname.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    if not path.endswith(API_PREFIX):
        path += API_PREFIX
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def ssl_context(extra_ca_bundle: str = "") -> tuple[ssl.SSLContext, list[str]]:
    """An OS-trust-store context, plus EXTRA_CA_BUNDLE when given; problems loading it are returned."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    problems: list[str] = []
    if extra_ca_bundle.strip():
        try:
            context.load_verify_locations(cafile=os.path.expanduser(extra_ca_bundle.strip()))
        except (OSError, ssl.SSLError, ValueError) as error:
            problems.append(
                f"The extra certificate file {extra_ca_bundle!r} could not be loaded ({error}); "
                "only the system's certificates are trusted."
            )
    return context, problems


def proxies_from_mapping(found: Mapping[str, str]) -> dict[str, str | None]:
    """httpx mount patterns for a ``urllib.request.getproxies()`` answer (None = connect directly)."""
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        target = found.get(scheme, "")
        if target:
            mounts[f"{scheme}://"] = target if "://" in target else f"http://{target}"
    for host in (entry.strip() for entry in found.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host or "/" in host:  # CIDR ranges cannot be expressed as httpx patterns
            continue
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            bare = host.lstrip(".").lower()
            mounts[f"all://{bare}"] = None
            mounts[f"all://*.{bare}"] = None
        else:
            mounts[f"all://[{host}]" if address.version == 6 else f"all://{host}"] = None
    return mounts


@dataclass
class ConnectionOptions:
    """The keyword arguments for ``httpx.AsyncClient`` and any problems met building them."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def connection_options(
    proxy: str = "",
    extra_ca_bundle: str = "",
    transport: httpx.AsyncBaseTransport | None = None,
) -> ConnectionOptions:
    context, problems = ssl_context(extra_ca_bundle)
    options = ConnectionOptions(problems=problems)
    kwargs: dict[str, Any] = {"verify": context, "timeout": DEFAULT_TIMEOUT, "follow_redirects": False}
    proxy = proxy.strip()
    if transport is not None:  # tests inject faults; no proxy may route around them
        kwargs.update(transport=transport, trust_env=False)
    elif proxy == "":
        kwargs["trust_env"] = True
    elif proxy == "direct":
        kwargs["trust_env"] = False
    elif proxy == "system":
        mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
        for pattern, target in proxies_from_mapping(urllib.request.getproxies()).items():
            mounts[pattern] = (
                None if target is None else httpx.AsyncHTTPTransport(proxy=target, verify=context)
            )
        kwargs.update(trust_env=False, mounts=mounts)
    else:
        kwargs.update(trust_env=False, proxy=proxy)
    options.kwargs = kwargs
    return options


# --- network failures ----------------------------------------------------------------------------------


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def error_for_transport(error: Exception) -> ApiError:
    """The taxonomy's error for an httpx (or OS) failure that produced no HTTP answer."""
    said = str(error).strip().rstrip(".")  # a technical detail, not a sentence of its own (errors.one_shot)
    detail = f"{type(error).__name__}: {said}" if said else type(error).__name__
    chain = _causes(error)
    if isinstance(error, httpx.ProxyError):
        return ProxyError(detail=detail)
    if isinstance(error, httpx.TimeoutException):
        return Timeout(detail=detail)
    if (
        any(isinstance(e, ssl.SSLCertVerificationError) for e in chain)
        or "CERTIFICATE_VERIFY_FAILED" in detail
    ):
        return CertificateError(detail=detail)
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return InvalidServerAddress(detail=detail)
    if isinstance(error, httpx.DecodingError):
        return MalformedReply(detail=detail)
    if any(isinstance(e, socket.gaierror) for e in chain):
        return Offline(
            "The Atrium server's name could not be looked up: you may be offline, or the address "
            "may be wrong.",
            detail=detail,
        )
    if isinstance(error, httpx.TransportError | OSError):
        return Offline(detail=detail)
    return MalformedReply(detail=detail)
