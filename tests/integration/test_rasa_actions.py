"""`minsheng rasa-actions` started on a free port, then fed real Rasa action-server requests
(`next_action`, `tracker`, `domain`), as a Rasa assistant would post them."""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rasa_sdk
import yaml

from storage.db import make_engine, session_factory
from storage.importers.registry import import_district
from storage.migrate import upgrade
from storage.queries import count_by_status
from tests.conversations.harness import config_for_tests, model_cache, trained_models
from tests.conversations.kit import SAMPLE

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "rasa" / "domain.yml").read_text(encoding="utf-8"))
FILES = (SAMPLE / "grids.geojson", SAMPLE / "places.csv", SAMPLE / "departments.csv")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('rasa') / 'minsheng.db'}"
    upgrade(url)
    asyncio.run(_load_district(url))
    return url


async def _load_district(url: str) -> None:
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        await import_district(session, *FILES, district_code="QH")
    await engine.dispose()


@pytest.fixture(scope="module")
def server(database: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real command, as an operator starts it, on a port nobody else uses."""
    models = trained_models(model_cache(request.config, tmp_path_factory.mktemp("models")))
    config = config_for_tests(models, tmp_path_factory.mktemp("rasa-config"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = shutil.which("minsheng", path=str(Path(sys.executable).parent)) or "minsheng"
    env = {**os.environ, "MINSHENG_DATABASE_URL": database}
    process = subprocess.Popen(
        [command, "--config", str(config), "rasa-actions", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"rasa-actions exited early:\n{output}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("rasa-actions did not become healthy in time")


def _call(
    base: str, action: str, sender: str, *, slots: dict[str, Any] | None = None, candidates: dict[str, Any] | None = None,
    text: str = "",
) -> httpx.Response:
    """A request exactly as Rasa sends it: the slot candidates are the tracker's trailing slot events."""
    filled = {name: None for name in DOMAIN["slots"]} | {"requested_slot": None} | (slots or {})
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "inform", "confidence": 0.9}}},
    ]
    events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
    tracker = {
        "sender_id": sender,
        "slots": filled | (candidates or {}),
        "latest_message": {"text": text, "intent": {"name": "inform", "confidence": 0.9}, "entities": []},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": "petition_form"} if action.startswith("validate") else {},
        "latest_action_name": "action_listen",
    }
    body = {"next_action": action, "sender_id": sender, "tracker": tracker, "domain": DOMAIN,
            "version": rasa_sdk.__version__}
    return httpx.post(f"{base}/webhook", json=body, timeout=30)


def _slots(response: httpx.Response) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in response.json()["events"] if e["event"] == "slot"}


def _said(response: httpx.Response) -> str:
    return "\n".join(r.get("text") or "" for r in response.json()["responses"])


def test_the_server_lists_our_three_actions(server: str) -> None:
    names = {a["name"] for a in httpx.get(f"{server}/actions").json()}
    assert {"validate_petition_form", "action_submit_case", "action_case_status"} <= names


def test_a_complaint_is_read_once_category_place_and_restatement(server: str) -> None:
    text = "楼上邻居天天半夜装修，电钻声吵得我们全家睡不着，我住幸福里小区"
    response = _call(server, "validate_petition_form", "r1", candidates={"complaint": text}, text=text)
    assert response.status_code == 200
    slots = _slots(response)
    assert slots["complaint"] == text and slots["category"] == "dispute"
    assert (slots["street"], slots["community"], slots["grid"]) == ("QH01", "QH01-C01", "QH01-C01-G01")
    assert "矛盾纠纷" in _said(response) and "您反映的是" in _said(response)


def test_too_short_a_complaint_is_refused_with_a_prompt(server: str) -> None:
    response = _call(server, "validate_petition_form", "r1", candidates={"complaint": "投诉"}, text="投诉")
    assert _slots(response) == {"complaint": None}
    assert "请具体说说" in _said(response)


def test_a_category_in_words_is_normalised(server: str) -> None:
    response = _call(server, "validate_petition_form", "r1", slots={"complaint": "x"}, candidates={"category": "信访"})
    assert _slots(response)["category"] == "petition"


