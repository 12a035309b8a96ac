"""What is wrong with a registry file, by file and line, so a clerk can fix every row in one pass."""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

LINE = "行"
FEATURE = "个要素"


@dataclass(frozen=True)
class ImportProblem:
    """One bad row. `unit` is 行 (a line of the file) or 个要素 (a feature's 1-based index, used
    when a GeoJSON file does not put its features on separate lines)."""

    file: str
    line: int
    message: str
    unit: str = LINE

    def __str__(self) -> str:
        return f"{self.file} 第{self.line}{self.unit}：{self.message}"


class ImportFailed(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Parsed(Generic[T]):
    """A file read as far as it goes: the rows it yields and the problems it has.

    `items` may include rows from bad lines (so other files are checked against every code the
    file declares); only `ok()` hands them out, and only when there is no problem.
    """

    items: list[T] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def ok(self) -> list[T]:
        if self.problems:
            raise ImportFailed(self.problems)
        return self.items
