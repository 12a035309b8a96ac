"""辖区名录 over HTTP on the real web app, on SQLite and PostgreSQL: an upload with a bad row is refused
with every problem as 文件 第N行：原因 and nothing written; a good one is previewed (nothing written yet)
and 确认导入 loads exactly those files, logged; a missing file, an upload already loaded and a registry
changed since the preview are each refused with the reason."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from storage.audit_log import recent
from storage.importers import import_district, load_directory, validate_district
from storage.importers.registry import AREA
from tests.fakes.web_stack import WebStack
from tests.integration.test_admin_accounts import Admin, admin

pytestmark = pytest.mark.asyncio(loop_scope="module")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_district"
FIELDS = {"grids": "grids.geojson", "places": "places.csv", "departments": "departments.csv"}


@pytest_asyncio.fixture(loop_scope="module", scope="module", autouse=True)
async def uploads(stack: WebStack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    """Uploads kept in a scratch data directory; the signed-in clients closed at the end."""
    settings = stack.app.settings
    stack.app.settings = replace(settings, data_dir=tmp_path_factory.mktemp("data"))
    yield stack.app.settings.data_dir / "registry_uploads"
    stack.app.settings = settings
    for client in stack.__dict__.pop("clients", []):
        await client.aclose()


def sample(**changed: bytes) -> dict[str, tuple[str, bytes, str]]:
    """The sample district's three files as a browser posts them, some replaced by `changed`."""
    return {field: (name, changed.get(field, (SAMPLE / name).read_bytes()), "application/octet-stream")
            for field, name in FIELDS.items()}


async def upload(member: Admin, files: dict[str, Any], mode: str = "replace") -> Any:
    return await member.client.post("/console/admin/registry/preview", files=files,
                                     data={"csrf_token": member.csrf, "mode": mode})


def confirm_form(page: str) -> dict[str, str]:
    form = page[page.index('id="apply-form"'):]
    return dict(re.findall(r'name="(upload|mode|fingerprint)" value="([^"]*)"', form[:form.index("</form>")]))


async def registry(stack: WebStack) -> Any:
    async with stack.app.sessions() as session:
        return await load_directory(session)


def left(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.exists() else []


async def test_a_bad_row_is_refused_with_its_line_and_nothing_is_written(stack: WebStack, uploads: Path) -> None:
    member = await admin(stack)
    before = await registry(stack)
    places = (SAMPLE / "places.csv").read_bytes() + "新建小区,小区,QH09-C01-G01,,,,\n".encode()
    line = places.decode().count("\n")
    departments = (SAMPLE / "departments.csv").read_bytes().replace(b",grid,QH01-C01-G02,", b",grid,QH01-C01-G99,", 1)
    refused = await upload(member, sample(places=places, departments=departments))
    assert refused.status_code == 422
    problems = re.findall(r"<li>([^<]+)</li>", refused.text.split('id="problems"')[1].split("</section>")[0])
    assert len(problems) == 2 and "文件有 2 处问题，未导入任何数据" in refused.text
    assert problems[0] == f"places.csv 第{line}行：网格编码 QH09-C01-G01 不存在"
    assert problems[1].startswith("departments.csv 第") and "QH01-C01-G99" in problems[1]
    assert await registry(stack) == before and await recent(stack.app.sessions, AREA) == []
    assert left(uploads) == []  # a refused upload is not kept

    missing = sample()
    missing["departments"] = ("", b"", "application/octet-stream")
    answer = await upload(member, missing)
    assert answer.status_code == 422 and "请选择部门文件（CSV）" in answer.text


async def test_a_good_upload_is_previewed_then_loaded_as_it_was_previewed(stack: WebStack, uploads: Path) -> None:
    member = await admin(stack)
    before = await registry(stack)
    preview = await upload(member, sample())
    assert preview.status_code == 200
    assert "以下是预览，还没有写入任何数据" in preview.text and "网格：新增 36 个" in preview.text
    assert "个账号所属的部门或负责的网格将被删除" in preview.text and "clerk" in preview.text  # C-T01-C01 goes
    assert await registry(stack) == before and await recent(stack.app.sessions, AREA) == []
    form = confirm_form(preview.text)
    assert form["mode"] == "replace" and len(left(uploads)) == 1

    loaded = await member.post("/registry/apply", **form)
    assert loaded.status_code == 303 and loaded.headers["location"] == "/console/admin/registry?done=loaded"
    after = await registry(stack)
    assert after.grids == sorted(validate_district(*(SAMPLE / name for name in FIELDS.values())).grids,
                                 key=lambda g: g.code)
    page = (await member.get("/registry", done="loaded")).text
    assert "名录已导入" in page and "<dd>36 个</dd>" in page
    [entry] = await recent(stack.app.sessions, AREA)
    removed = entry.details["grids_removed"]
    assert (entry.actor, entry.action, removed) == ("root", "loaded", ["T01-C01-G01", "T01-C01-G02"])
    assert "导入名录" in page.split('id="audit"')[1] and "整体替换（grids.geojson、places.csv、departments.csv）" in page
    assert left(uploads) == []

    again = await member.post("/registry/apply", **form)
    assert again.status_code == 410 and "上传的文件已导入或已过期" in again.text
    same = await upload(member, sample())
    assert "与当前名录完全相同" in same.text and 'id="apply-form"' not in same.text and left(uploads) == []


async def test_a_registry_changed_since_the_preview_is_previewed_again(stack: WebStack, uploads: Path,
                                                                       tmp_path: Path) -> None:
    member = await admin(stack)
    renamed = (SAMPLE / "departments.csv").read_bytes().replace("区民政局".encode(), "区民政和退役军人事务局".encode())
    preview = await upload(member, sample(departments=renamed))
    assert "部门：更名 1 个" in preview.text
    form = confirm_form(preview.text)

    elsewhere = tmp_path / "departments.csv"  # another administrator loads first
    elsewhere.write_bytes((SAMPLE / "departments.csv").read_bytes().replace("区教育体育局".encode(), "区教育局".encode()))
    async with stack.app.sessions() as session:
        await import_district(session, SAMPLE / "grids.geojson", SAMPLE / "places.csv", elsewhere, actor="other",
                              now=stack.app.policies.clock.now())
    refused = await member.post("/registry/apply", **form)
    assert refused.status_code == 409 and "在您预览之后，名录已被他人更改" in refused.text
    assert "部门：更名 2 个" in refused.text  # 区教育局 goes back too, as the files say
    assert [e.actor for e in await recent(stack.app.sessions, AREA)][0] == "other"

    loaded = await member.post("/registry/apply", **confirm_form(refused.text))
    assert loaded.status_code == 303
    names = {d.code: d.name for d in (await registry(stack)).departments}
    assert names["QH-CIVIL"] == "区民政和退役军人事务局" and names["QH-EDUCATION"] == "区教育体育局"
