"""模型管理 (issue 15, part 1): every model version with figures measured on cases it never learned
from, a version's per-label figures, confusion heat maps and misread cases, retraining from the
archive in the background, and promoting or rolling back a version with a reason, all logged."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup

from bot.bootstrap import App
from bot.retraining import NO_REAL_EVALUATION, TASK_NAMES, figure, source, training_cases
from bot.web.admin.heatmap import LEGEND, confusion_heatmap
from bot.web.admin.retrain_job import AREA, Retrainer
from bot.web.accounts import StaffSession
from bot.web.staff import pages
from bot.web.staff.access import ADMIN, AnyStaff, CheckedForm, require
from bot.wording import local, model_label
from handlers.case import CATEGORY_LABELS
from handlers.phones import mask_phones_in
from nlu.registry import TASK_FILES, ModelMissing, ModelRegistry, VersionInfo
from storage.audit_log import AuditEntry, recent, record
from storage.model_review import texts_by_number

if TYPE_CHECKING:  # the model stack loads only when two versions are compared (the server loads its own)
    from nlu.compare import TaskComparison

HERE = Path(__file__).parent
BASE = "/console/admin/models"
STATIC = f"{BASE}/static"  # the administrators' scripts (STATIC_FILES), for every admin page
STATIC_FILES = {"admin.js": "text/javascript", "registry.js": "text/javascript"}
REASON_LIMIT = 500
COMPARED_CASES = 5000  # the newest labelled cases; classifying more would keep the page waiting
CHANGED_SHOWN = 50
EXCERPT = 60
ACTION_LABELS = {"retrain_started": "启动再训练", "retrain_promoted": "再训练完成，新版本已启用",
                 "retrain_refused": "再训练完成，新版本未启用", "retrain_failed": "再训练未完成",
                 "promoted": "启用版本", "rolled_back": "回滚到旧版本"}
WHAT = "管理模型"


@dataclass(frozen=True)
class Misread:
    number: str
    excerpt: str | None  # None when the case is no longer in this database
    truth: str
    predicted: str


@dataclass(frozen=True)
class ComparisonView:
    name: str
    compared: "TaskComparison"
    label: Callable[[str], str]
    fixed: int  # changed cases the second version gets right
    broken: int  # changed cases the first version got right


@dataclass(frozen=True)
class TaskView:
    """One classifier of a version as the detail page shows it."""

    name: str
    source: str
    figures: dict | None  # accuracy, macro_f1, n, per_class, confusion (nlu.evaluation)
    measured: str  # on which cases the figures were measured
    classes: list[tuple[str, dict]]  # (the label as staff say it, its precision, recall, f1, support)
    heatmap: Markup | None
    misread: list[Misread]


@cache
def templates() -> Environment:
    """The workbench's environment (its frame, menu and filters) reading this package's templates first."""
    staff = pages.environment()
    return staff.overlay(loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), staff.loader]))


def retrainer(request: Request) -> Retrainer:
    """This worker's retrain, kept on the web app (one per process, made on first use)."""
    state = request.app.state
    if not hasattr(state, "retrainer"):
        state.retrainer = Retrainer()
    return state.retrainer


def label_name(task: str) -> Callable[[str], str]:
    """How a label of `task` is said: categories by their Chinese names, topics are already words."""
    if task == "category":
        return lambda code: CATEGORY_LABELS.get(code, code)
    return str


def describe(entry: AuditEntry) -> str:
    """A models-page entry as the audit log page says it: the version and what it replaced, with the
    reason given or the retrain's outcome."""
    said = model_label(entry.subject) if entry.subject else ""
    if entry.details.get("from"):
        said += f"（原为{model_label(entry.details['from'])}）"
    return "；".join(part for part in (said, entry.reason or "") if part) or "—"


async def page(request: Request, session: AnyStaff) -> HTMLResponse:
    return await _listing(request, session)


async def _listing(request: Request, session: StaffSession, error: str | None = None,
                   status_code: int = 200) -> HTMLResponse:
    """The models page, or an action refused on it with the reason above the versions."""
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    registry = ModelRegistry(app.settings.models_dir)
    versions = list(reversed(await asyncio.to_thread(registry.list_versions)))
    active = next((v for v in versions if v.active), None)
    return pages.render(request, "models.html", session, status_code=status_code, templates=templates(),
                        versions=versions, active=active, tasks=TASK_NAMES, figure=figure, source=source,
                        trained_from=trained_from, rolls_back=rolls_back, run=retrainer(request).run,
                        audit=await recent(app.sessions, AREA), action_labels=ACTION_LABELS, error=error,
                        reason_limit=REASON_LIMIT, admin_base=BASE)


async def version_page(request: Request, version: str, session: AnyStaff) -> HTMLResponse:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    info = await _version(app, version)
    views = [await _task_view(app, info, task) for task in TASK_FILES]
    return pages.render(request, "model_version.html", session, templates=templates(), info=info, views=views,
                        trained_from=trained_from, legend=LEGEND, no_real=NO_REAL_EVALUATION, admin_base=BASE)


