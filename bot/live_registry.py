"""The district registry a running worker reads residents' words with, kept current.

A worker builds two things from the registry when it starts: the analyzer's gazetteer (place names,
aliases and their sounds, also in jieba's dictionary) and the dialogue's DistrictMap (the location
buttons, streets and communities, map points, departments). An administrator who loads another
registry (the admin page, `minsheng district load`) should not have to restart every worker, so
each one reads the registry every few seconds and, when it differs from the one in use, rebuilds
both off the event loop. Routing and the staff pages read the registry through `DirectoryCache` and
need none of this.
"""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.active_model import ActiveModel
from bot.leases import pause
from flows.dialogue import Dialogue
from flows.district import DistrictMap
from storage.directory_repository import Registry, read_registry

log = logging.getLogger(__name__)
CHECK_SECONDS = 10.0


async def follow_registry(sessions: async_sessionmaker[AsyncSession], analyzer: ActiveModel, dialogue: Dialogue,
                          in_use: Registry, stop: asyncio.Event, seconds: float = CHECK_SECONDS) -> None:
    """Until `stop`: whenever the registry differs from the one in use, rebuild the analyzer's
    places and the dialogue's district map from it. A registry that cannot be read or used now
    (the database is down, a polygon will not build) leaves the old one in use, says why in the
    log, and is tried again at the next look."""
    while not stop.is_set():
        await pause(stop, seconds)
        if stop.is_set():
            return
        try:
            registry = await read_registry(sessions)
            if registry == in_use:
                continue
            district = await asyncio.to_thread(DistrictMap, registry.grids, registry.places, registry.departments)
            await analyzer.use_places(registry.grids, registry.places)
            dialogue.district, in_use = district, registry
            log.info("district registry in use: %d grids, %d places", len(registry.grids), len(registry.places))
        except Exception:  # noqa: BLE001 - keep serving with the registry in use
            log.exception("the district registry could not be reloaded; still using the one loaded before")
