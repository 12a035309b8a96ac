"""Where staff commands write: a terminal gets Rich tables; a pipe or a file gets whole lines.

A console that wraps at the terminal's width breaks phrases and case numbers in two when the
output goes to `grep`, a log or a test, so off a terminal nothing is wrapped and listings are
printed one row per line (tab-separated, or CSV / JSON on request).
"""

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum

import typer
from rich.console import Console, ConsoleDimensions
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

UNWRAPPED_WIDTH = 1_000_000  # off a terminal: wide enough that no line of ours is ever folded


class StaffConsole(Console):
    """Rich's console, except that off a terminal lines run to their end instead of wrapping
    at COLUMNS (or 80): the width is read at every print, so a redirected stdout counts."""

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr, soft_wrap=True)

    @property
    def size(self) -> ConsoleDimensions:
        if self.is_terminal:
            return super().size
        return ConsoleDimensions(UNWRAPPED_WIDTH, super().size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


class Format(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"


FORMAT_OPTION = typer.Option(
    None, "--format", "-f", help="输出格式：table 表格 / tsv 制表符分隔 / csv / json（默认：终端显示表格，管道或文件逐行输出 tsv）"
)


@dataclass(frozen=True)
class Column:
    key: str  # the JSON field name
    label: str  # the header staff read


@dataclass
class Listing:
    """Rows of a staff listing, rendered by `print_listing` in whatever form the reader needs."""

    title: str
    columns: Sequence[Column]
    rows: list[list[str | Text]] = field(default_factory=list)
    empty: str = "没有符合条件的记录"

    def add(self, *cells: str | Text) -> None:
        self.rows.append(list(cells))


def print_listing(console: Console, listing: Listing, chosen: Format | None = None) -> None:
    form = chosen or (Format.table if console.is_terminal else Format.tsv)
    plain = [[cell.plain if isinstance(cell, Text) else cell for cell in row] for row in listing.rows]
    if form is Format.table:
        console.print(_table(listing))
    elif form is Format.json:
        records = [{c.key: value for c, value in zip(listing.columns, row, strict=True)} for row in plain]
        _write(console, json.dumps(records, ensure_ascii=False, indent=2))
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n", **({"delimiter": "\t"} if form is Format.tsv else {}))
        writer.writerow([c.label for c in listing.columns])
        writer.writerows([[_one_line(value) for value in row] if form is Format.tsv else row for row in plain])
        _write(console, buffer.getvalue().rstrip("\n"))


def _write(console: Console, text: str) -> None:
    """Straight to the stream: Rich would expand the tabs of a TSV into spaces."""
    console.file.write(text + "\n")
    console.file.flush()


def _one_line(value: str) -> str:
    return " ".join(value.split()) if "\n" in value or "\t" in value or "\r" in value else value


def _table(listing: Listing) -> Table:
    table = Table(title=listing.title, title_justify="left")
    for column in listing.columns:
        table.add_column(column.label, no_wrap=column.key == "number")
    for row in listing.rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in row))
    if not listing.rows:
        table.caption = listing.empty
    return table


@contextmanager
def job_progress(console: Console, title: str) -> Iterator[Callable[[str, float], None]]:
    """A progress bar for a long job that reports (what it is doing, share done): the step in
    words, a percentage and Rich's estimate of the time left. Safe to report from a worker thread."""
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TextColumn("预计还需"), TimeRemainingColumn(), console=console, transient=True)
    task = bar.add_task(title, total=1.0)
    with bar:
        yield lambda what, done: bar.update(task, description=f"{title}：{what}", completed=done)
