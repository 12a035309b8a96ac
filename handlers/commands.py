"""What people and jobs ask of a case: small frozen records, one per action."""

from dataclasses import dataclass, field
from datetime import datetime

from handlers.deadlines import Duration


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
    department: str | None = None  # a person's pick (hotline operator), instead of the routing rules
    intake_key: str | None = None  # the conversation's draft: filing it twice yields the same case
    model_version: str | None = None  # the classifier that suggested category and topic, for accuracy by version
    original_text: str | None = None  # what a hotline caller said, when `text` is the operator's write-up
    attachments: tuple[str, ...] = ()  # photos the resident sent with it (where the channel keeps them)
    suggested_category: str | None = None  # the model's reading, when the person filing chose another
    suggested_topic: str | None = None
    source: str = "resident"  # handlers.case.SOURCE_LABELS: "patrol" when a grid worker reports it
    resolved_on_spot: bool = False  # a patrol report the grid worker settled there (已现场化解): filed closed
    contact_name: str | None = None  # how the caller asked to be called (hotline), masked like the phone
    emergency: str | None = None  # the emergency line the resident was given while telling it (flows/router.py)
    suggested_emergency: str | None = None  # the line a reading named, where the person filing judged it no emergency


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
    # The resident's message that issued it: a message run again after a crash has its effect once.
    request: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class DispatchCase(CaseCommand):
    department: str
    note: str = ""


@dataclass(frozen=True)
class AcceptCase(CaseCommand):
    handler: str = ""


@dataclass(frozen=True)
class AddNote(CaseCommand):
    """A 办理 note; the first one on an accepted case starts the work and tells the resident, word
    for word. An `internal` note (内部备注) is for staff only: never pushed, and it starts nothing."""

    note: str
    internal: bool = False
    attachments: tuple[str, ...] = ()  # photos taken on site (bot/web/photos.py), kept with the note


RETURN_REASONS = ("属地不符", "职能不符", "信息不全", "重复诉求", "其他")


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
    chase: bool = False  # 催办: the resident presses for progress rather than telling more


@dataclass(frozen=True)
class RateCase(CaseCommand):
    rating: int
    comment: str = ""


@dataclass(frozen=True)
class ReclassifyCase(CaseCommand):
    category: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class LocateCase(CaseCommand):
    """A dispatcher places a case the resident's words did not (网格位置未确定), or that a grid sent
    back as not its own (属地不符), before it is dispatched."""

    grid_code: str


@dataclass(frozen=True)
class ClearEmergency(CaseCommand):
    """A dispatcher who has checked a case marked as told with an emergency (a false alarm, or
    already handled by 110 or 119) takes the mark off, saying why: routing then suggests as for
    any other case, and the 分拨 list no longer puts it first."""

    reason: str


# What a dispatcher most often found on checking an emergency mark (offered, not required).
EMERGENCY_CHECKED = ("电话核实为误报", "已由110、119等处置完毕，按一般诉求办理", "群众已说明不紧急")


@dataclass(frozen=True)
class RequestExtension(CaseCommand):
    """延期: the department asks a supervisor for more time, saying why."""

    duration: Duration
    reason: str


@dataclass(frozen=True)
class DecideExtension(CaseCommand):
    """A supervisor's answer to the pending 延期 request: a refusal's `note` says why (internal);
    `duration` may grant less than was asked."""

    approve: bool
    note: str = ""
    duration: Duration | None = None


@dataclass(frozen=True)
class SuperviseCase(CaseCommand):
    """A 督办 note from a supervisor to the department holding the case."""

    note: str


@dataclass(frozen=True)
class RemindCase(CaseCommand):
    """Timed job: most of the time to `due` has gone (到期提醒)."""

    due: datetime


@dataclass(frozen=True)
class MarkOverdue(CaseCommand):
    """Timed job: the deadline `due` has passed, so 督办 and escalate one level."""

    due: datetime


@dataclass(frozen=True)
class CloseUnrated(CaseCommand):
    """Timed job: the resident did not rate the reply given at `resolved_at` in time (未评价)."""

    resolved_at: datetime


@dataclass(frozen=True)
class MergeCases(CaseCommand):
    """并单: `number` and `other` report one problem. The newer of the two becomes a linked duplicate
    of the older (the main case), whichever page the merge was made from."""

    other: str
    note: str = ""


@dataclass(frozen=True)
class UnmergeCase(CaseCommand):
    """Undo a 并单: the duplicate `number` is handled on its own again (back to the dispatcher)."""

    note: str = ""


@dataclass(frozen=True)
class RequestErasure(CaseCommand):
    """删除我的信息: a resident asks that their contact details be erased from their finished cases
    `numbers` (`number`: the newest of them); an administrator decides (DecideErasure)."""

    channel: str
    user_ref: str
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class ErasePersonal(CaseCommand):
    """The retention job: erase the personal fields of one finished case whose period has ended."""

    note: str = ""


@dataclass(frozen=True)
class DecideErasure(Command):
    """An administrator executes a resident's erasure request, or refuses it saying why (the
    resident is told either way, on the channel they asked on)."""

    request_id: int
    approve: bool
    reason: str = ""
