"""What retraining learns from, on SQLite and PostgreSQL: closed cases with their labels, and the
labels a person corrected (a dispatcher's 更正分类, a resident's or operator's pick at filing), read
from each case's file; the model's reading is kept on the case (migration 0006)."""

from bot.bootstrap import App
from handlers import commands as c
from handlers.case import replay
from handlers.lifecycle import import_cases
from storage.queries import labelled_cases
from tests.support import seed_registry


async def test_closed_cases_and_corrections_are_labels(app: App) -> None:
    await seed_registry(app.sessions)
    bus = app.bus
    kept = await bus.handle(c.FileCase(
        actor="resident:web:a", text="小区门口的路灯坏了一个星期了", channel="web", user_ref="a", category="service",
        category_confidence=0.93, topic="城乡建设", topic_confidence=0.88, model_version="0002"))
    by_resident = await bus.handle(c.FileCase(
        actor="resident:web:b", text="楼上邻居天天半夜吵，说了也不听", channel="web", user_ref="b", category="dispute",
        category_confidence=None, topic="城乡建设", topic_confidence=0.7, model_version="0002",
        classification_confirmed=True))
    by_operator = await bus.handle(c.FileCase(
        actor="staff:operator", text="公司拖欠三个月工资不给", channel="hotline", user_ref="", category="dispute",
        suggested_category="service", topic="劳动和社会保障", topic_confidence=0.9, model_version="0002",
        classification_confirmed=True))
    ignored, leaky = await import_cases([
        c.ImportCase(actor="staff:admin", text="街道办对违建举报一直不处理", closed=True, category="service",
                     topic="城乡建设"),
        c.ImportCase(actor="staff:admin", text="公交站台顶棚漏雨", closed=True, topic="交通运输"),
    ], app.uow(), app.policies)
    await bus.handle(c.ReclassifyCase("staff:dispatcher", ignored, category="petition"))
    withdrawn = await bus.handle(c.FileCase(
        actor="resident:web:c", text="饭店油烟太大", channel="web", user_ref="c", category="dispute",
        category_confidence=None, model_version="0002", classification_confirmed=True))
    await bus.handle(c.CancelCase("resident:web:c", withdrawn.number, "不用了"))
    await bus.handle(c.ReclassifyCase("staff:dispatcher", kept.number, topic="交通运输"))

    async with app.uow() as uow:
        stored = await uow.cases.get(by_operator.number)
    assert (stored.suggested_category, stored.category) == ("service", "dispute")
    assert replay(stored.number, stored.events).snapshot() == stored.snapshot()
    async with app.sessions() as session:
        found = {case.text: case for case in await labelled_cases(session)}

    assert set(found) == {"小区门口的路灯坏了一个星期了", "楼上邻居天天半夜吵，说了也不听", "公司拖欠三个月工资不给",
                          "街道办对违建举报一直不处理", "公交站台顶棚漏雨"}
    assert found["街道办对违建举报一直不处理"].closed and found["街道办对违建举报一直不处理"].corrected == {"category": "staff"}
    assert found["街道办对违建举报一直不处理"].example[1:] == ("petition", "城乡建设")
    roof = found["公交站台顶棚漏雨"]
    assert roof.number == leaky and roof.closed and not roof.corrected and roof.example[1:] == (None, "交通运输")
    street_light = found["小区门口的路灯坏了一个星期了"]
    assert not street_light.closed and street_light.corrected == {"topic": "staff"}
    assert street_light.example == ("小区门口的路灯坏了一个星期了", None, "交通运输")  # only the corrected label
    assert found["楼上邻居天天半夜吵，说了也不听"].corrected == {"category": "resident"}
    assert found["公司拖欠三个月工资不给"].corrected == {"category": "staff"}
    assert found["公司拖欠三个月工资不给"].example[1:] == ("dispute", None)
