"""Open311 GeoReport v2 endpoints (JSON) under /open311/v2.

Parameters are checked here rather than by FastAPI so that every refusal comes back in the
spec's shape, a list of {"code", "description"}.
"""

import os
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from bot.bootstrap import App
from bot.open311.records import (
    Created,
    Error,
    Open311Settings,
    Refusal,
    Service,
    ServiceDefinition,
    ServiceRequest,
    View,
    notice,
    service,
    service_code,
    service_request,
)
from flows.district import DistrictMap
from handlers import commands as c
from handlers.case import Case
from handlers.errors import DomainError
from handlers.lifecycle import CATEGORIES
from handlers.phones import phone_digits
from handlers.status import FINAL, Status
from storage.supervision_queries import find_cases

CHANNEL = "open311"
MAX_DESCRIPTION = 4000
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": list[Error]} for code in (400, 403, 404)}


def router() -> APIRouter:
    routes = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], responses=ERRORS)
    routes.add_api_route("/services.json", services, methods=["GET"], response_model=list[Service])
    routes.add_api_route("/services/{service_code}.json", service_definition, methods=["GET"],
                         response_model=ServiceDefinition)
    routes.add_api_route("/requests.json", create_request, methods=["POST"], response_model=list[Created],
                         status_code=201)
    routes.add_api_route("/requests.json", list_requests, methods=["GET"], response_model=list[ServiceRequest])
    routes.add_api_route("/requests/{service_request_id}.json", get_request, methods=["GET"],
                         response_model=list[ServiceRequest])
    return routes


async def services(request: Request, jurisdiction_id: str | None = None) -> Any:
    try:
        _check_jurisdiction(request, jurisdiction_id)
        return [service(category, topic) for category, topic in (await _catalogue(_app(request))).values()]
    except Refusal as refusal:
        return refusal.response()


async def service_definition(request: Request, service_code: str, jurisdiction_id: str | None = None) -> Any:
    try:
        _check_jurisdiction(request, jurisdiction_id)
        await _service_of(_app(request), service_code)
        return ServiceDefinition(service_code=service_code, attributes=[])
    except Refusal as refusal:
        return refusal.response()


