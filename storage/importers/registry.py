"""Writing the district registry: validate everything first, then replace it in one transaction."""

import asyncio
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.directory_repository import SqlDirectoryRepository
from storage.importers.district import District, validate_district
from storage.models import DepartmentRow, GridRow, PlaceRow


@dataclass(frozen=True)
class ImportReport:
    streets: int
    communities: int
    grids: int
    places: int
    departments: int
    replaced: bool


async def import_district(
    session: AsyncSession,
    grids_path: Path,
    places_path: Path,
    departments_path: Path,
    *,
    replace: bool = True,
    district_code: str | None = None,
) -> ImportReport:
    """Load a district's grids, places and departments; all or nothing.

    Any bad row raises ImportFailed before a write (files are checked in a worker thread). `replace` deletes the old registry in the
    same transaction; otherwise the files add to it and may not redefine a code it holds.
    The session's transaction is committed on success and rolled back on any error.
    """
    try:
        existing = None if replace else await load_directory(session)
        district = await asyncio.to_thread(
            validate_district,
            grids_path,
            places_path,
            departments_path,
            district_code=district_code,
            existing=existing,
        )
        if replace:
            for table in (PlaceRow, GridRow, DepartmentRow):
                await session.execute(delete(table))
        await session.execute(insert(GridRow), [asdict(g) for g in district.grids])
        await session.execute(insert(PlaceRow), [asdict(p) for p in district.places])
        await session.execute(insert(DepartmentRow), [asdict(d) for d in district.departments])
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return ImportReport(
        streets=len({g.street_code for g in district.grids}),
        communities=len({g.community_code for g in district.grids}),
        grids=len(district.grids),
        places=len(district.places),
        departments=len(district.departments),
        replaced=replace,
    )


async def load_directory(session: AsyncSession) -> District:
    """The registry as handlers.directory objects: grids and departments by code, places in file order."""
    repository = SqlDirectoryRepository(session)
    return District(await repository.grids(), await repository.places(), await repository.departments())
