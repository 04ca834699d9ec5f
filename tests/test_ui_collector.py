"""Cyclic garbage is freed on the GUI thread while a GuiCollector runs (ui/collector.py).

A widget freed on a worker thread crashed the counter at a random later moment; here a plain
object in a reference cycle notes the thread it was freed on."""

from __future__ import annotations

import gc
import threading

from tongban.ui.collector import GuiCollector


class InACycle:
    def __init__(self, freed_on: list[str]) -> None:
        self.itself = self
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.current_thread().name)


def allocate_on_a_worker() -> list[list[object]]:
    """What a worker building an index does: allocate well past generation 0's threshold; the
    index is kept (returned), as a built index is."""
    index: list[list[object]] = []

    def work() -> None:
        index.extend([] for _ in range(20 * gc.get_threshold()[0]))

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()
    return index


def test_left_automatic_a_worker_frees_the_gui_threads_garbage() -> None:
    # Why the collector exists: without it, the worker's allocations start the collection.
    assert gc.isenabled()
    freed_on: list[str] = []
    gc.collect()
    InACycle(freed_on)
    allocate_on_a_worker()
    assert freed_on == ["worker"]


def test_with_the_collector_garbage_is_freed_on_the_gui_thread(qtbot) -> None:
    freed_on: list[str] = []
    before = gc.isenabled()  # off already when the suite runs every Qt test under one
    gc.collect()
    collector = GuiCollector(interval_ms=20)
    try:
        InACycle(freed_on)
        index = allocate_on_a_worker()
        assert freed_on == [] and index  # the worker started no collection
        qtbot.waitUntil(lambda: freed_on != [], timeout=5000)
        assert freed_on == [threading.main_thread().name]
    finally:
        collector.stop()
    assert gc.isenabled() == before


def test_stopping_frees_what_is_left_and_gives_collection_back(qtbot) -> None:
    freed_on: list[str] = []
    before = gc.isenabled()
    collector = GuiCollector(interval_ms=60_000)  # no check falls inside this test
    assert not gc.isenabled()
    InACycle(freed_on)
    collector.stop()
    assert freed_on == [threading.main_thread().name] and gc.isenabled() == before
