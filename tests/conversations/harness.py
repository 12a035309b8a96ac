"""Runs a conversation script (one YAML file per conversation) against the real dialogue on a
real database: the resident's lines go in, the bot's replies are checked, and the case that
results is compared with what the script says it must be.

A script:

    name: 邻里噪音，小区名定位
    turns:
      - say: 楼上邻居天天半夜装修，吵得睡不着     # or  choose: <button value>  |  location: [lat, lon]
        expect: ["您反映的是", "矛盾纠纷"]        # substrings that must all appear in the replies
        expect_re: ["MS-\\d{8}-\\d{4}"]          # patterns, likewise
        not_expect: ["已为您登记"]
        choices: ["对，没错"]                    # labels the last reply must offer
      - redeliver: 1        # the channel sends message 1 again, same message id (-1: the last one sent)
      - restart: true       # the process restarts: a new app and dialogue on the same database
      - wait_minutes: 180   # the clock moves on
      - staff: accept       # a department acts on the resident's latest case (accept|start|resolve)
      - staff: erase        # an administrator executes the resident's erasure request (or refuse_erase)
      - when: ["和谁之间的问题"]  # said only if the bot's last answer holds one of these (a path
        say: 跟楼上邻居            # that depends on the model's reading); otherwise skipped
    model: without_category # the model lost its category classifier (a retrain from a topic-only
                            # archive, issue 11): every reading comes back with no category
    channels: [web, telegram, terminal]   # also played through these channel edges (always on
                            # `test`, the dialogue called directly; redeliver/restart: `test` only)
    case:                   # the resident's latest case must have these fields
      category: dispute
      grid_code: QH01-C01-G01
    cases: 1                # how many cases the resident ends up with
    pushes_pending: []      # the status pushes still queued for the resident (texts)
    reporter:               # the sender is a grid worker the channel identified as staff (巡查上报)
      actor: staff:wangxh
      grids: [QH01-C01-G01]
"""

import re
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.bootstrap import App, build_app
from bot.dialogue_root import build_dialogue
from bot.settings import Settings
from flows.dialogue import Dialogue
from flows.messages import Choice, Inbound, Reply, Reporter
from handlers import commands as c
from handlers.case import Case
from handlers.erasure import decide_erasure
from handlers.errors import DomainError
from nlu.retrain import ensure_model
from storage.models import OutboxRow
from tests.conversations.kit import ROOT, SAMPLE
from tests.conversations.transports import CHANNELS, Transport, transport
from tests.model_cache import current_folder, exclusive
from tests.support import FakeClock

FILED = "已为您登记"
STAFF = "staff:测试"
ERASURE_DECISIONS = ("erase", "refuse_erase")
REFUSAL = "经核实，这件诉求还要回访核实办理结果，暂需保留联系方式"


class ScriptFailed(AssertionError):
    pass


@dataclass
class Measures:
    """What bench/dialogue.py reports: turns until the case was filed, whether a person must
    still assign its grid, and how long each turn took."""

    turns_to_file: int | None = None
    grid_by_machine: bool | None = None
    turn_seconds: list[float] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def load_script(path: Path) -> dict[str, Any]:
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(script, dict) or not script.get("turns"):
        raise ValueError(f"{path.name}: a script needs a name and turns")
    return script


class WithoutCategory:
    """The real analyzer as a model without a category classifier reads: topic, places, cues and
    everything else as loaded, the category never known (what issue 11 found after a retrain
    from an archive whose rows carry a topic but no category)."""

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.analyzer, name)

    def analyze(self, text: str) -> Any:
        return replace(self.analyzer.analyze(text), category=None, category_confidence=0.0, category_alternatives=[])


@dataclass
class AsStaff:
    """The dialogue as a channel that recognised a grid worker calls it: every turn carries them."""

    dialogue: Dialogue
    reporter: Reporter

    async def handle(self, inbound: Inbound) -> list[Reply]:
        return await self.dialogue.handle(replace(inbound, reporter=self.reporter))


