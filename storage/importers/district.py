"""The three registry files checked together, so a place or a department never points nowhere."""

from pathlib import Path
from typing import NamedTuple

from handlers.directory import Department, Grid, Place
from storage.importers.departments import read_departments
from storage.importers.grids import Areas, read_grids
from storage.importers.places import read_places
from storage.importers.problems import ImportFailed


class District(NamedTuple):
    grids: list[Grid]
    places: list[Place]
    departments: list[Department]


def validate_district(
    grids_path: Path,
    places_path: Path,
    departments_path: Path,
    *,
    district_code: str | None = None,
    existing: District | None = None,
) -> District:
    """Parse and cross-check all three files; raise ImportFailed with every problem in all of them.

    `existing` is what an additive import keeps: its codes may be referred to but not redefined.
    """
    kept = existing or District([], [], [])
    if district_code is None:
        district_code = next((d.area for d in kept.departments if d.level == "district"), None)
    grids = read_grids(Path(grids_path), taken={g.code for g in kept.grids})
    areas = Areas.of([*kept.grids, *grids.items])
    places = read_places(Path(places_path), areas.grids)
    departments = read_departments(
        Path(departments_path), areas, district_code=district_code, taken={d.code for d in kept.departments}
    )
    problems = grids.problems + places.problems + departments.problems
    if problems:
        raise ImportFailed(problems)
    return District(grids.items, places.items, departments.items)
