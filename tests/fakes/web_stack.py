"""The whole web edge wired as `minsheng serve` wires it, on a scratch database, for tests and benches."""

import os
import shutil
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bot.bootstrap import App, build_app
from bot.ports import Dialogue
from bot.settings import load_settings
from bot.web.accounts import add_staff
from bot.web.app import create_web_app, web_deps
from bot.web.hub import LiveHub
from bot.web.notifier import WebNotifier
from bot.web.suggestions import TranscriptAnalyzer
from storage.conversation_store import SqlConversationStore
from storage.models import GridRow
from tests.fakes.dialogue import FakeDialogue
from tests.fakes.servers import serving
from tests.fakes.understanding import keyword_dialogue
from tests.support import empty_postgres, seed_registry

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
ADMIT_ALL = {"new_residents_per_address": 10**9, "new_resident_messages_per_minute": 10**9}
SQUARE = [[[121.46, 31.22], [121.48, 31.22], [121.48, 31.24], [121.46, 31.24], [121.46, 31.22]]]


@dataclass
class WebStack:
    url: str
    app: App
    dialogue: Dialogue
    store: SqlConversationStore
    hub: LiveHub


async def scratch_database(kind: str, folder: Path, sqlite_template: Path | None, postgres_url: str | None) -> str:
    if kind == "sqlite":
        assert sqlite_template is not None
        target = folder / "web.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    assert postgres_url is not None
    await empty_postgres(postgres_url)
    return postgres_url


@asynccontextmanager
async def web_stack(
    database_url: str, analyzer: TranscriptAnalyzer | None = None, real_dialogue: bool = False,
    limits: Mapping[str, Any] | None = None,
) -> AsyncIterator[WebStack]:
    """Staff accounts `operator` and `clerk` exist, both with PASSWORD. The dialogue is the tests'
    scripted one, or with `real_dialogue` the real flows/ dialogue with keyword understanding.
    `limits` overrides keys of config.toml's [limits], for tests that reach a limit in a few turns;
    new residents are otherwise admitted without limit (ADMIT_ALL), as tests open many at once."""
    previous = os.environ.get("MINSHENG_DATABASE_URL")
    os.environ["MINSHENG_DATABASE_URL"] = database_url
    try:
        settings = load_settings(ROOT / "config.toml")
    finally:
        if previous is None:
            os.environ.pop("MINSHENG_DATABASE_URL")
        else:
            os.environ["MINSHENG_DATABASE_URL"] = previous
    limits = {**settings.section("limits"), **ADMIT_ALL, **(limits or {})}
    settings = replace(settings, raw={**settings.raw, "limits": limits})
    app = build_app(settings)
    await seed_registry(app.sessions)
    async with app.sessions() as session:  # a map square for 一网格, so a shared location finds it
        await session.execute(update(GridRow).where(GridRow.code == "T01-C01-G01").values(polygon=SQUARE))
        await session.commit()
    now = datetime.now(UTC)
    await add_staff(app.sessions, "operator", PASSWORD, "operator", None, now)
    await add_staff(app.sessions, "clerk", PASSWORD, "clerk", "C-T01-C01", now)
    store, hub = SqlConversationStore(app.sessions), LiveHub()
    dialogue = await keyword_dialogue(app) if real_dialogue else FakeDialogue(app.bus, history=app.sessions)
    app.notifiers["web"] = WebNotifier(store, hub)
    web = create_web_app(web_deps(app, dialogue, store, hub, analyzer))
    try:
        async with serving(web) as url:
            yield WebStack(url, app, dialogue, store, hub)
    finally:
        await app.close()
