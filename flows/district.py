"""The district as the location questions see it: streets → communities → grids, named places,
a typed address matched fuzzily, and a shared map point located by point-in-polygon."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from shapely.geometry import Point, Polygon
from shapely.prepared import prep

from flows.understanding import PlaceGuess
from handlers.directory import Department, Grid, Place

_HOUSE_NUMBER = re.compile(r"([\u4e00-\u9fa5]{1,8}?(?:大道|路|街|巷))\s*(\d{1,5})\s*号?")
_FUZZY_MIN = 90
_ONE_ROAD = 0.9  # a road that lies in one grid places the problem there
_ROAD_SECTION = 0.5  # one section of a longer road: offered as a choice, or asked for a house number


@dataclass(frozen=True)
class AddressMatch:
    """What a typed address pins down: grids (best first), or only a community or street."""

    grids: tuple[PlaceGuess, ...] = ()
    community_code: str | None = None
    street_code: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.grids or self.community_code or self.street_code)


class DistrictMap:
    """Read-only lookups built once from the registry; cheap to query on every turn."""

    def __init__(self, grids: Iterable[Grid], places: Iterable[Place], departments: Iterable[Department]) -> None:
        self.grids = {g.code: g for g in grids}
        self.places = [p for p in places if p.grid_code in self.grids]
        self.departments = {d.code: d for d in departments}
        self.streets: dict[str, str] = {}
        self.communities: dict[str, tuple[str, str]] = {}
        for grid in self.grids.values():
            self.streets.setdefault(grid.street_code, grid.street)
            self.communities.setdefault(grid.community_code, (grid.community, grid.street_code))
        self._shapes = [
            (code, prep(Polygon(g.polygon[0], g.polygon[1:]))) for code, g in self.grids.items() if g.polygon
        ]
        self._names = sorted(
            ((name, p) for p in self.places for name in (p.name, *p.aliases) if len(name) >= 2),
            key=lambda item: -len(item[0]),
        )
        self._sounds = [
            (_sound(name), name, p) for name, p in self._names if p.kind != "道路" and len(name) >= 3
        ]

    @property
    def topics(self) -> tuple[str, ...]:
        """The topic fields some district bureau owns: the only topics routing can act on."""
        return tuple(sorted({t for d in self.departments.values() for t in d.topics}))

    def grid(self, code: str | None) -> Grid | None:
        return self.grids.get(code or "")

    def communities_of(self, street_code: str) -> list[tuple[str, str]]:
        return [(code, name) for code, (name, street) in self.communities.items() if street == street_code]

    def grids_of(self, community_code: str) -> list[Grid]:
        return [g for g in self.grids.values() if g.community_code == community_code]

    def label(self, code: str | None) -> str:
        """青禾街道幸福社区第1网格 — how a grid is said to a resident."""
        grid = self.grid(code)
        return grid.label if grid else ""

    def landmarks(self, code: str, limit: int = 2) -> list[str]:
        """A few estates or roads in the grid, so a resident recognises it in a list of choices."""
        places = [p for p in self.places if p.grid_code == code]
        places.sort(key=lambda p: (p.kind != "小区", p.kind == "道路", p.kind == "公交站"))
        names: list[str] = []
        for place in places:
            name = _road_span(place) if place.kind == "道路" else place.name
            if name not in names:
                names.append(name)
        return names[:limit]

    def locate_point(self, latitude: float, longitude: float) -> Grid | None:
        point = Point(longitude, latitude)
        for code, shape in self._shapes:
            if shape.covers(point):
                return self.grids[code]
        return None

    def match_address(self, text: str) -> AddressMatch:
        """Road + house number first, then place names and aliases, then community and street
        names, and last a match by sound that forgives a wrong homophone (梧铜苑 for 梧桐苑), the
        commonest slip of a pinyin keyboard."""
        text = re.sub(r"\s+", "", text)
        if not text:
            return AddressMatch()
        numbered = self._by_house_number(text)
        if numbered:
            return AddressMatch(numbered)
        named = self._by_name(text) or self._by_road(text)
        if named:
            return AddressMatch(named)
        for code, (name, street) in self.communities.items():
            if name in text or name.removesuffix("社区") + "社区" in text:
                return AddressMatch(community_code=code, street_code=street)
        for code, name in self.streets.items():
            if name in text:
                return AddressMatch(street_code=code)
        for code, name in self.streets.items():  # 「在白溪那边」: a street by its short name
            stem = name.removesuffix("街道")
            if len(stem) >= 2 and stem != name and stem in text:
                return AddressMatch(street_code=code)
        return AddressMatch(self._fuzzy(text))

    def _by_house_number(self, text: str) -> tuple[PlaceGuess, ...]:
        for match in _HOUSE_NUMBER.finditer(text):
            road, number = match.group(1), int(match.group(2))
            for place in self.places:
                if place.kind != "道路" or place.number_from is None or place.number_to is None:
                    continue
                if (place.road or place.name) in road and place.number_from <= number <= place.number_to:
                    said = f"{place.road or place.name}{number}号"
                    return (PlaceGuess(place.grid_code, said, 1.0, match.group(0)),)
        return ()

    def _by_road(self, text: str) -> tuple[PlaceGuess, ...]:
        """A road named without a house number: each grid it runs through, a weak guess when there
        are several (「青禾大道」 is not 青禾街道, whose name it starts with: it runs through two streets)."""
        roads: dict[str, set[str]] = {}
        for p in self.places:
            if p.kind == "道路" and (p.road or p.name) in text:
                roads.setdefault(p.grid_code, set()).add(p.road or p.name)
        most = max(map(len, roads.values()), default=0)
        grids = {code: "".join(sorted(named)) for code, named in roads.items() if len(named) == most}  # a crossing
        score = _ONE_ROAD if len(grids) == 1 else _ROAD_SECTION
        return tuple(PlaceGuess(code, road, score, road) for code, road in grids.items())

    def _by_name(self, text: str) -> tuple[PlaceGuess, ...]:
        found: dict[str, PlaceGuess] = {}
        for name, place in self._names:
            if place.kind == "道路" or name not in text:
                continue
            score = 0.95 if name == place.name else 0.9
            if place.grid_code not in found:
                found[place.grid_code] = PlaceGuess(place.grid_code, place.name, score, name)
        return tuple(found.values())

    def _fuzzy(self, text: str) -> tuple[PlaceGuess, ...]:
        heard = _sound(text)
        best: dict[str, PlaceGuess] = {}
        for sound, _, place in self._sounds:
            if len(heard) < len(sound) - 1:
                continue
            ratio = fuzz.partial_ratio(sound, heard)
            known = best.get(place.grid_code)
            if ratio >= _FUZZY_MIN and (known is None or ratio / 100 * 0.75 > known.score):
                best[place.grid_code] = PlaceGuess(place.grid_code, place.name, ratio / 100 * 0.75, text)
        ranked = sorted(best.values(), key=lambda item: -item.score)
        return tuple(item for item in ranked[:5] if item.score >= ranked[0].score - 0.03)


def misspelt_around(name: str, mention: str, text: str) -> bool:
    """Whether a short name found in `text` sits inside a slip of the full one: 「请禾嘉园」 finds the
    alias 嘉园 of 青禾嘉园 exactly, but the characters before it sound like (or are) the rest of
    the name without being it. Such a match is not certain and must be confirmed."""
    at, where = text.find(mention), name.find(mention)
    if not mention or mention == name or at < 0 or where < 0:
        return False
    head, tail = name[:where], name[where + len(mention):]
    before = text[max(0, at - len(head)):at] if head else ""
    after = text[at + len(mention):at + len(mention) + len(tail)] if tail else ""
    return _near_miss(before, head) or _near_miss(after, tail)


def _near_miss(said: str, meant: str) -> bool:
    """`said` is not the rest of the name but shares a character or a sound with it."""
    if not said or meant.endswith(said) or meant.startswith(said):
        return False
    sounds = {lazy_pinyin(c)[0] for c in meant}
    return any(c in meant or lazy_pinyin(c)[0] in sounds for c in said)


def _sound(text: str) -> str:
    return "".join(lazy_pinyin(text))


def _road_span(place: Place) -> str:
    if place.number_from is None:
        return place.name
    return f"{place.road or place.name}{place.number_from}–{place.number_to}号"
