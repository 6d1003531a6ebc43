"""Numbers and quantities in report prose: 9662条, 4150余条, 1.5万, 一期, 十二场, 超过4500人次, 380元, 100%.

Reports write counts in Arabic (half- or full-width) and Chinese numerals, with
万/亿 multipliers, approximate markers (余/多/近/约/超过/不足) and ranges, and
state zeros in words (未收到…申请, 无依申请公开事项). :func:`find_quantities`
returns every counted quantity with its span so the fact stage can assign a
metric; units, qualifier words and zero-statement patterns are data
(``data/numbers.yaml``). Spans are offsets into the text given (callers pass the
normalised text and map back with ``NormText.span``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml
from nianbao.schema import Qualifier

Number = int | float

_FW_DIGIT_RE = re.compile("[０-９]")
_FW_DIGITS = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")
CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL)


@dataclass(frozen=True)
class Quantity:
    """A counted quantity found in text; ``start``/``end`` cover qualifier words, number and unit."""

    value: Number
    unit: str | None
    qualifier: Qualifier
    start: int
    end: int
    raw: str
    num_start: int
    num_end: int
    high: Number | None = None
    kind: str = "number"  # "number" | "zero" (a statement such as 未收到申请)


def _tidy(value: float) -> Number:
    return round(value) if abs(value - round(value)) < 1e-9 else round(value, 6)


def parse_cn_int(s: str) -> int | None:
    """Chinese numeral → int: 十二→12, 两→2, 一百零五→105, 三千二百万→32000000, 二〇二〇→2020."""
    if not s:
        return None
    if all(ch in CN_DIGITS for ch in s):
        if len(s) == 1:
            return CN_DIGITS[s]
        return int("".join(str(CN_DIGITS[ch]) for ch in s))  # positional: 二〇二〇
    total = 0
    section = 0
    digit: int | None = None
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None and CN_DIGITS[ch] != 0 and digit != 0:
                return None  # 十三五: two digits in a row inside a unit numeral is not a number
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL:
            section += (1 if digit is None else digit) * CN_SMALL[ch]
            digit = None
        elif ch in CN_BIG:
            section += digit or 0
            if section == 0 and total == 0:
                return None
            if CN_BIG[ch] > 10_000 or total == 0:
                total = (total + section) * CN_BIG[ch]
            else:
                total += section * CN_BIG[ch]
            section = 0
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def parse_number(s: str) -> Number | None:
    """A number as written (Arabic, full-width, Chinese, mixed 1.5万, 百分之五十) → value, else None."""
    s = s.strip().translate(_FW_DIGITS).replace(",", "")
    if not s:
        return None
    if s.startswith("百分之"):
        return parse_number(s[3:])
    if s.endswith("%"):
        return parse_number(s[:-1])
    mult = 1
    while len(s) > 1 and s[-1] in CN_BIG and (s[-2].isdigit() or s[-2] in CN_BIG):
        mult *= CN_BIG[s[-1]]  # 1.5万, 3亿: Arabic number with a multiplier
        s = s[:-1]
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return _tidy(float(s) * mult)
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = parse_cn_int(whole) if whole else 0
        if w is None or not frac or any(ch not in CN_DIGITS for ch in frac):
            return None
        return _tidy((w + float("0." + "".join(str(CN_DIGITS[c]) for c in frac))) * mult)
    v = parse_cn_int(s)
    return None if v is None else _tidy(v * mult)


@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    data = load_yaml("numbers.yaml")
    units = sorted(data["units"], key=len, reverse=True)
    pre = data["qualifiers"]["prefix"]
    suf = data["qualifiers"]["suffix"]
    post_words = sorted((w for w in suf if len(w) > 1), key=len, reverse=True)
    cn = f"[{CN_CHARS}]+(?:点[{''.join(CN_DIGITS)}]+)?"
    num = rf"(?:\d+(?:\.\d+)?|{cn})"
    # a number counts only when something can follow it (a range, 万/亿, 余/多, a unit): checking the
    # next character in the pattern spares a Python call for every bare number, year and date
    follow = "".join(sorted({u[0] for u in units} | set("-~～—至到万亿余多 \n")))
    pattern = re.compile(
        rf"(?=[\d{CN_CHARS}])(?P<num>{num})(?=[{re.escape(follow)}])"
        rf"(?:(?P<rsep>-|~|～|—|至|到)(?P<num2>{num}))?"
        r"(?P<m1>万|亿)?(?P<suf>余|多)?(?P<m2>万|亿)?"
        rf"(?:(?P<gap>[ \n])(?=[^\s\d]))?(?P<unit>{'|'.join(map(re.escape, units))})?"
        rf"(?P<post>{'|'.join(map(re.escape, post_words))})?"
    )
    percent = re.compile(rf"百分之(?P<num>{num})")
    zero = data["zero_statements"]
    return {
        "pattern": pattern,
        "percent": percent,
        "prefix": dict(sorted(pre.items(), key=lambda kv: -len(kv[0]))),
        "suffix": suf,
        "multipliers": {k: (v[0], v[1]) for k, v in data.get("unit_multipliers", {}).items()},
        "arabic_only": set(data.get("arabic_only_units", [])),
        "not_counts": tuple(data.get("not_counts", [])),
        "not_after": tuple(data.get("not_after", [])),
        # the leading one-character test (first_chars) lets the scan skip most positions quickly
        "zero_heads": re.compile((f"(?=[{zero['first_chars']}])" if zero.get("first_chars") else "")
                                 + "(?:" + "|".join(f"(?:{h})" for h in zero["heads"]) + ")"),
        "zero_objects": tuple(zero["objects"]),
        "zero_max": int(zero.get("max_len", 45)),
        "zero_continues": re.compile(zero["continues"]) if zero.get("continues") else None,
    }


_NUM_BEFORE = re.compile(r"[\d.A-Za-z_/#@:\-]")
_CN_BAD_BEFORE = set("第统唯逐之初同单划整归合专万进星周")
CLAUSE_END = re.compile(r"[,;。!?\n:]")


def _prefix_qualifier(text: str, start: int, prefixes: dict[str, str]) -> tuple[str, int] | None:
    window = text[max(0, start - 4):start]
    for word, qual in prefixes.items():
        if window.endswith(word):
            return qual, start - len(word)
    return None


def find_quantities(text: str, zero: bool = True) -> list[Quantity]:
    """Every counted quantity in ``text`` (numbers with a unit or 万/亿, percentages, zero statements)."""
    cfg = _config()
    text_n = text.translate(_FW_DIGITS) if _FW_DIGIT_RE.search(text) else text
    out: list[Quantity] = []
    for m in cfg["pattern"].finditer(text_n):
        q = _from_match(text_n, m, cfg)
        if q is not None:
            out.append(q)
    for m in cfg["percent"].finditer(text_n):
        v = parse_number(m.group("num"))
        if v is not None:
            out.append(Quantity(v, "%", "exact", m.start(), m.end(), text_n[m.start():m.end()], m.start(), m.end()))
    if zero:
        out.extend(find_zero_statements(text_n))
    if text_n is not text:  # full-width digits were folded 1:1: raw comes from the text as given
        out = [replace(q, raw=text[q.start:q.end]) for q in out]
    out.sort(key=lambda q: (q.start, -q.end))
    return out


def _from_match(text: str, m: re.Match[str], cfg: dict[str, Any]) -> Quantity | None:
    num = m.group("num")
    unit = m.group("unit")
    mult_words = (m.group("m1") or "") + (m.group("m2") or "")
    if not unit and not mult_words:
        return None
    if m.group("gap") and (not unit or text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip() == ""):
        return None  # a number alone on its line is a table cell, not "2\n件"
    start = m.start()
    is_cn = not num[0].isdigit()
    before = text[start - 1] if start else ""
    if before and (_NUM_BEFORE.match(before) or before == "第"):
        return None
    if is_cn:
        if before in _CN_BAD_BEFORE or num[0] not in "零〇一二两三四五六七八九十":
            return None
        if unit in cfg["arabic_only"] or (not unit and not m.group("num2")):
            return None
        if text.startswith(cfg["not_counts"], start):
            return None
    after_num = text[m.end("num2") if m.group("num2") else m.end("num"):]
    if after_num.startswith(cfg["not_after"]):
        return None
    end = m.end()
    if unit and text.startswith("性", end) and unit == "次":
        return None  # 一次性
    value = parse_number(num)
    if value is None:
        return None
    high = parse_number(m.group("num2")) if m.group("num2") else None
    if m.group("num2") and high is None:
        return None
    factor = 1
    for ch in mult_words:
        factor *= CN_BIG[ch]
    if unit in cfg["multipliers"]:
        f, unit = cfg["multipliers"][unit]
        factor *= f
    value = _tidy(value * factor)
    if high is not None:
        high = _tidy(high * factor)
    qualifier: str = "exact"
    suf = m.group("suf") or m.group("post")
    if suf:
        qualifier = cfg["suffix"].get(suf, "exact")
    q_start = start
    pre = _prefix_qualifier(text, start, cfg["prefix"])
    if pre is not None:
        if pre[0] != "exact":
            qualifier = pre[0]
        q_start = pre[1]
    if high is not None and qualifier == "exact":
        qualifier = "at_least"  # a range: value is its lower bound, ``high`` the upper
    return Quantity(value, unit, qualifier, q_start, end, text[q_start:end], start, m.end("num"), high=high)  # type: ignore[arg-type]


def find_zero_statements(text: str) -> list[Quantity]:
    """Statements meaning zero (未收到…申请, 无依申请公开事项, 没有发生…行政复议, 未收取…费用)."""
    cfg = _config()
    out: list[Quantity] = []
    last_end = -1
    for m in cfg["zero_heads"].finditer(text):
        if m.start() < last_end:
            continue
        stop = CLAUSE_END.search(text, m.end())
        end = min(stop.start() if stop else len(text), m.start() + cfg["zero_max"])
        body = text[m.end():end]
        if any(ch.isdigit() for ch in text[m.start():min(len(text), end + 2)]):
            continue  # flattened table rows (没有现成信息…0000) are not statements
        if not any(obj in body or obj in m.group(0) for obj in cfg["zero_objects"]):
            continue
        more = cfg["zero_continues"].match(text, end) if cfg["zero_continues"] else None
        if more:
            stop2 = CLAUSE_END.search(text, more.end())
            if not any(ch.isdigit() for ch in text[end:stop2.start() if stop2 else len(text)]):
                end = more.end()  # …复议,行政诉讼3件 states a number: not part of the zero statement
        out.append(Quantity(0, None, "exact", m.start(), end, text[m.start():end], m.start(), m.end(), kind="zero"))
        last_end = end
    return out
