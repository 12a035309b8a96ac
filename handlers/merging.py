"""并单 (one problem, one case): merging a newer report into the older open case, and undoing it.

The duplicate leaves every queue (已并单) and its resident is told once; from then on the main
case's pushes reach that resident too (casework.commit), and the main case counts its reporters.
Undo is possible until the main case is closed (归档); the duplicate then goes back to the dispatcher.
"""

from handlers.case import Case
from handlers.casework import commit, load
from handlers.commands import MergeCases, UnmergeCase
from handlers.errors import DomainError
from handlers.policies import Policies
from handlers.ports import UnitOfWork
from handlers.status import Status


async def merge(cmd: MergeCases, uow: UnitOfWork, policies: Policies) -> Case:
    """Returns the main case."""
    async with uow:
        first, index = await load(uow, cmd.number.strip().upper())
        second = await uow.cases.get(cmd.other.strip().upper())
        main, duplicate = sorted((first, second), key=filed)
        if main.number == duplicate.number:
            raise DomainError("不能把一件诉求与它自己并单。")
        if main.duplicate_of or duplicate.duplicate_of:
            merged = main if main.duplicate_of else duplicate
            raise DomainError(f"诉求 {merged.number} 已并入 {merged.duplicate_of}，请与 {merged.duplicate_of} 并单。")
        if duplicate.duplicates:
            raise DomainError(f"诉求 {duplicate.number} 已有并入的诉求，只能把较新的诉求并入较早的一件。")
        now = policies.clock.now()
        duplicate.record("merge", now, cmd.actor, cmd.note or f"与 {main.number} 反映的是同一问题，并入该件办理",
                         duplicate_of=main.number)
        main.record("link_duplicate", now, cmd.actor, cmd.note or f"{duplicate.number} 并入本件",
                    duplicate=duplicate.number, reporters=main.reporters + duplicate.reporters)
        return await commit(main, uow, policies, index, duplicate)


async def unmerge(cmd: UnmergeCase, uow: UnitOfWork, policies: Policies) -> Case:
    """Returns the duplicate, which is now a case of its own again."""
    async with uow:
        duplicate, index = await load(uow, cmd.number.strip().upper())
        if duplicate.duplicate_of is None:
            raise DomainError(f"诉求 {duplicate.number} 没有并单，无需撤销。")
        main = await uow.cases.get(duplicate.duplicate_of)
        if main.status is Status.CLOSED:
            raise DomainError(f"主件 {main.number} 已归档，不能再撤销并单。")
        now = policies.clock.now()
        duplicate.record("unmerge", now, cmd.actor, cmd.note or f"撤销与 {main.number} 的并单，恢复单独办理",
                         duplicate_of=None, department=policies.routing.dispatcher, level=None, handler=None,
                         sign_deadline=None, resolve_deadline=None)
        main.record("unlink_duplicate", now, cmd.actor, cmd.note or f"{duplicate.number} 撤销并单",
                    duplicate=duplicate.number, reporters=max(1, main.reporters - duplicate.reporters))
        return await commit(duplicate, uow, policies, index, main)


def filed(case: Case) -> tuple[object, str]:
    """Which of two cases is the main one: the older, by filing time, then by number (numbers rise
    within a day). Staff pages ask it too, to know whose department may merge."""
    return (case.created_at, case.number)
