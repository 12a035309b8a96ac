"""Everything the lifecycle needs besides the database, built once from config by the composition root."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from handlers.deadlines import Sla, WorkCalendar
from handlers.duplicates import DuplicatePolicy
from handlers.notices import Notices
from handlers.ports import Clock, SystemClock
from handlers.routing import RoutingPolicy


@dataclass(frozen=True)
class Policies:
    routing: RoutingPolicy
    sla: Mapping[str, Sla]
    notices: Notices
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    clock: Clock = field(default_factory=SystemClock)
    case_prefix: str = "MS"
    duplicates: DuplicatePolicy = field(default_factory=DuplicatePolicy)
