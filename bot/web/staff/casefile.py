"""The case page (一案一档): the whole file, and every action a department, dispatcher or
supervisor may take on it from here, each one a command through the bus and an event in the file."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot.bootstrap import App
from bot.web import photos
from handlers.commands import EMERGENCY_CHECKED, RETURN_REASONS
from bot.web.accounts import StaffSession
from bot.web.auth import Forbidden
from bot.web.case_fields import classification_errors, known_topics
from bot.web.staff import merging
from bot.web.staff.access import (DISPATCH_ROLES, SUPERVISE_ROLES, AnyStaff, CheckedForm, may_handle, may_reveal,
                                  may_view, on_patrol)
from bot.web.staff.pages import BASE, render
from bot.web.staff.queues import directory, dispatch_choices, labels_of
from handlers import commands as c
from handlers.case import CATEGORY_LABELS, Case
from handlers.casework import note_action
from handlers.merging import filed
from handlers.deadlines import Duration
from handlers.directory import DirectoryIndex, by_community
from handlers.errors import DomainError
from handlers.routing import RoutingPolicy, suggest
from handlers.status import EVENT_KINDS, TRANSITIONS
from handlers.supervision import current_window, pending_extension, urgency
from storage.queries import notifications_for_case

Build = Callable[[FormData, StaffSession, Case], c.Command]
Check = Callable[[FormData, DirectoryIndex, RoutingPolicy], list[str]]


@dataclass(frozen=True)
class Action:
    transition: str  # the TRANSITIONS entry that must allow it
    who: str  # "holder", "dispatcher" or "supervisor"
    build: Build
    done: str
    check: Check | None = None  # what the form must hold beyond what the command itself refuses


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _duration(form: FormData) -> Duration | None:
    amount = _text(form, "amount")
    if not amount:
        return None
    if not amount.isdigit() or not 1 <= int(amount) <= 365:
        raise ValueError("延期时长请填写 1 到 365 之间的整数。")
    return Duration(int(amount), _text(form, "unit") == "working")


def _return(form: FormData, s: StaffSession, case: Case) -> c.Command:
    return c.ReturnCase(s.staff.actor, case.number, _text(form, "reason"), _text(form, "note"))


def _extension(form: FormData, s: StaffSession, case: Case) -> c.Command:
    duration = _duration(form)
    if duration is None:
        raise ValueError("请填写申请延期的时长。")
    return c.RequestExtension(s.staff.actor, case.number, duration, _text(form, "reason"))


def _reclassify(form: FormData, s: StaffSession, case: Case) -> c.Command:
    category, topic = _text(form, "category"), _text(form, "topic")
    return c.ReclassifyCase(s.staff.actor, case.number, category or None, topic or None)


def _locate(form: FormData, s: StaffSession, case: Case) -> c.Command:
    grid = _text(form, "grid")
    if not grid:
        raise ValueError("请选择这件诉求所在的网格。")
    return c.LocateCase(s.staff.actor, case.number, grid)


def _classification(form: FormData, index: DirectoryIndex, routing: RoutingPolicy) -> list[str]:
    """A correction teaches retraining and feeds the dashboard: only our categories and topics."""
    return classification_errors(_text(form, "category"), _text(form, "topic"), known_topics(index, routing))


ACTIONS: dict[str, Action] = {
    "accept": Action("accept", "holder", lambda f, s, k: c.AcceptCase(
        s.staff.actor, k.number, s.staff.username), "已签收"),
    "return": Action("return", "holder", _return, "已退回分拨中心"),
    "note": Action("note", "holder", lambda f, s, k: c.AddNote(
        s.staff.actor, k.number, _text(f, "note"), internal=_text(f, "audience") == "internal" or not may_handle(s, k)),
        "已记录"),
    "extension": Action("request_extension", "holder", _extension, "延期申请已提交，等待督办人员审批"),
    "transfer": Action("transfer", "holder", lambda f, s, k: c.TransferCase(
        s.staff.actor, k.number, _text(f, "department"), _text(f, "note")), "已转办"),
    "resolve": Action("resolve", "holder", lambda f, s, k: c.ResolveCase(s.staff.actor, k.number, _text(f, "reply")),
                      "已办结，答复已发送给群众"),
    "dispatch": Action("dispatch", "dispatcher", lambda f, s, k: c.DispatchCase(
        s.staff.actor, k.number, _text(f, "department"), _text(f, "note")), "已派单"),
    "reclassify": Action("reclassify", "dispatcher", _reclassify, "分类已更正", _classification),
    "locate": Action("locate", "dispatcher", _locate, "网格已更正，派单建议已按新网格更新"),
    "unmark": Action("clear_emergency", "dispatcher", lambda f, s, k: c.ClearEmergency(
        s.staff.actor, k.number, _text(f, "reason")), "紧急标记已解除"),
    "supervise": Action("supervise", "supervisor", lambda f, s, k: c.SuperviseCase(
        s.staff.actor, k.number, _text(f, "note")), "督办意见已记录"),
    "approve": Action("extend", "supervisor", lambda f, s, k: c.DecideExtension(
        s.staff.actor, k.number, True, duration=_duration(f)), "已同意延期"),
    "refuse": Action("refuse_extension", "supervisor", lambda f, s, k: c.DecideExtension(
        s.staff.actor, k.number, False, _text(f, "note")), "已驳回延期申请"),
}


def allowed(session: StaffSession, case: Case, name: str) -> bool:
    action = ACTIONS[name]
    if case.status not in TRANSITIONS[action.transition][0]:
        return False
    if name in ("approve", "refuse") and pending_extension(case) is None:
        return False
    if name == "extension" and pending_extension(case) is not None:
        return False
    if name == "unmark" and not case.emergency:
        return False
    if action.who == "holder":  # a grid worker adds 现场记录 to their grids' cases, and does nothing else here
        return may_handle(session, case) or (name == "note" and on_patrol(session, case))
    roles = DISPATCH_ROLES if action.who == "dispatcher" else SUPERVISE_ROLES
    return session.staff.role in roles


async def show(request: Request, number: str, session: AnyStaff, done: str = "") -> HTMLResponse:
    message = ACTIONS[done].done if done in ACTIONS else merging.DONE.get(done, "")
    return await case_page(request, session, number, message=message)


async def act(request: Request, number: str, action: str, session: AnyStaff, form: CheckedForm) -> Response:
    app: App = request.app.state.deps.app
    if action not in ACTIONS:
        raise HTTPException(status_code=404)
    case = await _load(app, number)
    if not allowed(session, case, action):
        raise Forbidden("您不能对这件诉求执行此操作（可能已被他人处理，请刷新页面）。")
    check = ACTIONS[action].check
    errors = check(form, await directory(app), app.policies.routing) if check else []
    if errors:
        return await case_page(request, session, number, error="".join(errors), status_code=422)
    try:  # a photo taken on site goes with the note (a grid worker's 现场记录)
        shot = await photos.from_form(request.app.state.deps, form) if action == "note" else ()
    except ValueError as refused:
        return await case_page(request, session, number, error=str(refused), status_code=422)
    build = ACTIONS[action].build
    return await _handle(request, session, case.number,
                         lambda: _with_photos(build(form, session, case), shot), action)


def _with_photos(command: c.Command, shot: tuple[str, ...]) -> c.Command:
    return replace(command, attachments=shot) if shot else command


async def merge(request: Request, number: str, session: AnyStaff, form: CheckedForm) -> Response:
    """并单 of this case and the one named in the form; the newer becomes the other's duplicate."""
    app: App = request.app.state.deps.app
    case = await _load(app, number)
    other = await _load(app, _text(form, "other"))
    older, newer = sorted((case, other), key=filed)
    if not merging.may_merge(session, older, newer):
        raise Forbidden("只有分拨员或较早那件诉求的办理部门可以并单；涉及其他部门的诉求请联系分拨员。")
    return await _handle(request, session, case.number,
                         lambda: c.MergeCases(session.staff.actor, case.number, other=other.number), "merge")


