"""辖区名录 (issue 15, part 2): administrators upload the district's grids (GeoJSON), places and
departments (CSV, as `minsheng district load` takes them). A dry run comes first: every problem as
文件 第N行：原因, or a preview of what would change; only 确认导入 writes, in one transaction, through
the same storage.importers functions as the CLI."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot.bootstrap import App
from bot.wording import REGISTRY_IN_USE
from bot.web.accounts import StaffSession
from bot.web.admin import registry_uploads as uploads
from bot.web.admin.models import STATIC, templates
from bot.web.staff import pages
from bot.web.staff.access import ADMIN, AnyStaff, CheckedForm, require
from storage.audit_log import AuditEntry, recent
from storage.importers import departments, grids, places
from storage.importers.fields import label
from storage.importers.problems import ImportFailed, ImportProblem
from storage.importers.registry import (AREA, RegistryChanged, RegistryPlan, import_district, load_directory,
                                       plan_district)

BASE = "/console/admin/registry"
WHAT = "管理辖区名录"
SHOWN_PROBLEMS = 500
ACTION_LABELS = {"loaded": "导入名录"}
COLUMNS = [  # what each file holds, from the parsers' own column lists
    (uploads.FILES["grids"][0], "GeoJSON FeatureCollection，每个网格一个 Polygon 要素（[经度, 纬度]）；properties",
     grids.REQUIRED, grids.OPTIONAL),
    (uploads.FILES["places"][0], "CSV 表头", places.REQUIRED, places.OPTIONAL),
    (uploads.FILES["departments"][0], "CSV 表头", departments.REQUIRED, departments.OPTIONAL),
]
MODES = {"replace": "整体替换现有名录", "add": "追加到现有名录（不能改动已有的编码）"}
GONE = "上传的文件已导入或已过期（保留一天），请重新选择文件并检查。"
CHANGED = "在您预览之后，名录已被他人更改。下面是按现在的名录重新算出的变化，请核对后再确认导入。"


async def page(request: Request, session: AnyStaff, done: str = "") -> HTMLResponse:
    message = f"名录已导入，下面的操作记录列出了这次的变化。{REGISTRY_IN_USE}" if done == "loaded" else ""
    return await _page(request, session, message=message)


async def preview(request: Request, session: AnyStaff, form: CheckedForm) -> HTMLResponse:
    """The dry run: nothing is written whatever the files hold."""
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    mode = _mode(form)
    try:
        staged = await uploads.stage(_root(app), form)
    except uploads.UploadRefused as exc:
        return await _page(request, session, error=str(exc), mode=mode, status_code=422)
    return await _answer(request, session, await _plan(app, staged, mode), staged, mode)


async def apply(request: Request, session: AnyStaff, form: CheckedForm) -> Response:
    """确认导入: the previewed files, loaded in one transaction if the registry is still what the preview saw."""
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    mode, root = _mode(form), _root(app)
    staged = uploads.staged(root, _text(form, "upload"))
    if staged is None:
        return await _page(request, session, error=GONE, mode=mode, status_code=410)
    try:
        async with app.sessions() as db:
            await import_district(db, *staged.paths, replace=mode == "replace", district_code=_district_code(app),
                                  actor=session.staff.username, now=app.policies.clock.now(),
                                  expected=_text(form, "fingerprint"))
    except RegistryChanged:
        return await _answer(request, session, await _plan(app, staged, mode), staged, mode, error=CHANGED,
                             status_code=409)
    except ImportFailed as failed:  # an additive load whose codes someone else has added since
        uploads.discard(root, staged.token)
        return await _page(request, session, problems=failed.problems, mode=mode, status_code=422)
    uploads.discard(root, staged.token)
    return RedirectResponse(f"{BASE}?done=loaded", status_code=303)


def describe(entry: AuditEntry) -> str:
    """A load as the audit log keeps it: which files, and what changed."""
    details = entry.details
    files = "、".join(details.get("files", {}).values())
    counts = [f"{what} {len(details.get(key, []))} 个" for key, what in (
        ("grids_added", "新增网格"), ("grids_removed", "删除网格"), ("grids_renamed", "网格更名"),
        ("departments_added", "新增部门"), ("departments_removed", "删除部门"), ("departments_renamed", "部门更名"),
    ) if details.get(key)]
    mode = "追加" if details.get("replace") is False else "整体替换"
    affected = details.get("open_cases_affected", 0)
    said = f"{mode}（{files}）：{'、'.join(counts) or '网格和部门无增删改名'}"
    return said + (f"；涉及未归档诉求 {affected} 件" if affected else "")


def router() -> APIRouter:
    routes = APIRouter(prefix=BASE, tags=["系统管理"])
    routes.add_api_route("", page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/preview", preview, methods=["POST"], response_class=HTMLResponse,
                         max_body_size=uploads.MAX_REQUEST_BYTES)
    routes.add_api_route("/apply", apply, methods=["POST"])
    return routes


async def _page(request: Request, session: StaffSession, *, message: str = "", error: str = "",
                problems: list[ImportProblem] | None = None, mode: str = "replace",
                status_code: int = 200) -> HTMLResponse:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    async with app.sessions() as db:
        current = await load_directory(db)
    problems = problems or []
    return _render(request, session, "registry.html", status_code, current=current, message=message, error=error,
                   problems=problems[:SHOWN_PROBLEMS], more=max(0, len(problems) - SHOWN_PROBLEMS),
                   total=len(problems), mode=mode, audit=await recent(app.sessions, AREA))


async def _answer(request: Request, session: StaffSession, plan: RegistryPlan, staged: uploads.Staged, mode: str,
                  *, error: str = "", status_code: int = 200) -> HTMLResponse:
    """The dry run's answer: every problem, or the preview with 确认导入 (the upload is kept for it only
    when there is something to load)."""
    app: App = request.app.state.deps.app
    if plan.changes is None or plan.changes.nothing:
        uploads.discard(_root(app), staged.token)
    if plan.changes is None:
        return await _page(request, session, problems=plan.problems, mode=mode, status_code=422)
    return _render(request, session, "registry_preview.html", status_code, changes=plan.changes, staged=staged,
                   mode=mode, error=error)


def _render(request: Request, session: StaffSession, name: str, status_code: int, **context: Any) -> HTMLResponse:
    return pages.render(request, name, session, status_code=status_code, templates=templates(), registry_base=BASE,
                        columns=COLUMNS, column_label=label, modes=MODES, files=uploads.FILES,
                        max_bytes=uploads.MAX_BYTES, too_big=uploads.TOO_BIG, static=STATIC,
                        action_labels=ACTION_LABELS, describe=describe, in_use=REGISTRY_IN_USE, **context)


async def _plan(app: App, staged: uploads.Staged, mode: str) -> RegistryPlan:
    async with app.sessions() as db:
        plan = await plan_district(db, *staged.paths, replace=mode == "replace", district_code=_district_code(app))
        await db.rollback()
    return plan


def _mode(form: FormData) -> str:
    return "add" if _text(form, "mode") == "add" else "replace"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _root(app: App) -> Path:
    return uploads.folder(app.settings.data_dir)


def _district_code(app: App) -> str | None:
    return app.settings.district_code or None
