"""Seeing a resident's whole phone number or name is an explicit act, and a logged one (who, when,
which case, which field): the case file's 「查看完整号码」 and `minsheng case show --reveal` write the
same audit entry. Who may do it on the pages is bot.web.staff.access.may_reveal."""

from bot.bootstrap import App
from handlers.case import Case
from handlers.erasure import AREA, account
from storage.audit_log import AuditEntry, record

FIELD_LABELS = {"phone": "联系电话", "name": "联系人姓名"}
ACTION = "revealed"


def value_of(case: Case, field: str) -> str | None:
    return {"phone": case.phone, "name": case.contact_name}.get(field)


def revealed_fields(case: Case) -> tuple[str, ...]:
    """The personal fields the case holds, in FIELD_LABELS' order."""
    return tuple(field for field in FIELD_LABELS if value_of(case, field))


async def log_reveal(app: App, actor: str, case: Case, fields: tuple[str, ...], via: str = "web") -> None:
    """Written before anything is shown; nothing held, nothing shown, nothing logged."""
    if fields:
        await record(app.sessions, AuditEntry(app.policies.clock.now(), account(actor), AREA, ACTION, case.number,
                                              None, {"fields": list(fields), "via": via}))
