"""Small generated attachments for demo posts: a PNG bar chart and CSV files, made without any
imaging library (PNG is a few zlib-compressed rows and three chunks)."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Sequence

from .ids import IdMaker
from .records import FileRecord

BACKGROUND = (255, 255, 255)
AXIS = (120, 120, 120)
BAR = (61, 205, 88)
BAR_LAST = (0, 120, 60)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bar_chart_png(values: Sequence[float], *, width: int = 480, height: int = 240) -> bytes:
    """A plain bar chart of VALUES (0..max), the last bar darker: enough to look like a real export."""
    margin = 20
    top = max(values) or 1.0
    slot = (width - 2 * margin) / len(values)
    pixels = [[BACKGROUND] * width for _ in range(height)]
    for x in range(margin, width - margin):
        pixels[height - margin][x] = AXIS
    for y in range(margin, height - margin + 1):
        pixels[y][margin] = AXIS
    for index, value in enumerate(values):
        bar_height = int((height - 2 * margin - 10) * value / top)
        left = int(margin + index * slot + slot * 0.2)
        right = int(margin + (index + 1) * slot - slot * 0.2)
        colour = BAR_LAST if index == len(values) - 1 else BAR
        for y in range(height - margin - bar_height, height - margin):
            row = pixels[y]
            for x in range(left, right):
                row[x] = colour
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def make_file(
    ids: IdMaker, name: str, mime: str, data: bytes, uploader_id: str, created_ms: int
) -> FileRecord:
    return FileRecord(
        id=ids.at(created_ms),
        name=name,
        mime=mime,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        uploader_id=uploader_id,
        created_ms=created_ms,
    )


def adoption_files(ids: IdMaker, uploader_id: str, created_ms: int) -> list[FileRecord]:
    """The weekly-returning-users chart and the numbers behind it, for an Atrium Champions post."""
    weekly = [31, 34, 38, 41, 45, 52, 55, 58, 61, 64, 68, 70]
    sites = [
        ("Grenoble", 74),
        ("Bangalore", 71),
        ("Boston", 63),
        ("Shanghai", 58),
        ("Monterrey", 66),
        ("Rueil-Malmaison", 77),
        ("Wuhan", 55),
        ("Pune", 69),
    ]
    csv = "site,weekly_returning_percent\n" + "".join(f"{site},{value}\n" for site, value in sites)
    return [
        make_file(
            ids, "weekly-returning-users.png", "image/png", bar_chart_png(weekly), uploader_id, created_ms
        ),
        make_file(ids, "adoption-by-site.csv", "text/csv", csv.encode(), uploader_id, created_ms + 1),
    ]


def expense_template_file(ids: IdMaker, uploader_id: str, created_ms: int) -> FileRecord:
    csv = (
        "date,category,description,amount,currency\n"
        "2026-03-02,Travel,Train Grenoble–Paris,86.00,EUR\n"
        "2026-03-02,Meals,Dinner with customer (3 guests),142.50,EUR\n"
        "2026-03-03,Hotel,1 night Paris,189.00,EUR\n"
    )
    return make_file(ids, "expense-report-example.csv", "text/csv", csv.encode(), uploader_id, created_ms)
