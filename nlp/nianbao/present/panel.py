"""One body across years: reports lined up by ``issuer_id``, a harmonised series per core variable, and the
identities that tie consecutive years (checks with cause ``cross_year``).

- ``rows(reports)``: one row per report and core variable (requests received/completed, reviews, lawsuits, items
  disclosed, carried over/forward) with its value, provenance (table key, merged key, legacy label or fact metric,
  with offsets) and a quality flag — the panel table an export can write as it is.
- ``cross_year_checks(reports)``: Table 3 上年结转 of year *y* must equal 结转下年度继续办理 of year *y−1* (same body);
  in legacy statistics tables, the running total (历年累计) of *y* must equal that of *y−1* plus *y*'s own year.
- ``series(reports)``: {issuer_id: {variable: {year: value}}} for plotting.

Variables and the labels that mean them are data (``data/panel.yaml``).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml
from nianbao.schema import Check, Report

VARIABLES = ("requests_received", "requests_completed", "reviews", "lawsuits", "items_disclosed",
             "carried_over", "carried_forward")


@lru_cache(maxsize=1)
def _cfg() -> dict[str, Any]:
    cfg = dict(load_yaml("panel.yaml"))
    cfg["_legacy"] = {k: re.compile(v["legacy"]) for k, v in cfg["variables"].items() if v.get("legacy")}
    cfg["_annual"] = re.compile(cfg["legacy_annual_column"])
    cfg["_cumulative"] = re.compile(cfg["legacy_cumulative_column"])
    return cfg


def issuer_key(report: Report) -> str | None:
    """The body a report belongs to in the panel: its issuer id, else its issuer name."""
    if report.identity is not None:
        return report.identity.issuer_id
    return f"name:{report.issuer}" if report.issuer else None


def _legacy_value(report: Report, pattern: re.Pattern[str], cumulative: bool = False) -> dict[str, Any] | None:
    cfg = _cfg()
    col = cfg["_cumulative"] if cumulative else cfg["_annual"]
    for row in report.legacy_stats:
        label = str(row.get("label") or "")
        column = str(row.get("column") or "")
        if row.get("value") is None or not pattern.search(label):
            continue
        if column and not col.search(column):
            continue
        if cumulative and not column:
            continue
        return row
    return None


def value(report: Report, variable: str) -> dict[str, Any]:
    """The harmonised value of one core variable in one report, with provenance and quality."""
    spec = _cfg()["variables"][variable]
    out: dict[str, Any] = {"value": None, "quality": "missing", "source": None, "start": None, "end": None}
    cell = report.tables.get(spec["table"]) if spec.get("table") else None
    merged = report.merged.get(spec["merged"]) if spec.get("merged") else None
    if cell is not None and cell.value is not None and cell.status in ("ok", "derived", "assumed_zero"):
        quality = "table"
        if merged is not None and merged.prose_value is not None:
            quality = "conflict" if merged.conflict else "both"
        return {"value": cell.value, "quality": quality, "source": spec["table"], "start": cell.start, "end": cell.end}
    if merged is not None and merged.value is not None and merged.source != "prose":
        quality = "conflict" if merged.conflict else {"table": "table", "both": "both"}[merged.source]
        span = merged.evidence[0] if merged.evidence else (None, None)
        return {"value": merged.value, "quality": quality, "source": spec["merged"], "start": span[0], "end": span[1]}
    pat = _cfg()["_legacy"].get(variable)
    row = _legacy_value(report, pat) if pat is not None else None
    if row is not None:  # a legacy statistics table outranks prose; a disagreeing prose value is flagged
        prose = merged.value if merged is not None else None
        quality = "conflict" if prose is not None and prose != row["value"] else "legacy_table"
        return {"value": row["value"], "quality": quality, "source": f"legacy:{row['label']}",
                "start": row.get("start"), "end": row.get("end")}
    if merged is not None and merged.value is not None:
        span = merged.evidence[0] if merged.evidence else (None, None)
        return {"value": merged.value, "quality": "prose", "source": spec["merged"], "start": span[0], "end": span[1]}
    metric = spec.get("merged")
    fact = next((f for f in report.facts if metric and f.metric == metric and f.value is not None), None)
    if fact is not None:
        return {"value": fact.value, "quality": "prose", "source": f"fact:{fact.metric}", "start": fact.start,
                "end": fact.end}
    return out


def rows(reports: Iterable[Report]) -> list[dict[str, Any]]:
    """The panel table: one row per (report, variable), sorted by body, year, variable."""
    out = []
    for r in reports:
        key = issuer_key(r)
        for var in VARIABLES:
            v = value(r, var)
            out.append({"issuer_id": key, "issuer": r.issuer, "year": r.year, "format_id": r.format_id,
                        "source_file": r.source, "variable": var, **v})
    out.sort(key=lambda x: (x["issuer_id"] or "", x["year"] or 0, VARIABLES.index(x["variable"])))
    return out


def series(reports: Iterable[Report]) -> dict[str, dict[str, dict[int, Any]]]:
    """{issuer_id: {variable: {year: value}}} (years without a value are left out)."""
    out: dict[str, dict[str, dict[int, Any]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows(reports):
        if row["issuer_id"] and row["year"] is not None and row["value"] is not None:
            out[row["issuer_id"]][row["variable"]][row["year"]] = row["value"]
    return {k: dict(v) for k, v in out.items()}


def by_body(reports: Iterable[Report]) -> dict[str, list[Report]]:
    """Reports grouped by body, each group sorted by year (reports without year or body are left out)."""
    groups: dict[str, list[Report]] = defaultdict(list)
    for r in reports:
        key = issuer_key(r)
        if key and r.year is not None:
            groups[key].append(r)
    return {k: sorted(v, key=lambda r: r.year or 0) for k, v in groups.items()}


def _check(cid: str, rule: str, left: Any, right: Any, keys: list[str], message: str) -> Check:
    if left is None or right is None:
        return Check(id=cid, rule=rule, status="not_assessable", left=left, right=right, keys=keys, cause="cross_year",
                     message=message)
    delta = left - right
    return Check(id=cid, rule=rule, status="pass" if delta == 0 else "fail", left=left, right=right, delta=delta,
                 keys=keys, cause="cross_year", severity="warning", message=message)


def cross_year_checks(reports: Iterable[Report]) -> list[Check]:
    """Identities between consecutive years of the same body (see module doc)."""
    checks: list[Check] = []
    cfg = _cfg()
    for body, group in by_body(reports).items():
        for prev, cur in itertools.pairwise(group):
            if cur.year != (prev.year or 0) + 1:
                continue
            over = value(cur, "carried_over")
            fwd = value(prev, "carried_forward")
            if over["value"] is not None or fwd["value"] is not None:
                checks.append(_check(
                    f"cross_year.carried_over.{body}.{cur.year}",
                    f"{cur.year} 上年结转 = {prev.year} 结转下年度继续办理", over["value"], fwd["value"],
                    [f"{cur.year}:{over['source']}", f"{prev.year}:{fwd['source']}"],
                    f"{cur.source} vs {prev.source}"))
            for var, pat in cfg["_legacy"].items():
                if var in ("carried_over", "carried_forward"):
                    continue
                cum_now = _legacy_value(cur, pat, cumulative=True)
                cum_before = _legacy_value(prev, pat, cumulative=True)
                annual = _legacy_value(cur, pat)
                if cum_now and cum_before and annual:
                    checks.append(_check(
                        f"cross_year.legacy_cumulative.{var}.{body}.{cur.year}",
                        f"{cur.year} 历年累计 = {prev.year} 历年累计 + {cur.year} 年度 ({cum_now['label']})",
                        cum_now["value"], cum_before["value"] + annual["value"],
                        [f"{cur.year}:legacy:{cum_now['label']}", f"{prev.year}:legacy:{cum_before['label']}"],
                        f"{cur.source} vs {prev.source}"))
    return checks


def compare_table(reports: Iterable[Report]) -> list[dict[str, Any]]:
    """A wide view of each body: one row per (body, year) with the core variables and their quality flags."""
    wide: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows(reports):
        if row["issuer_id"] is None or row["year"] is None:
            continue
        key = (row["issuer_id"], row["year"])
        rec = wide.setdefault(key, {"issuer_id": row["issuer_id"], "issuer": row["issuer"], "year": row["year"],
                                    "format_id": row["format_id"]})
        rec[row["variable"]] = row["value"]
        rec[f"{row['variable']}_quality"] = row["quality"]
    return [wide[k] for k in sorted(wide)]


_SHORT = {"requests_received": "received", "requests_completed": "completed", "reviews": "reviews",
          "lawsuits": "lawsuits", "items_disclosed": "disclosed", "carried_over": "c_over", "carried_forward": "c_fwd"}
_FLAG = {"table": "", "both": "", "legacy_table": "L", "prose": "p", "conflict": "!", "missing": ""}


def render(reports: list[Report]) -> str:
    """Plain-text view of each body across years (what ``nianbao compare`` prints).

    Flags after a value: L = legacy statistics table, p = prose only, ! = table and prose disagree.
    """
    lines: list[str] = []
    table = compare_table(reports)
    checks = cross_year_checks(reports)
    for body in dict.fromkeys(r["issuer_id"] for r in table):
        recs = [r for r in table if r["issuer_id"] == body]
        lines.append(f"{body}  {max((r['issuer'] or '' for r in recs), key=len)}")
        lines.append("  year  format       " + "".join(f"{_SHORT[v]:>11}" for v in VARIABLES))
        for r in recs:
            cells = "".join(
                f"{('' if r.get(v) is None else str(r[v]) + _FLAG.get(r.get(v + '_quality', ''), '')):>11}"
                for v in VARIABLES)
            lines.append(f"  {r['year']}  {r['format_id']:<12}{cells}")
        for c in checks:
            if f".{body}." in c.id:
                lines.append(f"  check {c.status:<14} {c.rule}: {c.left} vs {c.right}")
        lines.append("")
    lines.append("flags: L legacy statistics table, p prose only, ! table and prose disagree")
    return "\n".join(lines)