@pytest.mark.parametrize(("answer", "category"), [("person", "dispute"), ("物业公司", "dispute"), ("街道办不管", "petition"),
                                                  ("就是想问问怎么办", "service")])
def test_who_is_on_the_other_side_gives_the_category(server: str, answer: str, category: str) -> None:
    response = _call(server, "validate_petition_form", "r1", slots={"complaint": "x"}, candidates={"category": answer})
    assert _slots(response)["category"] == category


def test_street_by_name_and_a_full_address_at_the_street_question(server: str) -> None:
    by_name = _call(server, "validate_petition_form", "r1", candidates={"street": "白溪街道"})
    assert _slots(by_name) == {"street": "QH02"}
    by_address = _call(server, "validate_petition_form", "r1", candidates={"street": "幸福路120号"})
    slots = _slots(by_address)
    assert (slots["street"], slots["community"], slots["grid"]) == ("QH01", "QH01-C01", "QH01-C01-G02")


def test_two_misses_on_the_location_give_it_to_the_dispatcher(server: str) -> None:
    first = _call(server, "validate_petition_form", "r2", candidates={"street": "火星路"})
    assert _slots(first) == {"street": None, "location_tries": 1} and "没有在本区找到" in _said(first)
    second = _call(server, "validate_petition_form", "r2", slots={"location_tries": 1}, candidates={"street": "月亮湾"})
    slots = _slots(second)
    assert (slots["street"], slots["community"], slots["grid"], slots["address"]) == ("unknown", "unknown", "unknown", "月亮湾")
    assert "人工确定" in _said(second)


def test_community_and_grid_within_the_chosen_street(server: str) -> None:
    community = _call(server, "validate_petition_form", "r1", slots={"street": "QH02"}, candidates={"community": "桃源社区"})
    assert _slots(community) == {"community": "QH02-C02"}
    grid = _call(server, "validate_petition_form", "r1", slots={"street": "QH02", "community": "QH02-C02"},
                 candidates={"grid": "第2网格"})
    assert _slots(grid) == {"grid": "QH02-C02-G02"}


def test_phone_anonymity_and_a_bad_number(server: str) -> None:
    assert _slots(_call(server, "validate_petition_form", "r1", candidates={"phone": "13800138000"})) == {"phone": "13800138000"}
    anonymous = _call(server, "validate_petition_form", "r1", candidates={"phone": "匿名"})
    assert _slots(anonymous) == {"phone": "anonymous"} and "看不到您的身份" in _said(anonymous)
    assert _slots(_call(server, "validate_petition_form", "r1", candidates={"phone": "123"})) == {"phone": None}


def test_submitting_files_the_case_and_status_finds_it(server: str, database: str) -> None:
    slots = {"complaint": "楼上邻居天天半夜装修，电钻声吵得我们全家睡不着", "category": "dispute", "topic": "城乡建设",
             "street": "QH01", "community": "QH01-C01", "grid": "QH01-C01-G01", "phone": "anonymous"}
    filed = _call(server, "action_submit_case", "r3", slots=slots)
    assert filed.status_code == 200
    assert "已为您登记" in _said(filed) and "青禾街道幸福社区第1网格网格员" in _said(filed)
    events = _slots(filed)
    number = events["case_number"]
    assert number.startswith("MS-") and events["complaint"] is None and events["grid"] is None
    status = _call(server, "action_case_status", "r3", text="我的诉求到哪一步了")
    assert number in _said(status) and "当前状态：已派单" in _said(status)
    other = _call(server, "action_case_status", "someone-else", text=f"查询 {number}")
    assert "没有找到" in _said(other)
    assert asyncio.run(_statuses(database)) == {"dispatched": 1}


async def _statuses(url: str) -> dict[str, int]:
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        counts = await count_by_status(session)
    await engine.dispose()
    return counts


def test_an_unknown_action_is_a_404(server: str) -> None:
    assert _call(server, "action_does_not_exist", "r1").status_code == 404
