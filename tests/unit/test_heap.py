"""A worker's startup objects leave the garbage collector's sight (a swapped-out model is still
freed: tests/unit/test_active_model.py)."""

import gc
import weakref

import pytest

from bot import heap


class Loaded:
    """Something a worker loads at startup, holding a reference cycle as real models do."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.tables = [[n] for n in range(20_000)]
        self.me = self


@pytest.fixture(autouse=True)
def thawed():
    yield
    gc.unfreeze()


def test_settling_collects_what_was_dropped_and_freezes_what_is_loaded() -> None:
    dropped = Loaded("dropped")
    gone = weakref.ref(dropped)
    del dropped
    loaded = Loaded("loaded")
    before = gc.get_freeze_count()
    heap.settle()
    assert gone() is None
    assert gc.get_freeze_count() >= before + len(loaded.tables)


def test_startup_freezes_what_is_loaded_without_walking_it() -> None:
    collections: list[str] = []

    def seen(phase: str, info: dict) -> None:
        collections.append(phase)

    loaded = Loaded("loaded")
    before = gc.get_freeze_count()
    gc.callbacks.append(seen)
    try:
        heap.freeze_loaded()
    finally:
        gc.callbacks.remove(seen)
    assert collections == []
    assert gc.get_freeze_count() >= before + len(loaded.tables)
