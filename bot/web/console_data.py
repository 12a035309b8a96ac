"""What the console's forms offer: categories, topics, grids, departments, the routing preview."""

from dataclasses import dataclass, replace

from handlers.case import CATEGORY_LABELS, Case
from handlers.directory import DirectoryIndex
from handlers.routing import RoutingPolicy, route
from bot.web.case_fields import known_topics
from bot.web.suggestions import Option
from flows.texts import CATEGORY_HINTS, PARTY_OPTIONS
from nlu.guide import GuideRules

MARK_KINDS = {"grid": "网格", "phone": "电话", "topic": "主题", "category": "类别", "time": "时间",
              "money": "金额", "place": "地点", "case_number": "诉求编号"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    confidence: float | None = None
    suggested: bool = False


def _merge(suggested: tuple[Option, ...], known: list[tuple[str, str]]) -> list[Choice]:
    """Suggested values first, best first, with their confidence; then every other known value."""
    choices = [Choice(o.value, o.label, o.confidence, True) for o in suggested]
    seen = {c.value for c in choices}
    return choices + [Choice(value, label) for value, label in known if value not in seen]


def category_choices(suggested: tuple[Option, ...]) -> list[Choice]:
    """Each category with what it means in a caller's words (「和邻居…之间的矛盾」)."""
    choices = _merge(suggested, list(CATEGORY_LABELS.items()))
    return [replace(c, label=f"{c.label}：{CATEGORY_HINTS[c.value]}") if c.value in CATEGORY_HINTS else c for c in choices]


@dataclass(frozen=True)
class Party:
    """An answer to 「这件事主要是和谁之间的问题？」 and the category the district's guide gives it."""

    value: str
    label: str
    category: str


# The lines an operator points a caller to in an emergency, as the review form offers them.
EMERGENCY_LINES = (("110", "报警"), ("119", "火警、燃气泄漏、被困"), ("120", "急救"), ("95598", "供电抢修"))


def emergency_lines(suggested: str) -> list[Choice]:
    """Every line the form offers, the one the reading named marked (and added, should it be another)."""
    lines = dict(EMERGENCY_LINES)
    if suggested and suggested not in lines:
        lines[suggested] = "系统识别"
    return [Choice(number, what, suggested=number == suggested) for number, what in lines.items()]


def party_choices(guide: GuideRules) -> list[Party]:
    """The resident dialogue's question, offered to the operator when the model is unsure."""
    return [Party(value, label, guide.implied(value) or "") for label, value in PARTY_OPTIONS]


def category_by_party(guide: GuideRules, party: str, category: str, suggested: str) -> str:
    """The operator's answer to 「和谁之间的问题？」 decides unless they chose a category themselves."""
    if party in {p for _, p in PARTY_OPTIONS} and category in ("", suggested):
        return guide.implied(party) or category
    return category


def topic_choices(suggested: tuple[Option, ...], index: DirectoryIndex, routing: RoutingPolicy) -> list[Choice]:
    """The taxonomy's topics, the model's suggestions among them first: only what the server accepts is offered."""
    topics = known_topics(index, routing)
    return _merge(tuple(o for o in suggested if o.value in topics), [(t, t) for t in topics])


def grid_choices(suggested: tuple[Option, ...], index: DirectoryIndex) -> list[Choice]:
    known = [(g.code, grid_label(index, g.code)) for g in sorted(index.grids.values(), key=lambda g: g.code)]
    registered = tuple(Option(o.value, grid_label(index, o.value), o.confidence)
                       for o in suggested if index.grid(o.value))
    return _merge(registered, known)


def grid_label(index: DirectoryIndex, code: str) -> str:
    """The grid as every page and the dialogue say it (Grid.label); an unknown code as it is."""
    grid = index.grid(code)
    return grid.label if grid else code


def preview(index: DirectoryIndex, routing: RoutingPolicy, category: str, topic: str, grid: str,
            emergency: str = "") -> tuple[str, str]:
    """(department name, why) the routing rules would pick for these values, before anything is filed."""
    probe = Case(number="preview", category=category or None, topic=topic or None,
                 classification_confirmed=True, grid_code=grid or None, emergency=emergency or None)
    assignment = route(probe, routing, index)
    if assignment.department is None:
        dispatcher = index.department(routing.dispatcher)
        return (dispatcher.name if dispatcher else routing.dispatcher), assignment.reason
    return assignment.department.name, "按分拨规则"
