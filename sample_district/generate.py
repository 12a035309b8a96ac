"""Writes the fictional sample district 青禾区 (QH): grids.geojson, places.csv, departments.csv.

Every name, code, coordinate and person here is invented for Minsheng. The output is a pure
function of this file: run `python sample_district/generate.py [OUT_DIR]` and commit what it writes.
"""

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

NOTICE = "虚构示例数据：青禾区及其中的街道、社区、网格、地名、部门和人名均为 Minsheng 项目编写，与任何真实地点、机构和个人无关。"
DISTRICT = ("QH", "青禾区")
NORTH, BAND = 28.25, 0.025  # four community bands per street, north to south
SKEW = 0.002  # inner grid borders lean alternately, so grids are quads rather than boxes

# street code, name, west longitude, communities (name, grid count, the east-west road through it)
STREETS = (
    ("QH01", "青禾街道", 112.90, (("幸福社区", 5, "幸福路"), ("青禾社区", 4, "青禾大道"),
                                 ("东方社区", 5, "东方路"), ("柳岸社区", 4, "柳岸路"))),
    ("QH02", "白溪街道", 112.95, (("白溪社区", 4, "白溪路"), ("桃源社区", 5, "青禾大道"),
                                 ("新桥社区", 4, "新桥路"), ("金沙社区", 5, "金沙路"))),
)
STREET_WIDTH = 0.05
# north-south roads: street code, name, longitude (numbered from the north, one block per community)
CROSS_ROADS = (("QH01", "文昌街", 112.917), ("QH01", "学院路", 112.944),
               ("QH02", "溪口街", 112.967), ("QH02", "长岭路", 112.994))

