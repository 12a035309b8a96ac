"""The NLU model a running worker uses, swapped when an administrator activates another version.

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
from nlu.analyzer import Analyzer
from nlu.registry import active_version

log = logging.getLogger(__name__)
CHECK_SECONDS = 10.0


class ActiveModel:
    """Stands where an Analyzer is used (the dialogue, the operator console) and forwards to the
    one currently loaded."""

    def __init__(self, analyzer: Analyzer, load: Callable[[], Analyzer]) -> None:
        self.current = analyzer
        self._load = load

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)

    async def follow(self, models_dir: Path, stop: asyncio.Event, seconds: float = CHECK_SECONDS) -> None:
        """Until `stop`: load the registry's active version whenever it is not the one in use."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), seconds)
                return
            except TimeoutError:
                pass
            wanted = await asyncio.to_thread(active_version, models_dir)
            if wanted is None or wanted == self.current.version:
                continue
            try:
                loaded = await asyncio.to_thread(self._load)
            except Exception:  # noqa: BLE001 - keep serving with the model in use
                log.exception("NLU model %s could not be loaded; still using %s", wanted, self.current.version)
                continue
            log.info("NLU model switched from %s to %s", self.current.version, loaded.version)
            self.current = loaded
            heap.settle()  # the old model's cycles go, the new one leaves the collector's sight
