"""The district's places as the NLU sees them, and resolution of a text to every plausible grid.

Exact names and aliases (with Arabic/Chinese numeral variants), road + house number ranges,
community and street names, then fuzzy (rapidfuzz) and homophone (pypinyin) matches in windows
that end where a place-like word ends. Scores are in [0, 1]; every grid found is returned.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import cn2an

from nlu.fuzzy import PlaceMatcher
from nlu.normalize import normalize

CN_DIGITS = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"(\d+|[{CN_DIGITS}]+)"
_UNIT = re.compile(rf"(?:\s*(?:\d+|[{CN_DIGITS}]+)\s*(?:号楼|栋|幢|单元|号|室|楼|层|期))+")
SCORE_EXACT, SCORE_ALIAS, SCORE_NUMBERED, SCORE_ROAD, SCORE_COMMUNITY, SCORE_STREET = 1.0, 0.95, 0.97, 0.5, 0.6, 0.35


@dataclass(frozen=True)
class PlaceEntry:
    name: str
    grid_code: str
    kind: str
    aliases: tuple[str, ...] = ()
    road: str = ""
    number_from: int | None = None
    number_to: int | None = None


@dataclass(frozen=True)
class GridEntry:
    code: str
    name: str
    community: str
    street: str


@dataclass(frozen=True)
class GridCandidate:
    grid_code: str
    name: str
    score: float
    start: int
    end: int


class Gazetteer:
    """Index of a district's places and grids; `resolve(text)` lists grid candidates best first."""

    def __init__(self, places: Iterable[PlaceEntry], grids: Iterable[GridEntry]) -> None:
        self.places = tuple(places)
        self.grids = {grid.code: grid for grid in grids}
        self._names: dict[str, list[tuple[PlaceEntry, float]]] = defaultdict(list)
        for place in self.places:
            if place.road and place.number_from is not None and place.name == place.road:
                continue  # a road segment is found through its house numbers or as the road itself
            for name, score in [(place.name, SCORE_EXACT), *((a, SCORE_ALIAS) for a in place.aliases)]:
                for variant in numeral_variants(normalize(name)):
                    self._names[variant].append((place, score if variant == normalize(name) else score - 0.03))
        self._areas: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for grid in self.grids.values():
            self._areas[normalize(grid.name)].append((grid.code, SCORE_EXACT))
            self._areas[normalize(grid.community)].append((grid.code, SCORE_COMMUNITY))
            self._areas[normalize(grid.street)].append((grid.code, SCORE_STREET))
        self._roads: dict[str, list[PlaceEntry]] = defaultdict(list)
        for place in self.places:
            if place.road:
                self._roads[normalize(place.road)].append(place)
        self._pattern = _alternation([*self._names, *self._areas, *self._roads])
        self._numbered = _alternation(self._roads, suffix=rf"\s*{_NUMBER}\s*号")
        self._fuzzy = PlaceMatcher({name: name for name in self._names})
        # A street said short (「青禾那个」, 「白溪那边的」): only a hint that tells two places of one name apart.
        self._street_hints: dict[str, set[str]] = defaultdict(set)
        for grid in self.grids.values():
            short = normalize(grid.street).removesuffix("街道")
            if len(short) >= 2 and short != normalize(grid.street):
                self._street_hints[short].add(grid.code)

    @classmethod
    def empty(cls) -> "Gazetteer":
        return cls((), ())

    @classmethod
    def from_registry(cls, grids: Iterable, places: Iterable) -> "Gazetteer":
        """From the registry's Grid/Place objects (anything with the same attribute names)."""
        return cls(
            [PlaceEntry(p.name, p.grid_code, p.kind, tuple(p.aliases), p.road, p.number_from, p.number_to)
             for p in places],
            [GridEntry(g.code, g.name, g.community, g.street) for g in grids],
        )

    def words(self) -> list[str]:
        """Names for jieba's user dictionary, so a place name stays one token."""
        return sorted({*self._names, *self._areas, *self._roads} - {""})

    def resolve(self, text: str, *, normalized: bool = False) -> list[GridCandidate]:
        """Candidates best first; `normalized` says the caller has already normalized `text`."""
        text = text if normalized else normalize(text)
        best: dict[str, GridCandidate] = {}
        covered: list[tuple[int, int]] = []
        mentions: list[_Mention] = []
        for match in self._numbered.finditer(text) if self._roads else ():
            hits = _covering(self._roads[match.group(1)], to_int(match.group(2)))
            grids = {place.grid_code for place in hits}
            for place in hits:
                name = match.group() if place.name == place.road else place.name
                _keep(best, place.grid_code, name, SCORE_NUMBERED / len(grids) ** 0.5, match.span())
            mentions.append(_Mention(match.span(), "", frozenset(grids)))
            covered.append(match.span())
        for match in self._pattern.finditer(text) if self._pattern else ():
            span, found = match.span(), match.group()
            if any(a <= span[0] and span[1] <= b for a, b in covered):
                continue
            mentions.append(self._add_name(best, found, span, text=text))
            covered.append(span)
        for found, score, span in self._fuzzy.find(text):
            if not any(a < span[1] and span[0] < b for a, b in covered):
                mentions.append(self._add_name(best, found, span, score, text))
        if any(m.shared for m in mentions):  # what settles a shared name is read only when there is one
            self._settle_by_context(best, mentions + self._hints(text, mentions))
        return sorted(best.values(), key=lambda c: (-c.score, c.start, c.grid_code))

    def _add_name(self, best: dict, found: str, span: tuple[int, int], factor: float = 1.0,
                  text: str = "") -> "_Mention":
        unit = _UNIT.match(text, span[1]) if text else None
        span = (span[0], unit.end()) if unit else span
        places = self._names.get(found, [])
        grids = {place.grid_code for place, _ in places}
        for place, score in places:
            _keep(best, place.grid_code, place.name, factor * score / len(grids) ** 0.5, span)
        areas = self._areas.get(found, [])
        for code, score in areas:
            _keep(best, code, found, factor * score / max(1, len(areas)) ** 0.25, span)
        road_places = self._roads.get(found, [])
        road_grids = {p.grid_code for p in road_places}
        for place in road_places:
            _keep(best, place.grid_code, place.road, factor * SCORE_ROAD / len(road_grids) ** 0.5, span)
        pointed = frozenset(grids | {code for code, _ in areas} | road_grids)
        return _Mention(span, found if len(grids) > 1 else "", pointed, factor)

    def _settle_by_context(self, best: dict, mentions: list["_Mention"]) -> None:
        """A name two grids share (two 锦绣家园) is settled by the rest of the text: when the street,
        community or road also named lies around exactly one of them (「白溪街道锦绣家园」, 「新桥路的锦绣家园」),
        that one scores as if the name were its own; the other keeps the shared score."""
        for mention in mentions:
            if not mention.shared:
                continue
            around = {self._community(code) for other in mentions if other.apart_from(mention)
                      for code in other.grids}
            settled = [code for code in mention.grids if self._community(code) in around]
            if len(settled) == 1:
                code = settled[0]
                score = max(s for place, s in self._names[mention.shared] if place.grid_code == code)
                _keep(best, code, mention.shared, mention.factor * score, mention.span)

    def _hints(self, text: str, mentions: list["_Mention"]) -> list["_Mention"]:
        """Short street names where no name was read (「锦绣家园，青禾那个」; not the 青禾 of 青禾大道)."""
        return [_Mention(found.span(), "", frozenset(codes)) for short, codes in self._street_hints.items()
                for found in re.finditer(re.escape(short), text)
                if not any(m.span[0] < found.end() and found.start() < m.span[1] for m in mentions)]

    def _community(self, code: str) -> tuple[str, str] | None:
        grid = self.grids.get(code)
        return (grid.street, grid.community) if grid else None