async def create_request(
    request: Request,
    api_key: Annotated[str | None, Form()] = None,
    service_code: Annotated[str | None, Form()] = None,
    jurisdiction_id: Annotated[str | None, Form()] = None,
    lat: Annotated[str | None, Form()] = None,
    long: Annotated[str | None, Form()] = None,  # noqa: A002 - the spec's field name
    address_string: Annotated[str | None, Form()] = None,
    address_id: Annotated[str | None, Form()] = None,
    description: Annotated[str | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    device_id: Annotated[str | None, Form()] = None,
    account_id: Annotated[str | None, Form()] = None,
    first_name: Annotated[str | None, Form()] = None,
    last_name: Annotated[str | None, Form()] = None,
    media_url: Annotated[str | None, Form()] = None,
) -> Any:
    """File a case. Contact details other than the phone are not kept (we push no status to them)."""
    app = _app(request)
    try:
        client = _settings(request).client(api_key)
        if client is None:
            raise Refusal(403, "api_key 无效或缺失")
        _check_jurisdiction(request, jurisdiction_id)
        category, topic = await _service_of(app, service_code or "", status=400)
        point = _point(lat, long)
        address = (address_string or "").strip() or None
        if point is None and address is None and not (address_id or "").strip():
            raise Refusal(400, "请提供位置：lat 与 long，或 address_string")
        text = (description or "").strip()
        if not text or len(text) > MAX_DESCRIPTION:
            raise Refusal(400, f"description 不能为空，且不超过 {MAX_DESCRIPTION} 字")
        number = phone_digits(phone)
        if number is None:
            raise Refusal(400, "phone 须为中国大陆手机号（11 位）或带区号的座机号，不留可省略")
        grid = await _grid_at(app, point) if point else None
        case = await app.bus.handle(c.FileCase(
            actor=f"open311:{client}", text=text, channel=CHANNEL, user_ref="", category=category, topic=topic,
            classification_confirmed=True, grid_code=grid, address=address,
            latitude=point[0] if point else None, longitude=point[1] if point else None,
            phone=number or None,
        ))
    except Refusal as refusal:
        return refusal.response()
    except DomainError as exc:
        return Refusal(400, exc.message).response()
    return [Created(service_request_id=case.number, service_notice=notice(app, case), account_id=None)]


async def list_requests(
    request: Request,
    api_key: str | None = None,
    jurisdiction_id: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> Any:
    app = _app(request)
    try:
        _check_jurisdiction(request, jurisdiction_id)
        numbers = _split(service_request_id)
        view = _settings(request).view(api_key, listing=not numbers)
        catalogue = await _catalogue(app)
        codes = _split(service_code)
        unknown = [code for code in codes if code not in catalogue]
        if unknown:
            raise Refusal(400, f"未知的 service_code：{', '.join(unknown)}")
        start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
        if start is None and end is None and not numbers:
            start = app.policies.clock.now() - DEFAULT_WINDOW
        async with app.sessions() as session:
            cases = await find_cases(
                session, numbers=numbers, services=[catalogue[code] for code in codes],
                statuses=_statuses(status), created_from=start, created_to=end, limit=MAX_RESULTS,
            )
        return await _requests(app, cases, view)
    except Refusal as refusal:
        return refusal.response()


async def get_request(
    request: Request, service_request_id: str, api_key: str | None = None, jurisdiction_id: str | None = None
) -> Any:
    app = _app(request)
    try:
        _check_jurisdiction(request, jurisdiction_id)
        view = _settings(request).view(api_key, listing=False)
        async with app.sessions() as session:
            cases = await find_cases(session, numbers=[service_request_id.strip().upper()], limit=1)
        if not cases:
            raise Refusal(404, f"未找到服务请求 {service_request_id}")
        return await _requests(app, cases, view)
    except Refusal as refusal:
        return refusal.response()


def _app(request: Request) -> App:
    return request.app.state.deps.app


def _settings(request: Request) -> Open311Settings:
    return Open311Settings.from_settings(_app(request).settings.section("open311"), os.environ)


def _check_jurisdiction(request: Request, jurisdiction_id: str | None) -> None:
    expected = _settings(request).jurisdiction_id
    if jurisdiction_id and expected and jurisdiction_id != expected:
        raise Refusal(404, f"未知的 jurisdiction_id：{jurisdiction_id}")


async def _catalogue(app: App) -> dict[str, tuple[str, str]]:
    """service_code -> (category, topic), for every topic some department owns."""
    async with app.uow() as uow:
        departments = await uow.directory.departments()
    topics = sorted({topic for dept in departments for topic in dept.topics})
    return {service_code(cat, topic): (cat, topic) for cat in CATEGORIES for topic in topics}


async def _service_of(app: App, code: str, status: int = 404) -> tuple[str, str]:
    found = (await _catalogue(app)).get(code)
    if found is None:
        raise Refusal(status, f"未知的 service_code：{code or '（空）'}")
    return found


def _point(lat: str | None, long: str | None) -> tuple[float, float] | None:  # noqa: A002
    if not (lat or "").strip() and not (long or "").strip():
        return None
    try:
        point = float(lat or ""), float(long or "")
    except ValueError:
        raise Refusal(400, "lat 和 long 须为数字（WGS84 十进制度）") from None
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise Refusal(400, "lat 或 long 超出范围")
    return point


async def _grid_at(app: App, point: tuple[float, float]) -> str | None:
    async with app.uow() as uow:
        grids = await uow.directory.grids()
    grid = DistrictMap(grids, [], []).locate_point(*point)
    return grid.code if grid else None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Refusal(400, f"{name} 须为 W3C 日期时间，例如 2026-11-27T10:00:00+08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _statuses(value: str | None) -> list[Status]:
    wanted = _split(value)
    if any(item not in ("open", "closed") for item in wanted):
        raise Refusal(400, "status 只能是 open 或 closed")
    result: list[Status] = []
    if "open" in wanted:
        result += [s for s in Status if s not in FINAL]
    if "closed" in wanted:
        result += sorted(FINAL)
    return result


async def _requests(app: App, cases: list[Case], view: View) -> list[ServiceRequest]:
    async with app.uow() as uow:
        names = {d.code: d.name for d in await uow.directory.departments()}
    return [service_request(app, case, names, view) for case in cases]
