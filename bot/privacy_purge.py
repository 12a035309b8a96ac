"""The retention job (个人信息保存期限): erase the personal fields of every finished case past its
period ([privacy] in config.toml), one case per transaction, so a run stopped half-way loses nothing
and the next run finds only what is left; and delete residents' chat lines past the longest period.
Each run writes its count to the audit log, a run that erased nothing too: that the job ran is part
of what the log shows. The scheduler runs it every [privacy] purge_hours; `minsheng privacy purge`
runs it at once (`--dry-run` lists what it would erase)."""

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from bot.bootstrap import App
from handlers.commands import ErasePersonal
from handlers.erasure import AREA, account
from handlers.errors import DomainError
from handlers.privacy import RetentionPolicy
from storage.audit_log import AuditEntry, record
from storage.conversation_store import SqlConversationStore
from storage.privacy_queries import DueCase, due_cases, forget_delivered

log = logging.getLogger(__name__)
SYSTEM = "system"
BATCH = 200
ACTION = "retention_purge"


@dataclass
class PurgeReport:
    erased: Counter[str] = field(default_factory=Counter)  # by category code ("" for none)
    pushes: int = 0  # outbox rows of erased cases that stopped naming their resident
    history: int = 0  # chat lines past the longest period, deleted
    remaining: bool = False  # stopped by its time budget with cases still due

    @property
    def count(self) -> int:
        return sum(self.erased.values())


async def due(app: App, policy: RetentionPolicy) -> list[DueCase]:
    """What a purge run now would erase (the dry run)."""
    async with app.sessions() as session:
        return await due_cases(session, policy, app.policies.clock.now())


async def purge(app: App, policy: RetentionPolicy, actor: str = SYSTEM,
                budget_seconds: float | None = None) -> PurgeReport:
    """Erase every due case (within `budget_seconds`, when given: the scheduler's job must end in
    time, and what is left is the next run's)."""
    now = app.policies.clock.now()
    started, report = time.monotonic(), PurgeReport()
    handled: set[str] = set()
    skipped: set[str] = set()  # refused, or still due once erased: left for a person to look at
    while True:
        async with app.sessions() as session:
            due_now = await due_cases(session, policy, now, BATCH + len(skipped))
        batch = [c for c in due_now if c.number not in skipped]
        for case in batch:
            if case.number in handled:
                log.warning("个人信息清理：%s 删除后仍有个人信息，跳过", case.number)
                skipped.add(case.number)
                continue
            handled.add(case.number)
            try:
                await app.bus.handle(ErasePersonal(actor, case.number))
            except DomainError as exc:  # it moved on in the meantime (unmerged, say): not this run's
                log.warning("个人信息清理跳过 %s：%s", case.number, exc.message)
                skipped.add(case.number)
                continue
            report.erased[case.category or ""] += 1
        if len(batch) < BATCH:
            break
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            report.remaining = True
            break
    async with app.sessions() as session:
        report.pushes = await forget_delivered(session)
        await session.commit()
    chats = SqlConversationStore(app.sessions)
    report.history = await chats.forget_history(now - timedelta(days=policy.longest_days))
    await record(app.sessions, AuditEntry(now, account(actor), AREA, ACTION, None, None, {
        "erased": report.count, "by_category": dict(report.erased), "pushes": report.pushes,
        "history": report.history, "remaining": report.remaining}))
    return report
