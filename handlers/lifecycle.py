"""Command handlers: load the case, apply one action, queue the resident's push, commit once.

Each handler is `handler(cmd, uow, policies)`; a refused action raises a DomainError before
anything is written, and a failure anywhere rolls the whole unit of work back.
"""

from collections.abc import Callable, Sequence

from handlers.case import PATROL, RESIDENT, SOURCE_LABELS, Case, open_case
from handlers.commands import (
    RETURN_REASONS,
    AcceptCase,
    AddInfo,
    AddNote,
    CancelCase,
    ClearEmergency,
    CloseCase,
    DispatchCase,
    EscalateCase,
    FileCase,
    ImportCase,
    LocateCase,
    RateCase,
    ReclassifyCase,
    ReopenCase,
    ResolveCase,
    ReturnCase,
    TransferCase,
)
from handlers.casework import (
    already_done,
    assign,
    commit,
    directory_index,
    escalate_to,
    load,
    note_action,
    request_fact,
    required,
    sign_deadline,
)
from handlers.directory import Department, DirectoryIndex, Grid
from handlers.errors import DomainError, ImportRejected
from handlers.policies import Policies
from handlers.ports import UnitOfWork
from handlers.routing import escalation_target, route
from handlers.status import Status

CATEGORIES = ("dispute", "service", "petition")
ON_SPOT_REPLY = "网格员巡查时已现场化解。"


async def file_case(cmd: FileCase, uow: UnitOfWork, policies: Policies) -> Case:
    text = cmd.text.strip()
    if not text:
        raise DomainError("诉求内容不能为空，请描述您遇到的问题。")
    _check_category(cmd.category)
    if cmd.source not in SOURCE_LABELS:
        raise DomainError(f"未知来源 {cmd.source}，应为 {'、'.join(SOURCE_LABELS)}。")
    if cmd.resolved_on_spot and cmd.source != PATROL:
        raise DomainError("只有网格员的巡查上报可以按现场化解登记。")
    async with uow:
        if cmd.intake_key and (filed := await uow.cases.get_by_intake_key(cmd.intake_key)):
            return filed
        index = await directory_index(uow)
        now = policies.clock.now()
        number = await _next_number(uow, policies)
        case = open_case(
            number,
            now,
            cmd.actor,
            text=text,
            channel=cmd.channel,
            user_ref=cmd.user_ref,
            phone=cmd.phone,
            anonymous=cmd.anonymous,
            category=cmd.category,
            topic=cmd.topic,
            category_confidence=cmd.category_confidence,
            topic_confidence=cmd.topic_confidence,
            classification_confirmed=cmd.classification_confirmed,
            address=cmd.address,
            latitude=cmd.latitude,
            longitude=cmd.longitude,
            intake_key=cmd.intake_key,
            original_text=(cmd.original_text or "").strip() or None,
            **_grid_fields(index.grid(cmd.grid_code)),
            **({"model_version": cmd.model_version} if cmd.model_version else {}),
            **({"attachments": list(cmd.attachments)} if cmd.attachments else {}),
            **_suggestions(cmd),
            **({"source": cmd.source} if cmd.source != RESIDENT else {}),
            **({"contact_name": cmd.contact_name.strip()} if cmd.contact_name and cmd.contact_name.strip() else {}),
            **({"emergency": cmd.emergency} if cmd.emergency else {}),
            **({"suggested_emergency": cmd.suggested_emergency} if cmd.suggested_emergency and not cmd.emergency
               else {}),
        )
        if cmd.resolved_on_spot:
            _settle_on_spot(case, index, policies, cmd.actor)
        elif cmd.department:
            _check_categorised(case)
            assign(case, "dispatch", _department(index, cmd.department), policies, cmd.actor, "受理人员指定责任部门")
        else:
            _auto_route(case, index, policies)
        await uow.cases.add(case)
        await commit(case, uow, policies, index)
        return case


