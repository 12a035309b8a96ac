"""A running worker follows the registry's ACTIVE pointer: a promotion or rollback is in use within
seconds, without a restart, and a version that fails to load leaves the old one serving."""

import asyncio
import gc
import weakref
from pathlib import Path
from types import SimpleNamespace

from bot import heap
from bot.active_model import ActiveModel
from nlu.registry import activate


async def switched(model: ActiveModel, expected: str) -> None:
    for _ in range(200):
        if model.version == expected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still on {model.version}, expected {expected}")


def version(models: Path, name: str) -> None:
    (models / "versions" / name).mkdir(parents=True)
    (models / "versions" / name / "meta.json").write_text("{}", encoding="utf-8")


async def test_an_activated_version_is_picked_up_and_a_broken_one_is_not(tmp_path: Path) -> None:
    for name in ("0001-a", "0002-b", "0003-broken"):
        version(tmp_path, name)
    activate(tmp_path, "0001-a")

    def load(grids: list, places: list) -> SimpleNamespace:
        wanted = (tmp_path / "ACTIVE").read_text(encoding="utf-8").strip()
        if wanted.endswith("broken"):
            raise ValueError("corrupt model file")
        return SimpleNamespace(version=wanted, analyze=lambda text: f"{wanted}:{text}")

    model = ActiveModel(load([], []), load, [], [])  # type: ignore[arg-type]
    stop = asyncio.Event()
    following = asyncio.create_task(model.follow(tmp_path, stop, seconds=0.02))

    assert model.analyze("路灯") == "0001-a:路灯"
    activate(tmp_path, "0002-b")
    await switched(model, "0002-b")
    assert model.analyze("路灯") == "0002-b:路灯"
    activate(tmp_path, "0003-broken")
    await asyncio.sleep(0.2)
    assert model.version == "0002-b"  # still serving with the last good one
    activate(tmp_path, "0001-a")  # a rollback
    await switched(model, "0001-a")
    stop.set()
    await following


class Loaded:
    """A loaded model holds reference cycles, as real ones do."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.me = self


async def test_a_swapped_out_model_is_freed_although_startup_froze_it(tmp_path: Path) -> None:
    for name in ("0001-a", "0002-b"):
        version(tmp_path, name)
    activate(tmp_path, "0001-a")
    model = ActiveModel(Loaded("0001-a"), lambda grids, places: Loaded("0002-b"), [], [])  # type: ignore[arg-type]
    old = weakref.ref(model.current)
    heap.freeze_loaded()  # as `minsheng serve` does once it has loaded
    stop = asyncio.Event()
    following = asyncio.create_task(model.follow(tmp_path, stop, seconds=0.01))
    try:
        activate(tmp_path, "0002-b")
        await switched(model, "0002-b")
        stop.set()
        await following
        assert model.version == "0002-b"
        assert old() is None
    finally:
        gc.unfreeze()


async def test_a_new_version_keeps_the_places_of_a_registry_loaded_meanwhile(tmp_path: Path) -> None:
    for name in ("0001-a", "0002-b"):
        version(tmp_path, name)
    activate(tmp_path, "0001-a")

    def load(grids: list, places: list) -> SimpleNamespace:
        return SimpleNamespace(version=(tmp_path / "ACTIVE").read_text(encoding="utf-8").strip(), places=places)

    model = ActiveModel(load([], ["旧名录"]), load, [], ["旧名录"])  # type: ignore[arg-type]
    await model.use_places([], ["新名录"])
    assert (model.version, model.places) == ("0001-a", ["新名录"])
    stop = asyncio.Event()
    following = asyncio.create_task(model.follow(tmp_path, stop, seconds=0.01))
    activate(tmp_path, "0002-b")
    await switched(model, "0002-b")
    stop.set()
    await following
    assert (model.version, model.places) == ("0002-b", ["新名录"])
