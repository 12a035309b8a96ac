"""Shared plumbing for the benchmarks: scratch databases and percentile printing."""

import os
import statistics
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("MINSHENG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def scratch_database(kind: str) -> AsyncIterator[str | None]:
    """A migrated empty database of `kind` ("sqlite" or "postgresql"); None if PostgreSQL is unreachable."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            upgrade(url)
            yield url
        return
    name = f"minsheng_bench_{uuid.uuid4().hex[:8]}"
    admin = PG_URL.replace("postgresql://", "postgres://", 1)
    try:
        conn = await asyncpg.connect(admin, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL 不可用（{exc}），跳过 PostgreSQL 部分。")
        yield None
        return
    await conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        yield url
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return f"p50 {cut[49]:.2f} ms, p95 {cut[94]:.2f} ms, p99 {cut[98]:.2f} ms, max {ordered[-1]:.2f} ms"
