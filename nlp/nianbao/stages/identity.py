"""Who published a report: the issuing body's name with evidence, and its canonical identity.

Candidates come from the title line, preamble forms (现公布X…, 由X编制, 结合X…实际, X根据…编制), page chrome
(来源: / 发布机构:), the overview's opening sentence (2011年,攸县在…), contact lines, and self-references
(我局 → the …局 named elsewhere). Every candidate window must *parse* as a body name — optional national prefix,
one or more administrative divisions (from the division packages, so the name is anchored at a real place),
optional township, and a body core ending with a body suffix — or it is dropped. A sentence piece therefore never
becomes an issuer: the result is a clean name or None (with a warning). Candidates naming the same body
(same issuer id) add their weights; the best body wins and all its mentions are its ``issuer_evidence``.

The identity: ``issuer_id`` = ``<division code>:<body core>`` with abbreviations expanded and equivalent forms
folded (人民政府 ≡ 政府, 管委会 ≡ 管理委员会), so it is stable across years and name variants; plus the
division code and name, the level (province/city/county/township/other) and the kind of body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao.lang import divisions
from nianbao.lang.cjk import HAN
from nianbao.resources import load_yaml
from nianbao.schema import Evidence, Identity
from nianbao.stages.context import Context

_CJK_NAME = re.compile(rf"^[{HAN}“”\"+()·]+$")
_BODY_SUFFIX = re.compile(
    r"(人民政府|政府|办公室|办公厅|分局|局|委员会|委|院|中心|公司|所|处|站|队|办|厅|部|署|馆|社|室|办事处|街道|法院|医院|校|会|组)$")
_PRIMARY_SUFFIX = re.compile(r"人民政府|政府|局|委员会|厅")
_YEAR_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*(?:年\s*度?|(?=政府|政务|信息))(?P<mid>[^。\n]{0,40}?)"
    r"\s*(?:政府\s*信息公开|政务\s*信息公开|信息公开|政务公开|信息年度|公开工作)[^。]{0,16}?(?:报告|年报)"
)
_GENERIC_PLACE = re.compile(rf"[{HAN}]{{1,5}}?(?:省|自治区|市|县|区|旗|州|盟)")
_GENERIC_LEVEL = {"省": "province", "区": "county", "县": "county", "旗": "county", "市": "city", "州": "city", "盟": "city"}
_TITLE_NOYEAR = re.compile(r"(?P<mid>[^。\n]{2,40}?)(?:政府信息公开|政务信息公开|信息公开)(?:工作)?(?:年度)?(?:报告|年报)")
_LABEL = re.compile(r"^(?:#{1,6}\s*|(?:标题|题目|正文|名称|信息名称|标 题)\s*[:|]?\s*\|?\s*)")


@dataclass
class Parsed:
    name: str
    offset: int  # start of the name inside the window
    chain: list[str] = field(default_factory=list)  # division names (short forms for zones)
    township: str = ""
    zone: str = ""
    core: str = ""
    generic: bool = False  # the place is not in the division data (new, renamed or invented)


@dataclass
class _Cand:
    parsed: Parsed
    source: str
    start: int  # normalised offsets of the name
    end: int


@lru_cache(maxsize=1)
def _cfg() -> dict:
    cfg = dict(load_yaml("identity.yaml"))
    cfg["_preamble"] = [re.compile(p) for p in cfg["preamble"]]
    cfg["_chrome"] = re.compile(cfg["chrome"])
    cfg["_opener"] = re.compile(cfg["opener"])
    cfg["_contact"] = re.compile(cfg["contact"])
    cfg["_website"] = re.compile(cfg["website"])
    cfg["_not_in_name"] = re.compile("|".join(map(re.escape, cfg["not_in_name"])))
    cfg["_not_place"] = re.compile("|".join(map(re.escape, cfg["not_a_place"])))
    cfg["_township"] = re.compile(
        rf"([{HAN}]{{1,5}}?)(" + "|".join(cfg["township_endings"]) + r")(?=$|人民政府|政府|办事处|办公室|党政|党委)")
    cfg["_zone"] = re.compile(rf"[{HAN}]{{0,6}}?(?:" + "|".join(cfg["zone_endings"]) + ")")
    cfg["_kinds"] = [(k, re.compile(p)) for k, p in cfg["kinds"].items()]
    cfg["_selfref"] = re.compile("|".join(map(re.escape, sorted(cfg["self_reference"], key=len, reverse=True))))
    issuers = load_yaml("issuers.yaml")
    cfg["_abbrev"] = issuers["abbreviations"]
    return cfg


def _parse_from(w: str, i: int, cfg: dict, allow_township_first: bool) -> Parsed | None:
    j = i
    for pre in cfg["national_prefixes"]:
        if w.startswith(pre, j):
            j += len(pre)
            break
    chain: list[str] = []
    zone = ""
    generic = False
    while j < len(w):
        name = divisions.match_at(w, j)
        if name:
            chain.append(name)
            j += len(name)
            continue
        hit = None
        for k in range(6, 1, -1):  # a zone named by a locality's short form: 平潭综合实验区
            short = w[j:j + k]
            if len(short) == k and short in divisions.short_index():
                z = cfg["_zone"].match(w, j + k)
                if z:
                    hit = (short, z.end())
                    break
        if hit:
            chain.append(hit[0])
            zone = w[j + len(hit[0]):hit[1]]
            j = hit[1]
            break
        for k in range(6, 1, -1):  # a short form with its level: 临夏州
            short = w[j:j + k]
            if len(short) == k and j + k < len(w) and w[j + k] in "州县市区盟旗" and short in divisions.short_index():
                chain.append(short)
                j += k + 1
                break
        break
    if not chain and allow_township_first and j == i:
        # a place the division data does not know (new, renamed or invented), only where the window starts
        g = _GENERIC_PLACE.match(w, j)
        generic_zone = g is not None and g.group(0).endswith(tuple(cfg["zone_endings"]))  # 示范区 alone is no place
        if (g and not generic_zone and not cfg["_not_in_name"].search(g.group(0))
                and not cfg["_not_place"].search(g.group(0)[:-1])
                and g.group(0)[0] not in cfg["township_not_first"]):
            chain.append(g.group(0))
            generic = True
            j = g.end()
    if zone == "" and chain:
        z = cfg["_zone"].match(w, j)
        if z and z.end() > j and not _BODY_SUFFIX.search(w[j:z.end()]):
            zone, j = w[j:z.end()], z.end()
    township = ""
    k = j + 4 if chain and w.startswith("人民政府", j) else j  # 黄浦区人民政府打浦桥街道办事处
    t = cfg["_township"].match(w, k)
    if (t and "和" not in t.group(0) and t.group(0)[0] not in cfg["township_not_first"]
            and (chain or (allow_township_first and j == i))):
        township, j = w[j:t.end()], t.end()
    if not chain and not township:
        return None
    core = w[j:]
    name = w[i:]
    if not _CJK_NAME.match(name) or cfg["_not_in_name"].search(name) or len(name) > 40:
        return None
    if name.count("(") != name.count(")"):
        return None
    if core and not _BODY_SUFFIX.search(core):
        return None
    if len(core) > 24:
        return None
    return Parsed(name=name, offset=i, chain=chain, township=township, zone=zone, core=core, generic=generic)


def parse_name(window: str, *, township_first: bool = False) -> Parsed | None:
    """The longest body name that ends the window, or None when no suffix of it is a body name."""
    cfg = _cfg()
    w = window.strip().strip("“”\"")
    for i in range(0, max(0, len(w) - 1)):
        p = _parse_from(w, i, cfg, township_first and i == 0)
        if p is not None:
            p.offset += len(window) - len(window.lstrip()) + (1 if window.strip().startswith(("“", '"')) else 0)
            return p
    return None


def _title_windows(head: str) -> list[tuple[int, str]]:
    out = []
    lines = head.split("\n")
    pos = 0
    for i, line in enumerate(lines[:12]):  # year-first title broken over two lines: 2023年<body>\n政府信息公开…报告
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        m = re.match(r"\s*(?:(?:19|20)\d{2}\s*年度?)?(?P<mid>[^\s,。《》]{2,40}?)\s*(?:(?:19|20)\d{2}\s*年度?)?\s*$", line)
        if m and re.match(r"\s*(?:(?:19|20)\d{2}\s*年度?)?\s*(?:政府信息公开|政务信息公开|信息公开)", nxt):
            out.append((pos + m.start("mid"), m.group("mid")))
        pos += len(line) + 1
    for m in _YEAR_TITLE.finditer(head):
        if head[max(0, m.start() - 1):m.start()] in ("〔", "[", "(") or head.count("《", 0, m.start()) > head.count(
                "》", 0, m.start()):
            continue  # a cited document number or title, not this report's title
        line_start = head.rfind("\n", 0, m.start()) + 1
        before = head[line_start:m.start()]
        if len(before) > 50 or re.search(r"[。,;《》]", before):
            continue
        lab = _LABEL.match(before)
        off = line_start + (lab.end() if lab else 0)
        out.append((off, head[off:m.start()].rstrip()))
        mid = m.group("mid")
        if mid.strip():
            out.append((m.start("mid"), mid.rstrip()))
        if line_start > 0 and not before.strip():  # PDF titles put the body on its own line above
            prev_end = line_start - 1
            prev_start = head.rfind("\n", 0, prev_end) + 1
            out.append((prev_start, head[prev_start:prev_end]))
    for m in _TITLE_NOYEAR.finditer(head[:300]):
        line_start = head.rfind("\n", 0, m.start()) + 1
        if line_start == m.start() or head[line_start:m.start()].strip() == "":
            out.append((m.start("mid"), m.group("mid")))
    return out


def candidates(text: str) -> list[_Cand]:
    """Every body name the title, preamble, chrome, opener and contact lines give (normalised offsets)."""
    cfg = _cfg()
    head = text[:2500]
    out: list[_Cand] = []

    def add(start: int, window: str, source: str, *, township_first: bool = False) -> None:
        keep: list[int] = []
        if " " in window.strip():  # layout spaces inside a title: 柘城县 “互联网+”经济发展促进中心
            keep = [i for i, ch in enumerate(window) if ch != " "]
            window = window.replace(" ", "")
        p = None if source == "contact" else parse_name(window, township_first=township_first)
        # an office inside the body: 由南平市人民政府信息公开工作领导小组办公室编制 → 南平市人民政府
        if p is None and source in ("preamble", "contact"):
            m = _PRIMARY_SUFFIX.search(window)
            if m:
                end = m.end()
                office = re.match(r"办公厅|办公室", window[end:]) if m.group(0).endswith("政府") else None
                p = parse_name(window[:office.end() if office else end], township_first=township_first)
        if p is None:
            _remember_bare(window)
            return
        office = re.search(r"(局|委员会|委|厅)(办公室|办)$", p.core)
        if office:  # a bureau's own office speaks for the bureau: 永安市财政局办公室 → 永安市财政局
            cut = len(office.group(2))
            p = Parsed(p.name[:-cut], p.offset, p.chain, p.township, p.zone, p.core[:-cut])
        a = keep[p.offset] if keep else p.offset
        b = (keep[p.offset + len(p.name) - 1] + 1) if keep else p.offset + len(p.name)
        out.append(_Cand(p, source, start + a, start + b))

    bare: list[str] = []

    def _remember_bare(window: str) -> None:
        m = _BARE.search(window)
        if m:
            bare.append(m.group("core"))

    for off, window in _title_windows(head):
        add(off, window, "title", township_first=True)
    for pat in cfg["_preamble"]:
        for m in pat.finditer(head):
            add(m.start("n"), m.group("n"), "preamble", township_first=True)
    for m in cfg["_chrome"].finditer(head):
        add(m.start("n"), m.group("n"), "chrome", township_first=True)
    for m in cfg["_opener"].finditer(text[:4000]):
        add(m.start("n"), m.group("n"), "opener", township_first=True)
    for m in cfg["_contact"].finditer(head):
        add(m.start("n"), m.group("n"), "contact")
    for m in cfg["_website"].finditer(head):
        add(m.start("n"), m.group("n"), "website")
    for start, line in _header_lines(head):
        add(start, line, "header", township_first=True)
    # a body named by its level only (区统计局, 市卫生局): the same body with its place elsewhere in the text
    for core in dict.fromkeys(bare):
        for m in re.finditer(rf"[{HAN}“”]{{2,24}}?{re.escape(core)}", text[:8000]):
            p = parse_name(m.group(0))
            if p is not None and p.core.endswith(core) and p.chain:
                s = m.start() + p.offset
                out.append(_Cand(p, "self_reference", s, s + len(p.name)))
    return out


_BARE = re.compile(rf"(?:^|[^{HAN}])?[省市区县州旗](?P<core>[{HAN}]{{1,12}}?(?:局|委员会|委|厅|办公室|中心))$")


def _header_lines(head: str) -> list[tuple[int, str]]:
    """The first short lines of a page (site header, PDF title block) that are a body name and nothing else."""
    out = []
    pos = 0
    for line in head.split("\n")[:10]:
        s = line.strip()
        if 3 <= len(s) <= 30 and _BODY_SUFFIX.search(s) and not re.search(r"[《》,。;:]", s):
            out.append((pos + line.index(s), s))
        pos += len(line) + 1
    return out


def _self_reference(text: str, cands: list[_Cand]) -> list[_Cand]:
    """我局/我镇 …: the body of that type named anywhere in the text (…局 in 编制发布《广州市市场监督管理局…》)."""
    cfg = _cfg()
    refs = {cfg["self_reference"][m.group(0)] for m in cfg["_selfref"].finditer(text[:6000])}
    out: list[_Cand] = []
    for suffix in refs:
        if any(c.parsed.name.endswith(suffix) for c in cands):
            continue
        for m in re.finditer(rf"[{HAN}“”]{{2,30}}?{re.escape(suffix)}", text[:8000]):
            p = parse_name(m.group(0))
            if p is not None and (p.core or p.township):
                s = m.start() + p.offset
                out.append(_Cand(p, "self_reference", s, s + len(p.name)))
    return out


def canonical(p: Parsed, text: str = "") -> tuple[str, str]:
    """(canonical name, body key used in the issuer id)."""
    cfg = _cfg()
    name, core = p.name, p.core
    for short in sorted(cfg["_abbrev"], key=len, reverse=True):
        full = cfg["_abbrev"][short]
        if core.endswith(short) and not core.endswith(full):
            core = core[: -len(short)] + full
            name = name[: -len(short)] + full
            break
    if not core:
        if p.zone:
            form = next((f for f in ("管委会", "管理委员会") if p.name + f in text), "")
            name, core = name + form, form
        elif p.township.endswith(("街道", "街道办事处")):
            pass
        else:
            name, core = name + cfg["government_suffix"], cfg["government_suffix"]
    # a county named without its prefecture while the text names both: 洪泽区 → 淮安市洪泽区
    if p.chain and not p.township:
        div = divisions.resolve(p.chain, text)
        if div is not None and len(p.chain) == 1 and div.level == "county":
            for parent in reversed(div.parents):
                if parent + name in text:
                    name = parent + name
                    break
    key = p.zone + p.township.removeprefix("人民政府") + core
    for a, b in cfg["equivalents"].items():
        key = key.replace(a, b)
    return name, key


def identify(text: str) -> tuple[str | None, Identity | None, list[Evidence], list[tuple[int, int]]]:
    """(issuer, identity, evidence, normalised spans of the evidence) for a normalised report text."""
    cfg = _cfg()
    cands = candidates(text)
    cands += _self_reference(text, cands)
    if not cands:
        return None, None, [], []
    groups: dict[str, list[_Cand]] = {}
    names: dict[str, str] = {}
    divs: dict[str, divisions.Division | None] = {}
    for c in cands:
        name, key = canonical(c.parsed, text)
        div = divisions.resolve(c.parsed.chain, text) if c.parsed.chain else None
        iid = f"{div.code}:{key}" if div is not None else f"name:{re.sub('人民政府', '政府', name)}"
        groups.setdefault(iid, []).append(c)
        divs[iid] = div
        if len(name) > len(names.get(iid, "")) or (c.source == "title" and not any(
                g.source == "title" for g in groups[iid][:-1])):
            names[iid] = name

    # a township named alone (解放街道) is the same body as the one named with its county (…区人民政府解放街道办事处)
    for iid in [i for i in groups if i.startswith("name:")]:
        tw = [c for c in groups[iid] if c.parsed.township and not c.parsed.chain]
        if not tw:
            continue
        key = canonical(tw[0].parsed, text)[1]
        target = next((g for g in groups if g != iid and not g.startswith("name:") and g.split(":", 1)[1].endswith(key)),
                      None)
        if target:
            groups[target].extend(groups.pop(iid))

    for iid, group in groups.items():
        names[iid] = max((canonical(c.parsed, text)[0] for c in group), key=len)

    def weight(iid: str) -> tuple[float, int]:
        sources = {c.source for c in groups[iid]}
        best_one = max(cfg["source_weight"][c.source]
                       - (0.0 if c.parsed.core or c.parsed.zone else cfg["locality_only_penalty"])
                       - (cfg["unknown_place_penalty"] if c.parsed.generic else 0.0) for c in groups[iid])
        return best_one + cfg["agreement_bonus"] * (len(sources) - 1), len(names[iid])

    # a portal's name alone does not say who wrote the report (a department's report sits on its government's portal)
    groups = {k: v for k, v in groups.items() if {c.source for c in v} != {"website"}}
    if not groups:
        return None, None, [], []
    best = max(groups, key=weight)
    div = divs[best]
    group = groups[best]
    p = max(group, key=lambda c: (bool(c.parsed.core), len(c.parsed.name))).parsed
    issuer = names[best]
    kind = next(k for k, pat in cfg["_kinds"] if pat.search(issuer))
    township_body = bool(p.township) and (not p.core or re.fullmatch(r"(人民政府|政府|办事处|党委)(办公室)?", p.core))
    if township_body:
        level = "township"
    elif div is not None:
        level = div.level
    else:
        level = _GENERIC_LEVEL.get(p.chain[-1][-1], "other") if p.chain else "other"
    ident = Identity(issuer_id=best, name=issuer, division_code=div.code if div else None,
                     division_name="".join(div.parents) + div.name if div else None, level=level, kind=kind)  # type: ignore[arg-type]
    spans = sorted({(c.start, c.end, c.source) for c in group})
    if any(c.source == "self_reference" for c in group):  # the 我局 that the name resolves, as evidence too
        ref = next((m for m in cfg["_selfref"].finditer(text[:6000])
                    if cfg["self_reference"][m.group(0)] in issuer), None)
        if ref is not None:
            spans = sorted({*spans, (ref.start(), ref.end(), "self_reference_pronoun")})
    ev = [Evidence(source=s, start=a, end=b) for a, b, s in spans]
    return issuer, ident, ev, [(a, b) for a, b, _ in spans]


def run(ctx: Context) -> None:
    """Fill ``report.issuer``, ``report.identity`` and ``report.issuer_evidence`` (original offsets)."""
    issuer, ident, ev, spans = identify(ctx.norm.text)
    report = ctx.report
    report.issuer = issuer
    report.identity = ident
    report.issuer_evidence = []
    for e, (a, b) in zip(ev, spans, strict=True):
        o_start, o_end = ctx.norm.span(a, b)
        report.issuer_evidence.append(Evidence(source=e.source, start=o_start, end=o_end))
    if issuer is None:
        ctx.warn("no_issuer", "no clean issuing-body name in the title, preamble, chrome or self-references")
    elif ident is not None and ident.division_code is None:
        ctx.warn("no_division", f"issuer {issuer!r} has no administrative division code")
