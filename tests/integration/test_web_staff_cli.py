"""`minsheng staff add/list`: console accounts are created with an argon2 hash, never the password."""

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from storage.staff_models import StaffRow

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_staff_add_stores_an_argon2_hash_and_refuses_weak_or_duplicate_accounts(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    runner = CliRunner()
    added = runner.invoke(cli, ["staff", "add", "wang", "--role", "operator", "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0 and "已添加话务坐席账号 wang" in added.output
    assert runner.invoke(cli, ["staff", "add", "li", "--role", "operator", "--password-stdin"], input="short\n").exit_code == 1
    again = runner.invoke(cli, ["staff", "add", "wang", "--role", "admin", "--password-stdin"], input="another password\n")
    assert again.exit_code == 1 and "--reset" in again.output
    clerk = runner.invoke(cli, ["staff", "add", "zhao", "--role", "clerk", "--dept", "NOPE", "--password-stdin"],
                          input="a long enough password\n")
    assert clerk.exit_code == 1 and "未找到部门" in clerk.output
    listed = runner.invoke(cli, ["staff", "list"])
    assert "wang" in listed.output and "话务坐席" in listed.output
    with create_engine(db_url).connect() as conn:
        [row] = conn.execute(select(StaffRow)).all()
    assert row.password_hash.startswith("$argon2id$") and "a long enough password" not in row.password_hash
