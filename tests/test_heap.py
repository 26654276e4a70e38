"""The heap a data version builds is collected once and frozen (webapp/heap.py): full
collections then skip it, and the next data version thaws and collects it again."""

from __future__ import annotations

import gc
import weakref

import pytest

from webapp.heap import SettleHeap


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def call(middleware) -> bytes:
    result = middleware({}, lambda status, headers: None)
    try:
        return b"".join(result)
    finally:
        result.close()


def test_a_version_served_long_enough_is_collected_once_and_frozen():
    clock, version = [0.0], ["v1"]
    heap = SettleHeap(app, lambda: version[0], settle=10, clock=lambda: clock[0])
    assert call(heap) == b"ok"  # first seen
    clock[0] = 5
    call(heap)
    assert heap.settlements == 0 and gc.get_freeze_count() == 0  # not yet: still being built
    clock[0] = 11
    call(heap)
    assert heap.settlements == 1 and gc.get_freeze_count() > 0
    clock[0] = 100
    call(heap)
    assert heap.settlements == 1  # once per version


def test_the_next_version_thaws_and_frees_what_the_last_one_froze():
    clock, version = [0.0], ["v1"]
    heap = SettleHeap(app, lambda: version[0], settle=10, clock=lambda: clock[0])
    kept = [Cycle()]  # a cached structure with a reference cycle, built for v1
    call(heap)
    clock[0] = 11
    call(heap)
    assert heap.settlements == 1
    gone = weakref.ref(kept[0])
    kept.clear()  # v1's caches dropped: garbage, but frozen with a cycle
    gc.collect()
    assert gone() is not None  # frozen: the collector does not reach it
    version[0] = "v2"
    call(heap)
    clock[0] = 22
    call(heap)
    assert heap.settlements == 2 and gone() is None  # thawed and collected


def test_a_store_that_cannot_be_reached_settles_nothing_and_answers():
    def down() -> str:
        raise OSError("store unreachable")

    heap = SettleHeap(app, down, settle=0)
    assert call(heap) == b"ok" and heap.settlements == 0


def test_files_the_server_sends_itself_are_not_wrapped():
    class FileWrapper:
        def __init__(self, f) -> None:
            self.f = f

    sent = FileWrapper(object())
    heap = SettleHeap(lambda e, s: sent, lambda: "v")
    assert heap({"wsgi.file_wrapper": FileWrapper}, lambda s, h: None) is sent
