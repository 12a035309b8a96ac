"""Read-only queries for supervision: whole case files (scheduler, dashboard), case volumes by
day and by grid, case lists filtered the way the Open311 API asks for them, and queues no one works."""

from collections.abc import Collection, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.case import Case
from handlers.status import Status
from storage.case_repository import to_case, to_event
from storage.db import to_utc
from storage.staff_models import StaffRow
from storage.models import CaseEventRow, CaseRow

_CHUNK = 500


async def case_files(
    session: AsyncSession,
    *,
    statuses: Sequence[Status] | None = None,
    department: str | None = None,
    grids: Sequence[str] | None = None,
    changed_after_event: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> list[Case]:
    """Cases with their whole event logs, in two queries per chunk rather than one per case.

    `changed_after_event` keeps the cases that gained an event with a higher id: event ids come
    from the database, so no writer's clock can hide a change."""
    query = select(CaseRow).order_by(CaseRow.id)
    if statuses is not None:
        query = query.where(CaseRow.status.in_([s.value for s in statuses]))
    if department is not None:
        query = query.where(CaseRow.department == department)
    if grids is not None:
        query = query.where(CaseRow.grid_code.in_(grids))
    if changed_after_event is not None:
        changed = select(CaseEventRow.case_id).where(CaseEventRow.id > changed_after_event)
        query = query.where(CaseRow.id.in_(changed))
    if created_from is not None:
        query = query.where(CaseRow.created_at >= to_utc(created_from))
    if created_to is not None:
        query = query.where(CaseRow.created_at < to_utc(created_to))
    rows = list((await session.execute(query)).scalars())
    cases = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        events: dict[int, list[CaseEventRow]] = {row.id: [] for row in chunk}
        found = await session.execute(
            select(CaseEventRow)
            .where(CaseEventRow.case_id.in_(list(events)))
            .order_by(CaseEventRow.case_id, CaseEventRow.seq)
        )
        for event in found.scalars():
            events[event.case_id].append(event)
        cases.extend(to_case(row, [to_event(e) for e in events[row.id]]) for row in chunk)
    return cases


async def last_event_id(session: AsyncSession) -> int:
    return (await session.execute(select(func.max(CaseEventRow.id)))).scalar_one() or 0


async def find_cases(
    session: AsyncSession,
    *,
    numbers: Sequence[str] = (),
    services: Sequence[tuple[str, str]] = (),
    statuses: Sequence[Status] = (),
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int = 1000,
) -> list[Case]:
    """Case snapshots (no logs), newest first; `services` are (category, topic) pairs."""
    query = select(CaseRow).order_by(CaseRow.created_at.desc(), CaseRow.id.desc()).limit(limit)
    if numbers:
        query = query.where(CaseRow.number.in_(list(numbers)))
    if services:
        query = query.where(or_(*(and_(CaseRow.category == c, CaseRow.topic == t) for c, t in services)))
    if statuses:
        query = query.where(CaseRow.status.in_([s.value for s in statuses]))
    if created_from is not None:
        query = query.where(CaseRow.created_at >= to_utc(created_from))
    if created_to is not None:
        query = query.where(CaseRow.created_at <= to_utc(created_to))
    return [to_case(row, []) for row in (await session.execute(query)).scalars()]


async def volume_by_day(
    session: AsyncSession, created_from: datetime, created_to: datetime, tz: ZoneInfo
) -> list[tuple[date, str | None, str | None, int]]:
    """(local day, category, topic, cases filed) for the period."""
    day = local_day(session, CaseRow.created_at, tz)
    query = (
        select(day, CaseRow.category, CaseRow.topic, func.count())
        .where(CaseRow.created_at >= to_utc(created_from), CaseRow.created_at < to_utc(created_to))
        .group_by(day, CaseRow.category, CaseRow.topic)
        .order_by(day)
    )
    return [(as_date(d), cat, topic, n) for d, cat, topic, n in (await session.execute(query)).all()]


async def volume_by_grid(
    session: AsyncSession, created_from: datetime, created_to: datetime, category: str | None = None
) -> list[tuple[str | None, int]]:
    """(grid code, cases filed) for the period, busiest first; None is "location unknown"."""
    count = func.count()
    query = (
        select(CaseRow.grid_code, count)
        .where(CaseRow.created_at >= to_utc(created_from), CaseRow.created_at < to_utc(created_to))
        .group_by(CaseRow.grid_code)
        .order_by(count.desc(), CaseRow.grid_code)
    )
    if category is not None:
        query = query.where(CaseRow.category == category)
    return [(grid, n) for grid, n in (await session.execute(query)).all()]


async def unstaffed_queues(
    session: AsyncSession, statuses: Collection[Status], working_roles: Collection[str]
) -> list[tuple[str, int]]:
    """(department, cases in `statuses`) for each department holding such cases that has no active
    account in `working_roles`: cases there wait with nobody to see them. Fullest first."""
    staffed = select(StaffRow.department).where(
        StaffRow.active, StaffRow.role.in_(list(working_roles)), StaffRow.department.is_not(None)
    )
    count = func.count()
    query = (
        select(CaseRow.department, count)
        .where(CaseRow.status.in_([s.value for s in statuses]), CaseRow.department.is_not(None),
               CaseRow.department.not_in(staffed))
        .group_by(CaseRow.department)
        .order_by(count.desc(), CaseRow.department)
    )
    return [(department, n) for department, n in (await session.execute(query)).all()]


def local_day(session: AsyncSession, column: ColumnElement[datetime], tz: ZoneInfo) -> ColumnElement[date]:
    """The calendar day in `tz` of a stored UTC time, in each dialect's own words."""
    if session.bind.dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, column))
    offset = datetime.now(tz).utcoffset()
    hours = offset.total_seconds() / 3600 if offset else 0
    return func.date(column, f"{hours:+g} hours")


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
