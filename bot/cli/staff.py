"""`minsheng staff`: accounts for the web console and the department pages (hotline operators,
clerks, dispatchers, supervisors, admins) and for grid workers, who report from the field in the web chat."""

import os
import secrets
import sys
from enum import Enum

import typer

from bot.cli.common import console, fail, open_app, run_async, staff_name
from bot.cli.output import FORMAT_OPTION, Column, Format, Listing, print_listing

staff_app = typer.Typer(help="工作人员账号（网页坐席工作台登录用）", no_args_is_help=True)
PASSWORD_ENV = "MINSHENG_STAFF_PASSWORD"
READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I to misread
ROLE_HELP = ("operator 话务坐席 / clerk 部门办理 / dispatcher 分拨员（统一分拨） / supervisor 督办 / admin 管理员 / "
             "grid_worker 网格员（巡查上报，需 --grid）；分拨中心部门（config.toml 的 routing.dispatcher）的 clerk 也按分拨员工作")
OPTION_OF = {"department": "--dept", "grids": "--grid"}  # an AccountError's field, as this command's option


class Role(str, Enum):
    operator = "operator"
    clerk = "clerk"
    dispatcher = "dispatcher"
    supervisor = "supervisor"
    admin = "admin"
    grid_worker = "grid_worker"


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")


def _password(from_stdin: bool) -> str:
    """From standard input, from MINSHENG_STAFF_PASSWORD (for scripts), or typed twice at a prompt."""
    from bot.web.accounts import MIN_PASSWORD

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return typer.prompt(f"请输入密码（至少 {MIN_PASSWORD} 位）", hide_input=True, confirmation_prompt="请再输入一次")


@staff_app.command("add", help="添加工作人员账号；加 --reset 可重设已有账号的密码和角色")
@run_async
async def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="登录用户名"),
    role: Role = typer.Option(..., "--role", "-r", help=ROLE_HELP),
    dept: str | None = typer.Option(None, "--dept", "-d", help="所属部门代码（部门办理人员必填）"),
    grids: list[str] = typer.Option([], "--grid", "-g", help="网格员负责的网格代码，可重复（网格员必填）"),
    reset: bool = typer.Option(False, "--reset", help="账号已存在时重设密码、角色和部门"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码"),
) -> None:
    from bot.account_admin import assignment_of, check_assignment, create_account
    from bot.web.accounts import ROLES, AccountError, AccountExists

    assignment = assignment_of(role.value, dept, grids)
    async with open_app(ctx) as app:
        try:  # checked before the password is typed, and again as it is written
            await check_assignment(app.sessions, assignment)
            member = await create_account(app.sessions, staff_name(), username, _password(password_stdin), assignment,
                                          app.policies.clock.now(), reset=reset)
        except AccountExists as exc:
            raise fail(f"{exc}如需重设该账号的密码、角色和部门，请加 --reset。") from None
        except AccountError as exc:
            option = OPTION_OF.get(exc.field)
            raise fail(f"{exc}（选项 {option}）" if option else str(exc)) from None
    where = f"，所属部门 {member.department}" if member.department else ""
    where += f"，负责网格 {'、'.join(member.grids)}" if member.grids else ""
    console.print(f"[green]✓[/] 已{'更新' if reset else '添加'}{ROLES[member.role]}账号 {member.username}{where}。")


@staff_app.command("list", help="列出全部工作人员账号")
@run_async
async def list_staff(ctx: typer.Context, form: Format | None = FORMAT_OPTION) -> None:
    from bot.account_admin import accounts

    async with open_app(ctx) as app:
        rows = await accounts(app.sessions, app.policies.clock.now())
    columns = (Column("username", "用户名"), Column("role", "角色"), Column("department", "部门"),
               Column("grids", "网格"), Column("state", "状态"))
    listing = Listing("工作人员账号", columns, empty="还没有工作人员账号")
    for row in rows:
        listing.add(row.username, row.role_label, row.assignment.department or "—",
                    "、".join(row.assignment.grids) or "—", "启用" if row.active else "停用")
    print_listing(console, listing, form)


@staff_app.command("init", help="还没有任何工作人员账号时，创建首个管理员账号并显示一次初始密码（make run 会自动执行）")
@run_async
async def init(
    ctx: typer.Context,
    username: str = typer.Option("admin", "--username", "-u", help="首个管理员的用户名"),
) -> None:
    from bot.account_admin import assignment_of, create_account
    from bot.web.accounts import AccountError
    from bot.web.settings import WebSettings
    from storage.staff_models import all_staff

    async with open_app(ctx) as app:
        async with app.sessions() as session:
            existing = await all_staff(session)
        login = f"{WebSettings.from_settings(app.settings).url}/console/login"
        if existing:
            console.print(f"已有 {len(existing)} 个工作人员账号（minsheng staff list 查看），登录地址：{login}；"
                          "忘记密码可用 minsheng staff add 用户名 --role 角色 --reset 重设。", highlight=False)
            return
        password = "".join(secrets.choice(READABLE) for _ in range(14))
        try:
            member = await create_account(app.sessions, staff_name(), username, password,
                                          assignment_of("admin", None, ()), app.policies.clock.now())
        except AccountError as exc:
            raise fail(str(exc)) from None
    console.print(f"[green]✓[/] 已创建首个管理员账号：用户名 [bold]{member.username}[/]，初始密码 [bold]{password}[/]",
                  highlight=False)
    console.print(f"  登录地址：{login}。密码只显示这一次，请记下；之后可用 "
                  f"minsheng staff add {member.username} --role admin --reset 修改，"
                  "并用 minsheng staff add 为各部门办理人员、坐席创建账号。", highlight=False)
