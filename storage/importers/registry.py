"""Loading the district registry: a dry run that finds every problem and what would change, and the
load itself, which runs the same checks and replaces the registry in one transaction."""

import asyncio
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit_log import AuditEntry, stage
from storage.directory_repository import SqlDirectoryRepository
from storage.importers.changes import Changes, changes
from storage.importers.district import District, validate_district
from storage.importers.problems import ImportFailed, ImportProblem
from storage.models import DepartmentRow, GridRow, PlaceRow

AREA = "registry"  # the audit log's area for registry loads


@dataclass(frozen=True)
class ImportReport:
    streets: int
    communities: int
    grids: int
    places: int
    departments: int
    replaced: bool
    changes: Changes | None = None  # what the load changed (its preview)


@dataclass(frozen=True)
class RegistryPlan:
    """A dry run: every problem in the files, or the district they hold and what loading it would change."""

    problems: list[ImportProblem]
    district: District | None = None
    changes: Changes | None = None


class RegistryChanged(Exception):
    """The registry is no longer what the preview was worked out against (someone loaded another
    in between): nothing has been written, and the preview has to be looked at again."""


async def plan_district(
    session: AsyncSession,
    grids_path: Path,
    places_path: Path,
    departments_path: Path,
    *,
    replace: bool = True,
    district_code: str | None = None,
) -> RegistryPlan:
    """Check the three files together (in a worker thread) and compare them with the registry in the
    database; writes nothing. `replace` loads them instead of the registry; otherwise they add to it
    and may not redefine a code it holds."""
    existing = None if replace else await load_directory(session)
    try:
        district = await asyncio.to_thread(
            validate_district, grids_path, places_path, departments_path,
            district_code=district_code, existing=existing,
        )
    except ImportFailed as failed:
        return RegistryPlan(failed.problems)
    before = existing or await load_directory(session)
    return RegistryPlan([], district, await changes(session, before, district, additive=not replace))


async def import_district(
    session: AsyncSession,
    grids_path: Path,
    places_path: Path,
    departments_path: Path,
    *,
    replace: bool = True,
    district_code: str | None = None,
    actor: str | None = None,
    now: datetime | None = None,
    expected: str | None = None,
) -> ImportReport:
    """Load a district's grids, places and departments; all or nothing.

    The dry run's checks come first: any bad row raises ImportFailed before a write, and with
    `expected` (a preview's Changes.fingerprint) a registry that changed since raises RegistryChanged.
    With `actor` the load is in the audit log (at `now`), written in the same transaction.
    The session's transaction is committed on success and rolled back on any error.
    """
    try:
        plan = await plan_district(session, grids_path, places_path, departments_path, replace=replace,
                                   district_code=district_code)
        if plan.problems:
            raise ImportFailed(plan.problems)
        assert plan.district is not None and plan.changes is not None
        if expected is not None and plan.changes.fingerprint() != expected:
            raise RegistryChanged()
        district = plan.district
        if plan.changes.nothing:  # nothing to write, and nothing to log
            await session.rollback()
            return _report(district, replace, plan.changes)
        if replace:
            for table in (PlaceRow, GridRow, DepartmentRow):
                await session.execute(delete(table))
        await session.execute(insert(GridRow), [asdict(g) for g in district.grids])
        await session.execute(insert(PlaceRow), [asdict(p) for p in district.places])
        await session.execute(insert(DepartmentRow), [asdict(d) for d in district.departments])
        if actor is not None:
            files = {"grids": Path(grids_path).name, "places": Path(places_path).name,
                     "departments": Path(departments_path).name}
            stage(session, AuditEntry(now or datetime.now(UTC), actor, AREA, "loaded", None, None,
                                      {"files": files, **plan.changes.details()}))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return _report(district, replace, plan.changes)


def _report(district: District, replace: bool, changed: Changes) -> ImportReport:
    return ImportReport(
        streets=len({g.street_code for g in district.grids}),
        communities=len({g.community_code for g in district.grids}),
        grids=len(district.grids),
        places=len(district.places),
        departments=len(district.departments),
        replaced=replace,
        changes=changed,
    )


async def load_directory(session: AsyncSession) -> District:
    """The registry as handlers.directory objects: grids and departments by code, places in file order."""
    repository = SqlDirectoryRepository(session)
    return District(await repository.grids(), await repository.places(), await repository.departments())
