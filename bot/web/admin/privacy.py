"""个人信息 (issue 15, part 3), administrators only: residents' 删除我的信息 requests, executed or
refused with a reason (the resident hears the outcome on the channel they asked on, through the
outbox), the retention period with how many cases its next run erases, and this area's audit entries."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.bootstrap import App
from bot.privacy_purge import ACTION as PURGED
from bot.reveal_log import ACTION as REVEALED
from bot.reveal_log import FIELD_LABELS
from bot.web.accounts import StaffSession
from bot.web.admin.models import templates
from bot.web.staff import pages
from bot.web.staff.access import ADMIN, AnyStaff, CheckedForm, require
from bot.wording import channel_label
from handlers.case import CATEGORY_LABELS
from handlers.commands import DecideErasure
from handlers.erasure import AREA, DECISIONS, EXECUTED, REJECTED, REQUEST_LABELS, decide_erasure
from handlers.errors import DomainError
from storage.audit_log import AuditEntry, recent
from storage.privacy_queries import due_cases, erasure_requests

BASE = "/console/admin/privacy"
WHAT = "处理群众个人信息"
REASON_LIMIT = 500
DUE_COUNTED = 1000  # beyond this the page says 「1000 件以上」: counting a first run's backlog is the purge's job
ACTION_LABELS = {REVEALED: "查看完整联系方式", DECISIONS[EXECUTED]: "执行删除申请", DECISIONS[REJECTED]: "不予删除",
                 PURGED: "按保存期限删除"}
DONE = {EXECUTED: "已删除该申请涉及诉求中的个人信息，处理结果已通知群众。", REJECTED: "已不予删除，原因已通知群众。"}


def router() -> APIRouter:
    routes = APIRouter(prefix=BASE, tags=["系统管理"])
    routes.add_api_route("", page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/{request_id}/execute", execute, methods=["POST"])
    routes.add_api_route("/{request_id}/reject", reject, methods=["POST"])
    return routes


def describe(entry: AuditEntry) -> str:
    """This area's audit entries as the pages say them (which fields, which cases, how many)."""
    details = entry.details
    if entry.action == REVEALED:
        fields = "、".join(FIELD_LABELS.get(f, f) for f in details.get("fields", ()))
        return f"查看{fields}" + ("（命令行）" if details.get("via") == "cli" else "")
    if entry.action == PURGED:
        counts = "、".join(f"{CATEGORY_LABELS.get(code, '未分类')} {n} 件"
                           for code, n in sorted(details.get("by_category", {}).items()))
        said = f"删除 {details.get('erased', 0)} 件诉求的个人信息" + (f"（{counts}）" if counts else "")
        return said + ("，其余下次继续" if details.get("remaining") else "")
    cases = "、".join(details.get("cases", ()))
    if entry.action == DECISIONS[EXECUTED]:
        erased = "、".join(details.get("erased", ()))
        return f"删除诉求 {erased} 中的个人信息" if erased else f"诉求 {cases} 已无个人信息可删"
    return f"涉及诉求 {cases}；原因：{entry.reason or '—'}"


async def page(request: Request, session: AnyStaff, done: str = "") -> HTMLResponse:
    return await _page(request, session, message=DONE.get(done, ""))


async def execute(request: Request, request_id: int, session: AnyStaff, form: CheckedForm) -> Response:
    return await _decide(request, session, DecideErasure(session.staff.actor, request_id, True))


async def reject(request: Request, request_id: int, session: AnyStaff, form: CheckedForm) -> Response:
    reason = str(form.get("reason") or "").strip()[:REASON_LIMIT]
    return await _decide(request, session, DecideErasure(session.staff.actor, request_id, False, reason))


async def _decide(request: Request, session: StaffSession, command: DecideErasure) -> Response:
    """The decision, its push to the resident and its audit entry are one transaction (handlers/erasure.py)."""
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    try:
        decided = await decide_erasure(command, app.uow(), app.policies)
    except DomainError as refused:
        return await _page(request, session, error=refused.message, status_code=422)
    return RedirectResponse(f"{BASE}?done={decided.status}#request-{decided.id}", status_code=303)


async def _page(request: Request, session: StaffSession, *, message: str = "", error: str = "",
                status_code: int = 200) -> HTMLResponse:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    policy = app.settings.privacy
    async with app.sessions() as db:
        requests = await erasure_requests(db)
        due = len(await due_cases(db, policy, app.policies.clock.now(), DUE_COUNTED + 1))
    return pages.render(
        request, "privacy.html", session, status_code=status_code, templates=templates(), message=message,
        error=error, requests=requests, request_labels=REQUEST_LABELS, channel_label=channel_label, policy=policy,
        categories=CATEGORY_LABELS, due=due, due_counted=DUE_COUNTED, reason_limit=REASON_LIMIT, privacy_base=BASE,
        audit=await recent(app.sessions, AREA), action_labels=ACTION_LABELS, describe=describe,
    )
