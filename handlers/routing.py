"""谁主管、谁负责: config-driven rules from (category, topic, grid level) to a department queue."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from handlers.case import Case
from handlers.directory import LEVEL_LABELS, Department, DirectoryIndex
from handlers.errors import RoutingError


@dataclass(frozen=True)
class Rule:
    level: str
    category: str = "*"
    topic: str = "*"
    window: str = ""
    department: str = ""

    def matches(self, category: str | None, topic: str | None) -> bool:
        return self.category in ("*", category) and self.topic in ("*", topic)


@dataclass(frozen=True)
class RoutingPolicy:
    rules: tuple[Rule, ...]
    dispatcher: str
    review_threshold: float = 0.45
    ladder: tuple[str, ...] = ("grid", "community", "street", "district")
    street_windows: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """Where a case goes: a department, or (department None) the dispatcher with the reason."""

    department: Department | None
    reason: str = ""


def route(case: Case, policy: RoutingPolicy, index: DirectoryIndex) -> Assignment:
    """Pick the responsible queue, or say why a person must decide (低置信度, 未知网格, 无规则, 紧急情况).

    A matter told with an emergency (a fire, a knife, someone hurt) is read no better than any other,
    and a fire once went to 区民政局 with five working days: a dispatcher sees it first instead."""
    if case.emergency:
        return Assignment(None, f"群众反映时提到紧急情况（已提示拨打 {case.emergency}），请尽快核实并人工分拨")
    if case.category is None or case.topic is None:
        return Assignment(None, "分类信息不完整")
    confidences = [c for c in (case.category_confidence, case.topic_confidence) if c is not None]
    if not case.classification_confirmed and confidences and min(confidences) < policy.review_threshold:
        return Assignment(None, f"分类置信度较低（{min(confidences):.2f}），需人工确认")
    grid = index.grid(case.grid_code)
    rule = next((r for r in policy.rules if r.matches(case.category, case.topic)), None)
    if rule is None:
        return Assignment(None, "没有匹配的分拨规则")
    if rule.department:
        return _found(index.department(rule.department), f"规则指定的部门 {rule.department} 不存在")
    if grid is None and rule.level != "district":
        return Assignment(None, "网格位置未确定，需人工分拨")
    dept = index.unit(rule.level, grid, window=rule.window, topic=case.topic)
    return _found(dept, f"未找到{LEVEL_LABELS.get(rule.level, rule.level)}级责任单位")


def suggest(case: Case, policy: RoutingPolicy, index: DirectoryIndex) -> Department | None:
    """Where the dispatcher should start: the rules' pick once a person vouches for the
    classification (and has seen any emergency), unless that department has already returned the
    case (属地/职能不符)."""
    dept = route(replace(case, classification_confirmed=True, emergency=None), policy, index).department
    return None if dept is None or dept.code in returned_by(case) else dept


def returned_by(case: Case) -> set[str]:
    """The departments that have sent this case back to the dispatcher."""
    held: str | None = None
    refused = set()
    for event in case.events:
        if event.kind == "returned" and held:
            refused.add(held)
        held = event.changes.get("department", held)
    return refused


def escalation_target(case: Case, policy: RoutingPolicy, index: DirectoryIndex) -> Department:
    """The unit one level up the ladder (小事不出网格，一般纠纷不出社区，复杂纠纷不出街道)."""
    levels = policy.ladder
    current = case.level if case.level in levels else levels[0]
    grid = index.grid(case.grid_code)
    for level in levels[levels.index(current) + 1 :]:
        window = policy.street_windows.get(case.category or "", "") if level == "street" else ""
        dept = index.unit(level, grid, window=window, topic=case.topic)
        if dept is not None:
            return dept
    raise RoutingError(f"诉求 {case.number} 已在最高层级（{LEVEL_LABELS.get(current, current)}），无法继续升级。")


def _found(dept: Department | None, missing: str) -> Assignment:
    return Assignment(dept) if dept is not None else Assignment(None, missing)
