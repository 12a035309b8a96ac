"""The done-when of issue 12, item 1: `minsheng serve` SIGKILLed at random points of resident turns
on the web chat and Telegram, 50 times, restarted each time; every message is processed once,
every confirmed intake filed exactly once, and its resident told the case number.
bench/faults.py runs the same campaign with more kills, on both databases."""

import shutil
from pathlib import Path

import pytest

from tests.faults.campaign import run_faults

pytestmark = [pytest.mark.slow, pytest.mark.faults]
KILLS = 50


async def test_killing_the_server_mid_turn_loses_and_doubles_nothing(
    district_template: Path, models: Path, tmp_path: Path
) -> None:
    database = tmp_path / "minsheng.db"
    shutil.copy(district_template, database)
    report = await run_faults(f"sqlite:///{database}", models, tmp_path, KILLS)
    assert report.kills == KILLS
    assert (report.lost, report.doubled) == (0, 0), "\n".join([report.summary(), *report.problems])
    assert report.intakes >= 10 and report.cases == report.intakes
    # the kills landed all over the intake, the filing confirmation included
    assert len(report.steps) >= 3 and report.steps["choice:submit"] > 0, report.summary()
