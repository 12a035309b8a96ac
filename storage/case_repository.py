"""Cases and their event logs in SQL, with optimistic locking on the snapshot row."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.case import Case, Event
from handlers.duplicates import signature
from handlers.errors import CaseNotFound, ConcurrentUpdate
from handlers.ports import Reporter
from handlers.status import FINAL, Status
from storage.db import dialect_insert, from_db, to_utc
from storage.models import CaseCounterRow, CaseEventRow, CaseRow

# Core statements on the tables: ORM-enabled ones took a bulk-persistence pass each, a seventh of a
# turn's instructions (callgrind over bench/turn_profile.py's turns)
_CASES, _EVENTS, _COUNTERS = CaseRow.__table__, CaseEventRow.__table__, CaseCounterRow.__table__
_SNAPSHOT_COLUMNS = [c.name for c in _CASES.columns
                     if c.name not in ("id", "number", "version", "text_signature")]


class SqlCaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._seen: dict[str, Case] = {}
        self._ids: dict[str, int] = {}

    async def add(self, case: Case) -> None:
        self._seen[case.number] = case

    async def get(self, number: str) -> Case:
        row = (await self.session.execute(select(CaseRow).where(CaseRow.number == number))).scalar_one_or_none()
        if row is None:
            raise CaseNotFound(number)
        events = (
            await self.session.execute(
                select(CaseEventRow).where(CaseEventRow.case_id == row.id).order_by(CaseEventRow.seq)
            )
        ).scalars()
        case = to_case(row, [to_event(e) for e in events])
        self._seen[number] = case
        self._ids[number] = row.id
        return case

    async def get_by_intake_key(self, key: str) -> Case | None:
        number = await self.session.scalar(select(_CASES.c.number).where(_CASES.c.intake_key == key))
        return await self.get(number) if number else None

    async def reporters(self, numbers: Sequence[str]) -> list[Reporter]:
        """Who filed each of `numbers` and on which channel, without loading their files."""
        query = select(CaseRow.number, CaseRow.channel, CaseRow.user_ref).where(
            CaseRow.number.in_(list(numbers)), CaseRow.user_ref != ""
        )
        found = {number: Reporter(number, channel, user_ref) for number, channel, user_ref in
                 (await self.session.execute(query)).all()}
        return [found[n] for n in numbers if n in found]

    async def next_sequence(self, day: str) -> int:
        """Atomically bump the day's counter (an upsert), so concurrent filings never share a number."""
        stmt = (
            dialect_insert(self.session, _COUNTERS)
            .values(day=day, last=1)
            .on_conflict_do_update(index_elements=["day"], set_={"last": _COUNTERS.c.last + 1})
            .returning(_COUNTERS.c.last)
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def rewrite(self, number: str, events: Sequence[Event]) -> None:
        """Write `events` over the stored ones with the same seq (handlers/privacy.py: personal data is
        erased from the file, the one exception to appending). The case must have been read in this unit."""
        for event in events:
            await self.session.execute(
                update(CaseEventRow)
                .where(CaseEventRow.case_id == self._ids[number], CaseEventRow.seq == event.seq)
                .values(actor=event.actor, note=event.note, changes=event.changes)
            )

    async def find(
        self,
        *,
        statuses: Sequence[Status] | None = None,
        department: str | None = None,
        channel: str | None = None,
        user_ref: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Case]:
        query = select(CaseRow)
        if statuses:
            query = query.where(CaseRow.status.in_([s.value for s in statuses]))
        if department:
            query = query.where(CaseRow.department == department)
        if channel:
            query = query.where(CaseRow.channel == channel)
        if user_ref:
            query = query.where(CaseRow.user_ref == user_ref)
        if department:
            query = query.order_by(CaseRow.resolve_deadline.asc().nulls_last(), CaseRow.id)
        else:
            query = query.order_by(CaseRow.id.desc())
        rows = (await self.session.execute(query.limit(limit).offset(offset))).scalars()
        return [to_case(row, []) for row in rows]

    async def flush(self) -> None:
        """Write every case this unit of work touched: new rows, snapshot updates, new events."""
        for number, case in self._seen.items():
            if not case.new_events:
                continue
            values = {name: _column_value(getattr(case, name)) for name in _SNAPSHOT_COLUMNS}
            case_id = self._ids.get(number)
            if case_id is None:
                result = await self.session.execute(
                    insert(_CASES)
                    .values(number=number, version=1, text_signature=_signature(case), **values)
                    .returning(_CASES.c.id)
                )
                case_id = result.scalar_one()
                self._ids[number] = case_id
                case.version = 1
            else:
                result = await self.session.execute(
                    update(_CASES)
                    .where(_CASES.c.id == case_id, _CASES.c.version == case.version)
                    .values(version=case.version + 1, **values)
                )
                if result.rowcount != 1:
                    raise ConcurrentUpdate(number)
                case.version += 1
            await self.session.execute(insert(_EVENTS), [_event_values(case_id, e) for e in case.new_events])


def to_case(row: CaseRow, events: list[Event]) -> Case:
    fields: dict[str, Any] = {name: getattr(row, name) for name in _SNAPSHOT_COLUMNS}
    fields["status"] = Status(row.status)
    for name in ("sign_deadline", "resolve_deadline", "created_at", "updated_at", "closed_at"):
        fields[name] = from_db(fields[name])
    return Case(number=row.number, events=events, version=row.version, **fields)


def to_event(row: CaseEventRow) -> Event:
    return Event(
        kind=row.kind,
        at=from_db(row.at),
        actor=row.actor,
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status) if row.to_status else None,
        note=row.note,
        changes=dict(row.changes or {}),
        seq=row.seq,
    )


def _event_values(case_id: int, event: Event) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "seq": event.seq,
        "kind": event.kind,
        "at": _column_value(event.at),
        "actor": event.actor,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value if event.to_status else None,
        "note": event.note,
        "changes": event.changes,
    }


def _signature(case: Case) -> bytes | None:
    """The text's MinHash signature, stored so a 并单 check reads no text (handlers/duplicates.py);
    archived cases never take part in one."""
    return None if case.status in FINAL else signature(case.text)


def _column_value(value: Any) -> Any:
    """Store enums by value and every time in UTC (SQLite keeps no offset)."""
    if isinstance(value, Status):
        return value.value
    if isinstance(value, datetime):
        return to_utc(value)
    return value

