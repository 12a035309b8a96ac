"""What the channel adapters need from the layers below, as small protocols.

The composition root hands the real dialogue and NLU to the adapters; tests hand them fakes.
"""

from collections.abc import Sequence
from typing import Protocol

from flows.messages import Inbound, Reply


class Dialogue(Protocol):
    async def handle(self, inbound: Inbound) -> list[Reply]: ...
