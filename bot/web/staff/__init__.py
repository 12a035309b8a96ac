"""Department work pages (issue 6): queues, the case file with its actions, 分拨, 督办, 查询, dashboard;
early warning (issue 14): flags, their 确认, the weekly 排查 report."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot.web import photos
from bot.web.staff import access, casefile, dashboard, grid, queue_export, queues, reveal, search, warnings
from bot.web.staff.pages import BASE, static_file


def router() -> APIRouter:
    routes = APIRouter(prefix=BASE, tags=["部门办理"])
    routes.add_api_route("", queues.start, methods=["GET"])
    routes.add_api_route("/logout", access.logout, methods=["POST"])
    routes.add_api_route("/queue", queues.queue, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/queue.csv", queue_export.queue_csv, methods=["GET"])
    routes.add_api_route("/dispatch", queues.dispatch_list, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/supervise", queues.supervise, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/grid", grid.page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/photos/{name}", photos.show, methods=["GET"], include_in_schema=False)
    routes.add_api_route("/search", search.page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/cases/{number}", casefile.show, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/cases/{number}/merge", casefile.merge, methods=["POST"])
    routes.add_api_route("/cases/{number}/unmerge", casefile.unmerge, methods=["POST"])
    routes.add_api_route("/cases/{number}/reveal", reveal.reveal, methods=["POST"], response_class=HTMLResponse)
    routes.add_api_route("/cases/{number}/{action}", casefile.act, methods=["POST"])
    routes.add_api_route("/dashboard", dashboard.page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/dashboard/{table}.csv", dashboard.export, methods=["GET"])
    routes.add_api_route("/warnings", warnings.page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/warnings/{flag_id}/acknowledge", warnings.acknowledge_flag, methods=["POST"])
    routes.add_api_route("/report", warnings.report, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/report.csv", warnings.report_csv, methods=["GET"])
    routes.add_api_route("/static/{name}", static_file, methods=["GET"], include_in_schema=False)
    return routes
