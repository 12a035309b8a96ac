"""`minsheng db upgrade` without an alembic.ini: the script location ships inside the package."""

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import async_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", async_url(url).render_as_string(hide_password=False))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database; runs in its own thread so it also works from inside an event loop."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            command.upgrade(alembic_config(url), revision)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
