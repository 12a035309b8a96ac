"""A registry an administrator loads while workers run is used for residents' words without a
restart: the place a resident names is found (the analyzer's gazetteer) and offered (the dialogue's
district map) once the worker has looked again."""

import asyncio
import functools
from pathlib import Path

from bot.active_model import ActiveModel
from bot.bootstrap import App
from bot.dialogue_root import build_dialogue, load_analyzer
from bot.live_registry import follow_registry
from flows.messages import Inbound
from storage.directory_repository import read_registry
from storage.importers.registry import import_district
from tests.conversations.kit import SAMPLE_FILES

NEW_PLACE, GRID = "翠屏雅苑", "QH01-C04-G02"
COMPLAINT = f"{NEW_PLACE}门口的路灯坏了一个多月了"


async def test_a_place_added_to_the_registry_is_understood_without_a_restart(
        app: App, models: Path, tmp_path: Path) -> None:
    grids, places, departments = SAMPLE_FILES
    async with app.sessions() as session:
        await import_district(session, grids, places, departments, district_code="QH")
    in_use = await read_registry(app.sessions)
    assert any(g.code == GRID for g in in_use.grids)
    load = functools.partial(load_analyzer, models)
    analyzer = ActiveModel(load(in_use.grids, in_use.places), load, in_use.grids, in_use.places)
    dialogue = await build_dialogue(app, analyzer)  # type: ignore[arg-type]
    assert not analyzer.analyze(COMPLAINT).grid_candidates
    assert not dialogue.district.match_address(COMPLAINT).grids

    more = tmp_path / "places.csv"
    more.write_text(places.read_text(encoding="utf-8") + f"{NEW_PLACE},小区,{GRID},,,,\n", encoding="utf-8")
    async with app.sessions() as session:
        await import_district(session, grids, more, departments, district_code="QH")
    stop = asyncio.Event()
    following = asyncio.create_task(follow_registry(app.sessions, analyzer, dialogue, in_use, stop, seconds=0.05))
    try:
        for _ in range(600):
            if dialogue.district.match_address(COMPLAINT).grids:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await following
    assert [c.grid_code for c in analyzer.analyze(COMPLAINT).grid_candidates][:1] == [GRID]
    replies = await dialogue.handle(Inbound("test", "resident-1", "m1", COMPLAINT))
    assert any("地点记为" in r.text and dialogue.district.label(GRID) in r.text for r in replies), replies
