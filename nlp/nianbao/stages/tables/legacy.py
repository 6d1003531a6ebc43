"""The optional 2014–2018 statistics annex (政府信息公开情况统计表) → ``report.legacy_stats``.

Indicator lists differ by locality, so there is no fixed catalogue: each entry is a label, a
unit from a short unit list, and one value per period column read from the header
(``2016年度``, ``历年累计``). Run-together digits are split like Table 2/3 cells, preferring a
cumulative value not below the year's value; unresolved splits keep their candidates.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml
from nianbao.stages.context import Context
from nianbao.stages.tables.rows import fit
from nianbao.stages.tables.tokens import Tok, stream

_PREFIX = re.compile(r"^(其中[:：]?)?(\d{1,2}[.、]|[(（]?[一二三四五六七八九十]+[)）、])?")


@lru_cache(maxsize=1)
def _conf() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...], int]:
    c = load_yaml("tables.yaml")["legacy"]
    units = tuple(sorted(c["units"], key=len, reverse=True))
    return re.compile(c["anchor"]), re.compile(c["header_columns"]), units, int(c["span"])


def run(ctx: Context) -> None:
    anchor, header_re, units, span = _conf()
    text = ctx.norm.text
    m = anchor.search(text)
    if m is None:
        return
    start = m.start()
    end = min(len(text), start + span)
    head = text[start:start + 80]
    columns = [h.group(0) for h in header_re.finditer(head)] or ["本年度", "累计"]
    body_start = start
    hm = list(header_re.finditer(text, start, start + 80))
    if hm:
        body_start = hm[-1].end()
    toks = stream(ctx, body_start, end)
    ctx.report.legacy_stats.extend(parse_entries(toks, columns, units))


def parse_entries(toks: list[Tok], columns: list[str], units: tuple[str, ...]) -> list[dict[str, Any]]:
    """Label/unit/value entries; stops at the first long prose label after the entries."""
    out: list[dict[str, Any]] = []
    width = len(columns)
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind != "label":
            i += 1
            continue
        if len(t.text) > 40 and out:
            break
        j = i + 1
        labels = [t]
        while j < len(toks) and toks[j].kind == "label" and len(toks[j].text) <= 6:
            labels.append(toks[j])  # unit printed as its own cell
            j += 1
        vals: list[Tok] = []
        while j < len(toks) and toks[j].kind != "label":
            vals.append(toks[j])
            j += 1
        i = j
        if not any(v.is_value for v in vals):
            continue
        label = "".join(x.text for x in labels)
        unit = next((u for u in units if label.endswith(u)), None)
        name = label[: len(label) - len(unit)] if unit else label
        name = _PREFIX.sub("", name) or name
        f = fit(vals, width, (), tuple(f"c{k}" for k in range(width)), (("ge", f"c{width - 1}", "c0"),)
                if width > 1 else ())
        for k, col in enumerate(columns):
            entry: dict[str, Any] = {"label": name, "raw_label": label, "unit": unit, "column": col}
            if not f.viable:
                entry.update(value=None, raw=" ".join(v.text for v in vals), status="unparsable",
                             start=vals[0].start, end=vals[-1].end)
            else:
                piece = f.viable[0][k]
                num = piece.number
                entry.update(value=(int(num) if num is not None and num == int(num) and "." not in piece.raw
                                    else num),
                             raw=piece.raw, start=piece.start, end=piece.end,
                             status="ok" if len({v[k].raw for v in f.viable}) == 1 else "ambiguous")
                if entry["status"] == "ambiguous":
                    entry["candidates"] = "|".join(dict.fromkeys(v[k].raw for v in f.viable))
            out.append(entry)
    return out