@dataclass
class _Run:
    settings: Settings
    analyzer: Any
    clock: FakeClock
    user: str
    channel: str = "test"
    reporter: Reporter | None = None
    app: App | None = None
    dialogue: Dialogue | None = None
    edge: Transport | None = None
    offered: tuple[Choice, ...] = ()
    last_text: str = ""  # what the bot said in answer to the last turn sent
    said: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (message number, step) per turn sent
    stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def start(self) -> None:
        self.app = build_app(self.settings, clock=self.clock)
        self.dialogue = await build_dialogue(self.app, self.analyzer)
        sender = self.dialogue if self.reporter is None else AsStaff(self.dialogue, self.reporter)
        self.edge = await self.stack.enter_async_context(transport(self.channel, self.app, sender, self.user))

    async def stop(self) -> None:
        await self.stack.aclose()
        if self.app is not None:
            await self.app.close()

    async def latest_case(self) -> Case | None:
        assert self.app is not None
        async with self.app.uow() as uow:
            found = await uow.cases.find(channel=self.edge.channel, user_ref=self.edge.user_ref, limit=1)
            return await uow.cases.get(found[0].number) if found else None

    async def pending_pushes(self) -> list[str]:
        """The resident's status pushes still queued (what the dialogue said itself is not)."""
        assert self.app is not None
        async with self.app.sessions() as session:
            query = select(OutboxRow.text).where(OutboxRow.recipient == self.edge.user_ref, OutboxRow.status == "pending")
            return list((await session.execute(query.order_by(OutboxRow.id))).scalars())

    async def all_cases(self) -> list[Case]:
        assert self.app is not None
        async with self.app.uow() as uow:
            return await uow.cases.find(channel=self.edge.channel, user_ref=self.edge.user_ref, limit=100)


async def run_script(
    script: dict[str, Any], settings: Settings, analyzer: Any, database_url: str, *, strict: bool = True,
    channel: str = "test",
) -> Measures:
    """Play the script on `channel`; raise ScriptFailed naming the turn and what was said if anything
    differs (or, not `strict`, note the difference in the measures and play on)."""
    if channel not in channels_of(script):
        raise ValueError(f"{script.get('name')}: not a script for channel {channel!r}")
    if script.get("model") == "without_category":
        analyzer = WithoutCategory(analyzer)
    elif "model" in script:
        raise ValueError(f"{script.get('name')}: unknown model {script['model']!r}")
    reporter = script.get("reporter")
    run = _Run(replace(settings, database_url=database_url), analyzer, FakeClock(), str(script.get("user", "r1")),
               channel, Reporter(reporter["actor"], tuple(reporter["grids"])) if reporter else None)
    measures = Measures()
    await run.start()
    try:
        resident_turns = 0
        for number, step in enumerate(script["turns"], 1):
            replies = await _play(run, step, measures, strict)
            if replies is None:
                continue
            resident_turns += "redeliver" not in step
            text = "\n".join(r.text for r in replies)
            if measures.turns_to_file is None and FILED in text:
                measures.turns_to_file = resident_turns
            try:
                _check(script, number, step, replies, text)
            except ScriptFailed as failed:
                if strict:
                    raise
                measures.mismatches.append(str(failed))
        try:
            await _check_cases(script, run, measures)
        except ScriptFailed as failed:
            if strict:
                raise
            measures.mismatches.append(str(failed))
    finally:
        await run.stop()
    return measures


async def _play(run: _Run, step: dict[str, Any], measures: Measures, strict: bool) -> list[Reply] | None:
    if "restart" in step:
        await run.stop()
        await run.start()
        return None
    if "wait_minutes" in step:
        run.clock.advance(minutes=float(step["wait_minutes"]))
        return None
    if "staff" in step:
        try:
            await _staff(run, step["staff"])
        except ScriptFailed as failed:
            if strict:
                raise
            measures.mismatches.append(str(failed))
        return None
    if "when" in step and not any(w in run.last_text for w in step["when"]):
        return None  # the bot took the other path: the resident has nothing to answer here
    if "redeliver" in step:  # by its number among the messages sent, or -1: the last one sent
        which = int(step["redeliver"])
        index, sent = run.said[which - 1 if which > 0 else which]
    else:
        index, sent = len(run.said) + 1, step
    run.said.append((index, sent))
    assert run.edge is not None
    started = time.perf_counter()
    replies = await run.edge.turn(index, sent, run.offered)
    measures.turn_seconds.append(time.perf_counter() - started)
    if replies:
        run.offered = replies[-1].choices
    run.last_text = "\n".join(r.text for r in replies)
    return replies


def channels_of(script: dict[str, Any]) -> tuple[str, ...]:
    """The channels a script may be played on: redeliveries and restarts need the direct one."""
    if "reporter" in script or any("redeliver" in step or "restart" in step for step in script["turns"]):
        return ("test",)  # a grid worker on a channel edge: tests/integration/test_patrol_web.py
    extra = tuple(script.get("channels", ()))
    unknown = set(extra) - set(CHANNELS)
    if unknown:
        raise ValueError(f"{script.get('name')}: unknown channels {sorted(unknown)}")
    return ("test", *extra)


