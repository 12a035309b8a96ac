"""办理记录 and who reads it: the form says that the first note after 签收 goes to the resident word for
word, and a clerk may keep a note internal (内部备注), which is filed but never pushed and starts nothing."""

from handlers.status import Status
from tests.fakes.web_stack import WebStack
from tests.integration.test_staff_pages import filing, sign_in, stack  # noqa: F401 - stack: fixture
from tests.support import outbox_rows

TOLD = "这条记录会原样推送给群众"
KEPT = "内部备注：只记入档案，不推送给群众"


async def test_a_clerk_chooses_whether_a_note_reaches_the_resident(stack: WebStack) -> None:
    number = (await stack.app.bus.handle(filing())).number
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    assert (await clerk.post(f"/cases/{number}/accept")).status_code == 303
    form = (await clerk.get(f"/cases/{number}")).text
    assert TOLD in form and 'name="audience" value="internal" required' in form
    pushed = len(await outbox_rows(stack.app))

    assert (await clerk.post(f"/cases/{number}/note", note="居民情绪激动，上门注意沟通", audience="internal")).status_code == 303
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert case.status is Status.ACCEPTED and case.events[-1].changes == {"internal": True}
    assert len(await outbox_rows(stack.app)) == pushed
    page = (await clerk.get(f"/cases/{number}")).text
    assert "<td>内部备注</td>" in page and TOLD in page  # the first note for the resident is still to come

    assert (await clerk.post(f"/cases/{number}/note", note="已联系电工，明天上门", audience="resident")).status_code == 303
    rows = await outbox_rows(stack.app)
    assert len(rows) == pushed + 1 and rows[-1].text.endswith("正在办理中：已联系电工，明天上门")
    assert all("情绪激动" not in row.text for row in rows)
    page = (await clerk.get(f"/cases/{number}")).text
    assert KEPT in page and TOLD not in page  # later notes have no push to offer
