"""The 并单 candidate query. Reading 100,000 open cases' signatures from SQL for every check is too
slow (tens of thousands of rows near a grid), so each process keeps the signatures of the cases
filed in the window in memory, by grid, and reads only the cases filed since it last looked (with a
minute's overlap, for transactions that committed late). What it finds is checked against the
database before it is shown: still open, still near, still in the window."""

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.case import Case
from handlers.directory import Grid
from handlers.duplicates import DuplicatePolicy, Pool, best_matches, neighbourhood, signature
from handlers.status import MERGEABLE
from storage.case_repository import to_case
from storage.db import from_db, to_utc
from storage.models import CaseRow

LATE_COMMIT = timedelta(minutes=1)
CHECKED_AT_ONCE = 20  # matches checked against the database per query, most similar first
_OPEN = frozenset(s.value for s in MERGEABLE)


@dataclass(frozen=True)
class Candidate:
    """An open case that may report the same problem, and how alike the two texts are (0–1)."""

    case: Case
    similarity: float


class _Grid:
    """One grid's cases, with the arrays a check reads built again only after a change."""

    def __init__(self) -> None:
        self.cases: dict[str, tuple[str | None, datetime, bytes]] = {}
        self._arrays: tuple[Pool, np.ndarray] | None = None

    def put(self, number: str, topic: str | None, at: datetime, sig: bytes) -> None:
        if self.cases.get(number) != (topic, at, sig):  # the overlap reads the last minute again
            self.cases[number] = (topic, at, sig)
            self._arrays = None

    def since(self, since: datetime) -> Pool:
        if self._arrays is None:
            rows = sorted(self.cases.items(), key=lambda item: item[1][1])
            pool = Pool.of([(number, topic, sig) for number, (topic, _, sig) in rows])
            self._arrays = pool, np.array([at.timestamp() for _, (_, at, _) in rows])
        pool, times = self._arrays
        first = int(np.searchsorted(times, since.timestamp()))
        if first and first * 2 >= len(times):  # most of what is held has left the window: let it go
            for number in pool.numbers[:first]:
                del self.cases[number]
            self._arrays = None
            return self.since(since)
        return Pool(pool.numbers[first:], pool.topics[first:], pool.signatures[first:])


class SignatureIndex:
    """One per process (bot.bootstrap.App): the text signatures of the cases filed since the
    window's start, by grid, whatever their state (the database says which are still open)."""

    def __init__(self) -> None:
        self._grids: dict[str, _Grid] = defaultdict(_Grid)
        self._read_until: datetime | None = None
        self._lock = asyncio.Lock()

    async def nearby(self, session: AsyncSession, grids: list[str], since: datetime, now: datetime) -> Pool:
        async with self._lock:
            await self._catch_up(session, since, now)
        parts = [self._grids[code].since(since) for code in grids if code in self._grids]
        if not parts:
            return Pool.of([])
        return Pool([n for part in parts for n in part.numbers], np.concatenate([part.topics for part in parts]),
                    np.concatenate([part.signatures for part in parts]))

    async def _catch_up(self, session: AsyncSession, since: datetime, now: datetime) -> None:
        if self._read_until is not None and self._read_until < since:
            self._grids.clear()  # the window moved past everything held
            self._read_until = None
        start = since if self._read_until is None else self._read_until - LATE_COMMIT
        query = select(
            CaseRow.number, CaseRow.grid_code, CaseRow.topic, CaseRow.created_at, CaseRow.text_signature
        ).where(
            CaseRow.created_at >= to_utc(start), CaseRow.text_signature.is_not(None), CaseRow.grid_code.is_not(None)
        )
        for number, grid, topic, at, sig in (await session.execute(query)).all():
            self._grids[grid].put(number, topic, from_db(at), sig)
        self._read_until = now


async def duplicate_candidates(
    session: AsyncSession, case: Case, grids: dict[str, Grid], policy: DuplicatePolicy, now: datetime,
    index: SignatureIndex,
) -> list[Candidate]:
    """The open cases nearby that may be the same problem as `case`, most similar first. A case
    that is not open itself, or has no grid, has none."""
    if case.status not in MERGEABLE:
        return []
    near = neighbourhood(case.grid_code, grids)
    since = policy.since(now)
    pool = await index.nearby(session, near, since, now)
    matches = best_matches(signature(case.text), case.topic, pool, policy, exclude=case.number, limit=len(pool.numbers))
    found: list[Candidate] = []
    for first in range(0, len(matches), CHECKED_AT_ONCE):
        batch = matches[first : first + CHECKED_AT_ONCE]
        # By number alone, so the unique index is the one used; the rest is checked on the rows.
        rows = (await session.execute(select(CaseRow).where(CaseRow.number.in_([m.number for m in batch])))).scalars()
        still_open = {row.number: to_case(row, []) for row in rows if row.status in _OPEN and row.grid_code in near
                      and from_db(row.created_at) >= since}
        found += [Candidate(still_open[m.number], m.similarity) for m in batch if m.number in still_open]
        if len(found) >= policy.limit:
            break
    return found[: policy.limit]


async def shared_problems(session: AsyncSession, start: datetime, end: datetime, limit: int = 10) -> list[Case]:
    """Main cases filed in [start, end) that several residents reported (并单), most reporters
    first: one problem each, however many cases were filed about it."""
    query = (
        select(CaseRow)
        .where(CaseRow.reporters > 1, CaseRow.created_at >= to_utc(start), CaseRow.created_at < to_utc(end))
        .order_by(CaseRow.reporters.desc(), CaseRow.id)
        .limit(limit)
    )
    return [to_case(row, []) for row in (await session.execute(query)).scalars()]
