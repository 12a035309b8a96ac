"""The staff CLI as a clerk runs it: a fresh SQLite database, the sample district, real processes."""

import asyncio
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.web.accounts import authenticate
from storage.db import make_engine, session_factory

ROOT = Path(__file__).resolve().parents[2]
MINSHENG = str(Path(sys.executable).with_name("minsheng"))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("cli") / "minsheng.db"
    environment = {**os.environ, "MINSHENG_DATABASE_URL": f"sqlite:///{db}", "MINSHENG_STAFF": "王科员"}
    for args in (["db", "upgrade", "--skip-model"], ["district", "load"]):
        subprocess.run([MINSHENG, *args], env=environment, cwd=ROOT, check=True, capture_output=True)
    return environment


def minsheng(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MINSHENG, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def numbers(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    archive = tmp_path_factory.mktemp("archive") / "cases.csv"
    archive.write_text(
        "text,category,topic,grid\n"
        "楼上邻居半夜装修<script>alert(1)</script>,dispute,城乡建设,QH01-C01-G01\n"
        "小区门口路灯坏了一个月,service,城乡建设,QH01-C01-G02\n",
        encoding="utf-8",
    )
    result = minsheng(env, "cases", "import", str(archive))
    assert result.returncode == 0, result.stderr
    assert "已导入 2 条待办诉求" in result.stdout
    listed = minsheng(env, "case", "list")
    return sorted(line.split("\t")[0] for line in listed.stdout.splitlines() if "MS-" in line)


@pytest.mark.parametrize("columns", ["20", "80", "250"])
def test_piped_listings_keep_every_row_on_one_line_whatever_the_terminal_width(
    env: dict[str, str], numbers: list[str], columns: str
) -> None:
    narrow = {**env, "COLUMNS": columns}
    listed = minsheng(narrow, "case", "list").stdout.splitlines()
    assert listed[0].split("\t")[:3] == ["编号", "状态", "类别"]
    rows = [line.split("\t") for line in listed[1:]]
    assert sorted(row[0] for row in rows) == numbers
    assert all(re.fullmatch(r"MS-\d{8}-\d{4}", row[0]) and len(row) == 7 for row in rows)
    as_csv = list(csv.reader(minsheng(narrow, "case", "list", "--format", "csv").stdout.splitlines()))
    assert sorted(row[0] for row in as_csv[1:]) == numbers and "楼上邻居半夜装修" in as_csv[1][6] + as_csv[2][6]
    as_json = json.loads(minsheng(narrow, "queue", "W-QH01-C01-G01", "--format", "json").stdout)
    assert [record["number"] for record in as_json] == numbers[:1] and as_json[0]["status"] == "已派单"
    missing = minsheng(narrow, "case", "show", "MS-20991231-9999")
    assert "未找到诉求编号 MS-20991231-9999，请核对后再试。" in missing.stderr


def test_import_list_and_work_a_case(env: dict[str, str], numbers: list[str]) -> None:
    first = numbers[0]
    queue = minsheng(env, "queue", "W-QH01-C01-G01")
    assert first in queue.stdout and "已派单" in queue.stdout
    for args, said in (
        (("case", "accept", first), "已签收"),
        (("case", "note", first, "已上门了解情况"), "办理中"),
        (("case", "resolve", first, "--reply", "已调解，双方达成一致"), "已办结"),
    ):
        result = minsheng(env, *args)
        assert result.returncode == 0 and said in result.stdout, result.stdout + result.stderr
    shown = minsheng(env, "case", "show", first)
    for fragment in ("群众原话", "<script>alert(1)</script>", "办理记录", "签收", "王科员", "给群众的回复"):
        assert fragment in shown.stdout, fragment


def test_illegal_action_is_refused_in_chinese(env: dict[str, str], numbers: list[str]) -> None:
    result = minsheng(env, "case", "resolve", numbers[1], "--reply", "好了")
    assert result.returncode == 1
    assert "当前状态为「已派单」，不能办结" in result.stderr


def test_return_needs_a_listed_reason(env: dict[str, str], numbers: list[str]) -> None:
    result = minsheng(env, "case", "return", numbers[1], "--reason", "不想办")
    assert result.returncode == 1 and "属地不符" in result.stderr
    result = minsheng(env, "case", "return", numbers[1], "--reason", "职能不符", "--note", "应由城管处理")
    assert result.returncode == 0 and "已退回" in result.stdout
    # back at the dispatcher, the case can be placed again before it goes out
    result = minsheng(env, "case", "locate", numbers[1], "QH09-C09-G09")
    assert result.returncode == 1 and "没有编号为 QH09-C09-G09 的网格" in result.stderr
    result = minsheng(env, "case", "locate", numbers[1], "QH01-C01-G03")
    assert result.returncode == 0 and "网格已更正" in result.stdout, result.stdout + result.stderr


def test_bad_archive_row_is_reported_and_nothing_imported(
    env: dict[str, str], numbers: list[str], tmp_path: Path
) -> None:
    archive = tmp_path / "bad.jsonl"
    archive.write_text('{"text": "噪音扰民"}\n{"text": "垃圾", "grid": "QH09-C09-G09"}\n', encoding="utf-8")
    before = minsheng(env, "case", "list", "-n", "1000").stdout
    result = minsheng(env, "cases", "import", str(archive), "--closed")
    assert result.returncode == 1
    assert "第 2 行" in result.stderr and "网格 'QH09-C09-G09' 不存在" in result.stderr
    assert minsheng(env, "case", "list", "-n", "1000").stdout == before


def test_unknown_case_and_department(env: dict[str, str]) -> None:
    assert "未找到诉求编号" in minsheng(env, "case", "show", "MS-20000101-0001").stderr
    assert "未找到部门" in minsheng(env, "queue", "NOPE").stderr


def test_invalid_config_and_unreachable_database(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "config.toml"
    broken.write_text("[district\nname = 1", encoding="utf-8")
    result = minsheng(env, "--config", str(broken), "case", "list")
    assert result.returncode == 2 and "格式错误" in result.stderr
    down = {**env, "MINSHENG_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = minsheng(down, "case", "list")
    assert result.returncode == 3 and "无法连接数据库" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_first_start_creates_one_admin_whose_password_signs_in(env: dict[str, str]) -> None:
    first = minsheng(env, "staff", "init")
    assert first.returncode == 0, first.stderr
    password = re.search(r"初始密码 (\S+)", first.stdout).group(1)  # type: ignore[union-attr]
    assert "/console/login" in first.stdout and len(password) >= 12
    again = minsheng(env, "staff", "init")
    assert "已有 1 个工作人员账号" in again.stdout and password not in again.stdout

    async def signs_in(secret: str) -> str | None:
        engine = make_engine(env["MINSHENG_DATABASE_URL"])
        try:
            member = await authenticate(session_factory(engine), "admin", secret)
        finally:
            await engine.dispose()
        return member.role if member else None

    assert asyncio.run(signs_in(password)) == "admin"
    assert asyncio.run(signs_in(password + "x")) is None


def test_a_database_never_upgraded_asks_for_db_upgrade(env: dict[str, str], tmp_path: Path) -> None:
    fresh = {**env, "MINSHENG_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    result = minsheng(fresh, "case", "list")
    assert result.returncode == 3 and "minsheng db upgrade" in result.stderr
