"""A turn reads the resident's own cases only when a step looks at them (issue 16, cheaper turns):
the read was a fifth of a turn's work, and an intake's turns never look. Counted as the statements
that reach the database, on both backends: an intake from first words to filing reads none, while
a status query, a praise after 办结 and a question mid-intake still find the resident's cases."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bot.bootstrap import App
from flows.context import UNREAD_CASES, CasesNeeded
from flows.dialogue import Dialogue
from flows.messages import Inbound
from handlers import commands as c
from tests.fakes.understanding import keyword_dialogue
from tests.support import seed_registry

RESIDENT = "web:on-demand"
INTAKE = ["一网格的小区门口路灯坏了一个多月了", "13812345678", "确认"]


@contextmanager
def resident_case_reads(app: App) -> Iterator[list[str]]:
    """The statements that look up cases by their resident, while the block runs."""
    reads: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        selected, _, where = statement.partition("WHERE")
        if selected.lstrip().upper().startswith("SELECT") and "FROM cases" in selected and "user_ref" in where:
            reads.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield reads
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", seen)


async def say(dialogue: Dialogue, message_id: str, text: str) -> str:
    return "\n".join(r.text for r in await dialogue.handle(Inbound("web", RESIDENT, message_id, text=text)))


@pytest.fixture
async def dialogue(app: App) -> Dialogue:
    await seed_registry(app.sessions)
    return await keyword_dialogue(app)


async def test_an_intake_reads_no_cases_and_the_turns_that_look_find_them(app: App, dialogue: Dialogue) -> None:
    with resident_case_reads(app) as reads:
        for index, text in enumerate(INTAKE):
            answer = await say(dialogue, f"first-{index}", text)
    assert "已受理" in answer or "编号" in answer, answer
    assert reads == []
    async with app.uow() as uow:
        (case,) = await uow.cases.find(channel="web", user_ref=RESIDENT)

    with resident_case_reads(app) as reads:
        await say(dialogue, "second-0", "楼下烧烤店油烟太大，窗户都不敢开")
        status = await say(dialogue, "second-1", "我的诉求到哪一步了")
    assert case.number in status and len(reads) == 1  # mid-intake, the status question looked

    await say(dialogue, "second-2", "取消")
    await app.bus.handle(c.AcceptCase("grid", case.number))
    await app.bus.handle(c.ResolveCase("grid", case.number, "已更换灯泡"))
    with resident_case_reads(app) as reads:
        rated = await say(dialogue, "third-0", "挺好的 修得很快 谢谢")
    assert "感谢您的评价" in rated and len(reads) == 1


@pytest.mark.parametrize("look", [len, bool, list, lambda cases: cases[:5], lambda cases: "MS-1" in cases])
def test_unread_cases_cannot_be_looked_at_without_being_read(look: object) -> None:
    with pytest.raises(CasesNeeded):
        look(UNREAD_CASES)  # type: ignore[operator]