async def import_cases(
    rows: Sequence[ImportCase],
    uow: UnitOfWork,
    policies: Policies,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """File an archive in one transaction: every row is checked first, and one bad row writes nothing.

    Closed rows go straight to the archive (they are what retraining learns from); open ones are
    routed like new cases.
    """
    async with uow:
        index = await directory_index(uow)
        problems = [(row.line, msg) for row in rows for msg in _import_problems(row, index)]
        if problems:
            raise ImportRejected(problems)
        numbers = []
        for row in rows:
            case = await _import_one(row, uow, policies, index)
            numbers.append(case.number)
            if progress:
                progress(1)
        await uow.commit()
        return numbers


async def _import_one(row: ImportCase, uow: UnitOfWork, policies: Policies, index: DirectoryIndex) -> Case:
    at = row.created_at or policies.clock.now()
    dept = index.department(row.department)
    day = at.astimezone(policies.calendar.tz).strftime("%Y%m%d")
    number = f"{policies.case_prefix}-{day}-{await uow.cases.next_sequence(day):04d}"
    case = open_case(
        number,
        at,
        row.actor,
        status=Status.CLOSED if row.closed else Status.RECEIVED,
        text=row.text.strip(),
        channel=row.channel,
        user_ref=row.user_ref,
        category=row.category,
        topic=row.topic,
        classification_confirmed=row.closed,
        department=dept.code if dept else None,
        level=dept.level if dept else None,
        reply=row.reply,
        closed_at=(row.closed_at or at) if row.closed else None,
        **_grid_fields(index.grid(row.grid_code)),
    )
    if not row.closed:
        _auto_route(case, index, policies)
    await uow.cases.add(case)
    return case


def _import_problems(row: ImportCase, index: DirectoryIndex) -> list[str]:
    problems = []
    if not row.text.strip():
        problems.append("诉求内容（text）为空")
    if row.category is not None and row.category not in CATEGORIES:
        problems.append(f"类别 {row.category!r} 无效，应为 dispute / service / petition")
    if row.department and index.department(row.department) is None:
        problems.append(f"部门 {row.department!r} 不存在")
    if row.grid_code and index.grid(row.grid_code) is None:
        problems.append(f"网格 {row.grid_code!r} 不存在")
    if row.closed_at and row.created_at and row.closed_at < row.created_at:
        problems.append("办结时间早于受理时间")
    return problems


async def dispatch(cmd: DispatchCase, uow: UnitOfWork, policies: Policies) -> Case:
    async with uow:
        case, index = await load(uow, cmd.number)
        dept = _department(index, cmd.department)
        _check_categorised(case)
        assign(case, "dispatch", dept, policies, cmd.actor, cmd.note)
        return await commit(case, uow, policies, index)


def _check_categorised(case: Case) -> None:
    """A person's dispatch needs the category the rules would have needed: it sets the 签收 and 办结
    limits, which the department works to and the resident is told."""
    if case.category is None:
        raise DomainError(f"诉求 {case.number} 还没有类别：类别决定签收和办结时限，请先选定类别再派单。")


async def accept(cmd: AcceptCase, uow: UnitOfWork, policies: Policies) -> Case:
    async with uow:
        case, index = await load(uow, cmd.number)
        now = policies.clock.now()
        sla = policies.sla.get(case.category or "")
        deadline = policies.calendar.deadline(now, sla.resolve) if sla else None
        note = "办理时限按备用节假日表估算" if deadline and deadline.estimated else ""
        case.record(
            "accept",
            now,
            cmd.actor,
            note,
            handler=cmd.handler or cmd.actor,
            resolve_deadline=deadline.at if deadline else None,
        )
        return await commit(case, uow, policies, index)


async def add_note(cmd: AddNote, uow: UnitOfWork, policies: Policies) -> Case:
    note = required(cmd.note, "办理记录不能为空。")
    async with uow:
        case, index = await load(uow, cmd.number)
        facts: dict[str, object] = {"internal": True} if cmd.internal else {}
        if cmd.attachments:
            facts["attachments"] = list(cmd.attachments)
        case.record(note_action(case, cmd.internal), policies.clock.now(), cmd.actor, note, **facts)
        return await commit(case, uow, policies, index)


async def return_case(cmd: ReturnCase, uow: UnitOfWork, policies: Policies) -> Case:
    reason = required(cmd.reason, "退回必须说明理由。")
    if reason not in RETURN_REASONS:
        raise DomainError(f"退回理由请从以下选择：{'、'.join(RETURN_REASONS)}（具体情况写在补充说明里）。")
    async with uow:
        case, index = await load(uow, cmd.number)
        note = f"{reason}：{cmd.note}" if cmd.note else reason
        case.record(
            "return",
            policies.clock.now(),
            cmd.actor,
            note,
            department=policies.routing.dispatcher,
            level=None,
            handler=None,
            return_count=case.return_count + 1,
        )
        return await commit(case, uow, policies, index)


async def escalate(cmd: EscalateCase, uow: UnitOfWork, policies: Policies) -> Case:
    reason = required(cmd.reason, "升级必须说明理由。")
    async with uow:
        case, index = await load(uow, cmd.number)
        escalate_to(case, escalation_target(case, policies.routing, index), policies, cmd.actor, reason)
        return await commit(case, uow, policies, index)


async def transfer(cmd: TransferCase, uow: UnitOfWork, policies: Policies) -> Case:
    async with uow:
        case, index = await load(uow, cmd.number)
        dept = _department(index, cmd.department)
        if dept.code == case.department:
            raise DomainError(f"诉求 {case.number} 已在 {dept.name}，无需转办。")
        assign(case, "transfer", dept, policies, cmd.actor, cmd.note)
        return await commit(case, uow, policies, index)


async def resolve(cmd: ResolveCase, uow: UnitOfWork, policies: Policies) -> Case:
    reply = required(cmd.reply, "办结时必须填写答复内容，答复将发送给群众。")
    async with uow:
        case, index = await load(uow, cmd.number)
        case.record("resolve", policies.clock.now(), cmd.actor, reply=reply)
        return await commit(case, uow, policies, index)


async def reopen(cmd: ReopenCase, uow: UnitOfWork, policies: Policies) -> Case:
    reason = required(cmd.reason, "重办必须说明理由。")
    async with uow:
        case, index = await load(uow, cmd.number)
        case.record(
            "reopen",
            policies.clock.now(),
            cmd.actor,
            reason,
            reopen_count=case.reopen_count + 1,
            **sign_deadline(case, policies),
        )
        return await commit(case, uow, policies, index)


async def close(cmd: CloseCase, uow: UnitOfWork, policies: Policies) -> Case:
    async with uow:
        case, index = await load(uow, cmd.number)
        now = policies.clock.now()
        case.record("close", now, cmd.actor, cmd.note, closed_at=now)
        return await commit(case, uow, policies, index)


async def cancel(cmd: CancelCase, uow: UnitOfWork, policies: Policies) -> Case:
    async with uow:
        case, index = await load(uow, cmd.number)
        if already_done(case, cmd):
            return case
        case.record("cancel", policies.clock.now(), cmd.actor, cmd.reason, **request_fact(cmd))
        return await commit(case, uow, policies, index)


async def add_info(cmd: AddInfo, uow: UnitOfWork, policies: Policies) -> Case:
    text = required(cmd.text, "补充内容不能为空。")
    async with uow:
        case, index = await load(uow, cmd.number)
        if already_done(case, cmd):
            return case
        note = f"群众催办：{text}" if cmd.chase else text
        case.record("add_info", policies.clock.now(), cmd.actor, note, **request_fact(cmd))
        return await commit(case, uow, policies, index)


async def rate(cmd: RateCase, uow: UnitOfWork, policies: Policies) -> Case:
    """回访: 3 or more closes the case, 1 or 2 sends it back to the same department (重办)."""
    if not 1 <= cmd.rating <= 5:
        raise DomainError("评价请在 1 到 5 分之间选择。")
    async with uow:
        case, index = await load(uow, cmd.number)
        if already_done(case, cmd):
            return case
        now = policies.clock.now()
        case.record("rate", now, cmd.actor, cmd.comment, rating=cmd.rating, rating_comment=cmd.comment or None,
                    **request_fact(cmd))
        if cmd.rating <= 2:
            case.record(
                "reopen",
                now,
                cmd.actor,
                f"群众评价 {cmd.rating} 分，不满意",
                reopen_count=case.reopen_count + 1,
                **sign_deadline(case, policies),
            )
        else:
            case.record("close", now, cmd.actor, f"群众评价 {cmd.rating} 分", closed_at=now)
        return await commit(case, uow, policies, index)


async def reclassify(cmd: ReclassifyCase, uow: UnitOfWork, policies: Policies) -> Case:
    """A person's correction; it is what retraining learns from."""
    if cmd.category is None and cmd.topic is None:
        raise DomainError("请至少更正类别或主题之一。")
    _check_category(cmd.category)
    async with uow:
        case, index = await load(uow, cmd.number)
        changes: dict[str, object] = {"classification_confirmed": True}
        if cmd.category is not None:
            changes["category"] = cmd.category
        if cmd.topic is not None:
            changes["topic"] = cmd.topic
        case.record("reclassify", policies.clock.now(), cmd.actor, **changes)
        return await commit(case, uow, policies, index)


async def locate(cmd: LocateCase, uow: UnitOfWork, policies: Policies) -> Case:
    """The grid decides which grid worker, community and street hold the case, so routing's
    suggestion for the dispatcher follows it."""
    async with uow:
        case, index = await load(uow, cmd.number)
        grid = index.grid(cmd.grid_code)
        if grid is None:
            raise DomainError(f"没有编号为 {cmd.grid_code} 的网格，请从列表中选择。")
        if grid.code == case.grid_code:
            raise DomainError(f"诉求 {case.number} 已在{grid.label}。")
        before = index.grid(case.grid_code)
        note = f"{before.label if before else '未定位'} → {grid.label}"
        case.record("locate", policies.clock.now(), cmd.actor, note, **_grid_fields(grid))
        return await commit(case, uow, policies, index)


async def clear_emergency(cmd: ClearEmergency, uow: UnitOfWork, policies: Policies) -> Case:
    """The mark sent the case to a person; once that person has checked it, the reason stays in the file."""
    reason = required(cmd.reason, "请说明解除紧急标记的原因（如：电话核实为误报）。")
    async with uow:
        case, index = await load(uow, cmd.number)
        if not case.emergency:
            raise DomainError(f"诉求 {case.number} 没有紧急标记。")
        note = f"原提示拨打 {case.emergency}：{reason}"
        case.record("clear_emergency", policies.clock.now(), cmd.actor, note, emergency=None)
        return await commit(case, uow, policies, index)


def _suggestions(cmd: FileCase) -> dict[str, str]:
    """The model's reading kept beside the final labels (what retraining weighs as a correction):
    as given, or the label itself where its confidence shows the model's reading was left as it was."""
    found = {}
    for task, label, confidence, given in (("category", cmd.category, cmd.category_confidence, cmd.suggested_category),
                                           ("topic", cmd.topic, cmd.topic_confidence, cmd.suggested_topic)):
        suggested = given or (label if confidence is not None else None)
        if suggested:
            found[f"suggested_{task}"] = suggested
    return found


def _settle_on_spot(case: Case, index: DirectoryIndex, policies: Policies, actor: str) -> None:
    """已现场化解 (小事不出网格): recorded as the steps it stands for, by the grid worker at once (派至本网格,
    签收, 办结, 归档), so the grid's queue, its times and every count that reads the log see it."""
    unit = index.unit("grid", index.grid(case.grid_code))
    if unit is None:
        raise DomainError("这个地点没有网格责任单位，不能按现场化解登记，请选择“需要上报”。")
    now = policies.clock.now()
    assign(case, "dispatch", unit, policies, actor, "网格员巡查发现，现场处置")
    case.record("accept", now, actor, handler=actor)
    case.record("resolve", now, actor, reply=ON_SPOT_REPLY)
    case.record("close", now, actor, "已现场化解，小事不出网格", closed_at=now)


def _auto_route(case: Case, index: DirectoryIndex, policies: Policies) -> None:
    assignment = route(case, policies.routing, index)
    if assignment.department is None:
        case.record(
            "review",
            policies.clock.now(),
            "system",
            assignment.reason,
            department=policies.routing.dispatcher,
        )
    else:
        assign(case, "dispatch", assignment.department, policies, "system", "按分拨规则自动派单")


async def _next_number(uow: UnitOfWork, policies: Policies) -> str:
    day = policies.clock.now().astimezone(policies.calendar.tz).strftime("%Y%m%d")
    seq = await uow.cases.next_sequence(day)
    return f"{policies.case_prefix}-{day}-{seq:04d}"


def _department(index: DirectoryIndex, code: str) -> Department:
    dept = index.department(code)
    if dept is None:
        raise DomainError(f"未找到部门 {code}，请用 minsheng case list 或部门列表核对代码。")
    return dept


def _grid_fields(grid: Grid | None) -> dict[str, str | None]:
    if grid is None:
        return {}
    return {"grid_code": grid.code, "community": grid.community, "street": grid.street}


def _check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise DomainError(f"未知类别 {category}，应为 dispute（矛盾纠纷）、service（便民服务）或 petition（信访事项）。")
