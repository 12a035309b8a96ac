"""模型管理 over HTTP on the real web app: only administrators open it, every form carries the CSRF
token, a retrain runs in the background (one at a time, across workers too) and ends promoted with
its figures, confusion heat maps and misread cases, a version is enabled only with a reason, and
every change is in the audit log."""

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.retraining import one_at_a_time
from nlu.registry import ModelRegistry
from storage.audit_log import recent
from tests.fakes.model_archive import archive_seen_cases, archive_unseen_cases, seed_model
from tests.fakes.web_stack import WebStack, web_stack
from tests.integration.test_staff_pages import Staff, sign_in

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BOTH = pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                               indirect=True)  # the audit log's JSON and the retrain lease differ by database
MODELS = "/console/admin/models"


class Admin(Staff):
    """A signed-in member on the admin pages (Staff's paths are the workbench's)."""

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.client.get(MODELS + path, params=params)

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.client.post(MODELS + path, data={"csrf_token": self.csrf, **form})


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_model(tmp_path_factory.mktemp("seed-model") / "models")


@pytest.fixture
async def stack(db_url: str, trained: Path, tmp_path: Path) -> AsyncIterator[WebStack]:
    """The web app reading a copy of the seed model, so promotions stay in this test."""
    models = tmp_path / "models"
    shutil.copytree(trained, models)
    async with web_stack(db_url) as running:
        running.app.settings = replace(running.app.settings, models_dir=models)
        yield running
        for client in running.__dict__.pop("clients", []):
            await client.aclose()


async def admin(stack: WebStack, name: str = "admin") -> Admin:
    signed = await sign_in(stack, name, "admin")
    return Admin(signed.client, signed.csrf)


async def finished(member: Admin) -> dict:
    """The status the page polls, once the retrain has ended."""
    for _ in range(600):
        status = (await member.get("/retrain.json")).json()
        if not status["running"]:
            return status
        await asyncio.sleep(0.1)
    raise AssertionError("the retrain did not end within a minute")


def versions(stack: WebStack) -> list[str]:
    return [v.name for v in ModelRegistry(stack.app.settings.models_dir).list_versions()]


@SQLITE
async def test_only_administrators_open_the_models_pages(stack: WebStack) -> None:
    [seed] = versions(stack)
    for role, department in (("clerk", "C-T01-C01"), ("dispatcher", None), ("supervisor", None)):
        member = await sign_in(stack, role, role, department)
        other = Admin(member.client, member.csrf)
        assert (await other.get("")).status_code == 403
        assert (await other.get(f"/{seed}")).status_code == 403
        assert (await other.get("/retrain.json")).status_code == 403
        assert (await other.post("/retrain")).status_code == 403
        refused = await other.post(f"/{seed}/activate", reason="想换")
        assert refused.status_code == 403 and "没有管理模型的权限" in refused.text
        assert "模型管理" not in (await member.get("/search")).text  # not in their menu either
    async with httpx.AsyncClient(base_url=stack.url) as anonymous:
        assert (await anonymous.get(MODELS, follow_redirects=False)).status_code in (302, 303)

    page = await (await admin(stack)).get("")
    assert page.status_code == 200
    assert '<a href="/console/admin/models" aria-current="page">模型管理</a>' in page.text
    assert "尚无真实数据评估" in page.text and "种子语料" in page.text
    assert await recent(stack.app.sessions, "models") == []  # reading changes nothing


@SQLITE
async def test_forms_without_the_session_token_are_refused(stack: WebStack) -> None:
    [seed] = versions(stack)
    member = await admin(stack)
    for path, form in (("/retrain", {}), (f"/{seed}/activate", {"reason": "测试"})):
        refused = await member.client.post(MODELS + path, data={"csrf_token": "forged", **form})
        assert refused.status_code == 403 and "页面已过期" in refused.text
    assert (await member.get("/retrain.json")).json() == {"running": False}
    assert await recent(stack.app.sessions, "models") == []


