"""Staff commands on cases: the file, lists, queues, every lifecycle action, archive import."""

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.cli.common import console, fail, open_app, run_async, staff_name
from bot.cli.output import FORMAT_OPTION, Format, print_listing
from bot.cli.render import case_file, case_listing
from handlers import commands as c
from handlers.commands import RETURN_REASONS
from handlers.case import Case
from handlers.errors import ImportRejected
from handlers.status import AT_DEPARTMENT, Status

if TYPE_CHECKING:
    from bot.bootstrap import App

case_app = typer.Typer(help="查看和办理单个诉求", no_args_is_help=True)
cases_app = typer.Typer(help="批量操作（导入历史诉求）", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
    app.add_typer(cases_app, name="cases")
    app.command("queue", help="查看部门待办队列（按时限排序，超期标红）")(queue)


@case_app.command("show", help="查看诉求全部档案（一案一档）")
@run_async
async def show(
    ctx: typer.Context,
    number: str,
    reveal: bool = typer.Option(False, "--reveal", help="显示完整的联系电话和联系人姓名（仅限办理需要，记入操作日志）"),
) -> None:
    from bot.reveal_log import log_reveal, revealed_fields
    from storage.queries import notifications_for_case

    async with open_app(ctx) as app:
        async with app.uow() as uow:
            case = await uow.cases.get(number.strip().upper())
            departments = {d.code: d for d in await uow.directory.departments()}
            notices = await notifications_for_case(uow.session, case.number)
        if reveal:
            await log_reveal(app, staff_name(), case, revealed_fields(case), via="cli")
        console.print(case_file(case, departments, notices, reveal))


@case_app.command("list", help="按状态、部门筛选诉求")
@run_async
async def list_cases(
    ctx: typer.Context,
    status: list[Status] | None = typer.Option(None, "--status", "-s", help="状态，可重复"),
    dept: str | None = typer.Option(None, "--dept", "-d", help="部门代码"),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=10_000),
    form: Format | None = FORMAT_OPTION,
) -> None:
    async with open_app(ctx) as app:
        await _print_cases(app, status or None, dept, limit, "诉求列表", form)


@run_async
async def queue(
    ctx: typer.Context,
    dept: str = typer.Argument(..., help="部门代码，例如 W-QH01-C01-G01"),
    limit: int = typer.Option(100, "--limit", "-n", min=1, max=10_000),
    form: Format | None = FORMAT_OPTION,
) -> None:
    async with open_app(ctx) as app:
        async with app.uow() as uow:
            known = {d.code for d in await uow.directory.departments()}
        if dept not in known:
            raise fail(f"未找到部门 {dept}。")
        statuses = sorted(AT_DEPARTMENT) if dept != app.settings.routing.dispatcher else None
        await _print_cases(app, statuses, dept, limit, f"{dept} 待办队列", form)


async def _print_cases(app: "App", statuses: list[Status] | None, dept: str | None, limit: int, title: str,
                       form: Format | None) -> None:
    async with app.uow() as uow:
        cases = await uow.cases.find(statuses=statuses, department=dept, limit=limit)
        departments = {d.code: d for d in await uow.directory.departments()}
    print_listing(console, case_listing(cases, departments, app.policies.clock.now(), title), form)


async def _act(ctx: typer.Context, command: c.Command, done: str) -> None:
    async with open_app(ctx) as app:
        case = await app.bus.handle(command)
        await _report(app, case, done)


async def _report(app: "App", case: Case, done: str) -> None:
    async with app.uow() as uow:
        dept = {d.code: d for d in await uow.directory.departments()}.get(case.department or "")
    where = f"，责任部门：{dept.name}" if dept else ""
    console.print(f"[green]✓[/] {done}：{case.number}，当前状态：{case.status.label}{where}")


@case_app.command("dispatch", help="派单到部门（分拨员）")
@run_async
async def dispatch(ctx: typer.Context, number: str, dept: str, note: str = typer.Option("", "--note")) -> None:
    await _act(ctx, c.DispatchCase(staff_name(), number, dept, note), "已派单")


@case_app.command("accept", help="签收")
@run_async
async def accept(ctx: typer.Context, number: str, handler: str = typer.Option("", "--handler", help="经办人")) -> None:
    await _act(ctx, c.AcceptCase(staff_name(), number, handler), "已签收")


@case_app.command("return", help="退回分拨中心（需说明理由）")
@run_async
async def return_case(
    ctx: typer.Context,
    number: str,
    reason: str = typer.Option(..., "--reason", "-r", help=f"退回理由：{' / '.join(RETURN_REASONS)}"),
    note: str = typer.Option("", "--note", help="补充说明"),
) -> None:
    await _act(ctx, c.ReturnCase(staff_name(), number, reason, note), "已退回")


@case_app.command("note", help="添加办理记录（首次记录即开始办理）")
@run_async
async def note(ctx: typer.Context, number: str, text: str) -> None:
    await _act(ctx, c.AddNote(staff_name(), number, text), "已记录")