async def _staff(run: _Run, action: str | dict[str, Any]) -> None:
    name = action if isinstance(action, str) else action["action"]
    if name in ERASURE_DECISIONS:
        await _decide_erasure(run, name == "erase")
        return
    case = await run.latest_case()
    if case is None:
        raise ScriptFailed(f"staff {name}: the resident has no case")
    assert run.app is not None
    commands: dict[str, Callable[[], c.Command]] = {
        "accept": lambda: c.AcceptCase(STAFF, case.number),
        "start": lambda: c.AddNote(STAFF, case.number, "已安排人员上门查看"),
        "resolve": lambda: c.ResolveCase(STAFF, case.number, "已上门处理，问题已解决"),
    }
    try:
        await run.app.bus.handle(commands[name]())
    except DomainError as refused:
        raise ScriptFailed(f"staff {name}: {refused.message}") from None


async def _decide_erasure(run: _Run, approve: bool) -> None:
    """The administrator's decision on the resident's pending 删除我的信息 request (the privacy page's)."""
    assert run.app is not None and run.edge is not None
    async with run.app.uow() as uow:
        request = await uow.erasures.pending_for(run.edge.channel, run.edge.user_ref)
    if request is None:
        raise ScriptFailed("staff erase: the resident has no pending erasure request")
    reason = "" if approve else REFUSAL
    await decide_erasure(c.DecideErasure(STAFF, request.id, approve, reason), run.app.uow(), run.app.policies)


def _check(script: dict[str, Any], number: int, step: dict[str, Any], replies: list[Reply], text: str) -> None:
    where = f"{script.get('name', '?')} · turn {number} ({_said(step)})"
    for wanted in step.get("expect", []):
        if wanted not in text:
            raise ScriptFailed(f"{where}: expected “{wanted}” in:\n{text}")
    for pattern in step.get("expect_re", []):
        if not re.search(pattern, text):
            raise ScriptFailed(f"{where}: expected /{pattern}/ in:\n{text}")
    for unwanted in step.get("not_expect", []):
        if unwanted in text:
            raise ScriptFailed(f"{where}: did not expect “{unwanted}” in:\n{text}")
    offered = [choice.label for choice in (replies[-1].choices if replies else ())]
    for label in step.get("choices", []):
        if label not in offered:
            raise ScriptFailed(f"{where}: expected a choice “{label}”, offered {offered}")
    if step.get("request_location") and not any(r.request_location for r in replies):
        raise ScriptFailed(f"{where}: expected a request for the resident's location")


async def _check_cases(script: dict[str, Any], run: _Run, measures: Measures) -> None:
    if "pushes_pending" in script:
        pending = await run.pending_pushes()
        if pending != script["pushes_pending"]:
            raise ScriptFailed(f"{script['name']}: {pending} status push(es) pending, expected {script['pushes_pending']}")
    cases = await run.all_cases()
    if "cases" in script and len(cases) != int(script["cases"]):
        raise ScriptFailed(f"{script['name']}: expected {script['cases']} case(s), found {len(cases)}")
    wanted = script.get("case")
    if not cases:
        if wanted:
            raise ScriptFailed(f"{script['name']}: expected a case, none was filed")
        return
    case = await run.latest_case()
    assert case is not None
    measures.grid_by_machine = case.grid_code is not None
    for name, value in (wanted or {}).items():
        if name == "text_contains":
            ok, actual = value in case.text, case.text
        elif name == "events_include":
            actual = [e.kind for e in case.events]
            ok = all(kind in actual for kind in value)
        else:
            actual = getattr(case, name)
            actual = actual.value if hasattr(actual, "value") else actual
            ok = actual == value
        if not ok:
            raise ScriptFailed(f"{script['name']}: case {name} is {actual!r}, expected {value!r}")


def _said(step: dict[str, Any]) -> str:
    for key in ("say", "choose", "location", "redeliver"):
        if key in step:
            return f"{key}: {step[key]}"
    return "?"


def model_cache(config: Any, scratch: Path) -> Path:
    """pytest's cache folder (kept between runs), or `scratch` when the cache plugin is off."""
    cache = getattr(config, "cache", None)
    return Path(cache.mkdir("minsheng")) if cache is not None else scratch


def trained_models(cache: Path) -> Path:
    """An NLU model trained from the shipped seed corpus, kept under `cache` between test runs
    and trained afresh (about half a minute) whenever anything in nlu/ changes; one process trains
    it while any other (an xdist worker) waits for it."""
    with exclusive(cache / "nlu.lock"):
        models = current_folder(cache, "nlu")
        ensure_model(models)
    return models


def config_for_tests(models: Path, folder: Path) -> Path:
    """config.toml with the models directory moved to `models`, for a command run in a subprocess."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('models_dir = "var/models"', f'models_dir = "{models.as_posix()}"')
    text = text.replace('"sample_district/', f'"{SAMPLE.as_posix()}/')
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
