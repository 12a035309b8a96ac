"""The composition root: config → storage, policies, bus and outbox, built once per process."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import logsafe
from bot.settings import Settings
from handlers.bus import MessageBus
from handlers.deadlines import WorkCalendar
from handlers.duplicates import DuplicatePolicy
from handlers.notices import Notices
from handlers.outbox import OutboxDeliverer
from handlers.policies import Policies
from handlers.ports import Clock, Notifier, SystemClock
from storage.db import make_engine, session_factory
from storage.directory_repository import DirectoryCache
from storage.duplicate_queries import SignatureIndex
from storage.uow import SqlUnitOfWork


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    policies: Policies
    bus: MessageBus
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    directory_cache: DirectoryCache | None = None
    duplicate_index: SignatureIndex = field(default_factory=SignatureIndex)  # 并单 signatures, per process

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.directory_cache)

    def deliverer(self) -> OutboxDeliverer:
        return OutboxDeliverer(self.uow, self.notifiers, self.policies.clock, self.settings.outbox_retry)

    async def close(self) -> None:
        await self.engine.dispose()


def build_policies(settings: Settings, clock: Clock | None = None) -> Policies:
    return Policies(
        routing=settings.routing,
        sla=settings.sla,
        notices=Notices(settings.templates, settings.timezone),
        calendar=WorkCalendar(settings.timezone, settings.extra_holidays),
        clock=clock or SystemClock(),
        case_prefix=settings.case_prefix,
        duplicates=DuplicatePolicy.from_section(settings.section("duplicates")),
    )


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    notifiers: Mapping[str, Notifier] | None = None,
    engine: AsyncEngine | None = None,
    cache_directory: bool = True,
) -> App:
    """Wire one process. Tests that rewrite the registry mid-test pass cache_directory=False."""
    logsafe.install()  # every process logs residents' and staff's words: one record stays one line
    engine = engine or make_engine(settings.database_url)
    sessions = session_factory(engine)
    policies = build_policies(settings, clock)
    cache = DirectoryCache() if cache_directory else None
    bus = MessageBus(lambda: SqlUnitOfWork(sessions, cache), policies)
    return App(settings, engine, sessions, policies, bus, dict(notifiers or {}), cache)
