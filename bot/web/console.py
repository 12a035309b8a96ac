"""The hotline operator console: paste a call transcript, check and correct what the NLU found,
file the case on the caller's behalf (channel `hotline`), and look at what was filed."""

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot.wording import OUTBOX_LABELS, channel_label, local, masked_name, masked_phone
from bot.web import console_data as data
from bot.web.auth import CheckedForm, Staff
from bot.web.case_fields import MAX_ADDRESS, MAX_TEXT, filing_errors
from bot.web.deps import WebDeps
from bot.web.suggestions import Option, Suggestion, segments
from handlers import commands as c
from handlers.directory import DirectoryIndex
from handlers.errors import DomainError
from handlers.phones import phone_digits
from handlers.status import EVENT_LABELS
from storage.queries import notifications_for_case

CHANNEL = "hotline"
MAX_NAME = 32
SMS_MISSING = "短信通知未配置：来电人的进度通知将暂存待发，请在 config.toml 的 [sms] 中设置 webhook_url。"


def router() -> APIRouter:
    routes = APIRouter(prefix="/console")
    routes.add_api_route("", home, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/review", review, methods=["POST"], response_class=HTMLResponse)
    routes.add_api_route("/cases", create, methods=["POST"])
    routes.add_api_route("/cases/{number}", show, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/route", route_preview, methods=["GET"])
    return routes


async def _index(deps: WebDeps) -> DirectoryIndex:
    async with deps.app.uow() as uow:
        return DirectoryIndex(await uow.directory.grids(), await uow.directory.departments())


def _sms_warning(deps: WebDeps) -> str:
    """Without an SMS notifier a caller's pushes wait in the outbox unseen: the operator should know."""
    return "" if CHANNEL in deps.app.notifiers else SMS_MISSING


async def home(request: Request, session: Staff) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    async with deps.app.uow() as uow:
        recent = await uow.cases.find(channel=CHANNEL, limit=15)
    return deps.pages.render(request, "console.html", session=session, recent=recent, local=local, max_text=MAX_TEXT,
                             ready=deps.analyzer is not None, transcript="", error="", sms_warning=_sms_warning(deps))


@dataclass
class Draft:
    """The review form's values, as suggested or as the operator last submitted them."""

    text: str
    category: str
    topic: str
    grid: str
    phone: str
    address: str
    department: str = ""
    contact_name: str = ""  # how the caller asked to be called (您贵姓): masked wherever the phone is


def _first(options: tuple[Option, ...]) -> str:
    return options[0].value if options else ""


def _draft(suggestion: Suggestion, form: FormData | None) -> Draft:
    draft = Draft(suggestion.complaint, _first(suggestion.categories), _first(suggestion.topics),
                  _first(suggestion.grids), _first(suggestion.phones), suggestion.address)
    if form is not None:
        for name in ("text", "category", "topic", "grid", "phone", "address", "department", "contact_name"):
            value = form.get(name)
            if isinstance(value, str):
                setattr(draft, name, value.strip())
    return draft


async def _review_page(
    request: Request, session: Any, transcript: str, form: FormData | None = None, errors: list[str] | None = None
) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    index = await _index(deps)
    suggestion = await deps.analyzer.suggest(transcript)
    named = tuple(replace(o, label=data.grid_label(index, o.value)) for o in suggestion.grids)
    suggestion = replace(suggestion, grids=named)
    routing = deps.app.settings.routing
    draft = _draft(suggestion, form)
    guide = deps.app.settings.category_guide
    party = str(form.get("party") or "") if form is not None else ""
    draft.category = data.category_by_party(guide, party, draft.category, _first(suggestion.categories))
    department, why = data.preview(index, routing, draft.category, draft.topic, draft.grid)
    return deps.pages.render(
        request, "review.html", status_code=422 if errors else 200, session=session, transcript=transcript,
        suggestion=suggestion, draft=draft, errors=errors or [],
        pieces=segments(suggestion, data.MARK_KINDS),
        categories=data.category_choices(suggestion.categories),
        parties=data.party_choices(guide) if _unsure(deps, suggestion) else [], party=party,
        topics=data.topic_choices(suggestion.topics, index, routing),
        grids=data.grid_choices(suggestion.grids, index),
        departments=sorted(index.departments.values(), key=lambda d: d.code),
        preview=department, preview_reason=why, sms_warning=_sms_warning(deps), max_text=MAX_TEXT,
        max_address=MAX_ADDRESS, max_name=MAX_NAME,
    )


async def review(request: Request, session: Staff, form: CheckedForm) -> Response:
    deps: WebDeps = request.app.state.deps
    transcript = str(form.get("transcript") or "").strip()
    if deps.analyzer is None or not transcript or len(transcript) > MAX_TEXT:
        error = "智能分析暂不可用。" if deps.analyzer is None else f"请粘贴通话记录（不超过 {MAX_TEXT} 字）。"
        return deps.pages.render(request, "console.html", status_code=422, session=session, recent=[], local=local,
                                 ready=deps.analyzer is not None, transcript=transcript[:MAX_TEXT], error=error,
                                 sms_warning=_sms_warning(deps), max_text=MAX_TEXT)
    return await _review_page(request, session, transcript)


async def create(request: Request, session: Staff, form: CheckedForm) -> Response:
    deps: WebDeps = request.app.state.deps
    fields = ("transcript", "text", "said", "category", "topic", "grid", "phone", "address", "department",
              "suggested_category", "suggested_topic", "model_version", "contact_name")
    values = {k: str(form.get(k) or "").strip() for k in fields}
    transcript = values["transcript"]
    values["category"] = data.category_by_party(deps.app.settings.category_guide, str(form.get("party") or ""),
                                                values["category"], values["suggested_category"])
    phone = phone_digits(values["phone"])
    errors = [] if phone is not None else ["联系电话格式不正确（手机 11 位，座机请带区号）。"]
    errors += filing_errors(values, await _index(deps), deps.app.settings.routing)
    if errors:  # checked before anything is written: a refused form files nothing
        return await _review_page(request, session, transcript[:MAX_TEXT], form, errors)
    def confidence(name: str) -> float | None:
        """The model's confidence is kept only where the operator left its suggestion as it was."""
        return _float(form.get(f"{name}_confidence")) if values[name] == values[f"suggested_{name}"] else None

    command = c.FileCase(
        actor=session.staff.actor, text=values["text"], channel=CHANNEL,
        user_ref=f"{CHANNEL}:{phone}" if phone else "", phone=phone or None, anonymous=not phone,
        category=values["category"] or None, topic=values["topic"] or None,
        category_confidence=confidence("category"), topic_confidence=confidence("topic"),
        classification_confirmed=True, grid_code=values["grid"] or None, address=values["address"] or None,
        department=values["department"] or None, model_version=values["model_version"] or None,
        original_text=values["said"] or None, contact_name=values["contact_name"][:MAX_NAME] or None,
    )
    try:
        case = await deps.app.bus.handle(command)
    except DomainError as exc:
        return await _review_page(request, session, transcript, form, [exc.message])
    return RedirectResponse(f"/console/cases/{quote(case.number)}?created=1", status_code=303)


def _unsure(deps: WebDeps, suggestion: Suggestion) -> bool:
    """Below the dialogue's `classification_confidence` the operator is offered the resident's question."""
    floor = float(deps.app.settings.section("dialogue").get("classification_confidence", 0.5))
    best = suggestion.categories[0] if suggestion.categories else None
    return best is None or (best.confidence or 0.0) < floor


def _float(value: Any) -> float | None:
    """A confidence the review page carried along: a probability, or None for anything else (nan, 1e999)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0.0 <= number <= 1.0 else None


async def show(request: Request, number: str, session: Staff, created: int = 0) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    async with deps.app.uow() as uow:  # an unknown number is the app's 404 page (bot/web/app.py)
        case = await uow.cases.get(number.strip().upper())
        notices = await notifications_for_case(uow.session, case.number)
    index = await _index(deps)
    dept = index.department(case.department)
    waiting = any(n.channel == CHANNEL and n.status == "pending" for n in notices)
    return deps.pages.render(
        request, "case.html", session=session, case=case, created=bool(created), local=local,
        sms_warning=_sms_warning(deps) if waiting else "",
        department=dept.name if dept else (case.department or "待分拨"), phone=masked_phone(case.phone),
        contact_name=masked_name(case.contact_name) if case.contact_name else "",
        channel=channel_label(case.channel),
        grid=data.grid_label(index, case.grid_code) if case.grid_code else "未确定",
        events=case.events, event_labels=EVENT_LABELS, notices=notices, outbox_labels=OUTBOX_LABELS,
    )


async def route_preview(request: Request, session: Staff, category: str = "", topic: str = "",
                        grid: str = "") -> JSONResponse:
    deps: WebDeps = request.app.state.deps
    department, why = data.preview(await _index(deps), deps.app.settings.routing, category, topic, grid)
    return JSONResponse({"department": department, "reason": why})