async def unmerge(request: Request, number: str, session: AnyStaff, form: CheckedForm) -> Response:
    """Undo a 并单, from the duplicate's page or from the main case's list of its duplicates."""
    app: App = request.app.state.deps.app
    case = await _load(app, number)
    duplicate = await _load(app, _text(form, "duplicate")) if _text(form, "duplicate") else case
    main = await _load(app, duplicate.duplicate_of) if duplicate.duplicate_of else duplicate
    if not merging.may_merge(session, main):
        raise Forbidden("只有分拨员或主件的办理部门可以撤销并单。")
    return await _handle(request, session, case.number,
                         lambda: c.UnmergeCase(session.staff.actor, duplicate.number), "unmerge")


async def _handle(request: Request, session: StaffSession, number: str, build: Callable[[], c.Command],
                  done: str) -> Response:
    """Build and run a page's command: a refusal (of the form or of the action) comes back on the case
    page with its reason, success goes to the page with `done`."""
    try:
        await request.app.state.deps.app.bus.handle(build())
    except (DomainError, ValueError) as exc:
        error = exc.message if isinstance(exc, DomainError) else str(exc)
        return await case_page(request, session, number, error=error, status_code=422)
    return RedirectResponse(f"{BASE}/cases/{quote(number)}?done={done}", status_code=303)


