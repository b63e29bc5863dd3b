"""Attachments: uploading bytes (multipart or raw), and fetching them or their metadata.

Bytes are stored content-addressed under ``files_dir/<sha[:2]>/<sha>``: an upload
streams into a temporary file in the files folder while it is hashed and
counted, then moves into place with ``os.replace`` (or is dropped when those
bytes are already stored). A file row names the bytes by their SHA-256.

Files reach clients inside ``Post.attachments`` and are not in the sync feed.
Their bytes and metadata are served only to the uploader and to users who may
read a post that carries the file; everyone else gets 404, never 403.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Connection, Row, exists, or_, select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse, Response

from ..access import readable_community_ids_clause
from ..clock import is_uuid, now_iso, uuid7
from ..context import Caller, current_caller, json_response, reading, run_write, state_of
from ..problems import Problem, conflict, invalid, not_found, too_large
from ..publish import file_dict
from ..schema import files, post_attachments, posts
from .posts import FileOut  # one File schema in the OpenAPI document

router = APIRouter(tags=["files"])
CallerDep = Annotated[Caller, Depends(current_caller)]
log = logging.getLogger("atrium.server")

FILE_LIMIT = 25 * 1024 * 1024
NAME_LIMIT = 300
MIME_LIMIT = 200
CHUNK = 1024 * 1024
DEFAULT_MIME = "application/octet-stream"
_MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;[ -~]*)?$")
_ETAG = re.compile(r'(?:W/)?"([^"]*)"')


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The bytes: a multipart form with the field 'file', or the raw body "
        "(its Content-Type is the file's type, and '?name=' names it).",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


# --- names and types ------------------------------------------------------------------


def checked_name(raw: str) -> str:
    """A file name without folders or control characters; 422 when nothing usable is left."""
    if "\x00" in raw:
        raise invalid("name", "must not contain NUL characters")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid("name", "is not valid Unicode text") from None
    name = re.split(r"[/\\]", raw)[-1].strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        raise invalid("name", "must not contain control characters")
    if not name or name in (".", ".."):
        raise invalid("name", "must not be empty")
    if len(name) > NAME_LIMIT:
        raise invalid("name", f"must be at most {NAME_LIMIT} characters")
    return name


def checked_mime(raw: str | None) -> str:
    """The declared media type if it is well formed, else application/octet-stream."""
    mime = (raw or "").strip()
    if not mime or len(mime) > MIME_LIMIT or not _MIME.match(mime):
        return DEFAULT_MIME
    return mime


def content_disposition(name: str) -> str:
    """RFC 6266/5987: an ASCII fallback plus the exact UTF-8 name."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\%' else "_" for char in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def blob_path(files_dir: Path, sha256: str) -> Path:
    return files_dir / sha256[:2] / sha256


# --- receiving bytes ------------------------------------------------------------------


