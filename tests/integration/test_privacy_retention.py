"""The retention job on SQLite and PostgreSQL: finished cases past their period lose the resident's
phone, name, account and photos and keep their words, category, topic, department and figures; open
and recent cases are untouched; a category's own period is honoured; a second run erases nothing;
each run is counted in the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.privacy_purge import due, purge
from handlers import commands as c
from handlers.case import Case, replay
from handlers.privacy import RetentionPolicy
from handlers.status import Status
from storage.audit_models import AuditRow
from storage.conversation_store import SqlConversationStore
from storage.dialogue_models import ConversationMessageRow
from storage.models import CaseEventRow, CaseRow, OutboxRow
from tests.support import FakeClock, RecordingNotifier, seed_registry

PHONE = "13812345678"
WEB = "web:5e4b3691aa"
POLICY = RetentionPolicy(retention_days=365, by_category={"petition": 730})
DAY = timedelta(days=1)


@pytest.fixture
async def district(app: App) -> App:
    await seed_registry(app.sessions)
    return app


async def filed(app: App, text: str, category: str = "service", **extra: object) -> Case:
    return await app.bus.handle(c.FileCase(
        actor=f"resident:web:{WEB}", text=text, channel="web", user_ref=WEB, category=category, topic="城乡建设",
        classification_confirmed=True, grid_code="T01-C01-G01", phone=PHONE, intake_key=f"web/{WEB}/{text}",
        attachments=("wechat-media:resident-photo",), **extra))  # type: ignore[arg-type]


async def closed(app: App, text: str, category: str = "service", **extra: object) -> str:
    number = (await filed(app, text, category, **extra)).number
    for command in (c.AcceptCase("staff:li", number), c.ResolveCase("staff:li", number, "已修好，回访电话 13912345678"),
                    c.RateCase(f"resident:web:{WEB}", number, 5, "很满意", request=f"web/{WEB}/rate-{number}")):
        await app.bus.handle(command)
    return number


async def stored(app: App, number: str) -> Case:
    async with app.uow() as uow:
        return await uow.cases.get(number)


async def purges(app: App) -> list[dict]:
    async with app.sessions() as session:
        rows = (await session.execute(select(AuditRow).where(AuditRow.action == "retention_purge")
                                      .order_by(AuditRow.id))).scalars()
        return [r.details for r in rows]


async def test_old_finished_cases_lose_personal_fields_and_keep_what_they_say(district: App, clock: FakeClock) -> None:
    old = await closed(district, f"幸福路路灯坏了，我的电话 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}", contact_name="王先生")
    old_petition = await closed(district, "区住建局对违建举报一直不处理", "petition")
    withdrawn = (await filed(district, "小区门口垃圾没人清运")).number
    await district.bus.handle(c.CancelCase(f"resident:web:{WEB}", withdrawn, "群众主动撤销"))
    still_open = (await filed(district, "楼道灯不亮一个月了")).number
    main = (await filed(district, "健身器材坏了很危险", "dispute")).number
    duplicate = (await filed(district, "健身器材坏了有人受伤", "dispute")).number
    await district.bus.handle(c.MergeCases("staff:li", duplicate, other=main))
    for command in (c.AcceptCase("staff:li", main), c.ResolveCase("staff:li", main, "已更换"),
                    c.CloseCase("staff:li", main)):
        await district.bus.handle(command)
    before = await stored(district, old)
    district.notifiers["web"] = RecordingNotifier()
    while (await district.deliverer().deliver_due()).sent:
        pass  # the pushes went out: they name their resident until the case is erased

    clock.advance(days=400)
    recent = await closed(district, "新修的路又坏了")
    assert {d.number for d in await due(district, POLICY)} == {old, withdrawn, main, duplicate}
    report = await purge(district, POLICY)
    assert report.count == 4 and report.erased == {"service": 2, "dispute": 2}

    erased = await stored(district, old)
    assert (erased.phone, erased.contact_name, erased.user_ref, erased.intake_key) == (None, None, "", None)
    assert erased.attachments == ()
    assert erased.text == "幸福路路灯坏了，我的电话 138****5678" and erased.reply == "已修好，回访电话 139****5678"
    assert (erased.category, erased.topic, erased.department, erased.grid_code, erased.rating, erased.status) == (
        before.category, before.topic, before.department, before.grid_code, 5, Status.CLOSED)
    assert erased.rating_comment == "很满意" and erased.closed_at == before.closed_at
    assert erased.events[-1].kind == "personal_erased" and erased.events[-1].actor == "system"
    assert replay(old, erased.events).snapshot() == erased.snapshot()  # the file still folds to the case
    async with district.sessions() as session:
        stored_events = str((await session.execute(select(CaseEventRow.actor, CaseEventRow.note, CaseEventRow.changes)
                                                   .join(CaseRow).where(CaseRow.number == old))).all())
        recipients = set((await session.execute(select(OutboxRow.recipient)
                                                .where(OutboxRow.case_number == old))).scalars())
    for personal in (PHONE, "13912345678", WEB, "王先生", "resident-photo"):
        assert personal not in stored_events
    assert recipients == {""}
    for number in (withdrawn, main, duplicate):
        assert (await stored(district, number)).user_ref == ""

    for untouched in (old_petition, recent, still_open):
        case = await stored(district, untouched)
        assert (case.phone, case.user_ref) == (PHONE, WEB) and case.events[-1].kind != "personal_erased"

    again = await purge(district, POLICY)
    assert again.count == 0
    assert [d["erased"] for d in await purges(district)] == [4, 0]

    clock.advance(days=400)  # the petition's two years are up now, and the recent case's one
    assert {d.number for d in await due(district, POLICY)} == {old_petition, recent}


async def test_chat_lines_are_kept_for_the_longest_period_then_deleted(district: App, clock: FakeClock) -> None:
    chats = SqlConversationStore(district.sessions)

    async def said(message_id: str, text: str) -> None:
        await chats.begin("web", message_id, WEB, clock.now(), DAY)
        await chats.finish(channel="web", user_ref=WEB, message_id=message_id, state={}, version=0, said=text,
                           replies=[], at=clock.now())

    await said("m1", f"我的电话是 {PHONE}")
    clock.advance(days=400)  # past the 365 days of most cases, not the 730 of petitions
    await said("m2", "路灯又坏了")
    assert (await purge(district, POLICY)).history == 0
    clock.advance(days=400)
    report = await purge(district, POLICY)
    async with district.sessions() as session:
        kept = list((await session.execute(select(ConversationMessageRow.text))).scalars())
    assert report.history == 1 and kept == ["路灯又坏了"]
    assert [d["history"] for d in await purges(district)] == [0, 1]


def test_the_policy_is_read_from_config_with_clear_errors() -> None:
    policy = RetentionPolicy.from_section({"retention_days": 180, "retention_days_by_category": {"信访事项": 730}})
    assert policy.days_for("petition") == 730 and policy.days_for("dispute") == 180 and policy.days_for(None) == 180
    assert policy.longest_days == 730 and RetentionPolicy.from_section({"retention_days": 180}).longest_days == 180
    for section, said in (
        ({"retention_days": 0}, "retention_days 应是不少于 1 的整数天数"),
        ({"retention_days": "一年"}, "而不是 '一年'"),
        ({"retention_days_by_category": {"noise": 30}}, "没有类别 'noise'，可选：dispute（矛盾纠纷）"),
        ({"retention_days_by_category": 30}, "应是一个表"),
        ({"purge_hours": -1}, "purge_hours 应是大于 0 的小时数"),
        ({"retension_days": 30}, "没有设置项 retension_days"),
    ):
        with pytest.raises(ValueError, match=said):
            RetentionPolicy.from_section(section)
