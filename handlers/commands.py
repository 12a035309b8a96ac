"""What people and jobs ask of a case: small frozen records, one per action."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Command:
    actor: str


@dataclass(frozen=True)
class FileCase(Command):
    text: str
    channel: str
    user_ref: str
    category: str | None = None
    topic: str | None = None
    category_confidence: float | None = None
    topic_confidence: float | None = None
    classification_confirmed: bool = False
    grid_code: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    anonymous: bool = False


@dataclass(frozen=True)
class ImportCase(Command):
    """A historical case from an archive; `closed` ones are filed straight into the archive."""

    text: str
    closed: bool
    category: str | None = None
    topic: str | None = None
    department: str | None = None
    grid_code: str | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None
    reply: str | None = None
    channel: str = "import"
    user_ref: str = ""
    line: int = 0  # where the row stood in its file, for error reports


@dataclass(frozen=True)
class CaseCommand(Command):
    number: str


@dataclass(frozen=True)
class DispatchCase(CaseCommand):
    department: str
    note: str = ""


@dataclass(frozen=True)
class AcceptCase(CaseCommand):
    handler: str = ""


@dataclass(frozen=True)
class AddNote(CaseCommand):
    """A 办理 note; the first one on an accepted case starts the work."""

    note: str


@dataclass(frozen=True)
class ReturnCase(CaseCommand):
    reason: str
    note: str = ""


@dataclass(frozen=True)
class EscalateCase(CaseCommand):
    reason: str


@dataclass(frozen=True)
class TransferCase(CaseCommand):
    department: str
    note: str = ""


@dataclass(frozen=True)
class ResolveCase(CaseCommand):
    reply: str


@dataclass(frozen=True)
class ReopenCase(CaseCommand):
    reason: str


@dataclass(frozen=True)
class CloseCase(CaseCommand):
    note: str = ""


@dataclass(frozen=True)
class CancelCase(CaseCommand):
    reason: str = ""


@dataclass(frozen=True)
class AddInfo(CaseCommand):
    text: str


@dataclass(frozen=True)
class RateCase(CaseCommand):
    rating: int
    comment: str = ""


@dataclass(frozen=True)
class ReclassifyCase(CaseCommand):
    category: str | None = None
    topic: str | None = None