# 小区 in grid order within each community; "|" separates aliases. Two communities share a
# 锦绣家园, and 东方花园 has two phases in neighbouring communities: deliberate ambiguity.
ESTATES = {
    "幸福社区": ("幸福里小区|幸福里", "和平新村|和平村", "阳光花园|阳光小区", "春晖苑|春晖小区", "书香门第|书香门第小区"),
    "青禾社区": ("青禾嘉园|嘉园", "锦绣家园|锦绣小区", "禾丰小区|禾丰", "翠竹苑|翠竹小区"),
    "东方社区": ("东方花园一期|东方花园;东方花园1期", "明珠苑|明珠小区", "朝阳小区|朝阳", "紫荆花园|紫荆小区", "晨曦家园|晨曦小区"),
    "柳岸社区": ("东方花园二期|东方花园;东方花园2期", "柳岸人家|柳岸小区", "滨江华庭|华庭", "绿洲小区|绿洲"),
    "白溪社区": ("白溪家园|白溪小区", "溪畔花园|溪畔", "梧桐苑|梧桐小区", "清泉小区|清泉"),
    "桃源社区": ("桃源新村|桃源村;桃源小区", "桃李园|桃李园小区", "长青小区|长青", "如意花园|如意小区", "康乐苑|康乐小区"),
    "新桥社区": ("新桥小区|", "锦绣家园|锦绣小区", "枫林苑|枫林小区", "金桂花园|金桂小区"),
    "金沙社区": ("金沙苑|金沙小区", "银滩小区|银滩", "星河家园|星河小区", "南湖小区|南湖", "丰泽园|丰泽园小区"),
}
# kind, name|aliases, grid code (all on the grid's east-west road unless a bus stop)
LANDMARKS = (
    ("小区", "工人新村|", "QH01-C01-G03"),
    ("小区", "教师公寓|", "QH01-C02-G03"),
    ("小区", "电厂宿舍|电厂小区", "QH01-C03-G02"),
    ("小区", "供销社宿舍|", "QH02-C01-G02"),
    ("小区", "农机厂小区|农机厂宿舍", "QH02-C03-G04"),
    ("小区", "金沙新村|", "QH02-C04-G03"),
    ("学校", "青禾实验小学|实验小学;青禾实小", "QH01-C02-G02"),
    ("学校", "白溪实验小学|实验小学;白溪实小", "QH02-C01-G03"),
    ("学校", "青禾第一中学|青禾一中;一中", "QH01-C02-G03"),
    ("学校", "白溪中学|", "QH02-C02-G04"),
    ("学校", "幸福幼儿园|", "QH01-C01-G02"),
    ("学校", "东方小学|", "QH01-C03-G04"),
    ("学校", "柳岸中学|", "QH01-C04-G01"),
    ("学校", "桃源小学|", "QH02-C02-G02"),
    ("学校", "新桥小学|", "QH02-C03-G01"),
    ("学校", "金沙幼儿园|", "QH02-C04-G03"),
    ("市场", "幸福农贸市场|幸福菜市场;幸福市场", "QH01-C01-G04"),
    ("市场", "青禾菜市场|青禾市场", "QH01-C02-G01"),
    ("市场", "东方农贸市场|东方菜市场", "QH01-C03-G03"),
    ("市场", "柳岸综合市场|柳岸市场", "QH01-C04-G03"),
    ("市场", "白溪农贸市场|白溪菜市场", "QH02-C01-G01"),
    ("市场", "桃源菜市场|桃源市场", "QH02-C02-G05"),
    ("市场", "新桥建材市场|建材市场", "QH02-C03-G02"),
    ("市场", "金沙水产市场|水产市场", "QH02-C04-G01"),
    ("医院", "青禾区人民医院|区人民医院;区医院;人民医院", "QH01-C02-G04"),
    ("医院", "青禾区中医医院|区中医院;中医院", "QH02-C02-G03"),
    ("医院", "青禾街道社区卫生服务中心|青禾卫生服务中心", "QH01-C03-G01"),
    ("医院", "白溪街道社区卫生服务中心|白溪卫生服务中心", "QH02-C03-G03"),
    ("医院", "青禾区妇幼保健院|妇幼保健院", "QH02-C04-G02"),
    ("公园", "青禾公园|", "QH01-C01-G05"),
    ("公园", "白溪湿地公园|湿地公园", "QH02-C01-G04"),
    ("公园", "柳岸滨江公园|滨江公园", "QH01-C04-G04"),
    ("公园", "桃源广场|", "QH02-C02-G01"),
    ("公园", "新桥口袋公园|", "QH02-C03-G04"),
    ("公园", "金沙体育公园|体育公园", "QH02-C04-G05"),
    ("商场", "青禾购物中心|青禾商场", "QH01-C03-G02"),
    ("商场", "白溪百货大楼|白溪百货", "QH02-C01-G02"),
    ("商场", "新桥商业广场|新桥广场", "QH02-C03-G03"),
    ("商场", "金沙生活广场|", "QH02-C04-G04"),
    ("其他", "青禾街道办事处|青禾街道办", "QH01-C02-G01"),
    ("其他", "白溪街道办事处|白溪街道办", "QH02-C02-G02"),
    ("其他", "青禾派出所|", "QH01-C03-G05"),
    ("其他", "白溪派出所|", "QH02-C03-G02"),
    ("其他", "青禾区综治中心|区综治中心", "QH01-C02-G03"),
    ("其他", "青禾汽车客运站|客运站;汽车站", "QH02-C04-G01"),
    ("公交站", "区人民医院站|", "QH01-C02-G04"),
    ("公交站", "青禾公园站|", "QH01-C01-G05"),
    ("公交站", "白溪湿地公园站|", "QH02-C01-G04"),
    ("公交站", "青禾一中站|", "QH01-C02-G03"),
    ("公交站", "客运站公交站|客运站站", "QH02-C04-G01"),
)
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ("晓红", "建华", "丽娟", "志强", "海燕", "春梅", "国庆", "秀英", "立新", "桂兰", "文博", "雅琴", "振宇", "美玲")
WINDOWS = (("INTAKE", "综合受理"), ("DISPUTE", "矛盾纠纷"), ("LEGAL", "法律服务"), ("MIGRANT", "流动人口"))
BUREAUS = (
    ("HOUSING", "区住房和城乡建设局", "城乡建设"),
    ("ECOLOGY", "生态环境分局", "环境保护"),
    ("TRANSPORT", "区交通运输局", "交通运输"),
    ("EDUCATION", "区教育体育局", "教育文体"),
    ("HRSS", "区人力资源和社会保障局", "劳动和社会保障"),
    ("MARKET", "区市场监督管理局", "商贸旅游"),
    ("HEALTH", "区卫生健康局", "卫生计生"),
    ("JUSTICE", "区委政法委（区司法局）", "政法"),
    ("CIVIL", "区民政局", "民政"),
)
DISPATCHER = "QH-DISPATCH"


@dataclass(frozen=True)
class GridPlan:
    code: str
    index: int  # 1-based, west to east within the community
    community_code: str
    community: str
    street_code: str
    street: str
    ring: tuple[tuple[float, float], ...]
    road: str
    first_number: int  # the grid's block of its east-west road starts here

    @property
    def name(self) -> str:
        return f"{self.community}第{self.index}网格"


def plan_grids() -> list[GridPlan]:
    """Each street is a 0.05° column cut into four community bands, each band into quads."""
    plans: list[GridPlan] = []
    road_next: dict[str, int] = {}
    for street_code, street, west, communities in STREETS:
        for band, (community, count, road) in enumerate(communities):
            north = round(NORTH - band * BAND, 6)
            south = round(north - BAND, 6)
            borders = [west + STREET_WIDTH * i / count for i in range(count + 1)]
            for i in range(count):
                (sw, nw), (se, ne) = _border(borders, i, count), _border(borders, i + 1, count)
                ring = ((sw, south), (se, south), (ne, north), (nw, north), (sw, south))
                start = road_next.get(road, 0)
                road_next[road] = start + 100
                community_code = f"{street_code}-C{band + 1:02d}"
                plans.append(GridPlan(f"{community_code}-G{i + 1:02d}", i + 1, community_code, community,
                                      street_code, street, ring, road, start))
    return plans