@BOTH
async def test_a_retrain_ends_promoted_and_a_rollback_needs_a_reason(stack: WebStack, tmp_path: Path) -> None:
    numbers = await archive_seen_cases(stack.app, tmp_path)
    [seed] = versions(stack)
    member = await admin(stack)

    started = await member.post("/retrain")
    assert started.status_code == 303
    status = await finished(member)
    assert status["promoted"] is True and "已启用" in status["outcome"], status
    assert any(line.startswith("已归档且有标注的诉求：80 条") for line in status["log"])
    assert any(line.startswith("类别分类器：用 ") for line in status["log"])
    seed_again, new = versions(stack)
    assert seed_again == seed and ModelRegistry(stack.app.settings.models_dir).active_version() == new

    page = (await member.get("")).text
    assert "重新训练完成，新版本第 2 版" in page and "已启用" in page
    row = page[page.index(f'data-version="{new}"'):]
    assert "80 条诉求" in row[:row.index("</tr>")] and "使用中" in row[:row.index("</tr>")]

    detail = await member.get(f"/{new}")
    assert detail.status_code == 200
    assert detail.text.count('class="chart heatmap"') == 2  # one per classifier
    assert "类别混淆矩阵" in detail.text and "主题混淆矩阵" in detail.text
    assert "本版训练时留出、未参与训练的" in detail.text and "矛盾纠纷" in detail.text  # labels in words
    assert "<script" not in detail.text.split("<svg")[1].split("</svg>")[0]
    for number in re.findall(r'href="/console/work/cases/([^"]+)"', detail.text):  # misread cases link home
        assert number in numbers

    no_reason = await member.post(f"/{seed}/activate", reason="  ")
    assert no_reason.status_code == 400 and "请填写启用第 1 版" in no_reason.text
    assert ModelRegistry(stack.app.settings.models_dir).active_version() == new

    back = await member.post(f"/{seed}/activate", reason="新版本把物业纠纷判成便民服务")
    assert back.status_code == 303
    assert ModelRegistry(stack.app.settings.models_dir).active_version() == seed
    again = await member.post(f"/{seed}/activate", reason="再点一次")
    assert again.status_code == 409 and "已在使用中" in again.text

    logged = await recent(stack.app.sessions, "models")
    assert [(e.action, e.subject, e.actor) for e in logged] == [
        ("rolled_back", seed, "admin"), ("retrain_promoted", new, "admin"), ("retrain_started", None, "admin")]
    assert logged[0].reason == "新版本把物业纠纷判成便民服务" and logged[0].details == {"from": new}
    audit = (await member.get("")).text
    audit = audit[audit.index('id="audit"'):]
    assert "回滚到旧版本" in audit and "新版本把物业纠纷判成便民服务" in audit and "原为第 2 版" in audit
    assert audit.index("回滚到旧版本") < audit.index("再训练完成，新版本已启用") < audit.index("启动再训练")


@BOTH
async def test_one_retrain_at_a_time(stack: WebStack, tmp_path: Path) -> None:
    await archive_seen_cases(stack.app, tmp_path)
    member = await admin(stack)
    async with one_at_a_time(stack.app.settings.database_url) as ours:  # another worker is retraining
        assert ours
        elsewhere = await member.post("/retrain")
    assert elsewhere.status_code == 409 and "已有一次重新训练正在进行" in elsewhere.text
    assert len(versions(stack)) == 1

    assert (await member.post("/retrain")).status_code == 303
    second = await (await admin(stack, "admin2")).post("/retrain")
    assert second.status_code == 409 and "已有一次重新训练正在进行" in second.text
    await finished(member)
    assert len(versions(stack)) == 2
    actions = [e.action for e in await recent(stack.app.sessions, "models")]
    assert actions == ["retrain_promoted", "retrain_started"]


@SQLITE
async def test_too_few_cases_end_without_a_version(stack: WebStack) -> None:
    member = await admin(stack)
    assert (await member.post("/retrain")).status_code == 303
    status = await finished(member)
    assert status["promoted"] is None and "太少" in status["outcome"]
    page = (await member.get("")).text
    assert "重新训练未完成" in page and len(versions(stack)) == 1
    [ended, _] = await recent(stack.app.sessions, "models")
    assert ended.action == "retrain_failed" and "太少" in (ended.reason or "")


@SQLITE
async def test_two_versions_compared_on_cases_neither_learned_from(stack: WebStack, tmp_path: Path) -> None:
    await archive_seen_cases(stack.app, tmp_path)
    member = await admin(stack)
    assert (await member.post("/retrain")).status_code == 303
    await finished(member)
    seed, new = versions(stack)
    assert "没有两个版本都未训练过的类别标注诉求" in (await member.get("/compare", first=seed, second=new)).text

    unseen = await archive_unseen_cases(stack.app, tmp_path)
    page = await member.get("/compare", first=seed, second=new)
    assert page.status_code == 200
    assert "版本比较：第 1 版" in page.text and f"在 {len(unseen)} 条诉求中，两版判断不同的有" in page.text
    for number in re.findall(r'href="/console/work/cases/([^"]+)"', page.text):
        assert number in unseen  # only cases neither version learned from
    same = await member.get("/compare", first=new, second=new)
    assert same.status_code == 400 and "请选择两个不同的版本" in same.text
    assert (await member.get("/compare", first=seed, second="0099-20260101T000000Z")).status_code == 404
    models_page = (await member.get("")).text
    assert 'action="/console/admin/models/compare"' in models_page
