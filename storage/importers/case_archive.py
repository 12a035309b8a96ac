"""Reading historical case archives (CSV or JSONL) into import rows, every problem with its line.

Archives come out of Excel as often as out of scripts, so GB18030 is accepted beside UTF-8,
and categories may be written in Chinese.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.commands import ImportCase

COLUMNS = ("text", "category", "topic", "department", "grid", "created_at", "closed_at", "reply")
CATEGORY_NAMES = {"矛盾纠纷": "dispute", "便民服务": "service", "信访事项": "petition"}
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


@dataclass
class ParsedArchive:
    rows: list[ImportCase] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def read_archive(path: Path, *, closed: bool, actor: str, timezone: str = "Asia/Shanghai") -> ParsedArchive:
    text = _decode(path.read_bytes())
    records = _jsonl(text) if _is_jsonl(path, text) else _csv(text)
    result = ParsedArchive()
    tz = ZoneInfo(timezone)
    for line, record in records:
        if isinstance(record, str):
            result.problems.append((line, record))
            continue
        row, problems = _row(record, line, closed=closed, actor=actor, tz=tz)
        result.problems.extend((line, p) for p in problems)
        if row is not None:
            result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append((1, "文件中没有任何诉求记录"))
    return result


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("文件编码无法识别（请使用 UTF-8 或 GB18030）")


def _is_jsonl(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    return path.suffix.lower() != ".csv" and text.lstrip().startswith("{")


def _jsonl(text: str) -> Iterator[tuple[int, dict[str, object] | str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"不是有效的 JSON（{exc.msg}，第 {exc.colno} 列）"
            continue
        yield number, record if isinstance(record, dict) else "每行应为一个 JSON 对象"


def _csv(text: str) -> Iterator[tuple[int, dict[str, object] | str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, f"表头无法解析：{exc}"
        return
    if "text" not in header:
        yield 1, f"缺少必需的列 text（现有列：{', '.join(header) or '无'}）"
        return
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, f"CSV 格式错误：{exc}"
            return
        if any(v.strip() for v in values):
            if len(values) != len(header):
                yield start, f"列数为 {len(values)}，与表头的 {len(header)} 列不符"
            else:
                yield start, dict(zip(header, values, strict=True))
        start = reader.line_num + 1


def _row(
    record: dict[str, object], line: int, *, closed: bool, actor: str, tz: ZoneInfo
) -> tuple[ImportCase | None, list[str]]:
    problems: list[str] = []
    values = {k: _clean(record.get(k)) for k in COLUMNS}
    if not values["text"]:
        problems.append("诉求内容（text）为空")
    category = values["category"]
    category = CATEGORY_NAMES.get(category, category) if category else None
    dates = {}
    for name in ("created_at", "closed_at"):
        raw = values[name]
        dates[name] = _date(raw, tz) if raw else None
        if raw and dates[name] is None:
            problems.append(f"{name} 时间格式无法识别：{raw!r}")
    if problems:
        return None, problems
    return (
        ImportCase(
            actor=actor,
            text=values["text"] or "",
            closed=closed,
            category=category,
            topic=values["topic"],
            department=values["department"],
            grid_code=values["grid"],
            created_at=dates["created_at"],
            closed_at=dates["closed_at"],
            reply=values["reply"],
            line=line,
        ),
        [],
    )


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(raw: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = next((d for d in (_try(raw, f) for f in _DATE_FORMATS) if d), None)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _try(raw: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(raw, fmt)
    except ValueError:
        return None
