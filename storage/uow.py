"""The SQL unit of work: one session, one transaction, every repository sharing it."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit_log import SqlAuditLog
from storage.case_repository import SqlCaseRepository
from storage.directory_repository import DirectoryCache, SqlDirectoryRepository
from storage.erasure_repository import SqlErasureRepository
from storage.outbox_repository import SqlOutboxRepository


class SqlUnitOfWork:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], directory_cache: DirectoryCache | None = None
    ) -> None:
        self.sessions = sessions
        self.directory_cache = directory_cache

    async def __aenter__(self) -> Self:
        self.session = self.sessions()
        self.cases = SqlCaseRepository(self.session)
        self.directory = SqlDirectoryRepository(self.session, self.directory_cache)
        self.outbox = SqlOutboxRepository(self.session)
        self.erasures = SqlErasureRepository(self.session)
        self.audit = SqlAuditLog(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.cases.flush()
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
