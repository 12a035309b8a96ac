"""Importing a historical archive: all rows or none, every problem reported by its line."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.bootstrap import App
from handlers.errors import ImportRejected
from handlers.lifecycle import import_cases
from handlers.status import Status
from storage.importers.case_archive import read_archive
from storage.models import CaseCounterRow, CaseEventRow, CaseRow
from tests.support import seed_registry

ROWS = [
    {"text": "楼上漏水到我家，物业不管", "category": "dispute", "topic": "城乡建设",
     "department": "W-T01-C01-G01", "grid": "T01-C01-G01", "created_at": "2025-03-01 09:30:00",
     "closed_at": "2025-03-05 17:00:00", "reply": "已协调楼上维修"},
    {"text": "咨询灵活就业社保怎么交", "category": "便民服务", "topic": "劳动和社会保障"},
    {"text": "工厂夜里排放刺鼻废气", "topic": "环境保护", "created_at": "2025/03/02"},
]


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


async def counts(app: App) -> list[int]:
    async with app.sessions() as session:
        return [
            (await session.execute(select(func.count()).select_from(t))).scalar_one()
            for t in (CaseRow, CaseEventRow, CaseCounterRow)
        ]


async def test_closed_archive_is_filed_as_history(app: App, tmp_path: Path) -> None:
    await seed_registry(app.sessions)
    archive = read_archive(write_jsonl(tmp_path / "a.jsonl", ROWS), closed=True, actor="admin")
    assert archive.problems == []
    numbers = await import_cases(archive.rows, app.uow(), app.policies)
    assert numbers[0] == "MS-20250301-0001" and numbers[2] == "MS-20250302-0001"
    async with app.uow() as uow:
        first = await uow.cases.get(numbers[0])
        second = await uow.cases.get(numbers[1])
    assert first.status is Status.CLOSED and first.classification_confirmed
    assert (first.department, first.community, first.reply) == ("W-T01-C01-G01", "试验社区", "已协调楼上维修")
    assert first.closed_at is not None and first.closed_at.isoformat().startswith("2025-03-05T09:00")
    assert second.category == "service" and [e.kind for e in second.events] == ["imported"]


async def test_open_archive_rows_are_routed(app: App, tmp_path: Path) -> None:
    await seed_registry(app.sessions)
    archive = read_archive(write_jsonl(tmp_path / "a.jsonl", ROWS[:1]), closed=False, actor="admin")
    [number] = await import_cases(archive.rows, app.uow(), app.policies)
    async with app.uow() as uow:
        case = await uow.cases.get(number)
    assert case.status is Status.DISPATCHED


async def test_one_bad_row_reports_its_line_and_writes_nothing(app: App, tmp_path: Path) -> None:
    await seed_registry(app.sessions)
    await import_cases(read_archive(write_jsonl(tmp_path / "ok.jsonl", ROWS), closed=True, actor="a").rows,
                       app.uow(), app.policies)
    before = await counts(app)
    bad = [*ROWS, {"text": "小区门口垃圾没人清", "department": "NO-SUCH"}]
    archive = read_archive(write_jsonl(tmp_path / "bad.jsonl", bad), closed=True, actor="a")
    with pytest.raises(ImportRejected) as rejected:
        await import_cases(archive.rows, app.uow(), app.policies)
    assert rejected.value.problems == [(4, "部门 'NO-SUCH' 不存在")]
    assert "第 4 行" in rejected.value.message and "未写入任何数据" in rejected.value.message
    assert await counts(app) == before


@pytest.mark.parametrize(
    ("content", "suffix", "line", "fragment"),
    [
        ('{"text": "a"}\n{"text": "b"\n', ".jsonl", 2, "不是有效的 JSON"),
        ('{"text": "a"}\n["b"]\n', ".jsonl", 2, "JSON 对象"),
        ("text,category\n好的,dispute\n\"多行\n内容\",bogus,extra\n", ".csv", 3, "列数为 3"),
        ("content\n路灯坏了\n", ".csv", 1, "缺少必需的列 text"),
        ("text,created_at\n路灯坏了,去年春天\n", ".csv", 2, "时间格式无法识别"),
        ("text,topic\n\"\",城乡建设\n", ".csv", 2, "为空"),
    ],
)
def test_archive_problems_name_the_line(tmp_path: Path, content: str, suffix: str, line: int, fragment: str) -> None:
    path = tmp_path / f"archive{suffix}"
    path.write_text(content, encoding="utf-8")
    problems = read_archive(path, closed=True, actor="a").problems
    assert any(n == line and fragment in msg for n, msg in problems), problems


def test_gb18030_csv_from_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("text,category\n噪音扰民，晚上睡不着,矛盾纠纷\n".encode("gb18030"))
    archive = read_archive(path, closed=True, actor="a")
    assert archive.problems == [] and archive.rows[0].category == "dispute"
