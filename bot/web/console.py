"""The hotline operator console: paste a call transcript, check and correct what the NLU found,
file the case on the caller's behalf (channel `hotline`), and look at what was filed."""

import re
import secrets
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
from bot.web.templating import CASE_NUMBER
from flows import matters
from handlers import commands as c
from handlers.directory import DirectoryIndex
from handlers.errors import DomainError
from handlers.phones import phone_digits
from handlers.status import EVENT_LABELS
from storage.queries import notifications_for_case

CHANNEL = "hotline"
MAX_NAME = 32
FORM_FIELDS = ("text", "category", "topic", "grid", "phone", "address", "department", "contact_name", "emergency")
CALLER_FIELDS = ("phone", "contact_name")  # the caller's own: the same for every matter of one call
_CALL = re.compile(r"[A-Za-z0-9_-]{8,40}")  # a call's key, drawn by the review page: a form sent twice files once
_LINE = re.compile(r"\d{3,6}")  # an emergency line's number: 110, 119, 12110, 95598
# Said to operators, who cannot change the configuration: who can, and what it takes.
SMS_MISSING = "短信通知未配置：来电人的进度通知暂存待发，发不到来电人手机。请联系系统管理员配置短信接口（config.toml 的 [sms]）。"


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
    emergency: str = ""  # the emergency line the caller was pointed to, unless the operator judged otherwise


def _first(options: tuple[Option, ...]) -> str:
    return options[0].value if options else ""


def _likely(options: tuple[Option, ...], floor: float) -> str:
    """The best suggestion, filled in only when it is no guess: at least `floor` and ahead of the next
    (two grids named 东方花园 at 67 % each are for the operator to ask about). Below, the choice is
    left to the operator, for a label filed untouched is later learned from as confirmed."""
    if not options or (options[0].confidence or 0.0) < floor:
        return ""
    if len(options) > 1 and (options[1].confidence or 0.0) >= (options[0].confidence or 0.0):
        return ""
    return options[0].value


def _draft(suggestion: Suggestion, form: FormData | None, kept: tuple[str, ...], floor: float) -> Draft:
    draft = Draft(suggestion.complaint, _likely(suggestion.categories, floor), _likely(suggestion.topics, floor),
                  _likely(suggestion.grids, floor), _first(suggestion.phones), suggestion.address,
                  contact_name=suggestion.contact_name, emergency=suggestion.emergency_line)
    if form is not None:
        for name in kept:
            value = form.get(name)
            if isinstance(value, str):
                setattr(draft, name, value.strip())
        if "emergency" in kept:
            draft.emergency = _emergency_line(form)
    return draft


def _emergency_line(form: FormData, name: str = "emergency") -> str:
    """The emergency line the form chose (110, 119, 95598…), or "" for none or what is not a line's number."""
    return _line(str(form.get(name) or ""))


def _line(value: str) -> str:
    return value if _LINE.fullmatch(value) else ""


@dataclass(frozen=True)
class _Reading:
    """A call as the review page shows it: the suggestions for the whole call or for the matter under
    review (`matter`, from 1; 0 for the whole), and the call's matters when they are filed apart."""

    suggestion: Suggestion
    parts: tuple[str, ...]
    matter: int


async def _read(deps: WebDeps, transcript: str, matter: int) -> _Reading:
    """The call read whole, then its `matter`-th matter on its own when there is one (else the whole)."""
    whole = await deps.analyzer.suggest(transcript)
    parts = _apart(deps, whole)
    if not 0 < matter <= len(parts):
        return _Reading(whole, parts, 0)
    return _Reading(await _of_matter(deps, whole, parts[matter - 1]), parts, matter)


