"""A lean keep-alive HTTP/1.1 GET client on asyncio streams, for load generators.

One Python process standing in for hundreds of desktops must not be the bottleneck it
measures: httpx spends about 1 ms of CPU a request, so at 200 requests/s the generator's own
event loop queues responses and adds its delay to every latency it reports. This client
writes a request and reads a ``Content-Length`` answer (what the Atrium server sends for
API calls) in a few tens of microseconds. It is for benchmarks only.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode, urlsplit


class LeanHTTPError(Exception):
    """The server's answer was not one this client understands, or the connection broke."""


class LeanClient:
    """One keep-alive connection to BASE_URL (``http://host:port/prefix``), with fixed headers."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._prefix = parts.path.rstrip("/")
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._head = f"Host: {self._host}:{self._port}\r\n{extra}\r\n".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: dict[str, str | int] | None = None) -> tuple[int, bytes]:
        """GET PATH?PARAMS; returns the status and the body. Reconnects once if the kept-alive
        connection was closed by the server."""
        target = self._prefix + path + ("?" + urlencode(params) if params else "")
        request = f"GET {target} HTTP/1.1\r\n".encode() + self._head
        for attempt in range(2):
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
            assert self._reader is not None
            try:
                self._writer.write(request)
                return await self._read_answer(self._reader)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                await self.aclose()
                if attempt:
                    raise LeanHTTPError(f"connection lost: {error}") from error
        raise AssertionError("unreachable")

    @staticmethod
    async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        try:
            status = int(lines[0].split(b" ", 2)[1])
        except (IndexError, ValueError) as error:
            raise LeanHTTPError(f"not an HTTP status line: {lines[0][:80]!r}") from error
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            elif name.strip().lower() == b"transfer-encoding":
                raise LeanHTTPError("chunked answers are not supported")
        if length is None:
            raise LeanHTTPError("the answer has no Content-Length")
        return status, await reader.readexactly(length)

    async def aclose(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
        self._reader = self._writer = None
