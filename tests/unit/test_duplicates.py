"""The 并单 core: text signatures, the similarity bar with and without topic agreement, neighbours."""

import pytest

from handlers.directory import Grid
from handlers.duplicates import (
    SIGNATURE_BYTES,
    DuplicatePolicy,
    Pool,
    best_matches,
    neighbourhood,
    shingles,
    signature,
    similarity,
)

LEAK = "幸福小区3栋2单元楼道水管爆裂，水一直往外冒，楼梯都淹了"
SAME_LEAK = "幸福小区3栋2单元的水管爆了，楼道里全是水，楼梯淹了没法走"
OTHER = "学校门口早上有摊贩占道经营，孩子上学过马路很危险"


def square(x: float, y: float) -> list[list[tuple[float, float]]]:
    return [[(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]]


GRIDS = {
    "A1": Grid("A1", "一网格", "CA", "甲社区", "S", "街道", square(0, 0)),
    "A2": Grid("A2", "二网格", "CA", "甲社区", "S", "街道", square(5, 5)),
    "B1": Grid("B1", "一网格", "CB", "乙社区", "S", "街道", square(1, 0)),  # shares A1's eastern edge
    "C1": Grid("C1", "一网格", "CC", "丙社区", "S", "街道", square(9, 9)),
}


def test_generic_letter_words_do_not_make_two_texts_alike() -> None:
    assert "领导" not in shingles("尊敬的领导您好，希望有关部门尽快解决")
    assert signature("您好") is None  # nothing left to compare


def test_one_leak_told_twice_is_similar_and_another_problem_is_not() -> None:
    leak, same, other = signature(LEAK), signature(SAME_LEAK), signature(OTHER)
    assert leak and same and other
    assert similarity(leak, leak) == 1.0 and similarity(leak, same) > 0.3 > similarity(leak, other)


def test_signatures_are_the_same_in_every_process() -> None:
    """Stored signatures are compared with ones computed later, by other workers."""
    assert signature(LEAK) == signature(LEAK) and len(signature(LEAK) or b"") == SIGNATURE_BYTES
    assert signature("ab12") == bytes.fromhex(signature("ab12").hex())  # type: ignore[union-attr]


def test_a_different_topic_needs_a_closer_text() -> None:
    policy = DuplicatePolicy(threshold=0.2, other_topic_threshold=0.99)
    pool = Pool.of([("MS-1", "城乡建设", signature(SAME_LEAK) or b""), ("MS-2", "环境保护", signature(LEAK) or b""),
                    ("MS-3", "城乡建设", signature(OTHER) or b"")])
    found = best_matches(signature(LEAK), "城乡建设", pool, policy, exclude="MS-9")
    assert [m.number for m in found] == ["MS-2", "MS-1"]  # identical text passes even the higher bar
    others = Pool.of([("MS-2", "环境保护", signature(LEAK) or b""), ("MS-3", None, signature(OTHER) or b"")])
    assert best_matches(signature(SAME_LEAK), "交通运输", others, policy) == []  # alike, but another topic
    assert [m.number for m in best_matches(signature(LEAK), None, pool, policy, exclude="MS-2")] == ["MS-1"]


def test_neighbours_share_a_community_or_a_corner() -> None:
    assert neighbourhood("A1", GRIDS) == ["A1", "A2", "B1"]
    assert neighbourhood("C1", GRIDS) == ["C1"]
    assert neighbourhood(None, GRIDS) == [] and neighbourhood("ZZ", GRIDS) == []


@pytest.mark.parametrize(("section", "words"), [({"days": 0}, "days 应为正整数"), ({"threshold": 1.5}, "0 到 1"),
                                                ({"window": 3}, "不认识的设置")])
def test_config_mistakes_are_named(section: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        DuplicatePolicy.from_section(section)