def _border(borders: list[float], i: int, count: int) -> tuple[float, float]:
    """(south, north) longitude of the i-th border; outer borders stay straight."""
    lean = 0.0 if i in (0, count) else SKEW * (1 if i % 2 else -1)
    return round(borders[i] + lean, 6), round(borders[i] - lean, 6)


def worker(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 5) % len(GIVEN)]


def grid_features(plans: list[GridPlan]) -> list[dict[str, object]]:
    return [
        {
            "type": "Feature",
            "properties": {
                "code": p.code, "name": p.name, "community_code": p.community_code, "community": p.community,
                "street_code": p.street_code, "street": p.street, "worker": worker(n),
            },
            "geometry": {"type": "Polygon", "coordinates": [[list(point) for point in p.ring]]},
        }
        for n, p in enumerate(plans)
    ]


def place_rows(plans: list[GridPlan]) -> list[list[object]]:
    """Road blocks, 小区, landmarks and bus stops; addresses are numbers on the grid's own block."""
    by_code = {p.code: p for p in plans}
    used: dict[str, int] = {}

    def address(plan: GridPlan) -> list[object]:
        used[plan.code] = used.get(plan.code, 0) + 1
        number = max(plan.first_number, 1) + 8 * used[plan.code] - 2
        return [plan.road, number, number]

    rows: list[list[object]] = []
    for p in plans:
        rows.append([p.road, "道路", p.code, "", p.road, max(p.first_number, 1), p.first_number + 99])
    for street_code, road, lon in CROSS_ROADS:
        for block, p in enumerate(_crossed(plans, street_code, lon)):
            rows.append([road, "道路", p.code, "", road, max(block * 100, 1), block * 100 + 99])
    for community, estates in ESTATES.items():
        grids = [p for p in plans if p.community == community]
        for p, estate in zip(grids, estates, strict=True):
            name, aliases = estate.split("|")
            rows.append([name, "小区", p.code, aliases, *address(p)])
    for kind, entry, code in LANDMARKS:
        name, aliases = entry.split("|")
        where = [by_code[code].road, "", ""] if kind == "公交站" else address(by_code[code])
        rows.append([name, kind, code, aliases, *where])
    for p in plans:
        if p.index == 1:
            rows.append([f"{p.community}党群服务中心", "其他", p.code, f"{p.community}居委会;{p.community}服务中心",
                         *address(p)])
    for street_code, cross, lon in CROSS_ROADS:
        for p in _crossed(plans, street_code, lon):
            rows.append([f"{cross}{p.road}口站", "公交站", p.code, f"{p.road}{cross}口", p.road, "", ""])
    return rows


def _crossed(plans: list[GridPlan], street_code: str, lon: float) -> list[GridPlan]:
    """The grid a north-south road crosses in each community band, north first (at mid-band)."""
    return [p for p in plans if p.street_code == street_code
            and (p.ring[0][0] + p.ring[3][0]) / 2 <= lon < (p.ring[1][0] + p.ring[2][0]) / 2]


def department_rows(plans: list[GridPlan]) -> list[list[str]]:
    district_code, _ = DISTRICT
    rows = [[f"W-{p.code}", f"{p.street}{p.name}网格员", "grid", p.code, f"C-{p.community_code}", "", ""]
            for p in plans]
    communities = dict.fromkeys((p.community_code, p.street, p.community, p.street_code) for p in plans)
    rows += [[f"C-{code}", f"{street}{community}居委会", "community", code, f"S-{street_code}-INTAKE", "", ""]
             for code, street, community, street_code in communities]
    for street_code, street, _, _ in STREETS:
        rows += [[f"S-{street_code}-{slug}", f"{street}综治中心{window}窗口", "street", street_code, DISPATCHER,
                  "", window] for slug, window in WINDOWS]
    rows += [[f"{district_code}-{slug}", name, "district", district_code, "", topic, ""]
             for slug, name, topic in BUREAUS]
    rows.append([DISPATCHER, "区综治中心统一分拨", "district", district_code, "", "", "统一分拨"])
    return rows


def write_all(out: Path) -> None:
    plans = plan_grids()
    out.mkdir(parents=True, exist_ok=True)
    features = ",\n".join(json.dumps(f, ensure_ascii=False) for f in grid_features(plans))
    (out / "grids.geojson").write_text(
        '{"type": "FeatureCollection", "name": "青禾区网格（虚构示例）", "fictional": true,\n'
        f' "description": {json.dumps(NOTICE, ensure_ascii=False)},\n'
        f' "features": [\n{features}\n]}}\n',
        encoding="utf-8",
    )
    _write_csv(out / "places.csv", ["name", "kind", "grid_code", "aliases", "road", "number_from", "number_to"],
               place_rows(plans))
    _write_csv(out / "departments.csv", ["code", "name", "level", "area", "parent", "topics", "window"],
               department_rows(plans))


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# {NOTICE}\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
