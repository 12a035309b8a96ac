"""The sample district (青禾区) and a trained NLU model for the tests that hold real conversations."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.dialogue_root import load_analyzer
from bot.settings import Settings, load_settings
from storage.importers.district import District, validate_district
from tests.conversations.harness import model_cache, trained_models
from tests.conversations.kit import ROOT, SAMPLE_FILES, load_sample_district
from tests.fakes.web_stack import WebStack, scratch_database, web_stack


@pytest.fixture(scope="session")
def registry() -> District:
    return validate_district(*SAMPLE_FILES, district_code="QH")


@pytest.fixture(scope="session")
def script_settings() -> Settings:
    return load_settings(ROOT / "config.toml")


@pytest.fixture(scope="session")
def models(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trained_models(model_cache(request.config, tmp_path_factory.mktemp("models")))


@pytest.fixture(scope="session")
def analyzer(registry: District, models: Path) -> Any:
    """Loaded once for the whole session, as a process loads it once at start-up."""
    return load_analyzer(models, registry.grids, registry.places)


@pytest.fixture(scope="session")
def district_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated template with the sample district loaded, copied for each script."""
    path = tmp_path_factory.mktemp("district") / "minsheng.db"
    shutil.copy(sqlite_template, path)
    asyncio.run(load_sample_district(f"sqlite:///{path}"))
    return path


@pytest_asyncio.fixture(loop_scope="module", scope="module",
                        params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    """The whole web edge for a test module, once per database; the module's `STACK_OPTIONS` (keyword
    arguments of web_stack: which dialogue, which limits) say how. Modules with other needs define
    their own `stack`."""
    kind = request.param
    template = request.getfixturevalue("sqlite_template") if kind == "sqlite" else None
    pg = request.getfixturevalue("postgres_url") if kind == "postgresql" else None
    url = await scratch_database(kind, tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2]),
                                 template, pg)
    async with web_stack(url, **getattr(request.module, "STACK_OPTIONS", {})) as running:
        yield running
