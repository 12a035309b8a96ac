"""The steps every case handler shares: load, assign to a queue, climb the ladder, commit with pushes.

Lifecycle and supervision handlers both build on these, so a rule such as "a new queue gets a new
sign deadline" is written once.
"""

from handlers.case import Case
from handlers.commands import CaseCommand
from handlers.directory import Department, DirectoryIndex
from handlers.errors import DomainError
from handlers.policies import Policies
from handlers.ports import UnitOfWork
from handlers.status import Status


async def directory_index(uow: UnitOfWork) -> DirectoryIndex:
    return DirectoryIndex(await uow.directory.grids(), await uow.directory.departments())


async def load(uow: UnitOfWork, number: str) -> tuple[Case, DirectoryIndex]:
    case = await uow.cases.get(number)
    return case, await directory_index(uow)


def already_done(case: Case, cmd: CaseCommand) -> bool:
    """A resident's message is delivered again when its turn died before it was saved: the
    command it issued then is not applied twice (a rating, a cancel, the same words added)."""
    return cmd.request is not None and any(e.changes.get("request") == cmd.request for e in case.events)


def request_fact(cmd: CaseCommand) -> dict[str, str]:
    """The fact `already_done` looks for, recorded on the command's first event."""
    return {"request": cmd.request} if cmd.request is not None else {}


async def commit(case: Case, uow: UnitOfWork, policies: Policies, index: DirectoryIndex, *also: Case) -> Case:
    """Queue a push for each new event the residents should hear about, then commit it all at once
    (`also`: other cases the same command changed, such as both sides of a 并单)."""
    for changed in (case, *also):
        await _queue_pushes(changed, uow, policies, index)
    await uow.commit()
    for changed in (case, *also):
        changed.new_events.clear()
    return case


async def _queue_pushes(case: Case, uow: UnitOfWork, policies: Policies, index: DirectoryIndex) -> None:
    """The case's own resident hears of each event with a template; so does the resident of every
    case merged into it."""
    dept = index.department(case.department)
    sla = policies.sla.get(case.category or "")
    words = (dept.name if dept else "", sla.resolve.label if sla else "")
    now = policies.clock.now()
    reporters = None
    for event in case.new_events:
        notification = policies.notices.render(case, event, *words)
        if notification is None:
            continue
        await uow.outbox.add(notification, now)
        if case.duplicates:
            reporters = reporters if reporters is not None else await uow.cases.reporters(case.duplicates)
            for push in policies.notices.for_duplicates(case, event, notification, reporters, *words):
                await uow.outbox.add(push, now)


def sign_deadline(case: Case, policies: Policies) -> dict[str, object]:
    """The 签收 deadline a queue gets when a case lands in it (empty when the category has no SLA)."""
    sla = policies.sla.get(case.category or "")
    if sla is None:
        return {"sign_deadline": None}
    return {"sign_deadline": policies.calendar.deadline(policies.clock.now(), sla.sign).at}


def assign(
    case: Case, action: str, dept: Department, policies: Policies, actor: str, note: str, **extra: int
) -> None:
    """Put the case in `dept`'s queue (dispatch, transfer, escalate) with a fresh sign deadline."""
    case.record(
        action,
        policies.clock.now(),
        actor,
        note,
        department=dept.code,
        level=dept.level,
        handler=None,
        **sign_deadline(case, policies),
        **extra,
    )


def escalate_to(case: Case, target: Department, policies: Policies, actor: str, reason: str) -> None:
    """Hand the case up the ladder to `target` (see routing.escalation_target), counting the step."""
    assign(case, "escalate", target, policies, actor, reason, escalation_count=case.escalation_count + 1)


def note_action(case: Case, internal: bool) -> str:
    """What a note does to `case`: the first one for the resident on an accepted case starts the
    work (开始办理, pushed word for word); any other, and every internal note, is only recorded.

    The staff page asks this too, to say on the form whether the note will reach the resident."""
    return "start" if case.status is Status.ACCEPTED and not internal else "note"


def required(value: str, message: str) -> str:
    if not value or not value.strip():
        raise DomainError(message)
    return value.strip()
