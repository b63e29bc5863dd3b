"""Attachment bytes: content-addressed storage with hash checks, LRU eviction and keep-offline pins."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from atrium.cache import (
    AttachmentHashMismatchError,
    Cache,
    attachment_path,
    attachments_size,
    attachments_to_fetch,
    evict_attachments,
    open_cache,
    set_keep_offline,
    store_attachment,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bytes_are_stored_under_their_hash(cache: Cache) -> None:
    data = b"%PDF-1.7 travel policy"
    digest = sha(data)
    path = store_attachment(cache, digest, data)
    assert path == cache.files_dir / digest[:2] / digest
    assert path.read_bytes() == data
    assert attachment_path(cache, digest) == path
    assert attachment_path(cache, sha(b"never stored")) is None
    assert attachments_size(cache) == len(data)


def test_a_file_is_copied_and_checked(cache: Cache, tmp_path: Path) -> None:
    source = tmp_path / "download.part"
    source.write_bytes(b"x" * 3_000_000)
    path = store_attachment(cache, sha(b"x" * 3_000_000).upper(), source)
    assert path.read_bytes() == source.read_bytes()


def test_bytes_that_do_not_match_the_hash_are_refused(cache: Cache) -> None:
    with pytest.raises(AttachmentHashMismatchError):
        store_attachment(cache, sha(b"expected"), b"tampered")
    assert attachments_size(cache) == 0
    assert not any(p.is_file() for p in cache.files_dir.rglob("*"))
    with pytest.raises(ValueError, match="sha256"):
        store_attachment(cache, "not-a-hash", b"x")


def test_least_recently_used_files_are_evicted_but_kept_offline_ones_stay(cache: Cache) -> None:
    blobs = [bytes([n]) * 1000 for n in range(5)]
    for blob in blobs:
        store_attachment(cache, sha(blob), blob, cap_bytes=None)
        time.sleep(0.002)  # distinct last-use times
    set_keep_offline(cache, sha(blobs[0]), True)  # the oldest, but pinned
    assert attachment_path(cache, sha(blobs[1])) is not None  # used again: now the newest
    evicted = evict_attachments(cache, 3000)
    assert evicted == [sha(blobs[2]), sha(blobs[3])]
    assert attachment_path(cache, sha(blobs[0])) is not None
    assert attachment_path(cache, sha(blobs[2])) is None
    assert not (cache.files_dir / sha(blobs[2])[:2] / sha(blobs[2])).exists()
    assert attachments_size(cache) == 3000
    assert evict_attachments(cache, 3000) == []


def test_storing_over_the_cap_evicts_older_files_not_the_new_one(cache: Cache) -> None:
    old, new = b"a" * 1000, b"b" * 1500
    store_attachment(cache, sha(old), old, cap_bytes=None)
    store_attachment(cache, sha(new), new, cap_bytes=2000)
    assert attachment_path(cache, sha(old)) is None
    assert attachment_path(cache, sha(new)) is not None


def test_a_file_larger_than_the_cap_on_its_own_evicts_nothing_and_goes_first(cache: Cache) -> None:
    """Opening a video bigger than the whole cap empties nothing for it (it could never fit)."""
    small, kept, huge, later = b"a" * 500, b"k" * 400, b"h" * 5000, b"l" * 300

    def on_disk(blob: bytes) -> bool:
        return (cache.files_dir / sha(blob)[:2] / sha(blob)).is_file()

    store_attachment(cache, sha(small), small, cap_bytes=None)
    store_attachment(cache, sha(kept), kept, cap_bytes=None)
    set_keep_offline(cache, sha(kept), True)
    assert attachments_size(cache, kept_only=True) == 400
    time.sleep(0.002)
    store_attachment(cache, sha(huge), huge, cap_bytes=2000)
    assert on_disk(small), "not evicted for a file that cannot fit"
    assert on_disk(huge), "kept while it is being opened"
    time.sleep(0.002)
    assert attachment_path(cache, sha(huge)) is not None  # opened again: the newest now
    store_attachment(cache, sha(later), later, cap_bytes=2000)
    assert not on_disk(huge), "the oversized file went first, though the small one is older"
    assert on_disk(small) and on_disk(kept) and on_disk(later)


def test_keep_offline_for_a_file_not_here_yet_asks_for_it(cache: Cache) -> None:
    wanted = sha(b"manual")
    set_keep_offline(cache, wanted, True)
    assert attachments_to_fetch(cache) == [wanted]
    assert attachment_path(cache, wanted) is None
    store_attachment(cache, wanted, b"manual")
    assert attachments_to_fetch(cache) == []
    set_keep_offline(cache, sha(b"other"), True)
    set_keep_offline(cache, sha(b"other"), False)
    assert attachments_to_fetch(cache) == []


def test_a_file_deleted_behind_the_caches_back_is_forgotten(cache: Cache) -> None:
    data = b"ephemeral"
    path = store_attachment(cache, sha(data), data)
    path.unlink()
    assert attachment_path(cache, sha(data)) is None
    assert attachments_size(cache) == 0


def test_a_download_a_crash_left_half_written_is_removed_when_the_cache_opens(cache_path: Path) -> None:
    files = cache_path.parent / "files"
    files.mkdir(parents=True)
    stale, fresh = files / ".download-abc", files / ".download-def"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"another process is writing this one")
    os.utime(stale, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    open_cache(cache_path).close()
    assert not stale.exists() and fresh.exists()
