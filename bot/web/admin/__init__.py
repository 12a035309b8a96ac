"""Administrators' pages (issue 15): 模型管理 — model versions, comparing two, retraining, promotion and rollback;
账号管理 — staff accounts; 辖区名录 — the district registry's upload, dry run and load; 个人信息 — residents'
erasure requests and the retention period; 操作日志 — the whole audit log, filtered and exported."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot.web.admin import accounts, audit, models, privacy, registry


def router() -> APIRouter:
    routes = APIRouter(prefix=models.BASE, tags=["系统管理"])
    routes.add_api_route("", models.page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/retrain", models.start_retrain, methods=["POST"])
    routes.add_api_route("/retrain.json", models.retrain_status, methods=["GET"])
    routes.add_api_route("/static/{name}", models.static_file, methods=["GET"], include_in_schema=False)
    routes.add_api_route("/compare", models.compare_page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/{version}", models.version_page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/{version}/activate", models.activate, methods=["POST"])
    admin = APIRouter()
    for area in (routes, accounts.router(), registry.router(), privacy.router(), audit.router()):
        admin.include_router(area)
    return admin