async def compare_page(request: Request, session: AnyStaff, first: str = "", second: str = "") -> HTMLResponse:
    """Two versions on the same archived cases neither learned from: figures, and the cases that changed answer."""
    from nlu.compare import Labelled, compare

    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    if not first or not second or first == second:
        return await _listing(request, session, "请选择两个不同的版本进行比较。", 400)
    infos = [await _version(app, first), await _version(app, second)]
    cases = [Labelled(c.number, c.text, c.category, c.topic) for c in await training_cases(app.sessions)]
    registry = ModelRegistry(app.settings.models_dir)
    compared = await asyncio.to_thread(compare, registry, first, second, cases[-COMPARED_CASES:])
    texts = await texts_by_number(app.sessions, {c.key for t in compared for c in t.changed[:CHANGED_SHOWN]})
    views = [ComparisonView(TASK_NAMES[t.task], t, label_name(t.task), sum(c.second == c.truth for c in t.changed),
                            sum(c.first == c.truth for c in t.changed)) for t in compared]
    return pages.render(request, "model_compare.html", session, templates=templates(), infos=infos, views=views,
                        excerpt=lambda key: _excerpt(texts.get(key)), shown=CHANGED_SHOWN, admin_base=BASE)


async def activate(request: Request, version: str, session: AnyStaff, form: CheckedForm) -> Response:
    """Promote or roll back: the ACTIVE pointer moves (running workers follow it within seconds) and
    the log says who did it and why; a missing reason changes nothing."""
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    info = await _version(app, version)
    reason = str(form.get("reason") or "").strip()[:REASON_LIMIT]
    if not reason:
        return await _listing(request, session, f"请填写启用{model_label(version)}的原因，未作任何更改。", 400)
    registry = ModelRegistry(app.settings.models_dir)
    previous = registry.active_version()
    if info.active:
        return await _listing(request, session, f"{model_label(version)}已在使用中，未作更改。", 409)
    await asyncio.to_thread(registry.activate, version)
    action = "rolled_back" if rolls_back(info, previous) else "promoted"
    await record(app.sessions, AuditEntry(app.policies.clock.now(), session.staff.username, AREA, action, version,
                                          reason, {"from": previous}))
    return RedirectResponse(BASE, status_code=303)


async def start_retrain(request: Request, session: AnyStaff, form: CheckedForm) -> Response:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    if not await retrainer(request).start(app, session.staff.username):
        return await _listing(request, session, "已有一次重新训练正在进行，请等它结束后再启动。", 409)
    return RedirectResponse(f"{BASE}#retrain", status_code=303)


async def retrain_status(request: Request, session: AnyStaff) -> JSONResponse:
    """Polled by admin.js while a retrain runs: its stage, share done and log."""
    require(session, ADMIN, WHAT)
    run = retrainer(request).run
    return JSONResponse(run.as_json() if run else {"running": False})


async def static_file(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404)
    return FileResponse(HERE / "static" / name, media_type=STATIC_FILES[name])


def trained_from(info: VersionInfo) -> str:
    return f"种子语料 {info.examples} 条" if info.seed_only else f"{info.examples} 条诉求"


def rolls_back(info: VersionInfo, active: str | None) -> bool:
    """Enabling an older version than the one in use (names begin with their number, so they sort)."""
    return active is not None and info.name < active


async def _version(app: App, version: str) -> VersionInfo:
    try:
        return await asyncio.to_thread(ModelRegistry(app.settings.models_dir).info, version)
    except ModelMissing:
        raise HTTPException(status_code=404) from None


async def _task_view(app: App, info: VersionInfo, task: str) -> TaskView:
    name, found = TASK_NAMES[task], info.real_evaluation(task)
    said = source(info, task, model_label)
    if found is None:
        return TaskView(name, said, None, "", [], None, [])
    figures, later = found
    measured = (f"本版训练时留出、未参与训练的 {figures['n']} 条诉求" if later is None else
                f"{model_label(later.get('by_retrain'))}训练时留出、本版未训练过的 {figures['n']} 条诉求"
                f"（{local(_parsed(later.get('at')))} 评估）")
    naming = label_name(task)
    confusion = figures["confusion"]
    heatmap = confusion_heatmap(confusion["labels"], confusion["matrix"], f"{name}混淆矩阵", naming)
    wrong = figures.get("misclassified", [])
    texts = await texts_by_number(app.sessions, [w["key"] for w in wrong])
    misread = [Misread(w["key"], _excerpt(texts.get(w["key"])), naming(w["truth"]), naming(w["predicted"]))
               for w in wrong]
    classes = [(naming(label), row) for label, row in figures["per_class"].items()]
    return TaskView(name, said, figures, measured, classes, heatmap, misread)


def _parsed(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _excerpt(text: str | None) -> str | None:
    """The start of a case's words, phone numbers masked before cutting (never half a number)."""
    if text is None:
        return None
    text = mask_phones_in(text)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"
