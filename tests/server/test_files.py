"""Attachments: uploads (multipart and raw), replays, the 25 MiB limit, and who may fetch the bytes."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from atrium.server.clock import uuid7
from tests.harness import Api, RunningServer

LIMIT = 25 * 1024 * 1024


def community(api: Api, name: str, visibility: str = "public") -> str:
    cid = uuid7()
    answer = api.post(
        "/communities",
        json={"id": cid, "name": name, "kind": "interest", "visibility": visibility, "description": name},
    )
    assert answer.status_code == 201, answer.text
    return cid


def post_with(api: Api, community_id: str, file_ids: list[str]) -> dict[str, Any]:
    answer = api.post(
        "/posts",
        json={
            "id": uuid7(),
            "community_id": community_id,
            "body": "See attached",
            "attachment_ids": file_ids,
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def upload(api: Api, data: bytes, name: str = "notes.txt", mime: str = "text/plain", **params: str) -> Any:
    return api.post("/files", content=data, params={"name": name, **params}, headers={"Content-Type": mime})


def uploaded(api: Api, data: bytes, name: str = "notes.txt", mime: str = "text/plain") -> dict[str, Any]:
    answer = upload(api, data, name, mime)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def blob(server: RunningServer, sha: str) -> Path:
    app: Any = server.server.config.app
    files_dir: Path = app.state.atrium.files_dir
    return files_dir / sha[:2] / sha


def test_raw_upload_then_download_with_etag(make_user: Callable[..., Api], server: RunningServer) -> None:
    ada = make_user("ada")
    data = b"hello, attachments\n" * 100
    meta = uploaded(ada, data, "Quarterly report.txt")
    assert meta["name"] == "Quarterly report.txt"
    assert meta["mime"] == "text/plain"
    assert meta["size"] == len(data)
    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert set(meta) == {"id", "name", "mime", "size", "sha256", "created_at"}
    assert blob(server, meta["sha256"]).read_bytes() == data

    got = ada.get(f"/files/{meta['id']}")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["etag"] == f'"{meta["sha256"]}"'
    assert got.headers["content-type"].startswith("text/plain")
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Quarterly%20report.txt" in got.headers["content-disposition"]

    again = ada.get(f"/files/{meta['id']}", headers={"If-None-Match": got.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == got.headers["etag"]
    listed = ada.get(f"/files/{meta['id']}", headers={"If-None-Match": f'"other", W/"{meta["sha256"]}"'})
    assert listed.status_code == 304
    stale = ada.get(f"/files/{meta['id']}", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert ada.get(f"/files/{meta['id']}/meta").json() == meta


def test_multipart_upload_and_unicode_name(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    data = bytes(range(256)) * 10
    answer = ada.post("/files", files={"file": ("C:\\Users\\ada\\Café ☕.bin", data, "application/x-thing")})
    assert answer.status_code == 201, answer.text
    meta = answer.json()
    assert meta["name"] == "Café ☕.bin"
    assert meta["mime"] == "application/x-thing"
    assert meta["size"] == len(data)
    got = ada.get(f"/files/{meta['id']}")
    assert got.content == data
    disposition = got.headers["content-disposition"]
    assert f"filename*=UTF-8''{quote('Café ☕.bin', safe='')}" in disposition
    assert 'filename="Caf_ _.bin"' in disposition
    # ?name= overrides the part's file name
    renamed = ada.post("/files", params={"name": "renamed.bin"}, files={"file": ("x.bin", data)})
    assert renamed.json()["name"] == "renamed.bin"


def test_same_bytes_are_stored_once(make_user: Callable[..., Api], server: RunningServer) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    first = uploaded(ada, b"shared bytes", "a.txt")
    second = uploaded(bob, b"shared bytes", "b.txt")
    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]
    folder = blob(server, first["sha256"]).parent
    assert [p.name for p in folder.iterdir()] == [first["sha256"]]
    assert not list((folder.parent / "tmp").iterdir())  # no temporary files left behind


def test_client_made_id_replay_and_conflict(make_user: Callable[..., Api]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    file_id = uuid7()
    one = upload(ada, b"v1", "x.txt", id=file_id)
    two = upload(ada, b"v1", "x.txt", id=file_id)
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    assert one.json()["id"] == file_id
    assert upload(ada, b"v2", "x.txt", id=file_id).status_code == 409
    assert upload(ada, b"v1", "y.txt", id=file_id).status_code == 409
    assert upload(bob, b"v1", "x.txt", id=file_id).status_code == 409
    assert upload(ada, b"v1", "x.txt", id="not-a-uuid").status_code == 422


def test_idempotency_key_on_upload(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    key = {"Idempotency-Key": uuid7(), "Content-Type": "text/plain"}
    one = ada.post("/files", content=b"abc", params={"name": "k.txt"}, headers=key)
    two = ada.post("/files", content=b"abc", params={"name": "k.txt"}, headers=key)
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] == two.json()["id"]
    assert two.headers.get("idempotent-replay") == "true"


def test_access_matrix(make_user: Callable[..., Api], server: RunningServer) -> None:
    owner, member, outsider = make_user("olga"), make_user("mia"), make_user("otto")
    secret = community(owner, "Project Falcon", "private")
    owner.put(f"/communities/{secret}/members/{member.user_id}")
    public = community(owner, "Open Plaza")

    private_file = uploaded(owner, b"falcon budget", "budget.csv", "text/csv")
    public_file = uploaded(owner, b"lunch menu", "menu.txt")
    loose_file = uploaded(owner, b"not attached anywhere", "draft.txt")
    post = post_with(owner, secret, [private_file["id"]])
    assert [a["id"] for a in post["attachments"]] == [private_file["id"]]
    post_with(owner, public, [public_file["id"]])

    def status(api: Api, file_id: str) -> tuple[int, int]:
        return api.get(f"/files/{file_id}").status_code, api.get(f"/files/{file_id}/meta").status_code

    assert status(owner, private_file["id"]) == (200, 200)  # the uploader
    assert status(member, private_file["id"]) == (200, 200)  # can read the post
    assert status(outsider, private_file["id"]) == (404, 404)  # cannot: it does not exist for them
    assert status(outsider, public_file["id"]) == (200, 200)  # a public community's post
    assert status(member, loose_file["id"]) == (404, 404)  # only its uploader sees an unattached file
    assert status(owner, loose_file["id"]) == (200, 200)
    assert status(outsider, uuid7()) == (404, 404)
    hidden = outsider.get(f"/files/{private_file['id']}")
    missing = outsider.get(f"/files/{uuid7()}")
    assert hidden.json()["detail"] == missing.json()["detail"]
    # conditional requests reveal nothing either
    etag = {"If-None-Match": f'"{private_file["sha256"]}"'}
    assert outsider.get(f"/files/{private_file['id']}", headers=etag).status_code == 404

    anonymous = Api(server.api)
    try:
        assert anonymous.get(f"/files/{private_file['id']}").status_code == 401
        assert anonymous.get(f"/files/{private_file['id']}/meta").status_code == 401
        assert anonymous.post("/files", content=b"x", params={"name": "x"}).status_code == 401
    finally:
        anonymous.close()

    # leaving the community takes the access away
    assert member.delete(f"/communities/{secret}/members/{member.user_id}").status_code == 204
    assert status(member, private_file["id"]) == (404, 404)


def test_25_mib_limit_raw(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    at_limit = b"a" * LIMIT
    answer = upload(ada, at_limit, "big.bin", "application/octet-stream")
    assert answer.status_code == 201, answer.text
    assert answer.json()["size"] == LIMIT
    over = upload(ada, at_limit + b"b", "bigger.bin", "application/octet-stream")
    assert over.status_code == 413
    assert over.json()["field"] == "file"  # our exact limit, not the body-size guard's


def test_25_mib_limit_multipart(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    at_limit = b"m" * LIMIT
    answer = ada.post("/files", files={"file": ("big.bin", at_limit, "application/octet-stream")})
    assert answer.status_code == 201, answer.text
    assert answer.json()["size"] == LIMIT
    over = ada.post("/files", files={"file": ("big.bin", at_limit + b"!", "application/octet-stream")})
    assert over.status_code == 413
    assert over.json()["field"] == "file"


def test_chunked_upload_without_length_is_limited_too(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")

    def chunks(total: int) -> Iterator[bytes]:
        block = b"c" * (1024 * 1024)
        sent = 0
        while sent < total:
            piece = block[: total - sent]
            sent += len(piece)
            yield piece

    fits = ada.post("/files", content=chunks(3 * 1024 * 1024 + 5), params={"name": "c.bin"})
    assert fits.status_code == 201, fits.text
    assert fits.json()["size"] == 3 * 1024 * 1024 + 5
    over = ada.post("/files", content=chunks(LIMIT + 1), params={"name": "c.bin"})
    assert over.status_code == 413


def test_bad_uploads_are_refused_cleanly(make_user: Callable[..., Api]) -> None:
    ada = make_user("ada")
    assert ada.post("/files", content=b"no name").status_code == 422
    assert upload(ada, b"x", name="   ").status_code == 422
    assert upload(ada, b"x", name="a/b/..").status_code == 422
    assert upload(ada, b"x", name="bell\x07.txt").status_code == 422
    assert upload(ada, b"x", name="n" * 301).status_code == 422
    no_file_field = ada.post("/files", files={"other": ("x.txt", b"x")})
    assert no_file_field.status_code == 422
    two_files = ada.post("/files", files=[("file", ("a.txt", b"a")), ("file", ("b.txt", b"b"))])
    assert two_files.status_code == 400
    broken = ada.post("/files", content=b"--x\r\ngarbage", headers={"Content-Type": "multipart/form-data"})
    assert broken.status_code in (400, 422)
    weird_type = upload(ada, b"x", mime="not a type")
    assert weird_type.status_code == 201
    assert weird_type.json()["mime"] == "application/octet-stream"
    assert upload(ada, b"", name="empty.txt").json()["size"] == 0


def test_interrupted_upload_leaves_no_temporary_file(
    make_user: Callable[..., Api], server: RunningServer
) -> None:
    ada = make_user("ada")
    first = uploaded(ada, b"before")
    leftovers = blob(server, first["sha256"]).parent.parent / "tmp"

    def broken() -> Iterator[bytes]:
        yield b"x" * 2_000_000
        time.sleep(0.3)  # let the server start writing its temporary file
        raise RuntimeError("the network went away")

    with pytest.raises(RuntimeError):
        ada.post("/files", content=broken(), params={"name": "gone.bin"})
    deadline = time.monotonic() + 10
    while list(leftovers.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(leftovers.iterdir()) == []
    assert uploaded(ada, b"still works")["size"] == 11
