"""The terminal channel never cuts a case number across lines (issue 17: 「MS-20261204-」/「0001」)."""

import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from bot.cli import chat
from flows.messages import Reply

NUMBER = re.compile(r"MS-\d{8}-\d{4}")
FILED = ("已为您登记，诉求编号 MS-20261206-0001。\n已派至青禾街道幸福社区第1网格网格员，将于2026年12月7日前签收，"
         "办理时限为 15 天。")
PUSH = "【通知】您的诉求 MS-20261206-0012 已由 青禾街道幸福社区居委会 签收，正在安排办理。"


@pytest.mark.parametrize("width", range(20, 61, 3))
@pytest.mark.parametrize("text", [FILED, PUSH])
def test_a_case_number_stays_on_one_line_at_any_terminal_width(monkeypatch, width, text):
    terminal = Console(width=width, force_terminal=True, record=True, color_system=None)
    monkeypatch.setattr(chat, "console", terminal)
    chat.print_reply(Reply(text))
    lines = terminal.export_text().splitlines()
    assert all(cell_len(line) <= width for line in lines)  # wrapped by us, so the terminal never cuts a line
    assert [m.group() for line in lines for m in NUMBER.finditer(line)] == NUMBER.findall(text)
