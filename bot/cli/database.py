"""Database and district registry commands."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.common import config_path, console, err_console, fail, friendly_errors, open_app, run_async, staff_name
from bot.cli.output import job_progress
from bot.settings import load_settings
from bot.wording import REGISTRY_IN_USE

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.importers.changes import Changes
    from storage.importers.problems import ImportProblem
    from storage.importers.registry import ImportReport

db_app = typer.Typer(help="数据库管理", no_args_is_help=True)
district_app = typer.Typer(help="网格与部门名录", no_args_is_help=True)
SHOWN_PROBLEMS = 50


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(district_app, name="district")


@db_app.command("upgrade", help="创建或升级数据库结构；首次安装时用种子语料训练初始分类模型")
@friendly_errors
def db_upgrade(
    ctx: typer.Context,
    skip_model: bool = typer.Option(False, "--skip-model", help="不检查、不训练分类模型"),
) -> None:
    from storage.migrate import upgrade

    settings = load_settings(config_path(ctx))
    upgrade(settings.database_url)
    console.print(f"[green]✓[/] 数据库已是最新结构：{settings.database_url}")
    if skip_model:
        return
    from nlu.registry import ModelRegistry

    version = ModelRegistry(settings.models_dir).active_version()
    if version is None:
        from nlu.retrain import ensure_model  # scikit-learn and spaCy load in seconds; only training needs them

        with job_progress(err_console, "用种子语料训练初始分类模型") as report:
            version = ensure_model(settings.models_dir, with_textcat=settings.spacy_textcat, report=report)
    console.print(f"[green]✓[/] 当前分类模型版本：{version}")


@district_app.command("load", help="导入网格（GeoJSON）、地名（CSV）、部门（CSV）；默认使用配置文件中的示例区")
@run_async
async def district_load(
    ctx: typer.Context,
    grids: Path | None = typer.Option(None, "--grids", help="网格 GeoJSON 文件"),
    places: Path | None = typer.Option(None, "--places", help="地名 CSV 文件"),
    departments: Path | None = typer.Option(None, "--departments", help="部门 CSV 文件"),
    add: bool = typer.Option(False, "--add", help="追加到现有名录，而不是整体替换"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查文件并列出将发生的变化，不写入任何数据"),
    if_empty: bool = typer.Option(False, "--if-empty", help="数据库中已有名录时不导入（make run 用它，不会覆盖管理员导入的名录）"),
) -> None:
    from storage.importers.problems import ImportFailed
    from storage.importers.registry import import_district, load_directory

    async with open_app(ctx) as app:
        files = app.settings.district_files
        paths = (grids or files["grids"], places or files["places"], departments or files["departments"])
        options = {"replace": not add, "district_code": app.settings.district_code or None}
        async with app.sessions() as session:
            if if_empty and (kept := await load_directory(session)).grids:
                console.print(f"数据库中已有名录（{len(kept.grids)} 个网格、{len(kept.places)} 个地名、"
                              f"{len(kept.departments)} 个部门），未导入。更新名录请在工作台「辖区名录」上传，"
                              "或执行 minsheng district load --grids … --places … --departments …。", highlight=False)
                return
            if dry_run:
                await _dry_run(session, paths, options)
                return
            try:
                report = await import_district(session, *paths, **options, actor=staff_name(),
                                               now=app.policies.clock.now())
            except ImportFailed as exc:
                raise _refused(exc.problems) from None
    _loaded(app.settings.district_name or "名录", report)


async def _dry_run(session: "AsyncSession", paths: tuple[Path, Path, Path], options: dict[str, Any]) -> None:
    """The same checks and preview as the registry page's, and nothing written."""
    from storage.importers.registry import plan_district

    plan = await plan_district(session, *paths, **options)
    await session.rollback()
    if plan.problems:
        raise _refused(plan.problems)
    assert plan.changes is not None
    console.print("检查通过，导入后的变化如下（本次未写入任何数据）：")
    _print_changes(plan.changes, itemised=True)
    console.print("确认无误后，去掉 --dry-run 再执行一次即可导入。")


def _loaded(name: str, report: "ImportReport") -> None:
    counts = (f"{report.streets} 个街道、{report.communities} 个社区、{report.grids} 个网格、{report.places} 个地名、"
              f"{report.departments} 个部门")
    if report.changes is not None and report.changes.nothing:
        console.print(f"[green]✓[/] {name}与数据库中的名录完全相同（{counts}），未作更改。", highlight=False)
        return
    if report.changes is not None:
        _print_changes(report.changes)
    console.print(f"[green]✓[/] 已导入{name}：{counts}。如服务正在运行：{REGISTRY_IN_USE}", highlight=False)


def _refused(problems: list["ImportProblem"]) -> typer.Exit:
    """Every problem as 文件 第N行：原因 (the first 50), and the exit that says nothing was written."""
    for problem in problems[:SHOWN_PROBLEMS]:
        err_console.print(f"  {problem}", highlight=False)
    more = f"（仅显示前 {SHOWN_PROBLEMS} 条，共 {len(problems)} 条）" if len(problems) > SHOWN_PROBLEMS else ""
    return fail(f"名录有 {len(problems)} 处问题{more}，未导入任何数据。")


def _print_changes(changes: "Changes", *, itemised: bool = False) -> None:
    """The summary; a dry run, which is for looking before loading, lists each grid and department too."""
    for line in changes.lines():
        console.print(f"  {line}", highlight=False)
    for line in changes.itemised() if itemised else ():
        console.print(f"    {line}", highlight=False)
