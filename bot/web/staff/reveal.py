"""查看完整号码 on the case file: a POST (with the page's CSRF token) that shows one personal field of
the case whole, only to a member whose work on the case needs it (access.may_reveal), and only after
the audit log has it: who, when, which case, which field. The answer is the case page itself, never
a link that could be opened again or cached."""

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from bot.bootstrap import App
from bot.reveal_log import FIELD_LABELS, log_reveal, value_of
from bot.web.auth import Forbidden
from bot.web.staff.access import AnyStaff, CheckedForm, may_reveal
from bot.web.staff.casefile import case_page

REFUSED = "您不能查看这件诉求的完整联系方式：只有正在办理的部门、所在网格的网格员和待分拨时的分拨员可以查看。"


async def reveal(request: Request, number: str, session: AnyStaff, form: CheckedForm) -> HTMLResponse:
    app: App = request.app.state.deps.app
    field = str(form.get("field") or "")
    if field not in FIELD_LABELS:
        raise HTTPException(status_code=404)
    async with app.uow() as uow:
        case = await uow.cases.get(number.strip().upper())
    if not may_reveal(session, case):
        raise Forbidden(REFUSED)
    value = value_of(case, field)
    if value:
        await log_reveal(app, session.staff.actor, case, (field,))
    response = await case_page(request, session, case.number, revealed={field: value} if value else None)
    response.headers["cache-control"] = "no-store"
    return response
