"""Residents' erasure requests (storage/privacy_models.py) as the handlers see them (handlers.ports.ErasureRequest)."""

from dataclasses import asdict

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.erasure import PENDING
from handlers.errors import DomainError
from handlers.ports import ErasureRequest
from storage.db import from_db, to_utc
from storage.privacy_models import ErasureRequestRow


class SqlErasureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, request: ErasureRequest) -> None:
        values = _values(request)
        values.pop("id")
        self.session.add(ErasureRequestRow(**values))
        await self.session.flush()

    async def get(self, request_id: int) -> ErasureRequest:
        row = await self.session.get(ErasureRequestRow, request_id)
        if row is None:
            raise DomainError(f"没有第 {request_id} 号删除申请。")
        return to_request(row)

    async def by_request(self, request: str) -> ErasureRequest | None:
        row = await self.session.scalar(select(ErasureRequestRow).where(ErasureRequestRow.request == request))
        return to_request(row) if row else None

    async def pending_for(self, channel: str, user_ref: str) -> ErasureRequest | None:
        query = select(ErasureRequestRow).where(
            ErasureRequestRow.channel == channel, ErasureRequestRow.user_ref == user_ref,
            ErasureRequestRow.status == PENDING,
        ).order_by(ErasureRequestRow.id).limit(1)
        row = await self.session.scalar(query)
        return to_request(row) if row else None

    async def save(self, request: ErasureRequest) -> None:
        values = _values(request)
        await self.session.execute(update(ErasureRequestRow).where(ErasureRequestRow.id == values.pop("id"))
                                   .values(**values))


def to_request(row: ErasureRequestRow) -> ErasureRequest:
    return ErasureRequest(
        id=row.id, channel=row.channel, user_ref=row.user_ref, cases=tuple(row.cases or ()), status=row.status,
        requested_at=from_db(row.requested_at), request=row.request, decided_at=from_db(row.decided_at),
        decided_by=row.decided_by, reason=row.reason, erased=tuple(row.erased or ()),
    )


def _values(request: ErasureRequest) -> dict[str, object]:
    values = asdict(request)
    values.update(cases=list(request.cases), erased=list(request.erased), requested_at=to_utc(request.requested_at),
                  decided_at=to_utc(request.decided_at) if request.decided_at else None)
    return values
