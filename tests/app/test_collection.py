"""The collector pause around sync pulls always ends, however the pull ends."""

from __future__ import annotations

import gc
import threading

import pytest

from atrium.app.collection import collection_paused


def test_the_collector_is_paused_inside_and_back_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_and_overlapping_pauses_end_with_the_last() -> None:
    inner_done = threading.Event()
    release = threading.Event()

    def other_thread() -> None:
        with collection_paused():
            inner_done.set()
            release.wait(5)

    with collection_paused():
        worker = threading.Thread(target=other_thread)
        worker.start()
        inner_done.wait(5)
    assert not gc.isenabled()  # the other pull is still running
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_an_error_inside_still_ends_the_pause() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("the network went away")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
