"""schemathesis against the whole web app's OpenAPI schema: generated (and deliberately malformed)
requests to every operation, and no server error from any of them. Open311 answers must also
match their documented shapes."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from bot.open311 import service_code
from bot.web.app import create_web_app, web_deps
from tests.fakes.web_stack import WebStack, web_stack

KEY = "k-schemathesis-0001"
VALID_CODES = [service_code("dispute", "城乡建设"), service_code("petition", "劳动和社会保障")]
EXAMPLES = 15


@pytest.fixture
async def stack(sqlite_template: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WebStack]:
    monkeypatch.setenv("MINSHENG_OPEN311_KEYS", f"fuzz:{KEY}")
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    (tmp_path / "schema.db").write_bytes(sqlite_template.read_bytes())
    async with web_stack(url) as running:
        yield running


def with_a_real_key(strategy: Any) -> Any:
    """Filings that get past the key check, most of them for a service that exists, with whatever
    else was generated plus the text and place a filing needs."""

    def fill(pair: tuple[Any, str | None]) -> Any:
        case, code = pair
        if isinstance(case.body, dict):
            case.body["api_key"] = KEY
            if code is not None:
                case.body["service_code"] = code
                if not str(case.body.get("description") or "").strip():
                    case.body["description"] = "路灯坏了"
                case.body.setdefault("address_string", "幸福路 1 号")
        return case

    return st.tuples(strategy, st.sampled_from([*VALID_CODES, *VALID_CODES, None])).map(fill)


def exercise(schema: Any, base_url: str) -> list[str]:
    """Run every operation in both generation modes; returns the operations exercised."""
    exercised = []
    for result in schema.get_all_operations():
        operation = result.ok()
        open311 = operation.path.startswith("/open311/")
        checks = [not_a_server_error, *([status_code_conformance] if open311 else [])]
        run(operation.as_strategy(GenerationMode.POSITIVE), base_url, checks, conform=open311)
        try:
            run(operation.as_strategy(GenerationMode.NEGATIVE), base_url, checks, conform=False)
        except Unsatisfiable:
            pass  # nothing to get wrong: the operation takes no parameters
        if open311 and operation.method.upper() == "POST":
            run(with_a_real_key(operation.as_strategy(GenerationMode.POSITIVE)), base_url, checks, conform=True)
        exercised.append(f"{operation.method.upper()} {operation.path}")
    return exercised


def run(strategy: Any, base_url: str, checks: list[Any], conform: bool) -> None:
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call(base_url=base_url, allow_redirects=False)
        extra = [response_schema_conformance] if conform and response.status_code < 300 else []
        case.validate_response(response, checks=checks + extra)

    check()


async def test_no_operation_answers_with_a_server_error(stack: WebStack) -> None:
    web = create_web_app(web_deps(stack.app, stack.dialogue, stack.store, stack.hub))
    schema = schemathesis.openapi.from_dict(web.openapi())
    exercised = await asyncio.to_thread(exercise, schema, stack.url)
    assert {"GET /open311/v2/services.json", "POST /open311/v2/requests.json",
            "GET /open311/v2/requests/{service_request_id}.json"} <= set(exercised)
    async with stack.app.uow() as uow:
        filed = await uow.cases.find(channel="open311", limit=1000)
    assert filed, "no generated filing got through, so the filing path was not exercised"
