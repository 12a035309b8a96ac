"""What staff may type into a case, checked on the server against the registry and the taxonomy.

The console's filing form and the dispatcher's reclassification offer choices, but a posted form can
hold anything: a topic like `=HYPERLINK(...)` would end up on the dashboard and in its CSV export, an
unknown grid would be dropped without a word. Each check returns the Chinese sentences to show
above the form, and nothing is filed while there are any. The pages take their `maxlength` from the
same limits, so what the form lets through is what the server accepts.
"""

from collections.abc import Iterable, Mapping

from handlers.case import CATEGORY_LABELS
from handlers.directory import DirectoryIndex
from handlers.routing import RoutingPolicy

MAX_TEXT = 20_000  # a pasted call record, the complaint written from it, the caller's own words
MAX_ADDRESS = 200
MAX_HIDDEN = 64  # the model version and the model's own labels the review page carries along
SHOWN = 20  # how much of a refused value an error repeats
HIDDEN = ("model_version", "suggested_category", "suggested_topic")


def known_topics(index: DirectoryIndex, routing: RoutingPolicy) -> list[str]:
    """The taxonomy: every topic a department owns or a routing rule names, the only ones routing can act on."""
    owned = {t for d in index.departments.values() for t in d.topics}
    return sorted(owned | {r.topic for r in routing.rules if r.topic != "*"})


def classification_errors(category: str, topic: str, topics: Iterable[str]) -> list[str]:
    """A category and topic ("" for none) that are not ours, as the sentences saying so."""
    errors = []
    if category and category not in CATEGORY_LABELS:
        errors.append(f"类别“{_shown(category)}”不在可选类别中，请从列表中选择。")
    if topic and topic not in set(topics):
        errors.append(f"主题“{_shown(topic)}”不在主题目录中，请从列表中选择。")
    return errors


def filing_errors(values: Mapping[str, str], index: DirectoryIndex, routing: RoutingPolicy) -> list[str]:
    """Everything wrong with a console filing, in the order of the form."""
    errors = classification_errors(values["category"], values["topic"], known_topics(index, routing))
    grid, department = values["grid"], values["department"]
    if grid and index.grid(grid) is None:
        errors.append(f"网格编码“{_shown(grid)}”不在网格登记中，请从列表中选择，或选“未确定”交人工分拨。")
    if len(values["address"]) > MAX_ADDRESS:
        errors.append(f"地址不能超过 {MAX_ADDRESS} 字（现为 {len(values['address'])} 字）。")
    text = values["text"]
    if not text:
        errors.append("诉求内容不能为空。")
    elif len(text) > MAX_TEXT:
        errors.append(f"诉求内容不能超过 {MAX_TEXT} 字（现为 {len(text)} 字），请精简后再登记。")
    if department and index.department(department) is None:
        errors.append(f"指定部门“{_shown(department)}”不存在，请从列表中选择，或选“按规则自动分派”。")
    oversized = [k for k in ("said", "transcript") if len(values[k]) > MAX_TEXT]
    if oversized or any(len(values[k]) > MAX_HIDDEN for k in HIDDEN):
        errors.append("表单内容异常，请重新粘贴通话记录后再登记。")
    return errors


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN else value[: SHOWN - 1] + "…"