async def _review_page(
    request: Request, session: Any, transcript: str, form: FormData | None = None, errors: list[str] | None = None,
    *, matter: int = 0, kept: tuple[str, ...] = FORM_FIELDS, filed: tuple[str, ...] = (),
    reading: _Reading | None = None,
) -> HTMLResponse:
    """The review form for the whole call, or for its `matter`-th matter (from 1) when the operator
    files them apart (`reading`, when the caller has read the call already); `kept` are the fields taken
    from `form` over the suggestions (and the place, for a later matter that names none), `filed` the
    cases the call's earlier matters became."""
    deps: WebDeps = request.app.state.deps
    index = await _index(deps)
    reading = reading or await _read(deps, transcript, matter)
    suggestion, parts, matter = reading.suggestion, reading.parts, reading.matter
    if matter > 1 and not suggestion.grids:
        kept = (*kept, "grid", "address")
    named = tuple(replace(o, label=data.grid_label(index, o.value)) for o in suggestion.grids)
    suggestion = replace(suggestion, grids=named)
    routing = deps.app.settings.routing
    draft = _draft(suggestion, form, kept, _floor(deps))
    guide = deps.app.settings.category_guide
    party = str(form.get("party") or "") if form is not None and "category" in kept else ""
    draft.category = data.category_by_party(guide, party, draft.category, _first(suggestion.categories))
    department, why = data.preview(index, routing, draft.category, draft.topic, draft.grid, draft.emergency)
    return deps.pages.render(
        request, "review.html", status_code=422 if errors else 200, session=session, transcript=transcript,
        suggestion=suggestion, draft=draft, errors=errors or [],
        pieces=segments(suggestion, data.MARK_KINDS),
        categories=data.category_choices(suggestion.categories),
        parties=data.party_choices(guide) if _unsure(deps, suggestion) else [], party=party,
        emergency_lines=data.emergency_lines(suggestion.emergency_line),
        prefilled=_draft(suggestion, None, (), _floor(deps)),  # what 已人工修改 is measured against
        topics=data.topic_choices(suggestion.topics, index, routing),
        grids=data.grid_choices(suggestion.grids, index),
        departments=sorted(index.departments.values(), key=lambda d: d.code),
        preview=department, preview_reason=why, sms_warning=_sms_warning(deps), max_text=MAX_TEXT,
        max_address=MAX_ADDRESS, max_name=MAX_NAME, parts=parts, matter=matter, filed=filed,
        call=_call(form) or secrets.token_urlsafe(12),
    )


def _apart(deps: WebDeps, suggestion: Suggestion) -> tuple[str, ...]:
    """The call's matters when it raises several worth filing apart (flows/matters.py: different
    queues by the topic or category each reads as, or 「还有一件事」), else none."""
    parts = tuple(m.text for m in suggestion.matters)
    if len(parts) < 2:
        return ()
    topics = [(m.topic, m.confidence) for m in suggestion.matters]
    categories = [(m.category, m.category_confidence) for m in suggestion.matters]
    return parts if matters.worth_asking(suggestion.complaint, parts, topics, categories, _floor(deps)) else ()


async def _of_matter(deps: WebDeps, whole: Suggestion, part: str) -> Suggestion:
    """One matter read on its own, with what the caller said of themself anywhere in the call (a
    phone number: shown, not highlighted, when it lies outside the matter's words)."""
    own = await deps.analyzer.suggest(part)
    phones = own.phones or tuple(replace(o, spans=()) for o in whole.phones)
    return replace(own, phones=phones, emergency=whole.emergency)


def _call(form: FormData | None) -> str:
    value = str(form.get("call") or "") if form is not None else ""
    return value if _CALL.fullmatch(value) else ""


def _numbers(form: FormData) -> tuple[str, ...]:
    """The cases a call's earlier matters became, as the review page carries them along."""
    return tuple(n for n in str(form.get("filed") or "").split(",") if CASE_NUMBER.fullmatch(n))


def _matter(form: FormData) -> int:
    value = str(form.get("matter") or "")
    return int(value) if value.isdigit() and len(value) < 3 else 0


def _posted(form: FormData, name: str) -> str:
    """A posted text field as typed: browsers send each line break as CRLF, which the page counts as one."""
    return str(form.get(name) or "").replace("\r\n", "\n").strip()


