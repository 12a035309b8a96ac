"""Open311 GeoReport v2 on the real web app: the spec's field names, our statuses projected onto
open/closed, refusals as [{"code", "description"}], private fields only for key holders, and for a
client without a key only what `[open311] keyless` allows (by default the status of a known number)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from handlers import commands as c
from tests.fakes.web_stack import WebStack, web_stack

KEY = "k-7f3a9c1e5b"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}
FILING = {
    "api_key": KEY, "service_code": "dispute-chengxiangjianshe", "lat": "31.23", "long": "121.47",
    "address_string": "幸福路 12 号", "description": "楼上装修噪音，晚上十点后还在施工", "email": "someone@example.org",
}


@pytest.fixture
async def stack(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WebStack]:
    monkeypatch.setenv("MINSHENG_OPEN311_KEYS", f"city-app:{KEY},other:k-second-key")
    async with web_stack(db_url) as running:
        yield running


@pytest.fixture
async def api(stack: WebStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{stack.url}/open311/v2") as client:
        yield client


def refused(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    [error] = response.json()
    assert set(error) == {"code", "description"} and error["code"] == code
    return error["description"]


async def test_services_are_categories_times_topics(api: httpx.AsyncClient) -> None:
    services = (await api.get("/services.json")).json()
    assert all(set(s) == SERVICE_FIELDS for s in services)
    codes = {s["service_code"]: s for s in services}
    assert len(codes) == 3 * 2  # three categories × the two topics the test bureaus own
    housing = codes["dispute-chengxiangjianshe"]
    assert housing["service_name"] == "矛盾纠纷·城乡建设" and housing["group"] == "矛盾纠纷"
    assert housing["metadata"] is False and housing["type"] == "realtime"
    definition = (await api.get("/services/petition-laodongheshehuibaozhang.json")).json()
    assert definition == {"service_code": "petition-laodongheshehuibaozhang", "attributes": []}
    assert "service_code" in refused(await api.get("/services/nothing.json"), 404)
    assert "jurisdiction_id" in refused(await api.get("/services.json", params={"jurisdiction_id": "x"}), 404)
    assert (await api.get("/services.json", params={"jurisdiction_id": "qinghe.example"})).status_code == 200


async def test_a_filed_request_is_routed_and_read_back(api: httpx.AsyncClient, stack: WebStack) -> None:
    response = await api.post("/requests.json", data=FILING)
    assert response.status_code == 201, response.text
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    number = created["service_request_id"]
    assert "15 天" in created["service_notice"]
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.grid_code, case.department) == ("open311", "T01-C01-G01", "W-T01-C01-G01")
    assert case.events[0].actor == "open311:city-app" and case.classification_confirmed

    [private] = (await api.get(f"/requests/{number}.json", params={"api_key": KEY})).json()
    assert set(private) == REQUEST_FIELDS
    assert private["status"] == "open" and private["status_notes"] == "已派单"
    assert private["description"] == FILING["description"] and private["address"] == "幸福路 12 号"
    assert (private["lat"], private["long"]) == (31.23, 121.47)
    assert private["agency_responsible"] == "试验社区一网格" and private["service_code"] == FILING["service_code"]
    assert private["requested_datetime"].endswith("+08:00") and private["expected_datetime"]

    [public] = (await api.get(f"/requests/{number}.json")).json()
    assert public["description"] is None and public["address"] is None and public["lat"] is None
    assert (public["status"], public["status_notes"]) == ("open", "已派单")
    assert public["service_code"] is None and public["agency_responsible"] is None  # only the status

    for command in (c.AcceptCase("w", number), c.ResolveCase("w", number, "已协调施工时间"),
                    c.RateCase("r", number, 4)):
        await stack.app.bus.handle(command)
    [closed] = (await api.get(f"/requests/{number}.json", params={"api_key": KEY})).json()
    assert closed["status"] == "closed" and closed["status_notes"] == "已归档：已协调施工时间"
    assert closed["expected_datetime"] is None
    assert "未找到" in refused(await api.get("/requests/MS-20990101-0001.json"), 404)


async def test_filing_refusals_use_the_spec_error_shape(api: httpx.AsyncClient) -> None:
    cases = [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"service_code": "nothing"}, 400, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "位置"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "95"}, 400, "超出范围"),
        ({"description": "  "}, 400, "description"),
        ({"description": "长" * 4001}, 400, "description"),
        ({"phone": "12345"}, 400, "phone"),
        ({"phone": "13800138000\r\nX-Forged: 1"}, 400, "phone"),
        ({"phone": "=HYPERLINK(1)"}, 400, "phone"),
        ({"jurisdiction_id": "elsewhere"}, 404, "jurisdiction_id"),
    ]
    for changes, code, fragment in cases:
        assert fragment in refused(await api.post("/requests.json", data={**FILING, **changes}), code), changes
    assert (await api.get("/requests.json", params={"api_key": KEY})).json() == []


async def test_listing_filters(api: httpx.AsyncClient, stack: WebStack) -> None:
    numbers = []
    for code in ("dispute-chengxiangjianshe", "service-chengxiangjianshe", "petition-laodongheshehuibaozhang"):
        response = await api.post("/requests.json", data={**FILING, "service_code": code})
        numbers.append(response.json()[0]["service_request_id"])
    await stack.app.bus.handle(c.CancelCase("r", numbers[0], "已自行解决"))

    async def ids(**params: str) -> list[str]:
        response = await api.get("/requests.json", params={"api_key": KEY, **params})
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert await ids() == numbers[::-1]
    assert await ids(status="closed") == [numbers[0]]
    assert await ids(status="open") == numbers[:0:-1]
    assert await ids(service_code="petition-laodongheshehuibaozhang,service-chengxiangjianshe") == numbers[:0:-1]
    assert await ids(service_request_id=f"{numbers[1]},{numbers[2]}") == numbers[:0:-1]
    assert await ids(start_date="2099-01-01T00:00:00+08:00") == []
    assert await ids(end_date="2000-01-01T00:00:00Z") == []
    assert "status" in refused(await api.get("/requests.json", params={"api_key": KEY, "status": "pending"}), 400)
    yesterday = await api.get("/requests.json", params={"api_key": KEY, "start_date": "yesterday"})
    assert "start_date" in refused(yesterday, 400)
    assert "service_code" in refused(await api.get("/requests.json", params={"api_key": KEY, "service_code": "x"}), 400)


async def test_a_phone_is_kept_by_the_project_s_one_rule(api: httpx.AsyncClient, stack: WebStack) -> None:
    for given, kept in (("+86 138-1234-5678", "13812345678"), ("010 1234 5678", "01012345678"), ("", None)):
        response = await api.post("/requests.json", data={**FILING, "phone": given})
        assert response.status_code == 201, response.text
        async with stack.app.uow() as uow:
            case = await uow.cases.get(response.json()[0]["service_request_id"])
        assert case.phone == kept


async def test_without_a_key_only_a_known_number_s_status_by_default(api: httpx.AsyncClient) -> None:
    number = (await api.post("/requests.json", data=FILING)).json()[0]["service_request_id"]
    assert "api_key" in refused(await api.get("/requests.json"), 403)
    assert "api_key" in refused(await api.get("/requests.json", params={"status": "open"}), 403)
    [known] = (await api.get("/requests.json", params={"service_request_id": number})).json()
    assert (known["service_request_id"], known["status"]) == (number, "open")
    assert {k for k, v in known.items() if v is not None} == {
        "service_request_id", "status", "status_notes", "requested_datetime", "updated_datetime", "expected_datetime"}
    [keyed] = (await api.get("/requests.json", params={"api_key": KEY, "service_request_id": number})).json()
    assert keyed["agency_responsible"] == "试验社区一网格"


@pytest.mark.parametrize(("keyless", "listed", "read"), [("none", 403, 403), ("list", 200, 200)])
async def test_the_district_decides_what_a_keyless_client_sees(
    api: httpx.AsyncClient, stack: WebStack, keyless: str, listed: int, read: int,
) -> None:
    number = (await api.post("/requests.json", data=FILING)).json()[0]["service_request_id"]
    stack.app.settings.raw["open311"]["keyless"] = keyless  # read on each request, as the keys are
    listing = await api.get("/requests.json")
    one = await api.get(f"/requests/{number}.json")
    assert (listing.status_code, one.status_code) == (listed, read)
    if keyless == "list":
        [row] = listing.json()
        assert row["agency_responsible"] == "试验社区一网格" and row["description"] is None and row["lat"] is None
    else:
        assert "按编号查询状态" in refused(one, 403)
    assert (await api.get(f"/requests/{number}.json", params={"api_key": KEY})).status_code == 200
