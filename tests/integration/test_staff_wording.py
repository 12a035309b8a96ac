"""The department pages say who, where from and which model in words (issue 17): no actor id, channel
code or model stamp reaches staff, the dashboard's axis spans its data with 本周 labelled, grid labels
say the community once, short handling times read in minutes, and the workbench links to the console."""

import re
from dataclasses import replace

import pytest
from rich.console import Console
from sqlalchemy import update

from bot.cli.render import case_file
from bot.web.staff.queues import departments_by_code
from handlers import commands as c
from handlers.deadlines import Duration
from storage.models import GridRow
from tests.fakes.web_stack import WebStack
from tests.integration.test_staff_pages import clock, filing, sign_in, stack  # noqa: F401 - fixtures
from tests.support import FakeClock

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
LEAKS = re.compile(r"resident:|staff:|\bsystem\b|T\d{6}Z|来源\s*web|>\s*web\s*<|\d+\.\d 小时")
MODEL = "0001-20261127T010000Z"  # 09:00 in Shanghai


def leaks(html: str) -> list[str]:
    return LEAKS.findall(html)


async def test_pages_word_actors_channels_and_models(stack: WebStack, clock: FakeClock) -> None:  # noqa: F811
    bus = stack.app.bus
    async with stack.app.sessions() as session:
        await session.execute(update(GridRow).where(GridRow.code == "T01-C01-G01").values(name="试验社区一网格"))
        await session.commit()
    resident = replace(filing(), actor="resident:web:web:9f86d081", model_version=MODEL)
    numbers = [(await bus.handle(resident)).number for _ in range(4)]
    rated, extended, returned = numbers[0], numbers[1], numbers[2]
    await bus.handle(c.AcceptCase("staff:clerk", rated))
    clock.advance(minutes=25)
    await bus.handle(c.ResolveCase("staff:clerk", rated, "已修好"))
    await bus.handle(c.RateCase("resident:anonymous", rated, 5))
    await bus.handle(c.AcceptCase("staff:clerk", extended))
    await bus.handle(c.RequestExtension("staff:clerk", extended, Duration(3, False), "等配件"))
    await bus.handle(c.ReturnCase("staff:clerk", returned, "属地不符", "在二网格"))

    admin = await sign_in(stack, "root", "admin")
    pages = {path: (await admin.get(path, **params)).text for path, params in [
        (f"/cases/{rated}", {}), (f"/cases/{extended}", {}), ("/queue", {"dept": "C-T01-C01"}),
        ("/dispatch", {}), ("/supervise", {}), ("/dashboard", {"since": "2026-08-29", "until": "2026-11-27"}),
    ]}
    assert {path: leaks(html) for path, html in pages.items()} == {path: [] for path in pages}

    file = pages[f"/cases/{rated}"]
    assert re.search(r'id="case-channel">网页<', file)
    for said in ("<td>群众（网页）</td>", "<td>工作人员 clerk</td>", "<td>匿名群众</td>",
                 "模型 第 1 版（2026-11-27 09:00 训练）"):
        assert said in file
    assert "工作人员 clerk · " in pages["/supervise"]
    assert "来源网页" in pages["/dispatch"]
    assert '<td data-label="来源">网页</td>' in pages["/queue"]

    board = pages["/dashboard"]
    assert "约 25 分钟" in board and "第 1 版（2026-11-27 09:00 训练）" in board
    assert "试验街道试验社区一网格" in board and "试验社区试验社区" not in board
    volume = board[board.index('id="volume-chart"'):]
    volume = volume[:volume.index("</svg>")]
    x_labels = re.findall(r'text-anchor="middle" fill="#666">([^<]*)</text>', volume)
    ticks = re.findall(r'text-anchor="end" fill="#666">([^<]*)</text>', volume)
    assert x_labels == ["11-02起", "11-09起", "11-16起", "本周"]  # 13 weeks asked, four cases this week
    assert ticks == ["0", "1", "2", "3", "4", "5"]

    assert '<a href="/console">热线坐席</a>' in file
    clerk = await sign_in(stack, "grid1", "clerk", "W-T01-C01-G01")
    assert "热线坐席" not in (await clerk.get("/queue")).text


async def test_accuracy_csv_names_the_model_not_its_stamp(stack: WebStack, clock: FakeClock) -> None:  # noqa: F811
    bus = stack.app.bus
    number = (await bus.handle(replace(filing(), model_version=MODEL))).number
    for command in (c.AcceptCase("w", number), c.ResolveCase("w", number, "已修好"), c.RateCase("r", number, 4)):
        await bus.handle(command)
    supervisor = await sign_in(stack, "chief", "supervisor")
    csv = (await supervisor.get("/dashboard/accuracy.csv", since="2026-11-01", until="2026-11-30")).text
    assert "第 1 版（2026-11-27 09:00 训练）,1," in csv and "T010000Z" not in csv


async def test_case_show_in_the_terminal_words_them_too(stack: WebStack, clock: FakeClock) -> None:  # noqa: F811
    bus = stack.app.bus
    number = (await bus.handle(replace(filing(), actor="resident:web:web:9f86d081"))).number
    await bus.handle(c.AcceptCase("staff:clerk", number))
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    console = Console(width=200, record=True)
    console.print(case_file(case, await departments_by_code(stack.app), []))
    shown = console.export_text()
    assert "网页" in shown and "群众（网页）" in shown and "工作人员 clerk" in shown
    assert leaks(shown) == [] and "web:" not in shown