async def review(request: Request, session: Staff, form: CheckedForm) -> Response:
    deps: WebDeps = request.app.state.deps
    transcript = _posted(form, "transcript")
    if deps.analyzer is None or not transcript or len(transcript) > MAX_TEXT:
        error = ("智能分析暂不可用。" if deps.analyzer is None else
                 f"通话记录共 {len(transcript)} 字，超过 {MAX_TEXT} 字的上限：请删去寒暄等与诉求无关的部分后再分析。"
                 if transcript else "请粘贴通话记录。")
        return deps.pages.render(request, "console.html", status_code=422, session=session, recent=[], local=local,
                                 ready=deps.analyzer is not None, transcript=transcript, error=error,
                                 sms_warning=_sms_warning(deps), max_text=MAX_TEXT)
    matter = _matter(form) + (1 if form.get("skip") else 0)  # 「这件不登记」: on to the next matter
    return await _review_page(request, session, transcript, form, matter=matter, kept=CALLER_FIELDS,
                              filed=_numbers(form))


async def create(request: Request, session: Staff, form: CheckedForm) -> Response:
    deps: WebDeps = request.app.state.deps
    fields = ("transcript", "text", "said", "category", "topic", "grid", "phone", "address", "department",
              "suggested_category", "suggested_topic", "model_version", "contact_name")
    values = {k: _posted(form, k) for k in fields}
    transcript = values["transcript"]
    values["category"] = data.category_by_party(deps.app.settings.category_guide, str(form.get("party") or ""),
                                                values["category"], values["suggested_category"])
    phone = phone_digits(values["phone"])
    errors = [] if phone is not None else ["联系电话格式不正确（手机 11 位，座机请带区号）。"]
    errors += filing_errors(values, await _index(deps), deps.app.settings.routing)
    matter, call, earlier = _matter(form), _call(form), _numbers(form)
    if errors:  # checked before anything is written: a refused form files nothing
        return await _review_page(request, session, transcript[:MAX_TEXT], form, errors, matter=matter, filed=earlier)
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
        intake_key=f"{CHANNEL}:{call}" + (f"#{matter}" if matter else "") if call else None,
        emergency=_emergency_line(form) or None,
        suggested_emergency=_emergency_line(form, "suggested_emergency") or None,
    )
    try:
        case = await deps.app.bus.handle(command)
    except DomainError as exc:
        return await _review_page(request, session, transcript, form, [exc.message], matter=matter, filed=earlier)
    filed = tuple(dict.fromkeys((*earlier, case.number)))  # a form sent twice is one case
    following = await _read(deps, transcript, matter + 1) if matter else None
    if following is not None and following.matter:  # the call's next matter
        return await _review_page(request, session, transcript, form, kept=CALLER_FIELDS, filed=filed,
                                  reading=following)
    same_call = ",".join(n for n in filed if n != case.number)
    return RedirectResponse(f"/console/cases/{quote(case.number)}?created=1"
                            + (f"&same_call={quote(same_call)}" if same_call else ""), status_code=303)


def _unsure(deps: WebDeps, suggestion: Suggestion) -> bool:
    """Below the dialogue's `classification_confidence` the operator is offered the resident's question."""
    best = suggestion.categories[0] if suggestion.categories else None
    return best is None or (best.confidence or 0.0) < _floor(deps)


def _floor(deps: WebDeps) -> float:
    """The dialogue's `classification_confidence`: below it a reading is a guess, here as in the chat."""
    return float(deps.app.settings.section("dialogue").get("classification_confidence", 0.5))


def _float(value: Any) -> float | None:
    """A confidence the review page carried along: a probability, or None for anything else (nan, 1e999)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0.0 <= number <= 1.0 else None


async def show(request: Request, number: str, session: Staff, created: int = 0, same_call: str = "") -> HTMLResponse:
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
        same_call=[n for n in same_call.split(",") if CASE_NUMBER.fullmatch(n) and n != case.number],
        department=dept.name if dept else (case.department or "待分拨"), phone=masked_phone(case.phone),
        contact_name=masked_name(case.contact_name) if case.contact_name else "",
        channel=channel_label(case.channel),
        grid=data.grid_label(index, case.grid_code) if case.grid_code else "未确定",
        events=case.events, event_labels=EVENT_LABELS, notices=notices, outbox_labels=OUTBOX_LABELS,
    )


async def route_preview(request: Request, session: Staff, category: str = "", topic: str = "",
                        grid: str = "", emergency: str = "") -> JSONResponse:
    deps: WebDeps = request.app.state.deps
    department, why = data.preview(await _index(deps), deps.app.settings.routing, category, topic, grid,
                                   _line(emergency))
    return JSONResponse({"department": department, "reason": why})
