"""What every staff command shares: loading the app, running async work, Chinese error output."""

import asyncio
import functools
import getpass
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.markup import escape

from bot.cli.output import StaffConsole
from bot.settings import ConfigError, load_settings
from handlers.errors import DomainError

if TYPE_CHECKING:
    from bot.bootstrap import App

console = StaffConsole()
err_console = StaffConsole(stderr=True)
P = ParamSpec("P")
T = TypeVar("T")


def staff_name() -> str:
    """Who is acting, for the case file: MINSHENG_STAFF, else the login name."""
    return os.environ.get("MINSHENG_STAFF") or f"staff:{getpass.getuser()}"


def config_path(ctx: typer.Context) -> str | None:
    return (ctx.find_root().obj or {}).get("config")


@asynccontextmanager
async def open_app(ctx: typer.Context) -> AsyncIterator["App"]:
    from bot.bootstrap import build_app

    app = build_app(load_settings(config_path(ctx)))
    try:
        yield app
    finally:
        await app.close()


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]错误：[/]{escape(message)}", highlight=False)
    return typer.Exit(code)


def friendly_errors(func: Callable[P, T]) -> Callable[P, T]:
    """Turn the failures a clerk can meet into one Chinese sentence and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            raise fail(exc.message) from None
        except (ConfigError, *_loaded("storage.db", "DatabaseUrlError")) as exc:
            raise fail(str(exc), 2) from None
        except (*_loaded("sqlalchemy.exc", "OperationalError", "DBAPIError"), ConnectionError, OSError) as exc:
            if isinstance(exc, FileNotFoundError):
                raise fail(f"找不到文件：{exc.filename}") from None
            from storage.db import unmigrated

            if unmigrated(exc):
                raise fail("数据库尚未建好或结构不是最新版本，请先运行 minsheng db upgrade。", 3) from None
            raise fail(f"无法连接数据库，请检查数据库是否启动、地址是否正确（{type(exc).__name__}）。", 3) from None

    return wrapper


def _loaded(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """Those exception classes if their module is imported, else none: a module never imported cannot
    have raised. An except clause looks its classes up only when an exception reaches it, so catching
    SQLAlchemy's errors does not import SQLAlchemy."""
    found = sys.modules.get(module)
    return tuple(getattr(found, name) for name in names) if found else ()


def run_async(func: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Typer commands are sync; ours are async all the way down."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return asyncio.run(func(*args, **kwargs))

    return friendly_errors(wrapper)