@dataclass(frozen=True)
class _Mention:
    """Where the text named a place, street, community or road, and the grids it points to; `shared`
    is a place name found in more than one grid."""

    span: tuple[int, int]
    shared: str
    grids: frozenset[str]
    factor: float = 1.0  # below 1 for a near spelling (rapidfuzz, pinyin)

    def apart_from(self, other: "_Mention") -> bool:
        """Named as written and elsewhere in the text: a near spelling of the same words is another
        guess at them, not more of what the resident said."""
        return self.factor == 1.0 and (self.span[1] <= other.span[0] or other.span[1] <= self.span[0])


def numeral_variants(name: str) -> set[str]:
    """The name with Arabic digits as Chinese numerals and the other way round (三号楼 ↔ 3号楼)."""
    variants = {name}
    arabic = re.sub(r"\d+", lambda m: cn2an.an2cn(m.group()), name)
    chinese = re.sub(rf"[{CN_DIGITS}]+", lambda m: str(to_int(m.group())), name)
    return variants | {arabic, chinese}


def to_int(number: str) -> int:
    if number.isdigit():
        return int(number)
    try:
        return int(cn2an.cn2an(number, "smart"))
    except (ValueError, KeyError):
        return -1


def _covering(places: list[PlaceEntry], number: int) -> list[PlaceEntry]:
    """Road segments whose house-number range holds `number`; failing that, the narrowest other places."""
    hits = [p for p in places if p.number_from is not None and _in_range(p, number)]
    segments = [p for p in hits if p.name == p.road]
    if segments or not hits:
        return segments
    narrowest = min(_width(p) for p in hits)
    return [p for p in hits if _width(p) == narrowest]


def _width(place: PlaceEntry) -> int:
    return (place.number_to if place.number_to is not None else place.number_from or 0) - (place.number_from or 0)


def _in_range(place: PlaceEntry, number: int) -> bool:
    low = place.number_from if place.number_from is not None else number
    high = place.number_to if place.number_to is not None else low
    return low <= number <= high


def _keep(best: dict, code: str, name: str, score: float, span: tuple[int, int]) -> None:
    current = best.get(code)
    if current is None or score > current.score:
        best[code] = GridCandidate(code, name, round(min(score, 1.0), 4), span[0], span[1])


def _alternation(names: Iterable[str], suffix: str = "") -> re.Pattern | None:
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    if not ordered:
        return None
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(f"({body}){suffix}")
