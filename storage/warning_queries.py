"""What the early-warning scan reads (weekly counts per grid × category × topic, disputes with their
resident and address, 不满意 reopenings) and the flag rows it keeps. Counting is done in SQL, so a
district of 2,000 grids hands the scan one row per busy cell and week, never its cases."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handlers.warning import UNKNOWN_TOPIC, Cell, DisputeFiled, Flag, Reopening
from storage.db import dialect_insert, from_db, to_utc
from storage.models import CaseEventRow, CaseRow
from storage.supervision_queries import as_date, local_day
from storage.warning_models import WarningFlagRow

_CHUNK = 500


@dataclass(frozen=True)
class Area:
    """Which flags a member sees: every flag (None) or a community's or a street's."""

    level: str  # "community" or "street"
    code: str


async def first_case_day(session: AsyncSession, tz: ZoneInfo) -> date | None:
    first = (await session.execute(select(func.min(CaseRow.created_at)))).scalar_one()
    return from_db(first).astimezone(tz).date() if first is not None else None


async def weekly_counts(
    session: AsyncSession, created_from: datetime, created_to: datetime, tz: ZoneInfo
) -> dict[tuple[Cell, date], int]:
    """Cases filed per (grid, category, topic) and local week (its Monday); cases without a grid or
    a category count nowhere, as they cannot be placed on the map or judged against a history."""
    week = local_week(session, CaseRow.created_at, tz)
    topic = func.coalesce(CaseRow.topic, UNKNOWN_TOPIC)
    query = (
        select(CaseRow.grid_code, CaseRow.category, topic, week, func.count())
        .where(CaseRow.created_at >= to_utc(created_from), CaseRow.created_at < to_utc(created_to),
               CaseRow.grid_code.is_not(None), CaseRow.category.is_not(None))
        .group_by(CaseRow.grid_code, CaseRow.category, topic, week)
    )
    rows = (await session.execute(query)).all()
    return {(Cell(grid, category, t), as_date(w)): n for grid, category, t, w, n in rows}


async def disputes_filed(session: AsyncSession, created_from: datetime, created_to: datetime,
                         tz: ZoneInfo) -> list[DisputeFiled]:
    query = (
        select(CaseRow.number, CaseRow.grid_code, CaseRow.channel, CaseRow.user_ref, CaseRow.phone,
               CaseRow.address, CaseRow.created_at)
        .where(CaseRow.category == "dispute", CaseRow.created_at >= to_utc(created_from),
               CaseRow.created_at < to_utc(created_to))
    )
    return [
        DisputeFiled(number, grid, phone or (f"{channel}:{user_ref}" if user_ref else ""), address,
                     from_db(at).astimezone(tz).date())
        for number, grid, channel, user_ref, phone, address, at in (await session.execute(query)).all()
    ]


async def rating_reopenings(session: AsyncSession, since: datetime, until: datetime, tz: ZoneInfo) -> list[Reopening]:
    """Reopenings that followed a rating in the same case file (the 回访 path: 1 or 2 points)."""
    rated = aliased(CaseEventRow)
    query = (
        select(CaseRow.number, CaseRow.grid_code, CaseRow.category, CaseRow.topic, CaseEventRow.at,
               rated.changes, CaseEventRow.changes)
        .join(CaseRow, CaseRow.id == CaseEventRow.case_id)
        .join(rated, (rated.case_id == CaseEventRow.case_id) & (rated.seq == CaseEventRow.seq - 1))
        .where(CaseEventRow.kind == "reopened", rated.kind == "rated", CaseEventRow.at >= to_utc(since),
               CaseEventRow.at < to_utc(until))
    )
    return [
        Reopening(number, grid, category, topic, from_db(at).astimezone(tz).date(), (rating or {}).get("rating"),
                  int((changes or {}).get("reopen_count", 1)))
        for number, grid, category, topic, at, rating, changes in (await session.execute(query)).all()
    ]


async def save_flags(session: AsyncSession, flags: Sequence[Flag], areas: dict[str, tuple[str, str]],
                     now: datetime) -> None:
    """Insert new flags and refresh the figures of known ones (same key), a few hundred a statement;
    an acknowledgement stays."""
    if not flags:
        return
    rows = []
    for flag in flags:
        community, street = areas.get(flag.grid or "", (None, None))
        rows.append({"key": flag.key, "kind": flag.kind, "week": flag.week, "grid_code": flag.grid,
                     "community_code": community, "street_code": street, "category": flag.category,
                     "topic": flag.topic, "subject": flag.subject, "count": flag.count, "baseline": flag.baseline,
                     "threshold": flag.threshold, "cases": list(flag.cases), "created_at": now, "updated_at": now})
    insert = dialect_insert(session, WarningFlagRow)
    refreshed = {name: insert.excluded[name] for name in ("count", "baseline", "threshold", "cases", "updated_at")}
    for start in range(0, len(rows), _CHUNK):  # SQLite takes at most 32,766 parameters a statement
        chunk = insert.values(rows[start:start + _CHUNK])
        await session.execute(chunk.on_conflict_do_update(index_elements=["key"], set_=refreshed))


async def flags(
    session: AsyncSession, *, area: Area | None = None, open_only: bool = False,
    weeks_from: date | None = None, weeks_to: date | None = None, limit: int = 500,
) -> list[WarningFlagRow]:
    """Flags newest week first; `weeks_to` is inclusive."""
    query = select(WarningFlagRow).order_by(WarningFlagRow.week.desc(), WarningFlagRow.id.desc()).limit(limit)
    query = query.where(*_filters(area, open_only))
    if weeks_from is not None:
        query = query.where(WarningFlagRow.week >= weeks_from)
    if weeks_to is not None:
        query = query.where(WarningFlagRow.week <= weeks_to)
    return list((await session.execute(query)).scalars())


async def open_count(session: AsyncSession, area: Area | None) -> int:
    query = select(func.count()).select_from(WarningFlagRow).where(*_filters(area, open_only=True))
    return (await session.execute(query)).scalar_one()


async def acknowledge(session: AsyncSession, flag_id: int, who: str, note: str, now: datetime) -> bool:
    """Mark a flag seen, once: False when it does not exist or was already acknowledged."""
    done = await session.execute(
        update(WarningFlagRow)
        .where(WarningFlagRow.id == flag_id, WarningFlagRow.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by=who, note=note)
    )
    return bool(done.rowcount)


def local_week(session: AsyncSession, column: ColumnElement[datetime], tz: ZoneInfo) -> ColumnElement[date]:
    """The Monday of the local week of a stored UTC time."""
    day = local_day(session, column, tz)
    if session.bind.dialect.name == "postgresql":
        return func.date(func.date_trunc("week", day))
    return func.date(day, "weekday 0", "-6 days")


def _filters(area: Area | None, open_only: bool) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if open_only:
        found.append(WarningFlagRow.acknowledged_at.is_(None))
    if area is not None:
        column = WarningFlagRow.community_code if area.level == "community" else WarningFlagRow.street_code
        found.append(column == area.code)
    return found


def week_bounds(week: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local week starting on Monday `week`, as the UTC-comparable times queries take."""
    start = datetime(week.year, week.month, week.day, tzinfo=tz)
    return start, start + timedelta(days=7)
