"""并单 on the staff pages: 「可能重复」 on a case file and in the 分拨 list, merging two cases and
undoing it. The dispatcher may merge any two; a clerk, when their department holds the older case
(the one the other is merged into) and may read the newer one. A clerk is shown another
department's candidate by number, status and similarity only, as everywhere else they are refused
its file (access.may_view)."""

from dataclasses import dataclass, field

from bot.bootstrap import App
from bot.web.accounts import StaffSession
from bot.web.staff.access import DISPATCH_ROLES, may_handle, may_view
from handlers.case import Case
from handlers.merging import filed
from handlers.status import Status
from storage.duplicate_queries import Candidate, duplicate_candidates

DONE = {"merge": "已并单：较新的诉求并入较早的一件，其群众会收到主件的后续进展", "unmerge": "已撤销并单，该诉求回到统一分拨"}


@dataclass(frozen=True)
class Offer:
    """A candidate as the case file offers it: which of the two would become the main case."""

    case: Case
    similarity: float
    main: str
    duplicate: str
    allowed: bool  # whether the member looking may merge these two
    visible: bool  # whether the member looking may read the candidate (its words and its file)


@dataclass(frozen=True)
class Duplicates:
    """What a case file shows about 并单: candidates to merge, the main case of a duplicate, the
    duplicates of a main case, and what this member may do about them."""

    days: int
    offers: list[Offer] = field(default_factory=list)
    main: Case | None = None
    linked: list[Case] = field(default_factory=list)
    can_unmerge: bool = False


def may_merge(session: StaffSession, main: Case, duplicate: Case | None = None) -> bool:
    """Dispatchers, and the department holding the main (older) case if it may read the
    `duplicate` to be merged into it (when there is one: undoing a merge needs only the main)."""
    if session.staff.role in DISPATCH_ROLES:
        return True
    return may_handle(session, main) and (duplicate is None or may_view(session, duplicate))


async def on_case_file(app: App, session: StaffSession, case: Case) -> Duplicates:
    async with app.uow() as uow:
        main = await uow.cases.get(case.duplicate_of) if case.duplicate_of else None
        linked = [await uow.cases.get(number) for number in case.duplicates]
        grids = {g.code: g for g in await uow.directory.grids()}
    policy = app.policies.duplicates
    holder = main or case
    can_unmerge = holder.status is not Status.CLOSED and may_merge(session, holder)
    if main is not None:
        return Duplicates(policy.days, main=main, can_unmerge=can_unmerge)
    async with app.sessions() as db:
        found = await duplicate_candidates(db, case, grids, policy, app.policies.clock.now(), app.duplicate_index)
    offers = []
    for candidate in found:
        older, newer = sorted((case, candidate.case), key=filed)
        offers.append(Offer(candidate.case, candidate.similarity, older.number, newer.number,
                            may_merge(session, older, newer), may_view(session, candidate.case)))
    return Duplicates(policy.days, offers, None, linked, can_unmerge)


async def in_dispatch_list(app: App, cases: list[Case]) -> dict[str, list[Candidate]]:
    """可能重复 for each case waiting for the dispatcher (one candidate check each)."""
    async with app.uow() as uow:
        grids = {g.code: g for g in await uow.directory.grids()}
    found: dict[str, list[Candidate]] = {}
    async with app.sessions() as db:
        for case in cases:
            found[case.number] = await duplicate_candidates(db, case, grids, app.policies.duplicates,
                                                            app.policies.clock.now(), app.duplicate_index)
    return found