@case_app.command("resolve", help="办结，并把答复发送给群众")
@run_async
async def resolve(ctx: typer.Context, number: str, reply: str = typer.Option(..., "--reply", help="答复群众的内容")) -> None:
    await _act(ctx, c.ResolveCase(staff_name(), number, reply), "已办结")


@case_app.command("escalate", help="升级到上一级（网格→社区→街道→区）")
@run_async
async def escalate(ctx: typer.Context, number: str, reason: str = typer.Option(..., "--reason", "-r")) -> None:
    await _act(ctx, c.EscalateCase(staff_name(), number, reason), "已升级")


@case_app.command("transfer", help="转办到其他部门")
@run_async
async def transfer(ctx: typer.Context, number: str, dept: str, note: str = typer.Option("", "--note")) -> None:
    await _act(ctx, c.TransferCase(staff_name(), number, dept, note), "已转办")


@case_app.command("reopen", help="重办（群众不满意）")
@run_async
async def reopen(ctx: typer.Context, number: str, reason: str = typer.Option(..., "--reason", "-r")) -> None:
    await _act(ctx, c.ReopenCase(staff_name(), number, reason), "已重办")


@case_app.command("close", help="归档")
@run_async
async def close(ctx: typer.Context, number: str, note: str = typer.Option("", "--note")) -> None:
    await _act(ctx, c.CloseCase(staff_name(), number, note), "已归档")


@case_app.command("cancel", help="撤销（签收前）")
@run_async
async def cancel(ctx: typer.Context, number: str, reason: str = typer.Option("", "--reason", "-r")) -> None:
    await _act(ctx, c.CancelCase(staff_name(), number, reason), "已撤销")


@case_app.command("reclassify", help="更正类别或主题（用于再训练）")
@run_async
async def reclassify(
    ctx: typer.Context,
    number: str,
    category: str | None = typer.Option(None, "--category", help="dispute / service / petition"),
    topic: str | None = typer.Option(None, "--topic"),
) -> None:
    await _act(ctx, c.ReclassifyCase(staff_name(), number, category, topic), "已更正")


@case_app.command("locate", help="确定或更正诉求所在网格（分拨员，派单前）")
@run_async
async def locate(ctx: typer.Context, number: str, grid: str = typer.Argument(..., help="网格编号")) -> None:
    await _act(ctx, c.LocateCase(staff_name(), number, grid), "网格已更正")


@case_app.command("duplicates", help="查看可能重复的诉求（附近网格近期未办结、内容相近）")
@run_async
async def duplicates(ctx: typer.Context, number: str) -> None:
    from storage.duplicate_queries import duplicate_candidates

    async with open_app(ctx) as app:
        async with app.uow() as uow:
            case = await uow.cases.get(number.strip().upper())
            grids = {g.code: g for g in await uow.directory.grids()}
            found = await duplicate_candidates(uow.session, case, grids, app.policies.duplicates,
                                               app.policies.clock.now(), app.duplicate_index)
    if not found:
        console.print(f"{case.number} 没有可能重复的诉求（本网格及相邻网格近 {app.policies.duplicates.days} 天内未办结的诉求）。")
    for candidate in found:
        other = candidate.case
        console.print(f"可能重复：{other.number}（相似度 {candidate.similarity:.2f}，{other.status.label}，"
                      f"{other.reporters} 位群众反映）{other.text[:60]}", markup=False)


@case_app.command("merge", help="并单：两件诉求反映同一问题，较新的并入较早的一件")
@run_async
async def merge(ctx: typer.Context, number: str, other: str, note: str = typer.Option("", "--note")) -> None:
    await _act(ctx, c.MergeCases(staff_name(), number, other=other, note=note), "已并单，主件")


@case_app.command("unmerge", help="撤销并单（主件归档前），该诉求回到统一分拨")
@run_async
async def unmerge(ctx: typer.Context, number: str, note: str = typer.Option("", "--note")) -> None:
    await _act(ctx, c.UnmergeCase(staff_name(), number, note=note), "已撤销并单")


@cases_app.command("import", help="导入历史诉求（CSV 或 JSONL，至少含 text 列）")
@run_async
async def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    closed: bool = typer.Option(False, "--closed", help="作为已办结归档的诉求导入（可用于再训练）"),
) -> None:
    from handlers.lifecycle import import_cases
    from storage.importers.case_archive import read_archive

    async with open_app(ctx) as app:
        try:
            archive = read_archive(file, closed=closed, actor=staff_name(), timezone=app.settings.timezone)
        except ValueError as exc:
            raise fail(f"{file}：{exc}") from None
        if archive.problems:
            raise ImportRejected(archive.problems)
        with Progress(
            TextColumn("正在导入"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
        ) as progress:
            task = progress.add_task("import", total=len(archive.rows))
            numbers = await import_cases(
                archive.rows, app.uow(), app.policies, lambda n: progress.advance(task, n)
            )
    kind = "已归档" if closed else "待办"
    console.print(f"[green]✓[/] 已导入 {len(numbers)} 条{kind}诉求（{numbers[0]} 至 {numbers[-1]}）。")