async def _load(app: App, number: str) -> Case:
    """The case, or CaseNotFound, which the app answers with a 404 page naming the number."""
    async with app.uow() as uow:
        return await uow.cases.get(number.strip().upper())


async def case_page(request: Request, session: StaffSession, number: str, message: str = "", error: str = "",
                    status_code: int = 200, revealed: dict[str, str] | None = None) -> HTMLResponse:
    """The file as this member may read it; `revealed`: a personal field shown whole (bot/web/staff/reveal.py)."""
    app: App = request.app.state.deps.app
    case = await _load(app, number)  # an unknown number is the app's 404 page (bot/web/app.py)
    if not may_view(session, case):
        raise Forbidden("这件诉求不在您所在部门办理。")
    async with app.sessions() as db:
        notices = await notifications_for_case(db, case.number)
    index = await directory(app)  # one read for the departments, the grids' names, routing and the grid picker
    departments = index.departments
    can = {name: allowed(session, case, name) for name in ACTIONS}
    suggested = suggest(case, app.policies.routing, index) if can["dispatch"] else None
    return render(
        request, "work_case.html", session, status_code=status_code, case=case,
        departments=departments, notices=notices, filed=_filed(case), message=message, error=error,
        can=can, window=current_window(case), urgency=urgency(case, app.policies.clock.now()),
        extension=pending_extension(case), return_reasons=RETURN_REASONS, categories=CATEGORY_LABELS,
        corrections=_corrections(case), choices=dispatch_choices(departments, app), suggested=suggested,
        grids=labels_of(index), topics=known_topics(index, app.policies.routing),
        communities=by_community(index.grids.values()) if can["locate"] else [],
        unmark_reasons=EMERGENCY_CHECKED,
        note_reaches_resident=may_handle(session, case)  # a grid worker's 现场记录 is internal: it starts nothing
        and app.policies.notices.would_push(case, EVENT_KINDS[note_action(case, internal=False)]),
        duplicates=await merging.on_case_file(app, session, case),
        can_reveal=may_reveal(session, case), revealed=revealed or {},
    )


def _filed(case: Case) -> dict[str, Any]:
    """What the resident and the classifier gave at filing, before any correction."""
    return case.events[0].changes if case.events else {}


def _corrections(case: Case) -> list[Any]:
    return [e for e in case.events if e.kind == "reclassified"]
