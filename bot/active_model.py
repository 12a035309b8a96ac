"""The NLU model a running worker uses, swapped when an administrator activates another version or
loads another district registry (its place names are part of the analyzer).

Promotion and rollback (`minsheng nlu retrain` / `activate`) write the registry's ACTIVE pointer in
`[nlu] models_dir`; every worker that reads that folder (one machine's workers, or several machines
sharing it) checks the pointer every few seconds and loads the new version off the event loop, so
the next message is read by it without a restart. A version that fails to load leaves the old one
in use and says why in the log.
"""

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import heap
from bot.leases import pause
from handlers.directory import Grid, Place
from nlu.analyzer import Analyzer
from nlu.registry import active_version

log = logging.getLogger(__name__)
CHECK_SECONDS = 10.0


class ActiveModel:
    """Stands where an Analyzer is used (the dialogue, the operator console) and forwards to the
    one currently loaded."""

    def __init__(self, analyzer: Analyzer, load: Callable[[list[Grid], list[Place]], Analyzer],
                 grids: list[Grid], places: list[Place]) -> None:
        self.current = analyzer
        self._load = load
        self._places = (grids, places)
        self._loading = asyncio.Lock()  # a model and a registry swapped at once must not undo each other

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)

    async def follow(self, models_dir: Path, stop: asyncio.Event, seconds: float = CHECK_SECONDS) -> None:
        """Until `stop`: load the registry's active version whenever it is not the one in use."""
        while not stop.is_set():
            await pause(stop, seconds)
            if stop.is_set():
                return
            wanted = await asyncio.to_thread(active_version, models_dir)
            if wanted is None or wanted == self.current.version:
                continue
            try:
                await self._swap()
            except Exception:  # noqa: BLE001 - keep serving with the model in use
                log.exception("NLU model %s could not be loaded; still using %s", wanted, self.current.version)

    async def use_places(self, grids: list[Grid], places: list[Place]) -> None:
        """Read residents' words with another registry's place names from the next message on."""
        await self._swap((grids, places))

    async def _swap(self, places: tuple[list[Grid], list[Place]] | None = None) -> None:
        """Load the active version off the event loop, with these places or the ones in use, then
        put it in use."""
        async with self._loading:
            places = places or self._places
            loaded = await asyncio.to_thread(self._load, *places)
            log.info("NLU model in use: %s (was %s)", loaded.version, self.current.version)
            self.current, self._places = loaded, places
            heap.settle()  # the old model's cycles go, the new one leaves the collector's sight
