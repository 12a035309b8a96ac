"""Read-only queries for staff views and NLU training; no business decisions."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CaseEventRow, CaseRow, OutboxRow


@dataclass(frozen=True)
class SentNotice:
    created_at: datetime
    status: str
    channel: str
    text: str
    attempts: int
    last_error: str | None


async def notifications_for_case(session: AsyncSession, number: str) -> list[SentNotice]:
    rows = (
        await session.execute(select(OutboxRow).where(OutboxRow.case_number == number).order_by(OutboxRow.id))
    ).scalars()
    return [SentNotice(r.created_at, r.status, r.channel, r.text, r.attempts, r.last_error) for r in rows]


LABEL_TASKS = ("category", "topic")


@dataclass(frozen=True)
class LabelledCase:
    """A case's labels for training. `corrected` maps a task to who set its label in place of the
    model's reading: "staff" (a dispatcher's reclassification, an operator's pick at the console)
    or "resident" (a correction at intake). An open case carries only its corrected labels: the
    rest are still the model's own guesses, and learning from them would teach it nothing."""

    number: str
    text: str
    category: str | None
    topic: str | None
    closed: bool
    corrected: dict[str, str] = field(default_factory=dict)

    @property
    def example(self) -> tuple[str, str | None, str | None]:
        return self.text, self.category, self.topic


async def labelled_cases(session: AsyncSession) -> list[LabelledCase]:
    """Closed cases with a label, and open ones a person reclassified or corrected; which labels
    came from a correction is read from each case's file (the filing and every 更正分类)."""
    query = (
        select(CaseRow.id, CaseRow.number, CaseRow.text, CaseRow.category, CaseRow.topic, CaseRow.status)
        .where(CaseRow.status != "cancelled", or_(CaseRow.category.is_not(None), CaseRow.topic.is_not(None)))
        .order_by(CaseRow.id)
    )
    cases = (await session.execute(query)).all()
    events: dict[int, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    history = (
        select(CaseEventRow.case_id, CaseEventRow.kind, CaseEventRow.actor, CaseEventRow.changes)
        .where(CaseEventRow.kind.in_(("filed", "imported", "reclassified")))
        .order_by(CaseEventRow.case_id, CaseEventRow.seq)
    )
    for case_id, kind, actor, changes in (await session.execute(history)).all():
        events[case_id].append((kind, actor, changes or {}))
    found = []
    for case_id, number, text, category, topic, status in cases:
        final = {"category": category, "topic": topic}
        corrected = corrections(events.get(case_id, []), final)
        closed = status == "closed"
        if not closed and not corrected:
            continue
        kept = final if closed else {task: final[task] if task in corrected else None for task in LABEL_TASKS}
        found.append(LabelledCase(number, text, kept["category"], kept["topic"], closed, corrected))
    return found


def corrections(events: list[tuple[str, str, dict[str, Any]]], final: dict[str, str | None]) -> dict[str, str]:
    """Which final labels a person set in place of the model's reading, and who ("staff"/"resident").

    At filing, a label with the model's confidence beside it is the model's reading left as it was;
    one without, on a case the model read (model_version), was chosen by the person filing (the
    dialogue and the console drop the confidence when the label is changed). A 更正分类 event that
    changes a label is a staff correction."""
    found: dict[str, str] = {}
    model_reading: dict[str, str] = {}
    current: dict[str, Any] = {}
    for kind, actor, changes in events:
        if kind in ("filed", "imported"):
            current = {task: changes.get(task) for task in LABEL_TASKS}
            filer = "resident" if actor.startswith("resident") else "staff"
            for task in LABEL_TASKS:
                suggested = changes.get(f"suggested_{task}")
                if suggested:
                    model_reading[task] = suggested
                    if changes.get(task) and changes[task] != suggested:
                        found[task] = filer
                elif changes.get(task) and changes.get(f"{task}_confidence") is not None:
                    model_reading[task] = changes[task]
                elif kind == "filed" and changes.get(task) and changes.get("model_version"):
                    found[task] = filer
        elif kind == "reclassified":
            for task in LABEL_TASKS:
                if changes.get(task) is not None and changes[task] != current.get(task):
                    found[task] = "staff"
                    current[task] = changes[task]
    for task, label in model_reading.items():
        if final.get(task) and final[task] != label:
            found.setdefault(task, "staff")
        elif final.get(task) == label:
            found.pop(task, None)
    return {task: who for task, who in found.items() if final.get(task)}


async def count_by_status(session: AsyncSession, department: str | None = None) -> dict[str, int]:
    query = select(CaseRow.status, func.count()).group_by(CaseRow.status)
    if department:
        query = query.where(CaseRow.department == department)
    return {status: n for status, n in (await session.execute(query)).all()}
