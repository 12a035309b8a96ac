"""The sample district (青禾区) and a trained NLU model for the tests that hold real conversations."""

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue_root import load_analyzer
from bot.settings import Settings, load_settings
from storage.importers.district import District, validate_district
from tests.conversations.harness import model_cache, trained_models
from tests.conversations.kit import ROOT, SAMPLE_FILES, load_sample_district


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
