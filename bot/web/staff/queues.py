"""The lists staff work from: a department's queue by deadline, the dispatcher's 分拨 list, and the
supervisor's view of overdue and nearly due cases, extension requests and 重办 across departments."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.bootstrap import App
from bot.web.auth import Forbidden
from bot.web.staff import merging
from bot.web.staff.access import CLERK, DISPATCH_ROLES, QUEUE_ROLES, SUPERVISE_ROLES, AnyStaff, require
from bot.web.staff.pages import BASE, home_for, render
from bot.web.staff.warnings import NOTE_LIMIT, open_flags
from handlers.case import Case
from handlers.casework import directory_index
from handlers.directory import Department, DirectoryIndex
from handlers.routing import suggest
from handlers.status import AT_DEPARTMENT, AT_DISPATCHER, IN_HAND, Status
from handlers.supervision import current_window, pending_extension, urgency
from storage.supervision_queries import case_files, unstaffed_queues


async def start(session: AnyStaff) -> RedirectResponse:
    return RedirectResponse(home_for(session), status_code=303)


def queue_department(session: AnyStaff, dept: str, verb: str) -> str:
    """The department whose queue is asked for (`dept`, or the member's own); a clerk only ever
    their own. `verb` says what was asked (查看, 导出) in the refusal."""
    require(session, QUEUE_ROLES, f"{verb}部门待办")
    own = session.staff.department or ""
    if session.staff.role == "clerk" and dept and dept != own:
        raise Forbidden(f"只能{verb}本部门的待办。")
    return dept or own


async def queue(request: Request, session: AnyStaff, dept: str = "") -> HTMLResponse:
    code = queue_department(session, dept, "查看")
    app: App = request.app.state.deps.app
    departments = await departments_by_code(app)
    cases = await queue_files(app, code)
    return render(request, "queue.html", session, rows=by_deadline(cases, app), department=departments.get(code),
                  code=code, departments=dispatch_choices(departments, app), can_choose=session.staff.role != "clerk",
                  grids=await grid_labels(app))


async def dispatch_list(request: Request, session: AnyStaff) -> HTMLResponse:
    """Cases waiting for a person to choose their department, those told with an emergency first, then
    oldest first, each with the routing rules' suggestion already chosen in its form."""
    require(session, DISPATCH_ROLES, "统一分拨")
    app: App = request.app.state.deps.app
    cases = await _files(app, statuses=sorted(AT_DISPATCHER))
    index = await directory(app)
    rows = [(case, _why_here(case), suggest(case, app.policies.routing, index))
            for case in sorted(cases, key=lambda c: (c.emergency is None, c.created_at or c.updated_at))]
    return render(request, "dispatch.html", session, rows=rows, choices=dispatch_choices(index.departments, app),
                  grids={code: grid.label for code, grid in index.grids.items()},
                  duplicates=await merging.in_dispatch_list(app, cases))


async def supervise(request: Request, session: AnyStaff) -> HTMLResponse:
    require(session, SUPERVISE_ROLES, "督办")
    app: App = request.app.state.deps.app
    cases = await _files(app, statuses=sorted(AT_DEPARTMENT))
    rows = [row for row in by_deadline(cases, app) if row[2]]
    extensions = [(case, pending_extension(case)) for case in cases if case.status in IN_HAND]
    async with app.sessions() as db:
        unstaffed = await unstaffed_queues(db, AT_DEPARTMENT, CLERK)
    return render(request, "supervise.html", session, rows=rows, departments=await departments_by_code(app),
                  extensions=[(case, event) for case, event in extensions if event is not None],
                  reopened=[case for case in cases if case.status is Status.REOPENED], unstaffed=unstaffed,
                  warnings=await open_flags(app, None), can_acknowledge=True, back=f"{BASE}/supervise",
                  note_limit=NOTE_LIMIT)


async def queue_files(app: App, code: str) -> list[Case]:
    """A department's queue (none without a department), for the page and its CSV download."""
    return await _files(app, statuses=sorted(AT_DEPARTMENT), department=code) if code else []


async def directory(app: App) -> DirectoryIndex:
    """Grids and departments as routing reads them, for the suggestion on a dispatch form."""
    async with app.uow() as uow:
        return await directory_index(uow)


def labels_of(index: DirectoryIndex) -> dict[str, str]:
    """Each grid's code → Grid.label, from a directory a page has read already (see grid_labels)."""
    return {code: grid.label for code, grid in index.grids.items()}


async def grid_labels(app: App) -> dict[str, str]:
    """Each grid's code → its name as everyone says it (Grid.label), for pages that list cases."""
    async with app.uow() as uow:
        return {g.code: g.label for g in await uow.directory.grids()}


async def departments_by_code(app: App) -> dict[str, Department]:
    """The departments alone, for pages that show names and need no grids (directory() has both)."""
    async with app.uow() as uow:
        return {d.code: d for d in await uow.directory.departments()}


async def _files(app: App, **filters: Any) -> list[Case]:
    async with app.sessions() as session:
        return await case_files(session, **filters)


def by_deadline(cases: list[Case], app: App) -> list[tuple[Case, Any, str]]:
    """(case, deadline, urgency) with the most pressing first; cases without a time limit last."""
    now = app.policies.clock.now()
    rows = []
    for case in cases:
        window = current_window(case)
        rows.append((case, window.deadline if window else None, urgency(case, now)))
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or now))


def _why_here(case: Case) -> str:
    """Why the dispatcher holds it: the department's return reason, or the router's review reason."""
    event = next((e for e in reversed(case.events) if e.kind in ("returned", "sent_to_review")), None)
    return event.note if event else "新受理"


def dispatch_choices(departments: dict[str, Department], app: App) -> list[Department]:
    """Where a case can be sent (派单, 转办), and whose queues a supervisor may open: every department
    but the dispatch centre, grids first."""
    dispatcher = app.policies.routing.dispatcher
    order = {"grid": 0, "community": 1, "street": 2, "district": 3}
    return sorted((d for d in departments.values() if d.code != dispatcher),
                  key=lambda d: (order.get(d.level, 9), d.code))
