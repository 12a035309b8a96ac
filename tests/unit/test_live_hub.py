"""A tab that has just joined gets the pushes sent meanwhile after its history, in order, never
before it (the page redraws everything on the history and would wipe them)."""

from bot.web.hub import LiveHub


class Tab:
    def __init__(self) -> None:
        self.seen: list[dict[str, object]] = []

    async def send_json(self, payload: dict[str, object]) -> None:
        self.seen.append(payload)


async def test_pushes_wait_for_the_history_then_go_in_order() -> None:
    hub, tab = LiveHub(), Tab()
    hub.join("web:r1", tab)  # type: ignore[arg-type]
    assert await hub.push("web:r1", {"key": "a"}) == 1 and tab.seen == []  # held: the history is not sent yet
    await hub.push("web:r1", {"key": "b"})
    await tab.send_json({"type": "history"})
    await hub.opened(tab)  # type: ignore[arg-type]
    await hub.push("web:r1", {"key": "c"})
    assert tab.seen == [{"type": "history"}, {"key": "a"}, {"key": "b"}, {"key": "c"}]


async def test_a_tab_that_leaves_before_its_history_loses_nothing_it_was_held() -> None:
    hub, tab = LiveHub(), Tab()
    hub.join("web:r1", tab)  # type: ignore[arg-type]
    await hub.push("web:r1", {"key": "a"})
    hub.leave("web:r1", tab)  # type: ignore[arg-type]
    await hub.opened(tab)  # type: ignore[arg-type]
    assert tab.seen == [] and hub.online("web:r1") == 0  # the push waits in the history for the next visit
