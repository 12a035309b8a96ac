"""A database that was never migrated, or is behind the code, is told apart from one that is down,
on both backends: the first is mended by `minsheng db upgrade`, the second by starting it."""

import pytest
from sqlalchemy import text

from storage.db import make_engine, unmigrated


async def error_of(url: str, sql: str) -> Exception:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    except Exception as exc:  # noqa: BLE001 - the error is what the test looks at
        return exc
    finally:
        await engine.dispose()
    raise AssertionError(f"{sql} did not fail")


@pytest.mark.parametrize("sql", ["SELECT code FROM a_table_of_a_later_release",
                                 "SELECT a_column_of_a_later_release FROM grids",
                                 "INSERT INTO grids (a_column_of_a_later_release) VALUES (1)"])
async def test_a_missing_table_or_column_says_unmigrated(db_url: str, sql: str) -> None:
    assert unmigrated(await error_of(db_url, sql))


async def test_other_errors_do_not(db_url: str) -> None:
    assert not unmigrated(await error_of(db_url, "SELEC 1"))
    assert not unmigrated(await error_of("postgresql://nobody@127.0.0.1:1/none", "SELECT 1"))
