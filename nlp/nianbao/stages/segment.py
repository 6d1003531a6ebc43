"""Format generation, issuer, year and the standard sections of a report (spec §0–§1).

Headings are found anywhere a numeral (一、 1. 第一部分) or markdown ``#`` starts a
line or follows a sentence end (crawler text runs whole reports into one line),
then scored by how well their title matches a section (data/sections.yaml). For
2019/2021 reports the best-scoring sequence in standard order wins (dynamic
programming), so reused 一、二、三 sub-headings and table rows such as
三、本年度办理结果 never start a section; legacy reports take every matching
heading in text order. A section never starts on a numeral alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nianbao.lang.cjk import HAN
from nianbao.resources import any_of, load_yaml
from nianbao.schema import FormatId, Section
from nianbao.stages import headings, identity
from nianbao.stages.context import Context

_NUM = "一二三四五六七八九十"
# numeral heading prefix: 一、 / 一. / 第一部分 / 1、 / markdown; must start a line or follow a sentence end
_HEAD = re.compile(
    # fail fast: a candidate starts at a line start, or elsewhere only where a numeral or markdown marker follows
    rf"(?:(?<=\n)|^|(?=#|[{_NUM}]{{1,3}}\s*[、.．]|第[{_NUM}]{{1,3}}部分|\([{_NUM}]{{1,3}}\)|[{_NUM}]{{1,3}}是|"
    rf"\d{{1,2}}\s*[、.．](?!\d)))"
    rf"(?P<md>#{{1,6}}\s*)?(?P<num>(?P<top>[{_NUM}]{{1,3}})"
    # 一、 / 一. ; or, at a line start only, 一 followed by the title (一 概 述)
    rf"(?:\s*[、.．]|(?:(?<=\n[{_NUM}])|(?<=^[{_NUM}]))[ \u3000]*(?=[{HAN}]))|第[{_NUM}]{{1,3}}部分[、.:]?|"
    rf"(?P<sub>\([{_NUM}]{{1,3}}\)|[{_NUM}]{{1,3}}是)|(?P<arabic>\d{{1,2}})\s*[、.．](?!\d))?\s*",
)
_YEAR_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*(?:年\s*度?)?(?P<mid>[^。\n]{0,40}?)"
    r"(?:政府信息公开|政务信息公开|信息公开|政务公开|信息年度|公开工作)[^。]{0,16}?(?:报告|年报)"
)
# dates may be spaced and broken over lines: 统计期限自 2024 年 1 月 1 日\n起至 2024 年 12 月 31 日止
_PERIOD = re.compile(
    r"(?:统计(?:期限|期间|时限|周期|时间)|数据时限|所列数据)[^。\n]{0,20}?((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"[^。]{0,6}?(?:至|到|-|—|~)\s*(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_PHONE = re.compile(r"(?:电话|联系电话)[:\s]*((?:0\d{2,3}-?)?\d{7,8})")
_URL = re.compile(r"(https?://[A-Za-z0-9./_\-?=&%#]+|www\.[A-Za-z0-9./_\-]+)")


_BOUNDARY = set("\n。;!?”: \t")


@dataclass
class _Candidate:
    key: str
    score: float
    start: int  # normalised offsets of the heading line/segment
    end: int
    title: str
    sub: bool = False  # opened by a sub-numeral (（一）/一是)


_INNER_NUMERAL = re.compile(r"[一二三四五六七八九十]{1,3}、")


@lru_cache(maxsize=1)
def _config() -> dict:
    cfg = load_yaml("sections.yaml")
    compiled: dict[str, list[tuple[re.Pattern[str], bool]]] = {}
    for key, spec in cfg["sections"].items():
        pats = [(re.compile(re.escape(t)), True) for t in spec.get("exact", [])]
        pats += [(re.compile(p), False) for p in spec.get("variants", [])]
        compiled[key] = pats
    cfg["compiled"] = compiled
    # one alternation of every title pattern: most line starts match none, and one C-level try rejects them
    cfg["any_title"] = any_of(p.pattern for pats in compiled.values() for p, _ in pats)
    cfg["format_patterns"] = {k: re.compile("|".join(v)) for k, v in cfg["formats"].items()}
    cfg["notice_patterns"] = {k: re.compile("|".join(v)) for k, v in cfg["format_notices"].items()}
    cfg["revised_markers"] = re.compile("|".join(cfg["revised_markers"]))
    return cfg


def detect_format(text: str, year: int | None = None) -> FormatId:
    return decide_format(text, year)[0]


def decide_format(text: str, year: int | None = None) -> tuple[FormatId, str, tuple[int, int] | None]:
    """(format, the signal that decided it, its normalised span): table tokens, then cited notices, then the
    revised-Regulation headings with the year, then legacy headings or the year alone."""
    cfg = _config()
    pats = cfg["format_patterns"]
    for fmt in ("gov_2021", "gov_2019"):
        m = pats[fmt].search(text)
        if m:
            return fmt, f"table_token:{m.group(0)}", m.span()  # type: ignore[return-value]
    revised = year is None or year >= 2019
    if revised:
        for fmt in ("gov_2021", "gov_2019"):
            m = cfg["notice_patterns"][fmt].search(text)
            if m and (fmt == "gov_2021" or year is None or year <= 2020):
                return fmt, f"notice:{m.group(0)}", m.span()  # type: ignore[return-value]
            if m and year is not None and year >= 2021:
                return "gov_2021", f"notice+year:{m.group(0)}", m.span()
        m = cfg["revised_markers"].search(text)
        if m and year is not None:
            fmt = "gov_2021" if year >= 2021 else "gov_2019"
            return fmt, f"heading+year:{m.group(0)}", m.span()  # type: ignore[return-value]
    if pats["gov_unknown"].search(text) and not (year is not None and year <= 2018):
        m = pats["gov_unknown"].search(text)
        return "gov_unknown", f"heading:{m.group(0)}" if m else "heading", m.span() if m else None
    m = pats["legacy_2008"].search(text)
    if m:
        return "legacy_2008", f"legacy_heading:{m.group(0)}", m.span()
    if year is not None and year <= 2018:
        return "legacy_2008", "year<=2018", None
    if year is not None and year >= 2021:
        return "gov_2021", "year>=2021", None
    if year is not None:
        return "gov_2019", "year 2019-2020", None
    return "gov_unknown", "none", None


def _cited(text: str, pos: int) -> bool:
    """A year inside a cited document: its number (〔2021〕30号) or its title (《…2020年度…报告…的通知》)."""
    opened = text[max(0, pos - 1):pos] in ("〔", "[", "(", "【", "﹝", "［")
    return opened or text.count("《", 0, pos) > text.count("》", 0, pos)


def detect_year(text: str) -> int | None:
    """The year reported on: title first, then the statistics period, then the first 'N年'.

    Years of cited documents (国办公开办函〔2021〕30号, 《关于做好2020年度…报告…的通知》) never count.
    """
    head = text[:1500]
    period = _PERIOD.search(text)
    for m in _YEAR_TITLE.finditer(head):
        if not _cited(head, m.start("year")):
            year = int(m.group("year"))
            if period and int(period.group(1)) != year:
                # title and statistics period disagree (a typo in one of them): the year the text is about wins
                other = int(period.group(1))
                count = {y: len(re.findall(rf"{y}\s*年", text)) for y in (year, other)}
                return other if count[other] > count[year] else year
            return year
    if period:
        return int(period.group(1))
    years = [m for m in re.finditer(r"((?:19|20)\d{2})\s*年", head) if not _cited(head, m.start())]
    return int(years[0].group(1)) if years else None


def _heading_candidates(text: str, cfg: dict) -> list[_Candidate]:
    out: list[_Candidate] = []
    scores = cfg["scores"]
    limit = cfg["max_heading_chars"]
    any_title = cfg["any_title"]
    for m in _HEAD.finditer(text):
        # a heading starts a line or follows a sentence end; crawler text glues exact titles to table cells
        prev = text[m.start() - 1] if m.start() else "\n"
        # crawler text glues headings to table numbers and to e-mail addresses (…163.com一、概述)
        boundary = prev in _BOUNDARY or (prev.isascii() and prev.isalnum() and m.group("top") is not None)
        if not (m.group("num") or m.group("md")):
            # a bare line is a heading only when the whole line is a standard title
            if m.start() and text[m.start() - 1] != "\n":
                continue
        pos = m.end()
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        window = text[pos:min(line_end, pos + limit)]
        if not window:
            continue
        if m.group("top") and not re.search(r"[、.．]", m.group("num")) and line_end - m.start() > 16:
            continue  # a numeral without its 、 opens a heading only on a short line of its own (一 概 述)
        if any_title.match(window) is None:
            # no listed title: what the heading says decides (a model trained on the shared documents' headings)
            numbered = m.group("top") or m.group("md") or (m.group("num") and "部分" in m.group("num"))
            if numbered and (boundary or m.start() == 0):
                cand = _classified(text, m.start(), pos, line_end, window, scores, bool(m.group("md")))
                if cand is not None:
                    out.append(cand)
            continue
        for key, pats in cfg["compiled"].items():
            best: tuple[float, int] | None = None
            for pat, exact in pats:
                hit = pat.match(window)
                if hit and _INNER_NUMERAL.search(window, 1, hit.end()):
                    hit = None  # a title never runs over the next heading's numeral (table row, then 四、…)
                if hit and hit.end() > 0:
                    s = scores["exact"] if exact else scores["variant"]
                    if best is None or s > best[0] or (s == best[0] and hit.end() > best[1]):
                        best = (s, hit.end())
            if best is None or not (boundary or (best[0] >= scores["exact"] and m.group("top"))):
                continue
            score, length = best
            end = pos + length
            rest = text[end:line_end].strip()
            own_line = not rest or (len(rest) <= 3 and not re.search(rf"[{HAN}]", rest))
            if own_line:
                score += scores["own_line"]
                end = line_end
            elif line_end - pos > limit and not m.group("num"):
                continue  # an un-numbered title must stand on its own line
            if m.group("top") or (m.group("num") and not m.group("sub") and not m.group("arabic")):
                score += scores["top_numeral"]
            if m.group("md"):
                score += scores["markdown"]
            if m.group("sub"):
                score += scores["sub_numeral"]
            if not m.group("num") and not m.group("md") and not (own_line and best[0] >= scores["exact"]):
                continue  # an un-numbered line is a heading only when it is exactly a standard title
            if not own_line and re.match(r"[\d,]", rest[:1] or "x") is None and len(rest) > 0 and score < 1.0:
                score -= 0.1  # inline title followed directly by prose: weaker evidence
            if not own_line:  # a title glued to a table header or prose: end it after its last word
                cut = _TITLE_END.search(text, pos, end)
                if cut:
                    end = cut.end()
            out.append(_Candidate(key, score, m.start(), end, text[m.start():end].strip(), bool(m.group("sub"))))
    return out


_TITLE_END = re.compile(r"(?:情况|事项|概述|措施)(?=\S)")
_TITLE_CUT = re.compile(r"[。:;|]|\d+(?!\d*\s*年)|[一二三四五六七八九十]{1,3}、|\s+(?=\S{10,})")


def _classified(text: str, start: int, pos: int, line_end: int, window: str, scores: dict[str, float],
                markdown: bool) -> _Candidate | None:
    """A heading candidate keyed by the heading classifier (None for ``none`` or an unsure title)."""
    cut = _TITLE_CUT.search(window)
    title = window[:cut.start()] if cut else window
    if len(title.strip()) < 2 or len(title) > 40:
        return None
    key, prob = headings.classify(title)
    if key == "none" or prob < 0.35:
        return None
    own_line = title.strip() == window.strip() and pos + len(window) >= line_end
    score = 0.45 + 0.15 * prob + scores["top_numeral"] + (scores["own_line"] if own_line else 0.0)
    score += scores["markdown"] if markdown else 0.0
    end = line_end if own_line else pos + len(title.rstrip())
    return _Candidate(key, score, start, end, text[start:end].strip())


def _best_sequence(cands: list[_Candidate], order: list[str]) -> list[_Candidate]:
    """Highest total score over headings whose keys strictly increase in ``order``."""
    ranked = [c for c in cands if c.key in order and c.score > 0]
    # a sub-numeral block after a top-level heading is inside that section ((一)主动公开情况 under 一、总体情况)
    first_top = min((c.start for c in ranked if not c.sub), default=None)
    ranked = [c for c in ranked if not (c.sub and first_top is not None and c.start > first_top)]
    ranked.sort(key=lambda c: c.start)
    rank = {k: i for i, k in enumerate(order)}
    best: list[tuple[float, int]] = []  # (score, prev index)
    for i, c in enumerate(ranked):
        top = (c.score, -1)
        for j in range(i):
            p = ranked[j]
            if rank[p.key] < rank[c.key] and p.end <= c.start and best[j][0] + c.score > top[0]:
                top = (best[j][0] + c.score, j)
        best.append(top)
    if not best:
        return []
    i = max(range(len(best)), key=lambda k: best[k][0])
    seq: list[_Candidate] = []
    while i >= 0:
        seq.append(ranked[i])
        i = best[i][1]
    return seq[::-1]


def _legacy_sequence(cands: list[_Candidate]) -> list[_Candidate]:
    """Every top-level heading in text order; overlapping candidates keep the best-scoring key."""
    cands = [c for c in cands if c.score >= 0.75]
    cands.sort(key=lambda c: (c.start, -c.score))
    out: list[_Candidate] = []
    for c in cands:
        if out and c.start < out[-1].end:
            if c.start == out[-1].start:
                used = {o.key for o in out[:-1]}
                # equal evidence: a key not used yet is the more specific reading (依申请公开收取的费用 → fees)
                if c.score > out[-1].score or (c.score == out[-1].score and out[-1].key in used and c.key not in used):
                    out[-1] = c
            continue
        out.append(c)
    return out


_SUB_FIRST = re.compile(r"(?m)^[ \t]*\(一\)[ \t]*(?P<t>[^\n]{2,40})$")


def _unnumbered_problems(text: str, seq: list[_Candidate]) -> list[_Candidate]:
    """The problems part whose 五、 heading was lost starts at its first (一) block when that block says so
    ((一)主要问题 right after Table 4)."""
    keys = [c.key for c in seq]
    if "problems" in keys or "review_litigation" not in keys:
        return seq
    i = keys.index("review_litigation")
    stop = seq[i + 1].start if i + 1 < len(seq) else len(text)
    for m in _SUB_FIRST.finditer(text, seq[i].end, stop):
        key, prob = headings.classify(m.group("t"))
        if key == "problems" and prob >= 0.5:
            cand = _Candidate("problems", 0.6, m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end(),
                              m.group(0).strip(), True)
            return [*seq[:i + 1], cand, *seq[i + 1:]]
    return seq


def find_sections(text: str, format_id: FormatId) -> list[tuple[str, int, int, int, str]]:
    """(key, heading_start, heading_end, section_end, title) in normalised offsets."""
    cfg = _config()
    cands = _heading_candidates(text, cfg)
    if format_id == "legacy_2008":
        seq = _legacy_sequence(cands)
        if len(seq) < 2:
            seq = _best_sequence(cands, cfg["standard_order"])
    else:
        seq = _best_sequence(cands, cfg["standard_order"])
        seq = _unnumbered_problems(text, seq)
    out = []
    for i, c in enumerate(seq):
        end = seq[i + 1].start if i + 1 < len(seq) else len(text)
        out.append((c.key, c.start, c.end, end, c.title))
    return out


@lru_cache(maxsize=1)
def _issuer_cfg() -> tuple[dict[str, str], re.Pattern[str], list[str], list[str], list[str]]:
    cfg = load_yaml("issuers.yaml")
    abbrev = cfg["abbreviations"]
    return abbrev, re.compile(cfg["title_tail"]), cfg["zone_suffixes"], cfg["committee_forms"], cfg["body_suffixes"]


_ISSUER_TAIL = re.compile(rf"[{HAN}“”\"+()·]{{2,40}}$")
_ISSUER_ALL = re.compile(rf"^[{HAN}“”\"+()·]{{2,40}}$")
_LABEL = re.compile(r"^(标题|题目|正文|名称)[::]?")


def detect_issuer(text: str) -> str | None:
    """The issuing body named in the title, expanded to its full name."""
    head = text[:1500]
    for m in _YEAR_TITLE.finditer(head):
        line_start = head.rfind("\n", 0, m.start()) + 1
        before = _LABEL.sub("", head[line_start:m.start()].replace(" ", ""))
        hit = _ISSUER_TAIL.search(before)
        name = hit.group(0) if hit else None
        mid = m.group("mid").replace(" ", "")
        if not name and mid and _ISSUER_ALL.match(mid):
            name = mid  # year-first title: 2024年<issuer>政府信息公开工作年度报告
        if not name and line_start > 0:
            prev = head[:line_start].rstrip().split("\n")[-1].replace(" ", "")
            if _ISSUER_ALL.match(prev):
                name = prev  # PDF titles put the body on its own line above
        if name:
            name = _expand_issuer(name.strip("“”\""), text)
            if _plausible(name):
                return name
    return None


def _plausible(name: str) -> bool:
    return any(name.endswith(s) for s in _issuer_cfg()[4])


def _expand_issuer(name: str, text: str) -> str:
    abbrev, _tail, zones, committees, _suffixes = _issuer_cfg()
    for short in sorted(abbrev, key=len, reverse=True):
        if name.endswith(short):
            name = name[: -len(short)] + abbrev[short]
            break
    if any(name.endswith(z) for z in zones):
        for form in committees:
            if form in text:
                name += form
                break
    # a body named without its prefecture in the title but with it in the text: 淮安市洪泽区人民政府
    for m in re.finditer(re.escape(name), text):
        for k in (3, 4, 2):
            pre = text[max(0, m.start() - k):m.start()]
            if len(pre) == k and pre[-1] in "市州盟" and pre[0] not in _NOT_NAME and not name.startswith(pre):
                return pre + name
    return name


_NOT_NAME = set("由的在和与及对向为是本告将我全")


def detect_meta(text: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    m = _PERIOD.search(text)
    if m:
        y1, m1, d1, y2, m2, d2 = m.groups()
        meta["period_start"] = f"{y1}-{int(m1):02d}-{int(d1):02d}"
        meta["period_end"] = f"{y2 or y1}-{int(m2):02d}-{int(d2):02d}"
    m = _PHONE.search(text)
    if m:
        meta["contact_phone"] = m.group(1)
    m = _URL.search(text[:3000])
    if m:
        meta["download_url"] = m.group(1).rstrip(".")
    return meta


def run(ctx: Context) -> None:
    text = ctx.norm.text
    report = ctx.report
    report.year = detect_year(text)
    report.format_id, evidence, span = decide_format(text, report.year)
    report.meta["format_evidence"] = evidence
    if span is not None:
        o_start, o_end = ctx.norm.span(*span)
        report.meta["format_evidence_span"] = f"{o_start}-{o_end}"
    identity.run(ctx)
    report.meta.update(detect_meta(text))
    if report.year is None:
        ctx.warn("no_year", "could not find the report year")
    found = find_sections(text, report.format_id)
    sections: list[Section] = []
    if found and found[0][1] > 0:
        first_key = found[0][0]
        body_start = _body_start(text)
        lost_overview = report.format_id != "legacy_2008" and first_key != "overview"
        sub = re.search(r"(?m)^\s*\(一\)", text[body_start:found[0][1]]) if lost_overview else None
        if sub:  # the 一 heading was lost: the overview starts at its first (一) block
            pre_end = body_start + sub.start()
            _add(sections, ctx, "preamble", "", 0, 0, pre_end)
            _add(sections, ctx, "overview", "", pre_end, pre_end, found[0][1])
        else:
            _add(sections, ctx, "preamble", "", 0, 0, found[0][1])
    for key, hs, he, end, title in found:
        _add(sections, ctx, key, title, hs, he, end)
    report.sections = sections
    if not found:
        ctx.warn("no_sections", "no standard section headings found")


def _body_start(text: str) -> int:
    m = _YEAR_TITLE.search(text[:1500])
    return text.find("\n", m.end()) + 1 if m else 0


def _add(sections: list[Section], ctx: Context, key: str, title: str, hs: int, he: int, end: int) -> None:
    o_start, o_hend = ctx.norm.span(hs, he) if he > hs else (ctx.norm.orig(hs), ctx.norm.orig(hs))
    o_end = ctx.norm.orig(end) if end < len(ctx.norm.text) else ctx.norm.original_length
    # trim trailing whitespace of the section in the original text
    while o_end > o_start and ctx.doc.text[o_end - 1].isspace():
        o_end -= 1
    sections.append(Section(key=key, title=title, start=o_start, end=o_end,
                            heading_start=o_start if he > hs else None, heading_end=o_hend if he > hs else None))