class Spool:
    """An upload on its way into the store: a temporary file, hashed and counted as it grows."""

    def __init__(self, files_dir: Path) -> None:
        self.files_dir = files_dir
        folder = files_dir / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=folder)
        self.path = Path(name)
        self.handle = os.fdopen(handle, "wb")
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > FILE_LIMIT:
            raise too_large("file", FILE_LIMIT)
        self.hash.update(chunk)
        self.handle.write(chunk)

    def store(self) -> str:
        """Move the bytes to their content address (or drop them when already stored); their SHA-256."""
        self.handle.close()
        sha = self.hash.hexdigest()
        target = blob_path(self.files_dir, sha)
        if target.is_file() and target.stat().st_size == self.size:
            self.path.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path, target)
        return sha

    def discard(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


async def _receive_raw(request: Request, spool: Spool) -> None:
    buffer = bytearray()
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > FILE_LIMIT:
            continue  # drain what the body limit lets through, then answer 413
        buffer += chunk
        if len(buffer) >= CHUNK:
            data = bytes(buffer)
            buffer.clear()
            await anyio.to_thread.run_sync(spool.write, data)
    if received > FILE_LIMIT:
        raise too_large("file", FILE_LIMIT)
    if buffer:
        await anyio.to_thread.run_sync(spool.write, bytes(buffer))


async def _receive_multipart(request: Request, spool: Spool) -> tuple[str | None, str | None]:
    """Copy the form's 'file' part into SPOOL; its file name and content type."""
    async with request.form(max_files=1, max_fields=20) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise invalid("file", "send the bytes in the multipart field 'file'")
        while chunk := await upload.read(CHUNK):
            await anyio.to_thread.run_sync(spool.write, chunk)
        return upload.filename, upload.content_type


# --- routes ---------------------------------------------------------------------------


@router.post(
    "/files",
    status_code=201,
    response_model=FileOut,
    openapi_extra=_UPLOAD_BODY,
    responses={400: {}, 409: {}, 413: {}, 422: {}},
)
async def upload_file(
    request: Request,
    caller: CallerDep,
    name: Annotated[str | None, Query(max_length=2000, description="the file name (raw uploads)")] = None,
    file_id: Annotated[str | None, Query(alias="id", max_length=36, description="a client-made UUID")] = None,
) -> Response:
    """Store uploaded bytes (at most 25 MiB) and answer with the File."""
    if file_id is not None and not is_uuid(file_id):
        raise invalid("id", "must be a UUID")
    new_id = file_id or uuid7()
    given_name = checked_name(name) if name is not None else None
    content_type = request.headers.get("content-type", "")
    multipart = content_type.lower().startswith("multipart/form-data")
    if not multipart and given_name is None:
        raise invalid("name", "name the file with '?name=' (or upload it as multipart/form-data)")
    files_dir = state_of(request).files_dir
    spool = await anyio.to_thread.run_sync(Spool, files_dir)
    try:
        if multipart:
            part_name, part_type = await _receive_multipart(request, spool)
            final_name = given_name or checked_name(part_name or "")
            mime = checked_mime(part_type)
        else:
            await _receive_raw(request, spool)
            final_name = given_name or ""
            mime = checked_mime(content_type)
        # The bytes are in place before the row that names them commits: a failed write leaves at
        # worst an unreferenced blob, never a row without bytes.
        sha = await anyio.to_thread.run_sync(spool.store)
    except ClientDisconnect:
        # Nobody is left to answer; say so quietly instead of logging a server error.
        raise Problem(400, "Bad request", "The upload was interrupted.", kind="upload-interrupted") from None
    finally:
        await anyio.to_thread.run_sync(spool.discard)
    size = spool.size

    def replay_or_conflict(conn: Connection) -> tuple[int, Any] | None:
        existing = conn.execute(select(files).where(files.c.id == new_id)).first()
        if existing is None:
            return None
        if (existing.uploader_id, existing.sha256, existing.size, existing.name, existing.mime) == (
            caller.user_id,
            sha,
            size,
            final_name,
            mime,
        ):
            return 201, file_dict(existing)
        raise conflict("A different file already has this id.")

    def work(conn: Connection) -> tuple[int, Any]:
        answer = replay_or_conflict(conn)
        if answer is not None:
            return answer
        try:
            with conn.begin_nested():
                conn.execute(
                    files.insert().values(
                        id=new_id,
                        name=final_name,
                        mime=mime,
                        size=size,
                        sha256=sha,
                        uploader_id=caller.user_id,
                        created_at=now_iso(),
                    )
                )
        except IntegrityError:
            answer = replay_or_conflict(conn)  # a concurrent upload with the same id came first
            if answer is not None:
                return answer
            raise
        return 201, file_dict(conn.execute(select(files).where(files.c.id == new_id)).one())

    response: Response = await anyio.to_thread.run_sync(run_write, request, caller, work)
    return response


def readable_file(conn: Connection, file_id: str, user_id: str) -> Row[Any]:
    """The file row if USER_ID uploaded it or may read a post that carries it; else 404."""
    carried_readably = exists(
        select(post_attachments.c.post_id)
        .join(posts, posts.c.id == post_attachments.c.post_id)
        .where(
            post_attachments.c.file_id == files.c.id,
            readable_community_ids_clause(posts.c.community_id, user_id),
        )
    )
    row = conn.execute(
        select(files).where(files.c.id == file_id, or_(files.c.uploader_id == user_id, carried_readably))
    ).first()
    if row is None:
        raise not_found("file")
    return row


def etag_matches(header: str | None, sha256: str) -> bool:
    """If-None-Match: '*' or any listed (weak or strong) tag equal to ours."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return sha256 in _ETAG.findall(header)


@router.get(
    "/files/{file_id}",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The bytes"},
        304: {"description": "Not modified (If-None-Match)"},
        404: {},
    },
)
def download_file(file_id: str, request: Request, caller: CallerDep) -> Response:
    """The bytes, with ``ETag: "<sha256>"``; 304 when If-None-Match names it."""
    with reading(request) as conn:
        row = readable_file(conn, file_id, caller.user_id)
    headers = {
        "ETag": f'"{row.sha256}"',
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if etag_matches(request.headers.get("if-none-match"), row.sha256):
        return Response(status_code=304, headers=headers)
    path = blob_path(state_of(request).files_dir, row.sha256)
    if not path.is_file():
        log.error("the bytes of file %s (sha256 %s) are missing from %s", row.id, row.sha256, path)
        raise not_found("file")
    headers["Content-Disposition"] = content_disposition(row.name)
    return FileResponse(path, media_type=row.mime, headers=headers)


@router.get("/files/{file_id}/meta", response_model=FileOut, responses={404: {}})
def file_meta(file_id: str, request: Request, caller: CallerDep) -> Response:
    with reading(request) as conn:
        return json_response(file_dict(readable_file(conn, file_id, caller.user_id)))
