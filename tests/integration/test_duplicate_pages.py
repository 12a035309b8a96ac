"""并单 through the staff pages of the real app: 「可能重复」 on the case file and the 分拨 list, merge
and undo with the session's CSRF token, the file and the dashboard showing both reporters, and who
may do it."""

from collections.abc import AsyncIterator

import pytest

from handlers import commands as c
from handlers.status import Status
from tests.fakes.web_stack import WebStack, web_stack
from tests.integration.test_staff_pages import Staff, sign_in

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
LEAK = "试验小区5栋1单元楼道水管爆裂，水一直往外冒，楼梯都淹了"
SAME_LEAK = "试验小区5栋1单元的水管爆了，楼道里全是水，楼梯淹了没法走"


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[WebStack]:
    async with web_stack(db_url) as running:
        yield running
        for client in running.__dict__.pop("clients", []):
            await client.aclose()


def report(text: str, user: str, **extra: object) -> c.FileCase:
    return c.FileCase(actor="resident", text=text, channel="web", user_ref=user, category="service",
                      topic="城乡建设", grid_code="T01-C01-G01", **extra)  # type: ignore[arg-type]


async def test_the_dispatcher_merges_a_repeated_report_and_can_undo_it(stack: WebStack) -> None:
    bus = stack.app.bus
    main = (await bus.handle(report(LEAK, "web:r1", category_confidence=0.9, topic_confidence=0.8))).number
    second = (await bus.handle(report(SAME_LEAK, "web:r2", category_confidence=0.2))).number  # unsure: to 分拨
    dispatcher = await sign_in(stack, "disp", "dispatcher")

    listing = (await dispatcher.get("/dispatch")).text
    assert f'data-number="{second}"' in listing and "可能重复" in listing and main in listing
    page = (await dispatcher.get(f"/cases/{second}")).text
    assert 'id="possible-duplicates"' in page and f"并单：{second} 并入 {main}" in page

    forged = await dispatcher.client.post(f"/console/work/cases/{second}/merge",
                                          data={"csrf_token": "forged", "other": main})
    assert forged.status_code == 403
    merged = await dispatcher.post(f"/cases/{second}/merge", other=main)
    assert merged.status_code == 303 and merged.headers["location"].endswith(f"/cases/{second}?done=merge")

    file = (await dispatcher.get(f"/cases/{main}")).text
    assert 'id="case-reporters">2 位群众反映' in file and 'id="linked-duplicates"' in file
    assert SAME_LEAK in file and "<td>并入重复诉求</td>" in file
    duplicate_page = (await dispatcher.get(f"/cases/{second}", done="merge")).text
    assert "已并单：较新的诉求并入较早的一件" in duplicate_page and 'id="duplicate-of"' in duplicate_page
    assert "<td>并单</td>" in duplicate_page and "已并单" in duplicate_page
    assert f'data-number="{second}"' not in (await dispatcher.get("/dispatch")).text
    supervisor = await sign_in(stack, "sup", "supervisor")
    dashboard = (await supervisor.get("/dashboard")).text
    assert 'id="shared-problems"' in dashboard and f"{main}</a></td><td>2 位群众反映" in dashboard

    undone = await dispatcher.post(f"/cases/{main}/unmerge", duplicate=second)
    assert undone.status_code == 303
    async with stack.app.uow() as uow:
        back, restored = await uow.cases.get(second), await uow.cases.get(main)
    assert back.status is Status.PENDING_REVIEW and restored.reporters == 1
    assert 'id="case-reporters"' not in (await dispatcher.get(f"/cases/{main}")).text


async def test_only_the_older_cases_department_or_a_dispatcher_may_merge(stack: WebStack) -> None:
    bus = stack.app.bus
    main = (await bus.handle(report(LEAK, "web:r1", category_confidence=0.9, topic_confidence=0.8))).number
    second = (await bus.handle(report(SAME_LEAK, "web:r2", category_confidence=0.9, topic_confidence=0.8))).number
    async with stack.app.uow() as uow:
        holder = (await uow.cases.get(main)).department
    assert holder
    other: Staff = await sign_in(stack, "other", "clerk", "B-HOUSING")
    assert (await other.post(f"/cases/{second}/merge", other=main)).status_code == 403
    clerk = await sign_in(stack, "clerk", "clerk", holder)
    page = (await clerk.get(f"/cases/{main}")).text
    assert f"并单：{second} 并入 {main}" in page
    assert (await clerk.post(f"/cases/{main}/merge", other=second)).status_code == 303
    refused = await clerk.post(f"/cases/{main}/merge", other=second)
    assert refused.status_code == 422 and "已并入" in refused.text


async def test_a_clerk_sees_another_departments_candidate_only_by_number_and_may_not_merge_it(
        stack: WebStack) -> None:
    bus = stack.app.bus
    main = (await bus.handle(report(LEAK, "web:r1", category_confidence=0.9, topic_confidence=0.8))).number
    second = (await bus.handle(report(SAME_LEAK, "web:r2", category_confidence=0.9, topic_confidence=0.8,
                                      department="B-HRSS"))).number
    async with stack.app.uow() as uow:
        holder = (await uow.cases.get(main)).department
    assert holder and holder != "B-HRSS"
    clerk = await sign_in(stack, "clerk", "clerk", holder)
    page = (await clerk.get(f"/cases/{main}")).text
    assert f'data-number="{second}"' in page and "其他部门办理的诉求，内容不向本部门显示" in page
    assert SAME_LEAK[:12] not in page and f"/cases/{second}" not in page and f"并单：{second}" not in page
    refused = await clerk.post(f"/cases/{main}/merge", other=second)
    assert refused.status_code == 403 and "联系分拨员" in refused.text
    dispatcher = await sign_in(stack, "disp", "dispatcher")
    assert SAME_LEAK[:12] in (await dispatcher.get(f"/cases/{main}")).text
    assert (await dispatcher.post(f"/cases/{main}/merge", other=second)).status_code == 303
