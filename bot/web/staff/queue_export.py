"""待办队列 as a CSV download (Excel opens it as UTF-8, no cell can smuggle a formula): the page's
cases with the resident's phone and name masked by the one rules, whoever exports. A whole number
leaves the system only through the case file's logged 查看完整号码, never in a file."""

from fastapi import Request
from fastapi.responses import Response

from bot.bootstrap import App
from bot.web.staff.access import AnyStaff
from bot.web.staff.csv_export import csv_response
from bot.web.staff.pages import grid_said
from bot.web.staff.queues import by_deadline, grid_labels, queue_department, queue_files
from bot.wording import channel_label, local, masked_name, masked_phone
from handlers.phones import mask_phones_in

HEADER = ["编号", "状态", "类别", "主题", "网格", "来源", "受理时间", "时限", "联系电话", "联系人", "诉求内容"]


async def queue_csv(request: Request, session: AnyStaff, dept: str = "") -> Response:
    code = queue_department(session, dept, "导出")
    app: App = request.app.state.deps.app
    grids = await grid_labels(app)
    rows = [[case.number, case.status.label, case.category_label, case.topic or "未分类", grid_said(case.grid_code, grids),
             channel_label(case.channel), local(case.created_at), local(due), masked_phone(case.phone),
             masked_name(case.contact_name) if case.contact_name else "", mask_phones_in(case.text)]
            for case, due, _ in by_deadline(await queue_files(app, code), app)]
    return csv_response([HEADER, *rows], f"minsheng-queue-{code or 'none'}.csv")
