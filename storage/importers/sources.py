"""Bytes to rows with their line numbers: encoding and BOM checks, CSV records, GeoJSON features."""

import bisect
import codecs
import csv
import io
import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from storage.importers.problems import FEATURE, LINE, ImportProblem, Parsed

Record = tuple[int, dict[str, str]]
Feature = tuple[int, Any]

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_JSON_ERRORS = {
    "Expecting value": "此处应为一个值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "属性名必须用双引号括起来",
    "Unterminated string starting at": "字符串没有结束引号",
    "Invalid control character at": "字符串中有非法控制字符",
    "Extra data": "JSON 结束后还有多余内容",
}
_DECODER = json.JSONDecoder()
_STRAY_LINES = 5  # a few lines that are not UTF-8 are listed one by one, to be found and fixed
_SPACE = re.compile(r"[ \t\n\r]*")


def read_text(path: Path) -> tuple[str | None, list[ImportProblem]]:
    """UTF-8 text (a UTF-8 BOM, as Excel writes it, is accepted); otherwise every undecodable line."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [ImportProblem(name, 1, f"无法读取文件：{exc.strerror or exc}")]
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return None, [ImportProblem(name, 1, f"文件是 {encoding} 编码（带 BOM），请另存为 UTF-8")]
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        return None, [ImportProblem(name, 1, "文件为空")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        bad = [(number, line) for number, line in enumerate(data.split(b"\n"), start=1) if not _decodes(line, "utf-8")]
    if len(bad) > _STRAY_LINES:  # the whole file was saved in another encoding: one problem, not one a line
        number, line = bad[0]
        return None, [ImportProblem(name, number, f"整个文件{_encoding_message(line)}（共 {len(bad)} 行无法读取；"
                                                  "Excel 请选“另存为 → CSV UTF-8”）")]
    return None, [ImportProblem(name, number, _encoding_message(line)) for number, line in bad]


def csv_records(path: Path, required: Collection[str], optional: Collection[str]) -> Parsed[Record]:
    """Data rows keyed by column, each with the line it starts on; `#` lines before the header are
    comments. A header with a missing, unknown or repeated column stops the file there."""
    name = path.name
    text, problems = read_text(path)
    parsed: Parsed[Record] = Parsed(problems=problems)
    if text is None:
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    next_line = 1
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in row) or (not header and row[0].lstrip().startswith("#")):
                continue
            if not header:
                header = [cell.strip() for cell in row]
                parsed.problems += _header_problems(name, line, header, required, optional)
                if parsed.problems:
                    return parsed
            elif len(row) != len(header):
                parsed.problems.append(ImportProblem(name, line, f"本行有 {len(row)} 列，表头有 {len(header)} 列"))
            else:
                parsed.items.append((line, {col: cell.strip() for col, cell in zip(header, row, strict=True)}))
    except csv.Error as exc:
        parsed.problems.append(ImportProblem(name, next_line, f"CSV 格式错误：{exc}"))
    if not header:
        parsed.problems.append(ImportProblem(name, 1, "没有表头"))
    elif not parsed.items and not parsed.problems:
        parsed.problems.append(ImportProblem(name, next_line - 1, "只有表头，没有数据行"))
    return parsed


def geojson_features(path: Path) -> tuple[Parsed[Feature], str]:
    """The features of a FeatureCollection, each with the line it starts on, and the unit of
    those numbers: 行, or 个要素 (1-based index) when features do not start on distinct lines."""
    name = path.name
    text, problems = read_text(path)
    parsed: Parsed[Feature] = Parsed(problems=problems)
    if text is None:
        return parsed, LINE
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = next((zh for en, zh in _JSON_ERRORS.items() if exc.msg.startswith(en)), exc.msg)
        parsed.problems.append(ImportProblem(name, exc.lineno, f"JSON 格式错误（第 {exc.colno} 列）：{reason}"))
        return parsed, LINE
    except (ValueError, RecursionError):  # a number of thousands of digits, or absurd nesting
        parsed.problems.append(ImportProblem(name, 1, "JSON 无法解析（数字过长或嵌套过深）"))
        return parsed, LINE
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        parsed.problems.append(ImportProblem(name, 1, "顶层应为 GeoJSON FeatureCollection"))
        return parsed, LINE
    features = document.get("features")
    if not isinstance(features, list) or not features:
        parsed.problems.append(ImportProblem(name, 1, "features 应为非空数组"))
        return parsed, LINE
    lines = _start_lines(text)
    if len(set(lines)) < len(lines):
        return Parsed(list(enumerate(features, start=1))), FEATURE
    return Parsed(list(zip(lines, features, strict=True))), LINE


def _start_lines(text: str) -> list[int]:
    """Line of each element of the top-level "features" array, scanning the (valid) JSON once."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    starts: list[int] = []
    pos = _skip(text, _skip(text, 0) + 1)
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)
        if key == "features":
            starts = []
            pos = _skip(text, pos + 1)
            while text[pos] != "]":
                starts.append(bisect.bisect_left(newlines, pos) + 1)
                pos = _after_value(text, pos)
            pos = _skip(text, pos + 1)
        else:
            pos = _after_value(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return starts


def _after_value(text: str, pos: int) -> int:
    _, end = _DECODER.raw_decode(text, pos)
    end = _skip(text, end)
    return _skip(text, end + 1) if text[end] == "," else end


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _header_problems(
    name: str, line: int, header: list[str], required: Collection[str], optional: Collection[str]
) -> list[ImportProblem]:
    problems = []
    missing = [col for col in required if col not in header]
    unknown = [col for col in header if col not in required and col not in optional]
    repeated = sorted({col for col in header if header.count(col) > 1})
    if missing:
        problems.append(ImportProblem(name, line, f"表头缺少列：{', '.join(missing)}"))
    if unknown:
        allowed = ", ".join([*required, *optional])
        problems.append(ImportProblem(name, line, f"表头有未知列：{', '.join(unknown)}（可用的列：{allowed}）"))
    if repeated:
        problems.append(ImportProblem(name, line, f"表头有重复列：{', '.join(repeated)}"))
    return problems


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_message(line: bytes) -> str:
    if _decodes(line, "gb18030"):
        return "不是 UTF-8 编码（看起来是 GBK/GB18030），请另存为 UTF-8"
    return "不是 UTF-8 编码，请另存为 UTF-8"
