"""Status pushes (事事有落实，件件有回音): which events the resident hears about, and in what words."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from handlers.case import Case, Event
from handlers.ports import Notification, Reporter

RATING_CHOICES = ("5 非常满意", "4 满意", "3 基本满意", "2 不满意", "1 非常不满意")


@dataclass(frozen=True)
class Notices:
    """Renders the configured template for an event; events without a template stay internal."""

    templates: Mapping[str, str]
    timezone: str = "Asia/Shanghai"
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {"resolved": RATING_CHOICES})

    def would_push(self, case: Case, kind: str) -> bool:
        """Whether an event of `kind` reaches this case's resident: staff forms say so before they post."""
        return kind in self.templates and bool(case.user_ref)

    def render(
        self, case: Case, event: Event, department_name: str = "", limit: str = ""
    ) -> Notification | None:
        if not self.would_push(case, event.kind) or event.changes.get("internal"):
            return None
        return Notification(
            key=f"{case.number}/{event.seq}",
            case_number=case.number,
            channel=case.channel,
            recipient=case.user_ref,
            text=self._text(self.templates[event.kind], case, event, department_name, limit),
            choices=self.choices.get(event.kind, ()),
        )

    def for_duplicates(
        self, case: Case, event: Event, notification: Notification, reporters: Iterable[Reporter],
        department_name: str = "", limit: str = "",
    ) -> list[Notification]:
        """The push `notification` of the main case `case` for the resident of each case merged into
        it (并单), on their own channel and keyed per duplicate, so each is queued once; a resident
        who reported the problem twice hears it once. Where `[templates]` has `<kind>_merged` (办结
        asks for a rating, which is the main case's resident's to give), those words are used."""
        merged = self.templates.get(f"{event.kind}_merged")
        text = self._text(merged, case, event, department_name, limit) if merged else notification.text
        return [
            replace(notification, key=f"{notification.key}/{reporter.number}", case_number=reporter.number,
                    channel=reporter.channel, recipient=reporter.user_ref, text=text, choices=())
            for reporter in reporters
            if (reporter.channel, reporter.user_ref) != (notification.channel, notification.recipient)
        ]

    def _text(self, template: str, case: Case, event: Event, department_name: str, limit: str) -> str:
        deadline = case.resolve_deadline or case.sign_deadline
        return template.format(
            number=case.number,
            category=case.category_label,
            department=department_name or "相关部门",
            status=case.status.label,
            deadline=deadline.astimezone(ZoneInfo(self.timezone)).strftime("%Y年%m月%d日") if deadline else "",
            limit=limit,
            reply=case.reply or "",
            note=event.note,
            main=case.duplicate_of or "",
        )
