"""Shared fixtures: the same tests run on SQLite and on PostgreSQL.

PostgreSQL is mandatory on CI (MINSHENG_REQUIRE_POSTGRES=1); a developer without it sees those
tests skipped with the reason.
"""

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher

from bot.bootstrap import App, build_app
from bot.settings import Settings, load_settings
from bot.web import accounts
from storage.migrate import upgrade
from tests.model_cache import CACHE_ENV
from tests.support import FakeClock, empty_postgres

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("MINSHENG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


# Handed out to the xdist workers first (file by file, `--dist loadfile --no-loadscope-reorder`), then
# every other file in the order collected, unit tests last. xdist's own order (most tests first) left
# the files of one to three long tests for the end, where one worker ran them while the other stood
# idle; on a fresh clone the tiny model was trained there too, the other worker waiting on its lock.
# So: the first user of each model trained during a run (seed slice, tiny, seed), then the longest.
FIRST = (
    "tests/integration/test_crash_faults.py",  # 50 server lives: about 100 s of CPU over 90-110 s
    "tests/e2e/test_cli_retrain.py",  # trains the seed slice (tests/fakes/model_archive.py)
    "tests/unit/test_category_cues.py",  # trains the tiny model (tests/fixtures/nlu)
    "tests/integration/test_conversations.py",  # trains the seed model (tests/conversations/harness.py)
    "tests/e2e/test_cli.py",
    "tests/integration/test_wechat.py",
    "tests/integration/test_open311_schema.py",
    "tests/browser/test_resident_ids.py",
    "tests/unit/test_nlu_retrain_capabilities.py",
    "tests/integration/test_admin_models.py",
    "tests/integration/test_scheduler.py",
    "tests/integration/test_workers_pg.py",
    "tests/integration/test_nlu_cli.py",
    "tests/browser/test_admin_accounts.py",
    "tests/integration/test_lifecycle.py",
    "tests/integration/test_rasa_actions.py",
    "tests/integration/test_two_workers.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """FIRST's files first, the rest as collected; every worker sorts the same way (xdist checks)."""
    rank = {path: index for index, path in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(FIRST)))


def pytest_configure(config: pytest.Config) -> None:
    """Trained test models are kept in pytest's cache (tests/model_cache.py), for later runs and
    for every xdist worker of this one."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        os.environ.setdefault(CACHE_ENV, str(cache.mkdir("minsheng")))


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id at its lowest cost for the accounts tests create and sign in with: at the shipped
    cost a hash takes 0.18 s of CPU here, most of what the staff pages' tests spent. What they check
    (an argon2id hash, right and wrong passwords) holds at any cost; processes a test starts, such
    as the CLI, hash at the shipped cost."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", cheap)
        accounts._dummy_hash.cache_clear()
        yield
    accounts._dummy_hash.cache_clear()


def _postgres_required() -> bool:
    return os.environ.get("MINSHENG_REQUIRE_POSTGRES") == "1" or os.environ.get("CI") == "true"


def _admin(sql: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A scratch database for this test session, migrated once and dropped at the end."""
    name = f"minsheng_test_{uuid.uuid4().hex[:10]}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        if _postgres_required():
            pytest.fail(f"PostgreSQL is required here but unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({exc}); PostgreSQL tests skipped")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "minsheng.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "minsheng.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_url")
    await empty_postgres(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    return load_settings(ROOT / "config.toml")


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    application = build_app(settings, clock=clock)
    yield application
    await application.close()
