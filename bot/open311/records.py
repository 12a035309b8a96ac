"""Open311 GeoReport v2 records: the spec's shapes, our services, and a case as a service request.

A client holding an API key reads everything but the resident's phone. What a client without one
may read is the district's choice (`[open311] keyless`): nothing, the status of a number it
already knows (the default), or also the listing with each case's service and department. The
resident's words, address and position are only ever for key holders.
"""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pypinyin import lazy_pinyin

from bot.bootstrap import App
from handlers.case import CATEGORY_LABELS, Case
from handlers.status import FINAL


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[dict[str, Any]]


class ServiceRequest(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Created(BaseModel):
    service_request_id: str
    service_notice: str
    account_id: str | None


class Error(BaseModel):
    code: int
    description: str


View = Literal["key", "list", "status"]  # what one answer shows: everything, service and department, status only
KEYLESS = ("none", "status", "list")  # [open311] keyless, from least to most


@dataclass(frozen=True)
class Open311Settings:
    keys: Mapping[str, str]  # API key -> client name, for the case file
    jurisdiction_id: str = ""
    keyless: str = "status"

    @classmethod
    def from_settings(cls, section: Mapping[str, Any], environ: Mapping[str, str]) -> "Open311Settings":
        """Keys come from the environment variable the config names, as `name:key,name:key`."""
        raw = environ.get(str(section.get("api_keys_env", "MINSHENG_OPEN311_KEYS")), "")
        keys = {}
        for item in filter(None, (part.strip() for part in raw.split(","))):
            name, _, key = item.rpartition(":")
            keys[key] = name or "open311"
        keyless = str(section.get("keyless", "status"))
        if keyless not in KEYLESS:
            raise ValueError(f"open311 部分的 keyless 只能是 {'、'.join(KEYLESS)} 之一，而不是 {keyless!r}")
        return cls(keys, str(section.get("jurisdiction_id", "")), keyless)

    def view(self, api_key: str | None, listing: bool) -> View:
        """What this client may see, or Refusal(403) when the district shows it nothing of the kind."""
        if self.client(api_key) is not None:
            return "key"
        if self.keyless == "list":
            return "list"
        if self.keyless == "status" and not listing:
            return "status"
        wanted = "按编号查询状态" if self.keyless == "none" else "按日期、服务或状态列出诉求"
        raise Refusal(403, f"api_key 无效或缺失：没有 API 密钥不能{wanted}")

    def client(self, api_key: str | None) -> str | None:
        """The client an API key belongs to; every key is compared, in constant time."""
        found = None
        for key, name in self.keys.items():
            if api_key and hmac.compare_digest(key.encode(), api_key.encode()):
                found = name
        return found


class Refusal(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description

    def response(self) -> JSONResponse:
        return JSONResponse([{"code": self.code, "description": self.description}], status_code=self.code)


def service_code(category: str, topic: str) -> str:
    """Stable ASCII codes, e.g. dispute-chengxiangjianshe for 矛盾纠纷 · 城乡建设."""
    return f"{category}-{''.join(lazy_pinyin(topic))}"


def service(category: str, topic: str) -> Service:
    label = CATEGORY_LABELS[category]
    return Service(service_code=service_code(category, topic), service_name=f"{label}·{topic}",
                   description=f"{label}类诉求，涉及{topic}", metadata=False, type="realtime",
                   keywords=f"{label},{topic}", group=label)


def notice(app: App, case: Case) -> str:
    sla = app.policies.sla.get(case.category or "")
    return f"已受理，办理时限 {sla.resolve.label}" if sla else "已受理"


def service_request(app: App, case: Case, names: Mapping[str, str], view: View) -> ServiceRequest:
    tz = app.policies.calendar.tz
    trusted = view == "key"
    known = case.category in CATEGORY_LABELS and case.topic and view != "status"
    expected = case.resolve_deadline or case.sign_deadline
    notes = case.status.label + (f"：{case.reply}" if trusted and case.reply else "")
    return ServiceRequest(
        service_request_id=case.number,
        status="closed" if case.status in FINAL else "open",
        status_notes=notes,
        service_name=f"{CATEGORY_LABELS[case.category or '']}·{case.topic}" if known else None,
        service_code=service_code(case.category or "", case.topic or "") if known else None,
        description=case.text if trusted else None,
        agency_responsible=names.get(case.department or "") if view != "status" else None,
        service_notice=notice(app, case) if view != "status" else None,
        requested_datetime=w3c(case.created_at, tz),
        updated_datetime=w3c(case.updated_at, tz),
        expected_datetime=w3c(expected, tz) if case.status not in FINAL else None,
        address=case.address if trusted else None,
        address_id=None,
        zipcode=None,
        lat=case.latitude if trusted else None,
        long=case.longitude if trusted else None,
        media_url=None,
    )


def w3c(moment: datetime | None, tz: Any) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None
