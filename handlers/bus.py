"""One entry point for every command, so channels, CLI and jobs share the same path."""

from collections.abc import Awaitable, Callable
from typing import Any

from handlers import commands as c
from handlers import erasure as e
from handlers import lifecycle as h
from handlers import merging as m
from handlers import supervision as s
from handlers.case import Case
from handlers.policies import Policies
from handlers.ports import UnitOfWork

Handler = Callable[[Any, UnitOfWork, Policies], Awaitable[Case]]

HANDLERS: dict[type[c.Command], Handler] = {
    c.FileCase: h.file_case,
    c.DispatchCase: h.dispatch,
    c.AcceptCase: h.accept,
    c.AddNote: h.add_note,
    c.ReturnCase: h.return_case,
    c.EscalateCase: h.escalate,
    c.TransferCase: h.transfer,
    c.ResolveCase: h.resolve,
    c.ReopenCase: h.reopen,
    c.CloseCase: h.close,
    c.CancelCase: h.cancel,
    c.AddInfo: h.add_info,
    c.RateCase: h.rate,
    c.ReclassifyCase: h.reclassify,
    c.LocateCase: h.locate,
    c.ClearEmergency: h.clear_emergency,
    c.RequestExtension: s.request_extension,
    c.DecideExtension: s.decide_extension,
    c.SuperviseCase: s.supervise,
    c.RemindCase: s.remind,
    c.MarkOverdue: s.mark_overdue,
    c.CloseUnrated: s.close_unrated,
    c.MergeCases: m.merge,
    c.UnmergeCase: m.unmerge,
    c.RequestErasure: e.request_erasure,
    c.ErasePersonal: e.erase_personal,
}


class MessageBus:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], policies: Policies) -> None:
        self.uow_factory = uow_factory
        self.policies = policies

    async def handle(self, command: c.Command) -> Case:
        """Run the command in a fresh unit of work; DomainError means nothing was written."""
        return await HANDLERS[type(command)](command, self.uow_factory(), self.policies)
