"""`minsheng privacy purge`: the retention job now (个人信息保存期限), as the scheduler runs it every
[privacy] purge_hours; `--dry-run` lists what it would erase and changes nothing."""

import typer

from bot.cli.common import console, open_app, run_async, staff_name
from bot.cli.output import FORMAT_OPTION, Column, Format, Listing, print_listing
from bot.wording import local
from handlers.case import CATEGORY_LABELS

COLUMNS = (Column("number", "编号"), Column("category", "类别"), Column("status", "状态"),
           Column("ended", "办结/撤销时间"), Column("kept", "保存期限"), Column("erases", "将删除"))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="群众个人信息：保存期限与删除", no_args_is_help=True)
    group.command("purge", help="删除保存期限已满的诉求中的群众个人信息（--dry-run 只列出，不删除）")(purge_now)
    app.add_typer(group, name="privacy")


@run_async
async def purge_now(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="只列出将要删除哪些诉求的哪些信息，不做任何更改"),
    form: Format | None = FORMAT_OPTION,
) -> None:
    from bot.privacy_purge import due, purge

    async with open_app(ctx) as app:
        policy = app.settings.privacy
        if not dry_run:
            report = await purge(app, policy, actor=staff_name())
            console.print(f"[green]✓[/] 已删除 {report.count} 件诉求中的群众个人信息（联系电话、姓名、账号、照片），"
                          "诉求内容与统计数据保留。")
            return
        cases = await due(app, policy)
    listing = Listing(f"保存期限已满、将删除个人信息的诉求：{len(cases)} 件", COLUMNS,
                      empty="没有保存期限已满、仍留有个人信息的诉求")
    for case in cases:
        held = [label for label, has in (("联系电话", case.phone), ("姓名", case.name), ("账号", case.account)) if has]
        listing.add(case.number, CATEGORY_LABELS.get(case.category or "", "未分类"), case.status.label,
                    local(case.finished_at), f"{policy.days_for(case.category)} 天", "、".join(held))
    print_listing(console, listing, form)
